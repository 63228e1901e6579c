/**
 * Making the secondary hold its derived view after the primary was written (design §7.2 step 4,
 * architecture invariant 3). When the primary syncs the area itself (hasync with a sync-to IP and
 * the area's box checked), pfSense pushes the section a moment after every write (§6.1), so we
 * wait, bounded, for it to arrive; writing the secondary as well would only race that push.
 * Otherwise (no such sync, or nothing written on the primary so no push will follow) the
 * library writes the secondary directly with the planner's transform, at once.
 */
import { haError } from "../plan/errors";
import type { HaSync, NodeHaConfig, SyncArea } from "../plan/model";
import type { NodeSession, NodeState } from "../pfsense/types";

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
  secondary: NodeSession;
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

/** Brings the secondary to the expected view; returns its verified state. */
export async function convergeSecondary(
  o: ConvergeOptions,
): Promise<{ state: NodeState; syncedBy: SyncedBy }> {
  if (pfSenseWillDeliver(o.primary, o.area)) {
    const deadline = Date.now() + (o.waitMs ?? DEFAULT_SYNC_WAIT_MS);
    for (;;) {
      const s = await o.secondary.read();
      if (o.inPlace(s.config)) return { state: s, syncedBy: "pfsense" };
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, SYNC_POLL_MS));
    }
    // pfSense's push did not arrive in time (sync user, version or network problem: see the
    // primary's notices). Writing the same derived view directly keeps the pair converged; the
    // push, when it comes, carries the same content.
    process.stderr.write(
      `[pfsense-ha ${o.label}] pfSense's own sync did not deliver "${o.area}" to the secondary within ` +
        `${Math.round((o.waitMs ?? DEFAULT_SYNC_WAIT_MS) / 1000)} s; writing the secondary directly. ` +
        `Check the primary's High Availability sync notices.\n`,
    );
  }
  const state = await o.secondary.edit(o.apply);
  if (!o.inPlace(state.config)) {
    throw haError({
      code: "E_VERIFY",
      field: `${o.label} (secondary)`,
      message: "the secondary does not hold the expected configuration after the write",
      fix: "check the secondary for concurrent edits (GUI, another automation), then run `pulumi up` again",
    });
  }
  return { state, syncedBy: "library" };
}
