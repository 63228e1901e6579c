/**
 * Outputs returned to the engine must be plain JSON: an `undefined` anywhere inside makes
 * protobuf's `Struct.fromJavaScript` throw "Unexpected struct type." (pulumi-notes B2 pitfall 4).
 */

/** A deep copy of `v` with every `undefined` member removed (JSON round trip). */
export function toPlainData<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Deep equality over plain data (key order insensitive); `undefined` members are ignored. */
export function plainEqual(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const o = value as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(o)
          .sort()
          .map((k) => [k, o[k]]),
      );
    }
    return value;
  });
}
