/**
 * Which resource operations this process is running, and whether each of them is waiting on a
 * node session. The engine runs at most `--parallel` operations at once and hands them over one
 * by one; once every operation in flight waits on a session (and as many are in flight as ever
 * were), nothing more can arrive before a batch answers, so the sessions stop gathering at once.
 * Without that, a batch either waits for a quiet spell (and catches one or two operations) or
 * waits long for everyone (and slows every operation down).
 */
import { AsyncLocalStorage } from "node:async_hooks";

const current = new AsyncLocalStorage<number>();
const inFlight = new Set<number>();
/** Per operation, how many session waits it is in (reads and edits of both nodes at once). */
const waits = new Map<number, number>();
let mostAtOnce = 0;
let nextId = 0;
let lastCheck = 0;

/**
 * While `check`s keep arriving less than this many ms apart, the program is still registering:
 * the engine checks one resource at a time and creates each right after, so more operations
 * are coming even when every one in flight waits.
 */
export const REGISTERING_QUIET_MS = 100;

/** Records that the engine checked a resource (a create or update may follow at once). */
export function noteCheck(): void {
  lastCheck = Date.now();
}

/** Runs one provider operation (create, read, update, delete, check) as a tracked operation. */
export async function runOperation<T>(fn: () => Promise<T>): Promise<T> {
  const id = ++nextId;
  inFlight.add(id);
  mostAtOnce = Math.max(mostAtOnce, inFlight.size);
  try {
    return await current.run(id, fn);
  } finally {
    inFlight.delete(id);
    waits.delete(id);
  }
}

/** Marks the calling operation as waiting until `p` settles; returns `p`. */
export function waitingOn<T>(p: Promise<T>): Promise<T> {
  const id = current.getStore();
  if (id === undefined || !inFlight.has(id)) return p;
  waits.set(id, (waits.get(id) ?? 0) + 1);
  const done = (): void => {
    const n = (waits.get(id) ?? 1) - 1;
    if (n > 0) waits.set(id, n);
    else waits.delete(id);
  };
  p.then(done, done);
  return p;
}

/** True when operations run through this process (the engine's provider process). */
export function operationsInFlight(): boolean {
  return inFlight.size > 0;
}

/**
 * True when every operation in flight waits on a session and no fewer are in flight than the
 * most seen at once: no other operation can join a batch before one answers. Not while only one
 * has ever run at once, nor while checks still arrive: the engine hands over the first
 * operations one by one, and the rest of the program may still be registering.
 */
export function everyOperationWaiting(): boolean {
  if (mostAtOnce < 2 || inFlight.size < mostAtOnce) return false;
  if (Date.now() - lastCheck < REGISTERING_QUIET_MS) return false;
  for (const id of inFlight) if (!waits.has(id)) return false;
  return true;
}
