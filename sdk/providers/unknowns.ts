/**
 * Preview-time unknowns. During `pulumi preview` the engine hands `check` and `diff` the sentinel
 * string below for every input that is not known yet, whatever the declared type (arrays and
 * numbers too; design/pulumi-notes.md B2 pitfall 5). Validation must skip it; a diff on it must
 * report a change.
 */

/** The engine's unknown-value sentinel (`@pulumi/pulumi` runtime/rpc `unknownValue`). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when `v` is the unknown sentinel itself. */
export function isUnknown(v: unknown): boolean {
  return v === UNKNOWN;
}

/** True when `v` is, or contains anywhere inside it, the unknown sentinel. */
export function containsUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v !== null && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}
