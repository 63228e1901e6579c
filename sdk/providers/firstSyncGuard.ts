/**
 * The first sync of an area deletes the secondary's own items: the receiver replaces most
 * sections wholesale (pfSense `xmlrpc.php` `restore_config_section()`), and the sender never
 * sends some items at all (`nosync` rules, plain IP aliases; `rc.filter_synchronize`). A destroy
 * cannot bring them back. So before HaSyncSettings switches sync of an area on, the items of
 * the secondary that the first push would delete or replace are computed from both nodes'
 * current config, and the change is refused unless the user leaves those areas out or
 * acknowledges the loss. Read-only.
 */
import type { PhpStruct } from "../codec/phpValue";
import { haError } from "../plan/errors";
import { ALL_SYNC_AREAS, type SyncArea } from "../plan/model";
import { editsSettled } from "../pfsense";
import { decodeHaSync } from "../pfsense/sections/hasync";
import { secondaryLosses, type SecondaryLoss } from "../pfsense/syncLosses";
import { SENDER_READ_SECTIONS, senderPayload, senderSections } from "../pfsense/syncSender";
import { normaliseAreas, type HaSyncInputs } from "./haSyncSpec";
import type { NodePair } from "./nodePair";
import { resourceLabel } from "./resourceLabel";

/** A loss and the newly enabled areas whose sections cause it. */
export interface AttributedLoss extends SecondaryLoss {
  areas: SyncArea[];
}

/** What the guard found: the areas newly enabled and what their first push takes away. */
export interface FirstSyncImpact {
  newAreas: SyncArea[];
  losses: AttributedLoss[];
}

/** Areas the primary syncs now: checked boxes count only with a sync-to address (§6.2 step 1). */
function enabledNow(primary: PhpStruct): SyncArea[] {
  const h = decodeHaSync(primary.hasync);
  return h?.synchronizeToIp ? h.areas : [];
}

/** Which payload keys a loss came from, for attributing it to areas. */
function payloadKeyOf(loss: SecondaryLoss): string {
  if (loss.section !== "system") return loss.section;
  return loss.kind === "authentication server" ? "system/authserver" : "system/user";
}

function keysOf(areas: readonly SyncArea[], primary: PhpStruct): Set<string> {
  const s = senderSections(areas, primary);
  return new Set([
    ...s.sections,
    ...s.system.map((c) => (c === "authserver" ? "system/authserver" : "system/user")),
  ]);
}

/** The payload of `desired`, keeping only what `current` does not already send. */
function newPayload(primary: PhpStruct, desired: SyncArea[], current: SyncArea[]): PhpStruct {
  const full = senderPayload(primary, desired);
  const old = keysOf(current, primary);
  const out: PhpStruct = {};
  for (const [k, v] of Object.entries(full)) if (k !== "system" && !old.has(k)) out[k] = v;
  if (full.system !== undefined && typeof full.system === "object") {
    const sys = Object.entries(full.system).filter(([c]) =>
      c === "authserver" ? !old.has("system/authserver") : !old.has("system/user"),
    );
    if (sys.length > 0) out.system = Object.fromEntries(sys);
  }
  return out;
}

/**
 * How long this process's own edits must have been quiet before the guard reads again, in ms.
 * Between an item's write to the primary and to the secondary the item does only local work,
 * far below this.
 */
const SETTLE_QUIET_MS = 200;
/** The most the guard waits for that quiet, in ms (then it reads again anyway). */
const SETTLE_MAX_MS = 10_000;

/**
 * Reads both nodes and computes what switching on `inp.areas` would take from the secondary.
 * The two nodes are read one after the other, so an item this process writes to (or deletes
 * from) both nodes in the same run may be on the secondary alone for that moment; losses are
 * therefore computed again once this process's own edits have settled, and only that later
 * answer counts (a secondary's own item is still there; one of this run's is on both by then).
 */
export async function firstSyncImpact(inp: HaSyncInputs, pair: NodePair): Promise<FirstSyncImpact> {
  const impact = await impactNow(inp, pair);
  if (impact.losses.length === 0) return impact;
  await editsSettled(SETTLE_QUIET_MS, SETTLE_MAX_MS);
  return impactNow(inp, pair);
}

async function impactNow(inp: HaSyncInputs, pair: NodePair): Promise<FirstSyncImpact> {
  const primary = await pair.primary.client.backupSections([...SENDER_READ_SECTIONS, "hasync"]);
  const current = enabledNow(primary);
  // A plain call, not a session read (which may wait to join other operations' batch).
  const fw = inp.areas === undefined ? await pair.primary.client.firmwareVersion() : undefined;
  const desired = normaliseAreas(inp.areas, fw?.profile.hasKea6Sync ?? false);
  const newAreas = desired.filter((a) => !current.includes(a));
  if (newAreas.length === 0) return { newAreas, losses: [] };
  const payload = newPayload(primary, desired, current);
  if (Object.keys(payload).length === 0) return { newAreas, losses: [] };
  const secondary = await pair.secondary.client.backupSections(Object.keys(payload));
  const losses = secondaryLosses(payload, secondary, inp.adminSync ?? false);
  const keyAreas = new Map(newAreas.map((a) => [a, keysOf([a], primary)]));
  return {
    newAreas,
    losses: losses.map((l) => ({
      ...l,
      areas: newAreas.filter((a) => keyAreas.get(a)?.has(payloadKeyOf(l))),
    })),
  };
}

/** One line per loss: `nat: port forward wan tcp any:8443 -> 10.0.0.5:443 "web" (deleted)`. */
export function lossLine(l: SecondaryLoss): string {
  const descr = l.description ? ` "${l.description.slice(0, 60)}"` : "";
  return `${l.section}: ${l.kind} ${l.identity}${descr} (${l.fate})`;
}

/** True when `ack` (the input) covers a loss caused by `areas`. */
function acknowledged(ack: HaSyncInputs["acknowledgeSecondaryDeletions"], areas: SyncArea[]) {
  if (ack === true) return true;
  return Array.isArray(ack) && areas.some((a) => ack.includes(a));
}

const SHOWN = 12;

/**
 * Throws `E_FIRST_SYNC_LOSS` for the losses not acknowledged; returns the acknowledged ones as
 * lines (for the resource's `secondaryItemsLostAtFirstSync` and the log).
 */
export function refuseUnacknowledged(inp: HaSyncInputs, impact: FirstSyncImpact): string[] {
  const ack = inp.acknowledgeSecondaryDeletions;
  const open = impact.losses.filter((l) => !acknowledged(ack, l.areas));
  if (open.length > 0) {
    const areas = ALL_SYNC_AREAS.filter((a) => open.some((l) => l.areas.includes(a)));
    const lines = open.slice(0, SHOWN).map(lossLine);
    if (open.length > SHOWN) lines.push(`and ${open.length - SHOWN} more`);
    throw haError({
      code: "E_FIRST_SYNC_LOSS",
      field: `${resourceLabel("HaSyncSettings", inp)}.areas`,
      value: areas.join(", "),
      message: `switching on sync of ${areas.join(", ")} would make the primary's first push delete or replace ${open.length} of the secondary's own item(s), which deleting this resource would not bring back: ${lines.join("; ")}`,
      fix: `copy the items you need to the primary first (nosync items are never sent: recreate them after the first sync), or leave ${areas.join(", ")} out of areas, or accept the loss with acknowledgeSecondaryDeletions: true (or a list of those areas)`,
    });
  }
  return impact.losses.map(lossLine);
}

/** The guard as run by check and by create/update: refuses, or returns the accepted losses. */
export async function guardFirstSync(inp: HaSyncInputs, pair: NodePair): Promise<string[]> {
  return refuseUnacknowledged(inp, await firstSyncImpact(inp, pair));
}

/** Logged once per run when acknowledged losses exist (stderr: the engine shows it as info). */
export function logAcknowledged(inp: HaSyncInputs, lines: string[]): void {
  if (lines.length === 0) return;
  const head = `[${resourceLabel("HaSyncSettings", inp)}] the first sync will delete or replace on the secondary (acknowledged):`;
  console.warn([head, ...lines.map((l) => `  ${l}`)].join("\n"));
}
