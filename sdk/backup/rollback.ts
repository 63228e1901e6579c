/**
 * `pfsense-ha rollback`: puts the sections a stack's last `up` could have changed back on both
 * nodes, from the stack's own record (ClusterBackupConfig). A preview reads each node once and
 * writes nothing; an apply writes each node once, conditionally (the node's own check of the
 * change tokens, conditionalSnippets.ts), primary first. Where pfSense's own HA sync carries a
 * section to the secondary, the secondary is not written while that push can still be on its
 * way: the rollback waits for the push, then writes what is left and checks it again once a late
 * push could have landed (issue 9's rule, secondaryConvergence.ts).
 */
import { isStruct, type PhpStruct, type PhpValue } from "../codec/phpValue";
import { haError } from "../plan/errors";
import { createNodeClient } from "../pfsense/client";
import { displayUrl, nodeLabel } from "../pfsense/endpointLabel";
import { decodeHaSync } from "../pfsense/sections/hasync";
import { READ_SECTIONS, type WritableSection } from "../pfsense/sections/nodeConfig";
import { decodeRevision } from "../pfsense/sections/revision";
import { decodeVirtualIps, encodeVirtualIpPayload } from "../pfsense/sections/virtualip";
import { senderSections } from "../pfsense/syncSender";
import type { NodeClient, RevisionInfo } from "../pfsense/types";
import { toNodeEndpoint, type PairRole } from "../providers/endpointInputs";
import {
  DEFAULT_SYNC_WAIT_MS,
  SYNC_POLL_MS,
  SYNC_SETTLE_MS,
} from "../providers/secondaryConvergence";
import {
  contentDigest,
  formatSectionPlans,
  planNode,
  sectionsEqual,
  type SectionPlan,
} from "./rollbackPlan";
import { BACKUP_SECTIONS, type NodeSnapshot } from "./snapshot";
import type { StackBackup } from "./stackRecord";

/** One node as the rollback read it. */
export interface NodeReading {
  role: PairRole;
  /** `https://host:port`. */
  url: string;
  revision: RevisionInfo;
  /** The sections as read (READ_SECTIONS). */
  raw: PhpStruct;
  /** Change tokens of the read (conditional writes). */
  tokens: Record<string, string>;
  /** Digest of the sections the rollback depends on ({@link contentDigest}). */
  digest: string;
  /** Per recorded section: what the rollback would change. */
  plan: SectionPlan[];
}

/** A rollback's preview of one cluster. */
export interface RollbackPreview {
  /** `project/stack` or the stack name, for messages and Config History. */
  stack: string;
  backup: StackBackup;
  primary: NodeReading;
  secondary: NodeReading;
  /** The `--expect` value that pins an apply to exactly this preview. */
  expect: string;
}

/** What an apply did on one node. */
export interface NodeOutcome {
  role: PairRole;
  /** Sections the rollback wrote itself. */
  written: WritableSection[];
  /** Sections pfSense's own sync put back (secondary only). */
  deliveredBySync: WritableSection[];
  /** The node's revision afterwards. */
  revision: RevisionInfo;
}

/** What an apply did. */
export interface RollbackOutcome {
  primary: NodeOutcome;
  secondary: NodeOutcome;
}

function clientFor(b: StackBackup, role: PairRole): NodeClient {
  return createNodeClient(toNodeEndpoint(b[role], role));
}

/** Reads one node with its change tokens and compares it with the record. */
async function readNode(
  client: NodeClient,
  role: PairRole,
  snapshot: NodeSnapshot,
): Promise<NodeReading> {
  const r = await client.readWithToken([...READ_SECTIONS]);
  if (!r) {
    throw haError({
      code: "E_PREFLIGHT",
      field: nodeLabel(client.endpoint),
      message:
        "exec_php did not run the library's read snippet, so a rollback could not be written conditionally",
      fix: "give the user the privilege to run exec_php (System - HA node sync), or restore the sections from Diagnostics > Backup & Restore > Config History",
    });
  }
  return {
    role,
    url: displayUrl(client.endpoint),
    revision: decodeRevision(r.sections.revision),
    raw: r.sections,
    tokens: r.tokens,
    digest: contentDigest(r.sections),
    plan: planNode(snapshot, r.sections),
  };
}

/** The `--expect` text of two readings. */
function expectOf(p: NodeReading, s: NodeReading): string {
  return `primary:${p.digest},secondary:${s.digest}`;
}

/** Reads both nodes and compares them with the stack's record. Writes nothing. */
export async function previewRollback(
  stack: string,
  backup: StackBackup,
): Promise<RollbackPreview> {
  const [primary, secondary] = await Promise.all(
    (["primary", "secondary"] as const).map((role) =>
      readNode(clientFor(backup, role), role, backup.snapshot[role]),
    ),
  );
  return { stack, backup, primary, secondary, expect: expectOf(primary, secondary) };
}

/** Members of `now` that `back` lacks, as `false` (the receiver merges these sections, §5.3). */
function mergedPayload(back: PhpValue | undefined, now: PhpValue | undefined): PhpStruct {
  const out: PhpStruct = isStruct(back) ? { ...back } : {};
  if (isStruct(now)) for (const k of Object.keys(now)) if (!(k in out)) out[k] = false;
  return out;
}

/** Sections the receiver replaces whole. */
const WHOLE_SECTIONS = new Set<WritableSection>(["nat", "dhcpd", "filter", "openvpn", "ipsec"]);

/**
 * The restore payload that makes the node hold the recorded `sections` (design §5): `nat`,
 * `dhcpd`, `filter`, `openvpn` and `ipsec` whole (the receiver replaces them), `hasync`, `kea` and `kea6` with
 * `false` for members to drop (merged), `virtualip` without the VIPs the receiver keeps itself.
 */
export function rollbackPayload(
  snapshot: NodeSnapshot,
  current: PhpStruct,
  sections: readonly WritableSection[],
  field: string,
): PhpStruct {
  const p: PhpStruct = {};
  for (const s of sections) {
    const back = snapshot.sections[s];
    if (s === "virtualip") {
      p.virtualip = encodeVirtualIpPayload(
        decodeVirtualIps(back),
        decodeVirtualIps(current.virtualip),
        `${field} virtualip`,
      );
    } else if (WHOLE_SECTIONS.has(s)) {
      p[s] = back === undefined || back === false ? [] : back;
    } else {
      p[s] = mergedPayload(back, current[s]);
    }
  }
  return p;
}

/** The Config History text of a rollback write. */
export function rollbackDescription(stack: string, snapshot: NodeSnapshot): string {
  return `pfsense-ha: rollback of stack ${stack} to the state before its last up (revision ${snapshot.revision.time})`;
}

function moved(reading: NodeReading, now: RevisionInfo, what: string): Error {
  return haError({
    code: "E_ROLLBACK_MOVED",
    field: `node ${reading.role} (${reading.url})`,
    value: now.time,
    message: `${what}: the node is now at revision ${now.time} ("${now.description}" by ${now.username})`,
    fix: "run `pfsense-ha rollback` without --yes again to see what it would change now, then apply that preview",
  });
}

/** Writes the changed recorded sections of one node, conditionally; returns its read-back. */
async function writeNode(
  client: NodeClient,
  reading: NodeReading,
  snapshot: NodeSnapshot,
  sections: WritableSection[],
  description: string,
): Promise<{ raw: PhpStruct; revision: RevisionInfo; tokens: Record<string, string> }> {
  const field = nodeLabel(client.endpoint);
  const payload = rollbackPayload(snapshot, reading.raw, sections, field);
  const expected: Record<string, string> = {};
  for (const n of ["interfaces", ...sections]) {
    if (reading.tokens[n] !== undefined) expected[n] = reading.tokens[n];
  }
  const r = await client.conditionalRestore(expected, [...READ_SECTIONS], payload, description);
  const revision = decodeRevision(r.after.sections.revision);
  if (r.status === "conflict") {
    throw moved(
      reading,
      revision,
      "the node changed between the rollback's read and its write; nothing was written",
    );
  }
  if (r.status === "loop") {
    throw haError({
      code: "E_PREFLIGHT",
      field,
      message: "the node refused the write as a sync loop (this host is its own HA sync target)",
      fix: "run the rollback from another host than the node's HA sync peer",
    });
  }
  const unlanded = sections.filter(
    (s) => !sectionsEqual(s, r.after.sections[s], snapshot.sections[s]),
  );
  if (unlanded.length > 0) {
    throw haError({
      code: "E_VERIFY",
      field,
      value: unlanded.join(","),
      message: `after the rollback's write the node does not hold the recorded ${unlanded.join(", ")}`,
      fix: "compare the node with the preview (Diagnostics > Backup & Restore > Config History shows the write); run the rollback again",
    });
  }
  return { raw: r.after.sections, revision, tokens: r.after.tokens };
}

/** Sections the primary's own sync sends to the secondary (with HA sync to a peer). */
export function syncedByPrimary(primary: PhpStruct): Set<WritableSection> {
  const h = decodeHaSync(primary.hasync);
  if (!h || !h.synchronizeToIp) return new Set();
  const sent = senderSections(h.areas, primary).sections;
  return new Set(BACKUP_SECTIONS.filter((s) => sent.includes(s)));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const changedSections = (plan: SectionPlan[]): WritableSection[] =>
  plan.filter((p) => p.changed).map((p) => p.section);

/** Progress messages of an apply. */
export type RollbackProgress = (line: string) => void;

/**
 * Writes the record back on both nodes. With `expect` (the preview's `--expect`), a node whose
 * sections moved since that preview is refused with E_ROLLBACK_MOVED and nothing is written
 * anywhere; without it, the apply is conditional on its own read.
 */
export async function applyRollback(
  stack: string,
  backup: StackBackup,
  opts: { expect?: string; onProgress?: RollbackProgress } = {},
): Promise<{ preview: RollbackPreview; outcome: RollbackOutcome }> {
  const say = opts.onProgress ?? (() => undefined);
  const preview = await previewRollback(stack, backup);
  if (opts.expect !== undefined && opts.expect !== preview.expect) {
    const want = Object.fromEntries(
      opts.expect.split(",").map((p) => p.split(":") as [string, string]),
    );
    const reading = want.primary !== preview.primary.digest ? preview.primary : preview.secondary;
    throw moved(
      reading,
      reading.revision,
      "the node changed since the preview; nothing was written",
    );
  }
  const pClient = clientFor(backup, "primary");
  const sClient = clientFor(backup, "secondary");
  const snap = backup.snapshot;

  // Primary first.
  const pSections = changedSections(preview.primary.plan);
  let primaryRaw = preview.primary.raw;
  let primaryRevision = preview.primary.revision;
  if (pSections.length > 0) {
    say(`primary: writing ${pSections.join(", ")}`);
    const w = await writeNode(
      pClient,
      preview.primary,
      snap.primary,
      pSections,
      rollbackDescription(stack, snap.primary),
    );
    primaryRaw = w.raw;
    primaryRevision = w.revision;
  }

  // The secondary: what pfSense's push carries is left to it, then the rest is written.
  const synced = syncedByPrimary(primaryRaw);
  const waitMs = backup.syncWaitMs ?? DEFAULT_SYNC_WAIT_MS;
  let reading = preview.secondary;
  const before = reading.revision;
  const delivered = new Set<WritableSection>();
  const expectPush = pSections.some((s) => synced.has(s));
  if (expectPush && changedSections(reading.plan).some((s) => synced.has(s))) {
    say(`secondary: waiting for the primary's own sync (at most ${Math.round(waitMs / 1000)} s)`);
    const deadline = Date.now() + waitMs;
    for (;;) {
      await sleep(SYNC_POLL_MS);
      reading = await readNode(sClient, "secondary", snap.secondary);
      const waiting = changedSections(reading.plan).filter((s) => synced.has(s));
      const pushed =
        reading.revision.time !== before.time ||
        reading.revision.description !== before.description;
      if (waiting.length === 0 || Date.now() >= deadline) break;
      if (pushed) {
        // A push landed but left something: let a second run of the sender finish, read again.
        await sleep(SYNC_SETTLE_MS);
        reading = await readNode(sClient, "secondary", snap.secondary);
        break;
      }
    }
    for (const s of changedSections(preview.secondary.plan)) {
      if (synced.has(s) && !changedSections(reading.plan).includes(s)) delivered.add(s);
    }
  }
  const written = new Set<WritableSection>();
  let secondaryRevision = reading.revision;
  for (let attempt = 0; ; attempt++) {
    const left = changedSections(reading.plan);
    if (left.length === 0) break;
    if (attempt >= 3) {
      throw haError({
        code: "E_VERIFY",
        field: nodeLabel(sClient.endpoint),
        value: left.join(","),
        message: `after three writes the secondary still does not hold the recorded ${left.join(", ")}: a push from the primary keeps changing it`,
        fix: "check the primary's High Availability sync settings and notices, then run the rollback again",
      });
    }
    say(`secondary: writing ${left.join(", ")}`);
    const w = await writeNode(
      sClient,
      reading,
      snap.secondary,
      left,
      rollbackDescription(stack, snap.secondary),
    );
    left.forEach((s) => written.add(s));
    secondaryRevision = w.revision;
    if (!left.some((s) => synced.has(s))) break;
    // A push the primary started before could still land and undo the write: check again.
    await sleep(SYNC_SETTLE_MS);
    reading = await readNode(sClient, "secondary", snap.secondary);
    secondaryRevision = reading.revision;
  }
  return {
    preview,
    outcome: {
      primary: {
        role: "primary",
        written: pSections,
        deliveredBySync: [],
        revision: primaryRevision,
      },
      secondary: {
        role: "secondary",
        written: [...written],
        deliveredBySync: [...delivered].filter((s) => !written.has(s)),
        revision: secondaryRevision,
      },
    },
  };
}

function revisionText(r: { time: string | number; description: string }): string {
  const t = Number(r.time);
  const when = Number.isFinite(t) && t > 0 ? ` (${new Date(t * 1000).toISOString()})` : "";
  return `revision ${r.time}${when} "${r.description}"`;
}

/** The preview as the CLI prints it. */
export function formatPreview(p: RollbackPreview): string {
  const lines = [
    `Rollback of stack ${p.stack}, cluster record ${p.backup.name}: the nodes as they were before the stack's last up (recorded ${p.backup.snapshot.takenAt})`,
  ];
  for (const n of [p.primary, p.secondary]) {
    const snap = p.backup.snapshot[n.role];
    lines.push("");
    lines.push(`${n.role} ${n.url}`);
    lines.push(`  now:      ${revisionText(n.revision)}`);
    lines.push(`  recorded: ${revisionText(snap.revision)}`);
    lines.push(...formatSectionPlans(n.plan));
  }
  return lines.join("\n");
}

/** The outcome as the CLI prints it. */
export function formatOutcome(stack: string, o: RollbackOutcome): string {
  const lines: string[] = [];
  for (const n of [o.primary, o.secondary]) {
    const parts: string[] = [];
    if (n.written.length > 0) parts.push(`wrote ${n.written.join(", ")}`);
    if (n.deliveredBySync.length > 0)
      parts.push(`${n.deliveredBySync.join(", ")} put back by pfSense's own HA sync`);
    if (parts.length === 0) parts.push("nothing to change");
    lines.push(`${n.role}: ${parts.join("; ")}; now at ${revisionText(n.revision)}`);
  }
  lines.push("");
  lines.push(
    `The nodes now hold the recorded sections, so stack ${stack}'s state no longer matches them.`,
    "Next: revert the program to what it was before that up, then run `pulumi up --refresh`",
    "(or `pulumi refresh`, then `pulumi up`). A plain `pulumi up` compares the program with the",
    "stack's state only: it writes nothing and leaves the nodes rolled back while the state still",
    "lists what the rollback removed; with --refresh the library reads the nodes and re-applies",
    "whatever the program still declares.",
  );
  return lines.join("\n");
}
