/**
 * When sessions may stop gathering: only once every operation in flight waits on a session, as
 * many are in flight as ever were (at least two), and the engine has stopped checking resources
 * (a check is followed at once by that resource's create: the program is still registering).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  everyOperationWaiting,
  noteCheck,
  REGISTERING_QUIET_MS,
  runOperation,
  waitingOn,
} from "../../sdk/pfsense/operationTracker";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `n` operations that each wait on `gate`; resolves once all are waiting. */
function waitingOperations(n: number, gate: Promise<void>): Promise<void>[] {
  return Array.from({ length: n }, () => runOperation(() => waitingOn(gate)));
}

test("one operation alone never ends a gather early; two waiting do", async () => {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const one = waitingOperations(1, gate);
  assert.equal(everyOperationWaiting(), false, "the engine hands over the first one alone");
  const more = waitingOperations(1, gate);
  assert.equal(everyOperationWaiting(), true);
  open();
  await Promise.all([...one, ...more]);
});

test("while checks keep arriving, waiting operations do not end a gather; after a quiet spell they do", async () => {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const ops = waitingOperations(2, gate);
  assert.equal(everyOperationWaiting(), true);
  noteCheck();
  assert.equal(everyOperationWaiting(), false, "a check just arrived: its create follows");
  await sleep(REGISTERING_QUIET_MS + 20);
  assert.equal(everyOperationWaiting(), true);
  open();
  await Promise.all(ops);
});

test("an operation not waiting on a session keeps the gather open", async () => {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const waiting = waitingOperations(1, gate);
  let release!: () => void;
  const busy = runOperation(() => new Promise<void>((r) => (release = r)));
  assert.equal(everyOperationWaiting(), false);
  open();
  release();
  await Promise.all([...waiting, busy]);
});
