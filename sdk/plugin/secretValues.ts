/**
 * Secrets on the provider wire. The plugin tells the engine it accepts secrets, so every secret
 * input arrives wrapped in Pulumi's secret signature object, wherever it sits in the tree. The
 * resource code works on plain values; what was secret going in (and what a kind declares secret)
 * goes back wrapped, so the engine never sees, stores or logs it in plain text.
 */

/** Pulumi's special-signature key and the signature of a secret value (the wire format). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A path into plain data: member names and array indexes; `*` matches any member. */
export type ValuePath = readonly (string | number)[];

/** True for a wire secret `{ <sig>: <secret sig>, value }`. */
export function isWireSecret(v: unknown): v is { value: unknown } {
  return (
    v !== null && typeof v === "object" && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  );
}

/** `v` as a wire secret. */
export function wireSecret(v: unknown): Record<string, unknown> {
  return { [SIG_KEY]: SECRET_SIG, value: v };
}

/** The plain value of `v` and the paths of every secret found inside it. */
export function unwrapSecrets(v: unknown): { plain: unknown; secretPaths: ValuePath[] } {
  const secretPaths: ValuePath[] = [];
  const walk = (x: unknown, at: (string | number)[]): unknown => {
    if (isWireSecret(x)) {
      secretPaths.push(at);
      return walk(x.value, at);
    }
    if (Array.isArray(x)) return x.map((e, i) => walk(e, [...at, i]));
    if (x !== null && typeof x === "object") {
      return Object.fromEntries(Object.entries(x).map(([k, e]) => [k, walk(e, [...at, k])]));
    }
    return x;
  };
  return { plain: walk(v, []), secretPaths };
}

/**
 * A copy of `v` with the value at every path (that exists) wrapped as a secret. A path ending
 * early wraps the whole subtree; `*` wraps each member.
 */
export function wrapSecrets(v: unknown, paths: readonly ValuePath[]): unknown {
  let out = v;
  for (const p of paths) out = wrapAt(out, p);
  return out;
}

function wrapAt(x: unknown, path: ValuePath): unknown {
  if (x === undefined || isWireSecret(x)) return x;
  if (path.length === 0) return wireSecret(x);
  if (x === null || typeof x !== "object") return x;
  const [head, ...rest] = path;
  if (Array.isArray(x)) {
    return x.map((e, i) => (head === "*" || head === i ? wrapAt(e, rest) : e));
  }
  return Object.fromEntries(
    Object.entries(x).map(([k, e]) => [k, head === "*" || head === k ? wrapAt(e, rest) : e]),
  );
}
