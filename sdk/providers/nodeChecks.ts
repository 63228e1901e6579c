/**
 * `check` against the nodes: at preview (and again at `up`) every resource whose inputs are all
 * known reads both nodes — read-only, one shared read per node for the whole program — and runs
 * the rules its reconcile would apply, so bad input fails before anything is written anywhere.
 */
import { isHaError } from "../plan/errors";
import type { NodeState } from "../pfsense/types";
import type { CheckFailure } from "./checkFailures";
import type { EndpointInput } from "./endpointInputs";
import { openPair } from "./nodePair";
import { containsUnknown } from "./unknowns";

/** Both nodes' state for a check, or the failure that kept them from being read. */
export async function readNodesForCheck(inp: {
  primary: EndpointInput;
  secondary: EndpointInput;
}): Promise<{ nodes?: [NodeState, NodeState]; failures: CheckFailure[] }> {
  const pair = openPair(inp);
  try {
    const nodes = await Promise.all([
      pair.primary.read({ shared: true }),
      pair.secondary.read({ shared: true }),
    ]);
    return { nodes, failures: [] };
  } catch (e) {
    if (!isHaError(e)) throw e;
    return { failures: [{ property: "", reason: e.message }] };
  }
}

/** True when the static check passed and every input is known (the node rules can run). */
export function readyForNodeCheck(failures: CheckFailure[], news: unknown): boolean {
  return failures.length === 0 && !containsUnknown(news);
}

/** True for a `check` of a resource that does not exist yet (the engine passes no old inputs). */
export function isCreateCheck(olds: unknown): boolean {
  return olds === undefined || olds === null || Object.keys(olds as object).length === 0;
}
