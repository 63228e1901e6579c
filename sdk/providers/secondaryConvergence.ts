/**
 * Making the secondary hold its derived view after the primary was written (design §7.2 step 4,
 * architecture invariant 3). When the primary syncs the area itself (hasync with a sync-to IP and
 * the area's box checked), pfSense pushes the section a moment after every write (§6.1), so we
 * wait, bounded, for it to arrive; writing the secondary as well would only race that push.
 * Otherwise (no such sync, nothing written on the primary so no push will follow, or sync turned
 * off meanwhile) the library writes the secondary directly with the planner's transform, and
 * where a late push could still undo that write, checks it again once such a push has landed.
 */
import { haError } from "../plan/errors";
import type { HaSync, NodeHaConfig, SyncArea } from "../plan/model";
import type { NodeState } from "../pfsense/types";
import type { NodePair } from "./nodePair";
import { waitingOn } from "../pfsense/operationTracker";

/** Who delivered the secondary's view. */
export type SyncedBy = "pfsense" | "library";

/** Default bound on waiting for pfSense's own sync, in ms. */
export const DEFAULT_SYNC_WAIT_MS = 30_000;

/** How often the secondary is polled while waiting, in ms. */
export const SYNC_POLL_MS = 150;

/** True when the primary's own XML-RPC sync carries `area` to the peer (§6.2, §6.3). */
export function pfSenseSyncs(hasync: HaSync | undefined, area: SyncArea): boolean {
  return (
    hasync !== undefined &&
    typeof hasync.synchronizeToIp === "string" &&
    hasync.synchronizeToIp !== "" &&
    hasync.areas.includes(area)
  );
}

/** What {@link convergeSecondary} needs to know about the one item being reconciled. */
export interface ConvergeOptions {
  /** The primary's state after the write (verified read-back). */
  primary: NodeState;
  /** Both sessions: the secondary is read or written, the primary re-read while waiting to
   * notice sync being turned off meanwhile. */
  pair: NodePair;
  /** The sync area carrying the item, or undefined for per-node data pfSense never syncs. */
  area: SyncArea | undefined;
  /** Does the secondary hold the expected view of the item? */
  inPlace: (secondary: NodeHaConfig) => boolean;
  /** Writes the expected view of the item into the secondary's draft. */
  apply: (draft: NodeHaConfig) => void;
  /** Bound on waiting for pfSense's sync, ms (default {@link DEFAULT_SYNC_WAIT_MS}). */
  waitMs?: number;
  /** For messages: `CarpVip[wan-vip]`. */
  label: string;
}

/**
 * True when pfSense's own push will carry `area` to the secondary: the primary syncs it and the
 * primary was just written. A sync follows a primary write (§6.1), so when the edit had nothing
 * to write (only the secondary drifted) none is coming and waiting for it would only time out.
 */
export function pfSenseWillDeliver(primary: NodeState, area: SyncArea | undefined): boolean {
  return (
    area !== undefined && primary.written !== false && pfSenseSyncs(primary.config.hasync, area)
  );
}

/**
 * How long a push of the primary's sender may still be on its way after the primary's config
 * changed: check_reload_status starts rc.filter_synchronize 1 s after the `filter sync` event and
 * the script sends what it read at its start (pfSense 2.7.2 `check_reload_status.c`
 * `run_command()`, `rc.filter_synchronize`), plus the time the push takes to run.
 */
export const SYNC_SETTLE_MS = 2500;

/** How often the primary is re-read while waiting, to notice sync being turned off, in ms. */
export const SYNC_RECHECK_MS = 1000;

/** A pause in which the operation counts as waiting (no arrival of it can join a batch). */
const sleep = (ms: number): Promise<void> => waitingOn(new Promise((r) => setTimeout(r, ms)));

/**
 * Waits for pfSense's push to deliver the item. Undefined when it will not: the bound passed
 * (said on stderr), or the primary stopped syncing the area meanwhile (HaSyncSettings deleted or
 * narrowed in the same run), which is noticed within {@link SYNC_RECHECK_MS}.
 */
async function awaitDelivery(o: ConvergeOptions): Promise<NodeState | undefined> {
  const waitMs = o.waitMs ?? DEFAULT_SYNC_WAIT_MS;
  const deadline = Date.now() + waitMs;
  let recheckAt = Date.now() + SYNC_RECHECK_MS;
  for (;;) {
    const s = await o.pair.secondary.read();
    if (o.inPlace(s.config)) return s;
    if (Date.now() >= deadline) break;
    if (Date.now() >= recheckAt) {
      recheckAt = Date.now() + SYNC_RECHECK_MS;
      const p = await o.pair.primary.read();
      if (!pfSenseSyncs(p.config.hasync, o.area as SyncArea)) return undefined;
    }
    await sleep(SYNC_POLL_MS);
  }
  process.stderr.write(
    `[pfsense-ha ${o.label}] pfSense's own sync did not deliver "${o.area}" to the secondary within ` +
      `${Math.round(waitMs / 1000)} s; writing the secondary directly. ` +
      `Check the primary's High Availability sync notices.\n`,
  );
  return undefined;
}

const notInPlace = (o: ConvergeOptions, why: string): Error =>
  haError({
    code: "E_VERIFY",
    field: `${o.label} (secondary)`,
    message: `the secondary does not hold the expected configuration ${why}`,
    fix: "check the secondary for concurrent edits (GUI, another automation) and the primary's sync notices, then run `pulumi up` again",
  });

/**
 * Writes the secondary's view directly. When the primary pushes this area, a push it started
 * before (from an older snapshot) can land after this write and undo it, so the write is checked
 * again once such a push has had time to land, and repeated if it was undone.
 */
async function writeDirectly(o: ConvergeOptions): Promise<NodeState> {
  const racing = o.area !== undefined && pfSenseSyncs(o.primary.config.hasync, o.area);
  for (let attempt = 0; ; attempt++) {
    const state = await o.pair.secondary.edit(o.apply, o.label);
    if (!o.inPlace(state.config)) throw notInPlace(o, "after the write");
    if (!racing) return state;
    await sleep(SYNC_SETTLE_MS);
    const later = await o.pair.secondary.read();
    if (o.inPlace(later.config)) return later;
    if (attempt >= 2)
      throw notInPlace(o, "after three writes: a push from the primary keeps undoing it");
  }
}

/** Brings the secondary to the expected view; returns its verified state. */
export async function convergeSecondary(
  o: ConvergeOptions,
): Promise<{ state: NodeState; syncedBy: SyncedBy }> {
  if (pfSenseWillDeliver(o.primary, o.area)) {
    const delivered = await awaitDelivery(o);
    if (delivered) return { state: delivered, syncedBy: "pfsense" };
  }
  return { state: await writeDirectly(o), syncedBy: "library" };
}
