/**
 * Partial application between the two nodes (pulumi-notes B1 "Errors", B2 pitfall 16). When the
 * primary may already hold the change but the secondary (or the read-back) failed, the provider
 * throws an error carrying `id`, `properties` and `reasons`: the dynamic-provider host turns it
 * into `ErrorResourceInitFailed`, the engine keeps the resource in state with those properties,
 * and the next `pulumi up` runs `update`, which reconciles both nodes again.
 */
import { haError, isHaError, type PfSenseHaError } from "../plan/errors";
import { isWriteUnsettled } from "../pfsense";
import { toPlainData } from "./plainData";

/** A {@link PfSenseHaError} (`E_PARTIAL`) with the fields the engine reads on a partial failure. */
export type PartialFailure = PfSenseHaError & {
  id: string;
  properties: Record<string, unknown>;
  reasons: string[];
};

/**
 * Builds the partial-failure error. `step` names where it failed (`"primary write"`,
 * `"secondary write"`, `"read-back"`); `cause` is the underlying error (its message is one of
 * the library's own, which never contain secrets).
 */
export function partialFailure(args: {
  resource: string;
  id: string;
  properties: object;
  step: string;
  cause: unknown;
}): PartialFailure {
  const causeText = isHaError(args.cause)
    ? args.cause.message
    : args.cause instanceof Error
      ? args.cause.message
      : String(args.cause);
  const err = haError(
    {
      code: "E_PARTIAL",
      field: args.resource,
      message: `applied only in part: the ${args.step} failed: ${causeText}`,
      fix: "fix the cause above, then run `pulumi up` again: it reconciles both nodes from the recorded state",
    },
    args.cause,
  ) as PartialFailure;
  err.id = args.id;
  // Recorded drift makes every provider's diff report a change, so the next `pulumi up` runs
  // update even when the recorded inputs equal the program's (pitfall 16).
  const onPrimary = /primary/.test(args.step);
  const pending = [`not converged: the ${args.step} failed`];
  err.properties = toPlainData({
    ...args.properties,
    drift: { primary: onPrimary ? pending : [], secondary: onPrimary ? [] : pending },
  }) as Record<string, unknown>;
  err.reasons = [err.message];
  return err;
}

/** What a partial failure records: the resource (for messages), its id and its properties. */
export interface PartialRecord {
  resource: string;
  id: string;
  properties: object;
}

/**
 * Runs one step of a two-node apply (`"primary write"`, `"secondary write"`); its failure becomes
 * the partial-failure error with what `record()` gives at that moment (ids allocated inside the
 * step included). Errors for which `passThrough` is true are thrown as they are (typically
 * {@link isPreWriteError} on create: nothing was written, so there is nothing to record).
 */
export async function orPartial<T>(
  step: string,
  record: () => PartialRecord,
  run: () => Promise<T>,
  passThrough?: (e: unknown) => boolean,
): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (passThrough?.(e)) throw e;
    throw partialFailure({ ...record(), step, cause: e });
  }
}

/**
 * The partial failure of a primary whose read-back after the write does not hold the item:
 * `E_VERIFY` on `<resource> (primary)`, recorded like any other partial apply.
 */
export function primaryReadBackFailure(
  rec: PartialRecord,
  message: string,
  fix: string,
): PartialFailure {
  return partialFailure({
    ...rec,
    step: "read-back of the primary",
    cause: haError({ code: "E_VERIFY", field: `${rec.resource} (primary)`, message, fix }),
  });
}

/**
 * True for errors that prove nothing was written (input rejected, or the write never started).
 * An error after which the node could not be read back proves nothing, whatever its code (an
 * auth fault at the read-back of a write that landed), so it is recorded as partial.
 */
export function isPreWriteError(e: unknown): boolean {
  if (!isHaError(e) || isWriteUnsettled(e)) return false;
  return [
    "E_INVALID_ADDRESS",
    "E_ADDRESS_OUTSIDE_SUBNET",
    "E_ADDRESS_RESERVED",
    "E_ADDRESS_CONFLICT",
    "E_PREFIX_TOO_SMALL",
    "E_MASK_MISMATCH",
    "E_FAMILY_MISMATCH",
    "E_VHID_RANGE",
    "E_VHID_CONFLICT",
    "E_VHID_EXHAUSTED",
    "E_ADVBASE_RANGE",
    "E_ADVSKEW_RANGE",
    "E_SKEW_ORDER",
    "E_DHCP_SKEW",
    "E_CARP_PASSWORD",
    "E_NAT_SOURCE_UNSAFE",
    "E_NAT_TARGET",
    "E_DHCP_RANGE",
    "E_DHCP_PEER",
    "E_SERVICE_NOT_FOUND",
    "E_SERVICE_BINDING",
    "E_INVALID_INPUT",
    "E_AUTH",
    "E_PRIVILEGE",
    "E_TLS",
    "E_PREFLIGHT",
    "E_CONCURRENT_EDIT",
    "E_UNSUPPORTED_VERSION",
  ].includes(e.code);
}
