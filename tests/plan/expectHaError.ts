/** Test helper: asserts that `fn` throws a PfSenseHaError with the given code (and field). */
import assert from "node:assert/strict";
import { isHaError, type ErrorCode, type PfSenseHaError } from "../../sdk/plan";

export function expectHaError(fn: () => unknown, code: ErrorCode, field?: string): PfSenseHaError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `expected ${code}, but nothing was thrown`);
  assert.ok(isHaError(caught), `expected a PfSenseHaError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (field !== undefined) assert.equal(caught.field, field, caught.message);
  assert.ok(caught.fix && caught.fix.length > 0, "every rejection says how to fix it");
  return caught;
}
