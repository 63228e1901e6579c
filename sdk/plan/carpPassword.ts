/**
 * CARP password policy. FreeBSD keeps at most 19 bytes of the key; ucarp refuses 20 or more;
 * pfSense strips spaces before handing it to ifconfig (§8.4). So: printable ASCII, no spaces,
 * 1-19 bytes — the same key then works on every peer.
 */
import { randomBytes } from "node:crypto";
import { haError } from "./errors";

/** Longest CARP password, in bytes. */
export const CARP_PASSWORD_MAX_BYTES = 19;

/** Characters used by {@link generateCarpPassword}: letters and digits, safe in any config. */
export const CARP_PASSWORD_ALPHABET =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A source of random bytes, e.g. node:crypto's `randomBytes`. */
export type RandomSource = (size: number) => Uint8Array;

/**
 * Throws `E_CARP_PASSWORD` unless `password` is 1-19 characters of printable ASCII without
 * spaces (0x21-0x7e). The password itself never appears in the error.
 */
export function validateCarpPassword(password: string, field = "CarpVip.password"): void {
  const fail = (message: string, fix: string) =>
    haError({ code: "E_CARP_PASSWORD", field, message, fix });
  if (typeof password !== "string" || password.length === 0) {
    throw fail("the CARP password is empty", "set a password, or let the library generate one");
  }
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) {
      throw fail(
        `the CARP password contains a ${c === 0x20 ? "space" : "non-printable or non-ASCII character"} at position ${i + 1}; pfSense strips spaces and CARP peers compare raw bytes`,
        "use printable ASCII letters, digits and punctuation only",
      );
    }
  }
  if (password.length > CARP_PASSWORD_MAX_BYTES) {
    throw fail(
      `the CARP password is longer than ${CARP_PASSWORD_MAX_BYTES} bytes; FreeBSD keeps only ${CARP_PASSWORD_MAX_BYTES} and ucarp refuses longer keys, so peers would disagree`,
      `shorten it to at most ${CARP_PASSWORD_MAX_BYTES} characters`,
    );
  }
}

/**
 * Generates a CARP password satisfying {@link validateCarpPassword}: `length` characters
 * (default 19, about 113 bits) drawn uniformly from {@link CARP_PASSWORD_ALPHABET} by rejection
 * sampling. `random` defaults to node:crypto's `randomBytes` (a CSPRNG; no I/O); inject another
 * source for deterministic tests.
 */
export function generateCarpPassword(
  options: { length?: number; random?: RandomSource } = {},
): string {
  const length = options.length ?? CARP_PASSWORD_MAX_BYTES;
  if (!Number.isInteger(length) || length < 1 || length > CARP_PASSWORD_MAX_BYTES) {
    throw haError({
      code: "E_INVALID_INPUT",
      field: "generateCarpPassword.length",
      value: String(length),
      message: `length must be an integer from 1 to ${CARP_PASSWORD_MAX_BYTES}`,
      fix: `use a length between 1 and ${CARP_PASSWORD_MAX_BYTES}`,
    });
  }
  const random = options.random ?? ((n: number) => randomBytes(n));
  const n = CARP_PASSWORD_ALPHABET.length;
  const limit = 256 - (256 % n); // bytes >= limit would bias the distribution
  let out = "";
  while (out.length < length) {
    for (const b of random(length * 2)) {
      if (b < limit) out += CARP_PASSWORD_ALPHABET[b % n];
      if (out.length === length) break;
    }
  }
  return out;
}
