import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CARP_PASSWORD_ALPHABET,
  CARP_PASSWORD_MAX_BYTES,
  generateCarpPassword,
  validateCarpPassword,
} from "../../sdk/plan";
import { expectHaError } from "./expectHaError";

describe("validateCarpPassword", () => {
  for (const ok of ["s3cret", "a", "!~#$%&'()*+,-./:;<=", "x".repeat(19)]) {
    test(`accepts ${JSON.stringify(ok)}`, () =>
      assert.doesNotThrow(() => validateCarpPassword(ok)));
  }
  const bad: [string, string][] = [
    ["empty", ""],
    ["a space inside", "pass word"],
    ["20 bytes (ucarp refuses, FreeBSD truncates)", "y".repeat(20)],
    ["a tab", "tab\there"],
    ["non-ASCII", "pässwort"],
    ["a newline", "line\n"],
  ];
  for (const [name, pw] of bad) {
    test(`rejects ${name}, without echoing the secret`, () => {
      const e = expectHaError(
        () => validateCarpPassword(pw, "CarpVip[wan].password"),
        "E_CARP_PASSWORD",
        "CarpVip[wan].password",
      );
      assert.equal(e.value, undefined);
      if (pw.length > 2)
        assert.ok(!e.message.includes(pw), "message must not contain the password");
    });
  }
});

describe("generateCarpPassword", () => {
  test("generated passwords satisfy the policy and have the maximum length", () => {
    for (let i = 0; i < 200; i++) {
      const pw = generateCarpPassword();
      assert.equal(pw.length, CARP_PASSWORD_MAX_BYTES);
      validateCarpPassword(pw);
    }
  });
  test("successive passwords differ", () => {
    assert.notEqual(generateCarpPassword(), generateCarpPassword());
  });
  test("an injected random source makes it deterministic and unbiased bytes are rejected", () => {
    // 248 and above would bias a 62-letter alphabet: they must be skipped, not folded in.
    const bytes = [255, 250, 0, 1, 61, 62, 248];
    const src = (n: number) => Uint8Array.from({ length: n }, (_, i) => bytes[i % bytes.length]);
    const pw = generateCarpPassword({ length: 4, random: src });
    const a = CARP_PASSWORD_ALPHABET;
    assert.equal(pw, a[0] + a[1] + a[61] + a[0]);
  });
  test("a length outside 1-19 is rejected", () => {
    expectHaError(() => generateCarpPassword({ length: 20 }), "E_INVALID_INPUT");
  });
});
