/**
 * The `inputs` a provider's `read` hands back on refresh (pulumi-notes B2 pitfall 9): the engine
 * stores them as the resource's inputs, so the next diff compares the program with what refresh
 * found instead of with stale inputs.
 */

/** The input members (`keys`) of a resource's refreshed state. */
export function refreshedInputs<I extends object>(
  state: Partial<I>,
  keys: readonly (keyof I)[],
): Partial<I> {
  const inputs: Partial<I> = {};
  for (const k of keys) inputs[k] = state[k];
  return inputs;
}
