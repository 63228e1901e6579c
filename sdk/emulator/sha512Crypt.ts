/**
 * SHA-512 crypt (`$6$`, Ulrich Drepper's SHA-crypt specification), the hash pfSense 2.6 writes to
 * `sha512-hash` (design/pfsense-xmlrpc.md §3.1). Node has no crypt(3); this follows the public
 * specification step by step.
 */
import { createHash, timingSafeEqual } from "node:crypto";

const ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Byte order of the final encoding, in triples (spec, SHA-512 variant). */
const ORDER: [number, number, number][] = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48],
  [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10], [53, 11, 32], [12, 33, 54], [34, 55, 13],
  [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
]; // prettier-ignore

function sha512(...parts: Buffer[]): Buffer {
  const h = createHash("sha512");
  for (const p of parts) h.update(p);
  return h.digest();
}

function repeatTo(src: Buffer, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i++) out[i] = src[i % src.length];
  return out;
}

function b64(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let s = "";
  for (let i = 0; i < n; i++) {
    s += ITOA64[w & 0x3f];
    w >>= 6;
  }
  return s;
}

/** Computes `$6$[rounds=N$]salt$hash` for `password` using the salt spec of `setting`. */
export function sha512Crypt(password: string, setting: string): string {
  const m = /^\$6\$(?:rounds=(\d+)\$)?([^$]*)/.exec(setting);
  if (!m) throw new Error("not a $6$ setting");
  const roundsGiven = m[1] !== undefined;
  const rounds = roundsGiven ? Math.min(Math.max(Number(m[1]), 1000), 999_999_999) : 5000;
  const salt = Buffer.from(m[2].slice(0, 16), "utf8");
  const P = Buffer.from(password, "utf8");
  const B = sha512(P, salt, P);
  const actx = createHash("sha512");
  actx.update(P);
  actx.update(salt);
  actx.update(repeatTo(B, P.length));
  for (let n = P.length; n > 0; n >>= 1) actx.update(n & 1 ? B : P);
  let C = actx.digest();
  const DP = sha512(...Array.from({ length: P.length }, () => P));
  const Pp = repeatTo(DP, P.length);
  const DS = sha512(...Array.from({ length: 16 + C[0] }, () => salt));
  const Sp = repeatTo(DS, salt.length);
  for (let i = 0; i < rounds; i++) {
    const h = createHash("sha512");
    h.update(i & 1 ? Pp : C);
    if (i % 3) h.update(Sp);
    if (i % 7) h.update(Pp);
    h.update(i & 1 ? C : Pp);
    C = h.digest();
  }
  let enc = "";
  for (const [a, b, c] of ORDER) enc += b64(C[a], C[b], C[c], 4);
  enc += b64(0, 0, C[63], 2);
  return `$6$${roundsGiven ? `rounds=${rounds}$` : ""}${salt.toString("utf8")}$${enc}`;
}

/** True when `password` matches a stored `$6$` hash. */
export function verifySha512Crypt(password: string, stored: string): boolean {
  if (!stored.startsWith("$6$")) return false;
  const computed = Buffer.from(sha512Crypt(password, stored));
  const expected = Buffer.from(stored);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}
