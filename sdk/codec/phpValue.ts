/**
 * The shape of config data as pfSense's XML-RPC endpoint and config.xml parser hand it around
 * (design/pfsense-xmlrpc.md §2.2, §9.1): strings for every leaf, `""` for a set flag, lists as
 * arrays *or* as structs with numeric member names (after a hole), booleans/ints only on the
 * way in. Shared by the node client and the emulator; no I/O.
 */

/** A value in a config tree as it travels over XML-RPC. */
export type PhpValue = string | number | boolean | PhpValue[] | PhpStruct;

/** An XML-RPC struct / PHP associative array. Member order is preserved. */
export interface PhpStruct {
  [key: string]: PhpValue;
}

/** True for a plain struct (not an array, not a scalar). */
export function isStruct(v: unknown): v is PhpStruct {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** True when every member name of a struct is a non-negative integer (a list with holes). */
export function isNumberedStruct(v: PhpStruct): boolean {
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => /^(0|[1-9][0-9]*)$/.test(k));
}

/**
 * Reads a list the way pfSense code does: an array as is, a numbered struct in key order,
 * a single struct as a one-item list (a list tag with one occurrence before re-parse),
 * and `""`/absent (an empty section) as an empty list.
 */
export function toList(v: PhpValue | undefined): PhpValue[] {
  if (v === undefined || v === "" || v === false) return [];
  if (Array.isArray(v)) return v;
  if (isStruct(v)) {
    if (isNumberedStruct(v)) {
      return Object.keys(v)
        .sort((a, b) => Number(a) - Number(b))
        .map((k) => v[k]);
    }
    return [v];
  }
  return [v];
}

/** Reads a struct member that may be `""` (an empty section element) as an empty struct. */
export function toStruct(v: PhpValue | undefined): PhpStruct {
  return isStruct(v) ? v : {};
}

/** A flag is set when the key is present with any value but boolean false (isset semantics). */
export function flagIsSet(v: PhpValue | undefined): boolean {
  return v !== undefined && v !== false;
}

/** A leaf as a string ("" when absent); numbers and booleans as pfSense would store them. */
export function leaf(v: PhpValue | undefined): string {
  if (v === undefined || v === false) return "";
  if (v === true) return "";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return v;
  return "";
}

/** Deep copy of a config value (structs keep member order). */
export function cloneValue<T extends PhpValue>(v: T): T {
  return structuredClone(v);
}
