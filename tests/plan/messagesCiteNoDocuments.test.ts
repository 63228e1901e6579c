/**
 * Error messages tell users what, where and how to fix in words they can act on; they never
 * point at sections of the library's design documents, which users cannot open. This reads the
 * library's source (not the emulator, whose notes are for developers) and fails on any string
 * outside a comment that cites a `§` section.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const SDK = resolve(__dirname, "..", "..", "..", "sdk");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === "emulator" ? [] : sources(p);
    return p.endsWith(".ts") ? [p] : [];
  });
}

test("no message or fix in the library cites a design-document section", () => {
  const found: string[] = [];
  for (const file of sources(SDK)) {
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        const code = line.trim();
        if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) return;
        const beforeComment = line.split("//")[0];
        if (/["'`][^"'`]*§/.test(beforeComment)) found.push(`${file}:${i + 1}: ${code}`);
      });
  }
  assert.ok(sources(SDK).length > 20, "reads the library's sources");
  assert.deepEqual(found, []);
});
