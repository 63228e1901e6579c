/**
 * `check` against the nodes: at preview (and again at `up`) every resource whose inputs are all
 * known reads both nodes — read-only, one shared read per node for the whole program — and runs
 * the rules its reconcile would apply, so bad input fails before anything is written anywhere.
 */
import { isHaError } from "../plan/errors";
import type { NodeState } from "../pfsense/types";
import type { CheckFailure } from "./checkFailures";
import type { EndpointInput } from "./endpointInputs";
import { openPair, readBoth } from "./nodePair";
import { containsUnknown } from "./unknowns";

/**
 * How long one read of the nodes serves every check of the process, ms. A check only fails bad
 * input early; the reconcile re-checks against fresh content inside its edit. One snapshot per
 * program keeps checks instant after the first (were each to read afresh, interleaved with the
 * creates' edits, the creates would trickle in one by one and no longer share batches).
 */
export const CHECK_SNAPSHOT_MAX_AGE_MS = 30_000;

const snapshots = new Map<string, { at: number; nodes: Promise<[NodeState, NodeState]> }>();

function snapshotOf(inp: { primary: EndpointInput; secondary: EndpointInput }) {
  const key = `${inp.primary.url} ${inp.secondary.url}`;
  const hit = snapshots.get(key);
  if (hit && Date.now() - hit.at < CHECK_SNAPSHOT_MAX_AGE_MS) return hit.nodes;
  const pair = openPair(inp);
  const nodes = readBoth(pair);
  snapshots.set(key, { at: Date.now(), nodes });
  // A failed read fails every check of the program at once, instead of each retrying (the
  // engine checks one resource at a time: 256 retries of an unreachable node would take minutes).
  nodes.catch(() => undefined);
  return nodes;
}

/** Forgets the checks' snapshots (a new engine operation is a new process). */
export function forgetCheckSnapshots(): void {
  snapshots.clear();
}

/** Both nodes' state for a check, or the failure that kept them from being read. */
export async function readNodesForCheck(inp: {
  primary: EndpointInput;
  secondary: EndpointInput;
}): Promise<{ nodes?: [NodeState, NodeState]; failures: CheckFailure[] }> {
  try {
    return { nodes: await snapshotOf(inp), failures: [] };
  } catch (e) {
    if (!isHaError(e)) throw e;
    return { failures: [{ property: "", reason: e.message }] };
  }
}

/** True when the static check passed and every input is known (the node rules can run). */
export function readyForNodeCheck(failures: CheckFailure[], news: unknown): boolean {
  return failures.length === 0 && !containsUnknown(news);
}

/** True for a `check` of a resource that does not exist yet (the engine passes no old inputs). */
export function isCreateCheck(olds: unknown): boolean {
  return olds === undefined || olds === null || Object.keys(olds as object).length === 0;
}
