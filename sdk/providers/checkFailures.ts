/**
 * Turning the planner's rejections into `check` failures, so `pulumi preview` shows them against
 * the input property with the planner's message (what, where, how to fix).
 */
import { isHaError } from "../plan/errors";

/** The SDK's CheckFailure shape. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/**
 * Runs `validate`; a thrown {@link PfSenseHaError} becomes a failure on the input property named
 * by the error's field (its last dotted part, renamed through `rename` — the planner's `vip`
 * is the input `address` — when that is one of `properties`, else `""`).
 * Anything else is rethrown: it is a bug, not bad input.
 */
export function collectFailure(
  validate: () => void,
  properties: readonly string[],
  out: CheckFailure[],
  rename: Record<string, string> = {},
): void {
  try {
    validate();
  } catch (e) {
    if (!isHaError(e)) throw e;
    const raw = (e.field ?? "").split(".").pop() ?? "";
    const last = rename[raw] ?? raw;
    const property = properties.includes(last) ? last : "";
    out.push({ property, reason: e.message });
  }
}
