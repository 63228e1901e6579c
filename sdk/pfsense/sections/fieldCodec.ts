/**
 * Lossless item codec: an item (a `<vip>`, an outbound NAT `<rule>`, ...) is decoded field by
 * field into a model object; raw members no field owns go to `extra` verbatim. When a
 * field's raw form is not the canonical one (a flag stored as `yes` instead of `""`, `"01"`
 * for a number, a missing `target_subnet`), the raw members of that field are also kept in
 * `extra` (an absent member as `false`), and re-used on encode as long as the model value
 * is unchanged. So decode → encode of any real shape gives the same members back, in the
 * order the node stored them (an item the library only carries along must not show up as
 * changed in pfSense's Config History diff).
 */
import { isDeepStrictEqual } from "node:util";
import { cloneValue, flagIsSet, leaf, type PhpStruct, type PhpValue } from "../../codec/phpValue";
import type { Extra } from "../../plan/model";

/** One modelled field: the raw members it owns and how they map to model fields. */
export interface FieldSpec<M, C> {
  /** Raw member names this field reads and writes. */
  keys: readonly string[];
  /** Model field names it fills. */
  fields: readonly string[];
  decode(raw: PhpStruct, ctx: C): Partial<M>;
  /** Raw members for the model (absent = not written). */
  encode(m: M, ctx: C): PhpStruct;
}

type WithExtra = { extra?: Extra };

/** Reserved `extra` member: the raw member order (no pfSense member has this name). */
export const MEMBER_ORDER = "__memberOrder";

/** `out`'s members in `order` first, then any new ones. */
function inOrder(out: PhpStruct, order: unknown): PhpStruct {
  if (!Array.isArray(order)) return out;
  const sorted: PhpStruct = {};
  for (const k of order) if (typeof k === "string" && k in out) sorted[k] = out[k];
  for (const [k, v] of Object.entries(out)) if (!(k in sorted)) sorted[k] = v;
  return sorted;
}

function pick(o: object, names: readonly string[]): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  for (const n of names) {
    const v = (o as Record<string, unknown>)[n];
    if (v !== undefined) r[n] = v;
  }
  return r;
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o))
    if ((o as Record<string, unknown>)[k] === undefined) delete (o as Record<string, unknown>)[k];
  return o;
}

/**
 * Decoded and encoded items by content, per spec list. Every batch reads a section back whole,
 * so at 256 VIPs the same items are decoded and encoded thousands of times per `up`; a hit
 * costs a JSON round trip instead. Entries are JSON text, so each caller gets its own copy.
 */
const MEMO_MAX = 8192;
const decodeMemo = new WeakMap<object, Map<string, string>>();
const encodeMemo = new WeakMap<object, Map<string, string>>();

function memoFor(memos: WeakMap<object, Map<string, string>>, specs: object): Map<string, string> {
  let m = memos.get(specs);
  if (!m) memos.set(specs, (m = new Map()));
  else if (m.size >= MEMO_MAX) m.clear();
  return m;
}

/** `f(input)`, memoised by the JSON of `input` and `ctx`; only JSON-exact results are kept. */
function memoised<I, O>(
  memos: WeakMap<object, Map<string, string>>,
  specs: object,
  input: I,
  ctx: unknown,
  f: () => O,
): O {
  const memo = memoFor(memos, specs);
  const key = `${JSON.stringify(ctx) ?? ""}\n${JSON.stringify(input)}`;
  const hit = memo.get(key);
  if (hit !== undefined) return JSON.parse(hit) as O;
  const out = f();
  const text = JSON.stringify(out);
  // A value JSON cannot carry (undefined member, non-finite number) is simply not memoised.
  if (isDeepStrictEqual(JSON.parse(text), out)) memo.set(key, text);
  return out;
}

/** Decodes one raw item with the given field specs. */
export function decodeItem<M extends WithExtra, C>(
  raw: PhpStruct,
  specs: readonly FieldSpec<M, C>[],
  ctx: C,
): M {
  return memoised(decodeMemo, specs, raw, ctx, () => decodeFresh(raw, specs, ctx));
}

function decodeFresh<M extends WithExtra, C>(
  raw: PhpStruct,
  specs: readonly FieldSpec<M, C>[],
  ctx: C,
): M {
  const model = {} as M;
  for (const s of specs) Object.assign(model, s.decode(raw, ctx));
  stripUndefined(model);
  const owned = new Set(specs.flatMap((s) => s.keys));
  const extra: Extra = {};
  for (const [k, v] of Object.entries(raw)) if (!owned.has(k)) extra[k] = cloneValue(v);
  for (const s of specs) {
    const enc = s.encode(model, ctx);
    const same = s.keys.every((k) => isDeepStrictEqual(raw[k], enc[k]));
    if (!same) for (const k of s.keys) extra[k] = k in raw ? cloneValue(raw[k]) : false;
  }
  const order = Object.keys(raw);
  const canonicalOrder = Object.keys(encodeFresh({ ...model, extra } as M, specs, ctx));
  if (!isDeepStrictEqual(order, canonicalOrder)) extra[MEMBER_ORDER] = order;
  if (Object.keys(extra).length > 0) model.extra = extra;
  return model;
}

/** Encodes one model item; stashed raw members are re-used while their field is unchanged. */
export function encodeItem<M extends WithExtra, C>(
  model: M,
  specs: readonly FieldSpec<M, C>[],
  ctx: C,
): PhpStruct {
  return memoised(encodeMemo, specs, model, ctx, () => encodeFresh(model, specs, ctx));
}

function encodeFresh<M extends WithExtra, C>(
  model: M,
  specs: readonly FieldSpec<M, C>[],
  ctx: C,
): PhpStruct {
  const out: PhpStruct = {};
  const extra = model.extra ?? {};
  const owned = new Set(specs.flatMap((s) => s.keys));
  const encoded = specs.map((s) => s.encode(model, ctx));
  // Every member in canonical form: context for fields whose decode reads other members.
  const canonical: PhpStruct = Object.assign({}, ...encoded) as PhpStruct;
  specs.forEach((s, i) => {
    let members = encoded[i];
    if (s.keys.some((k) => k in extra)) {
      const stashed: PhpStruct = {};
      for (const k of s.keys) {
        const v = extra[k];
        if (v !== undefined && v !== false) stashed[k] = v as PhpValue;
      }
      const context: PhpStruct = { ...canonical };
      for (const k of s.keys) delete context[k];
      const decoded = s.decode({ ...context, ...stashed }, ctx);
      if (isDeepStrictEqual(pick(decoded, s.fields), pick(model, s.fields)))
        members = cloneValue(stashed);
    }
    for (const [k, v] of Object.entries(members)) out[k] = v;
  });
  for (const [k, v] of Object.entries(extra)) {
    if (owned.has(k) || k === MEMBER_ORDER || v === false || v === undefined) continue;
    out[k] = cloneValue(v as PhpValue);
  }
  return inOrder(out, extra[MEMBER_ORDER]);
}

// ---- field spec builders -------------------------------------------------------------

/** A string member. `required` fields always exist in the model ("" when absent). */
export function str<M, C>(key: string, field: string, required = false): FieldSpec<M, C> {
  return {
    keys: [key],
    fields: [field],
    decode: (raw) => (key in raw || required ? ({ [field]: leaf(raw[key]) } as Partial<M>) : {}),
    encode: (m) => {
      const v = (m as Record<string, unknown>)[field];
      return typeof v === "string" ? { [key]: v } : {};
    },
  };
}

/** An integer member stored as a decimal string. */
export function int<M, C>(key: string, field: string): FieldSpec<M, C> {
  return {
    keys: [key],
    fields: [field],
    decode: (raw) => {
      if (!(key in raw)) return {};
      const s = leaf(raw[key]).trim();
      return /^-?\d+$/.test(s) ? ({ [field]: Number(s) } as Partial<M>) : {};
    },
    encode: (m) => {
      const v = (m as Record<string, unknown>)[field];
      return typeof v === "number" ? { [key]: String(v) } : {};
    },
  };
}

/** A presence flag (isset semantics: `""` is set); written as `on` (checkbox) or `""`. */
export function flag<M, C>(key: string, field: string, onValue: "" | "on"): FieldSpec<M, C> {
  return {
    keys: [key],
    fields: [field],
    decode: (raw) => (flagIsSet(raw[key]) ? ({ [field]: true } as Partial<M>) : {}),
    encode: (m) => ((m as Record<string, unknown>)[field] === true ? { [key]: onValue } : {}),
  };
}
