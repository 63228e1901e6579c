/**
 * getNodeSession: the one write path per node per process. A module-level registry keyed by
 * URL, so every dynamic resource served by one provider process shares the session and its
 * lock (pulumi-notes B2 pitfall 11). Edits that arrive together are gathered into one batch,
 * which starts from one read (or the previous batch's read-back), applies all item edits in
 * order and writes once, conditionally: the node checks, in the same exec_php request, that
 * the sections still have the token they were read with, runs its own restore and answers with
 * the sections after the write (design/pfsense-xmlrpc.md §7.4). A conflict replays the edits on
 * that fresh content. Afterwards the items others held are checked (itemPreservation.ts) and
 * each edit's sections verified (verifyWrite.ts); the batch's work is linear in the batch.
 */
import { isDeepStrictEqual } from "node:util";
import { haError, isHaError } from "../plan/errors";
import type { NodeHaConfig } from "../plan/model";
import type { PhpStruct } from "../codec/phpValue";
import type {
  ConfigChange,
  EditOptions,
  FirmwareInfo,
  NodeClient,
  NodeEndpoint,
  NodeSession,
  NodeState,
  ReadOptions,
  RevisionInfo,
} from "./types";
import { createNodeClient } from "./client";
import { nodeLabel } from "./endpointLabel";
import {
  READ_SECTIONS,
  changedSections,
  decodeNodeConfig,
  encodeRestorePayload,
  type WritableSection,
} from "./sections/nodeConfig";
import { lostItems, restoreLostItems } from "./itemPreservation";
import { everyOperationWaiting, operationsInFlight, waitingOn } from "./operationTracker";
import { decodeConfigVersion, decodeRevision, sameRevision } from "./sections/revision";
import { natTargetFormatFor } from "./version";
import { unlandedSections } from "./verifyWrite";
import { applyEdits, touchedSections } from "./editBatch";
import type { NatCtx } from "./sections/nat";

/**
 * A session gathers the operations that arrive together before it reads or writes. It starts at
 * once when every resource operation of the process waits on a session (operationTracker.ts):
 * nothing more can arrive before a batch answers. Otherwise it starts once none has arrived for
 * a quiet spell, or a while after the first, whichever is sooner. Inside the engine's provider
 * process the spell spans the engine's gaps between handing over operations (it hands them
 * over one by one, at most `--parallel` at once); for other callers it is short. All of it is
 * small beside a node's own write (a restore on pfSense reloads the filter: seconds).
 */
export const GATHER_MS = 30;
/** The longest a gather lasts for callers outside the engine, in ms. */
export const GATHER_MAX_MS = 300;
/** The quiet spell inside the engine's provider process, in ms (its gaps: ~100-200 ms). */
export const ENGINE_GATHER_MS = 800;
/** The longest a gather lasts inside the engine's provider process, in ms. */
export const ENGINE_GATHER_MAX_MS = 2500;
/** How often a gather looks whether every operation waits, in ms. */
const GATHER_POLL_MS = 5;

/** Resolves when the gather is over (see {@link GATHER_MS}); at once when `now()` says so. */
async function gathered(lastArrival: () => number, now: () => boolean): Promise<void> {
  const start = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, GATHER_POLL_MS));
    if (now() || everyOperationWaiting()) return;
    const engine = operationsInFlight();
    const quiet = engine ? ENGINE_GATHER_MS : GATHER_MS;
    const most = engine ? ENGINE_GATHER_MAX_MS : GATHER_MAX_MS;
    if (Date.now() - lastArrival() >= quiet || Date.now() - start >= most) return;
  }
}

/**
 * A shared read (refresh) is answered from the last snapshot while reads keep arriving within
 * this many ms of each other: the engine's reads of one refresh come as one wave.
 */
export const SHARE_IDLE_MS = 2000;
/** The oldest snapshot a shared read accepts, in ms. */
export const SHARE_MAX_AGE_MS = 30_000;

/** Edits of this process queued or being written, on every node (for {@link editsSettled}). */
let editsInFlight = 0;

/**
 * Resolves true once no edit of this process, on any node, has been queued or written for
 * `quietMs` (a caller that reads several nodes one after the other then sees none of this
 * process's own writes land between its reads), or false after `maxMs`. The caller counts as
 * waiting on a session meanwhile, so the batches it waits for start at once.
 */
export function editsSettled(quietMs: number, maxMs: number): Promise<boolean> {
  const start = Date.now();
  let idleSince = 0; // set by the first look when nothing is in flight
  return waitingOn(
    new Promise<boolean>((resolve) => {
      const look = (): void => {
        const now = Date.now();
        if (editsInFlight > 0) idleSince = 0;
        else if (idleSince === 0) idleSince = now;
        if (idleSince !== 0 && now - idleSince >= quietMs) return resolve(true);
        if (now - start >= maxMs) return resolve(false);
        setTimeout(look, GATHER_POLL_MS);
      };
      look();
    }),
  );
}

/** How often a batch is re-read and re-applied after a concurrent edit before giving up. */
export const MAX_CONCURRENT_EDIT_RETRIES = 8;

/** A read as the session keeps it: the NAT context and, with conditional writes, the token. */
type ReadState = NodeState & { ctx: NatCtx; tokens?: Record<string, string> };

/**
 * The sections a batch's write depends on: those it writes, and `interfaces`, which the edits'
 * checks read. A save of any other section is no conflict (restore merges into it).
 */
function dependsOn(
  tokens: Record<string, string>,
  sections: Set<WritableSection>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of ["interfaces", ...sections]) if (tokens[n] !== undefined) out[n] = tokens[n];
  return out;
}

/** Who writes, named in Config History: `project/stack` of the program this process serves. */
let historyOrigin: string | undefined;

/**
 * Sets the stack named in this process's Config History entries. The engine starts one provider
 * process per operation of one stack, so the name is the process's, not each edit's.
 */
export function setHistoryOrigin(origin: string | undefined): void {
  if (origin) historyOrigin = origin;
}

/** The most a Config History entry names before it says how many more there were. */
const HISTORY_LABELS = 6;

/**
 * The batch's Config History text, so that pfSense's history reads as a deployment log:
 * `pulumi-pfsense-ha site/prod: CarpVip[wan], CarpVip[lan] and 14 more (virtualip)`.
 */
function historyText(
  edits: readonly { label?: string }[],
  sections: Iterable<WritableSection>,
): string {
  const labels = [...new Set(edits.map((e) => e.label ?? "an edit"))];
  const shown = labels.slice(0, HISTORY_LABELS).join(", ");
  const more = labels.length > HISTORY_LABELS ? ` and ${labels.length - HISTORY_LABELS} more` : "";
  const who = historyOrigin ? ` ${historyOrigin}` : "";
  return `pulumi-pfsense-ha${who}: ${shown}${more} (${[...sections].join(", ")})`;
}

const warnedNoConditional = new Set<string>();

/** Says once per node that writes fall back to the optimistic check (no exec_php). */
function warnNoConditionalWrites(label: string): void {
  if (warnedNoConditional.has(label)) return;
  warnedNoConditional.add(label);
  process.stderr.write(
    `[pfsense-ha ${label}] exec_php did not run the library's read snippet; writes fall back to an optimistic revision check, which cannot exclude another writer's save between the check and the write\n`,
  );
}

const UNSETTLED = Symbol("pfsense-ha write unsettled");

function markWriteUnsettled(e: unknown): unknown {
  if (typeof e === "object" && e !== null) (e as Record<symbol, boolean>)[UNSETTLED] = true;
  return e;
}

/**
 * True when `e` came from a write whose outcome the node could not be asked about (the write
 * was sent, then neither its reply nor a read-back arrived): it may have landed.
 */
export function isWriteUnsettled(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as Record<symbol, boolean>)[UNSETTLED] === true;
}

interface Pending {
  change: ConfigChange;
  label?: string;
  resolve(s: NodeState): void;
  reject(e: unknown): void;
}

/** Session statistics, for tests and the benchmark. */
export interface SessionStats {
  /** Batches written (each = one restore_config_section). */
  writes: number;
  /** Batches run (including no-op batches). */
  batches: number;
  /** Batches re-run because the node's config changed since the read (a conflict). */
  concurrentRetries: number;
  /** Follow-up writes that put back items another writer's save had removed. */
  repairs: number;
}

/** Internal session with its extras (stats, client replacement). */
export interface NodeSessionImpl extends NodeSession {
  readonly sessionStats: SessionStats;
  /** Replaces the client when `ep`'s connection settings differ (same lock, same queue). */
  useEndpoint(ep: NodeEndpoint): void;
}

const registry = new Map<string, NodeSessionImpl>();

/** Registry key: the URL without credentials, trailing slash or default path. */
function keyOf(ep: NodeEndpoint): string {
  try {
    const u = new URL(ep.url);
    const path = u.pathname === "/" || u.pathname === "" ? "/xmlrpc.php" : u.pathname;
    return `${u.protocol}//${u.host.toLowerCase()}${path}`;
  } catch {
    return ep.url;
  }
}

/**
 * The session for `ep.url` (created on first use). A later call with other credentials or TLS
 * settings for the same URL replaces the session's client (same lock, same queue).
 */
export function getNodeSession(ep: NodeEndpoint): NodeSession {
  const key = keyOf(ep);
  const existing = registry.get(key);
  if (existing) {
    existing.useEndpoint(ep);
    return existing;
  }
  const s = createSession(ep);
  registry.set(key, s);
  return s;
}

/** Drops every cached session (tests). */
export function resetNodeSessions(): void {
  registry.clear();
}

/** Same connection settings (the display name does not matter). */
function sameEndpoint(a: NodeEndpoint, b: NodeEndpoint): boolean {
  const k = (e: NodeEndpoint): string => JSON.stringify({ ...e, name: undefined });
  return k(a) === k(b);
}

function createSession(initial: NodeEndpoint): NodeSessionImpl {
  let client: NodeClient = createNodeClient(initial);
  let firmware: FirmwareInfo | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let queue: Pending[] = [];
  let batchScheduled = false;
  let sharedRead: Promise<NodeState> | undefined;
  // A caller that gathered already asked to start the pending read / batch without waiting.
  let readNow = false;
  let editNow = false;
  // The last state this process read (or read back), for shared reads; dropped on every edit.
  let snapshot: { state: NodeState; at: number; lastUse: number } | undefined;
  // When the last edit and the last read arrived (for the gather).
  let lastEdit = 0;
  let lastRead = 0;
  const sessionStats: SessionStats = { writes: 0, batches: 0, concurrentRetries: 0, repairs: 0 };

  const withLock = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };

  const natCtx = (state: { firmware: FirmwareInfo; configVersion: string }): NatCtx => ({
    format: natTargetFormatFor(state.configVersion || state.firmware.configVersion),
  });

  // Conditional writes need exec_php running our snippets; probed on the first read.
  let conditional: boolean | undefined;

  // The freshest state read with tokens. Reads and writes name its tokens, so the node leaves
  // out what is unchanged since (most reads follow the last write with nothing in between).
  let latest: ReadState | undefined;

  /** Reads the node; with conditional writes, the content and its token in one request. */
  const readState = async (): Promise<ReadState> => {
    let raw: PhpStruct | undefined;
    let tokens: Record<string, string> | undefined;
    if (conditional !== false) {
      const known = latest;
      const r = await client.readWithToken([...READ_SECTIONS], known?.tokens);
      conditional = r !== undefined;
      if (!r) warnNoConditionalWrites(nodeLabel(client.endpoint));
      raw = r && withKnown(r.sections, r.tokens, known);
      tokens = r?.tokens;
      firmware ??= r?.firmware;
    }
    firmware ??= await client.firmwareVersion();
    raw ??= await client.backupSections([...READ_SECTIONS]);
    return decodeState(raw, tokens);
  };

  const decodeState = (raw: PhpStruct, tokens: Record<string, string> | undefined): ReadState => {
    const fw = firmware as FirmwareInfo; // read before any section read
    const ctx = natCtx({ firmware: fw, configVersion: decodeConfigVersion(raw.version) });
    const state: ReadState = {
      config: decodeNodeConfig(raw, ctx),
      revision: decodeRevision(raw.revision),
      firmware: fw,
      raw,
      ctx,
      tokens,
    };
    if (tokens) latest = state;
    return state;
  };

  const concurrentEditError = (rev: RevisionInfo): Error =>
    haError({
      code: "E_CONCURRENT_EDIT",
      message: `the node's config changed between reading and writing ${MAX_CONCURRENT_EDIT_RETRIES + 1} times in a row; last change by "${rev.username}" at ${rev.time}: "${rev.description}"`,
      field: nodeLabel(client.endpoint),
      fix: "run again when nobody else (GUI user, other tool, the primary's sync) is editing this node",
    });

  // The last read-back: the next batch starts from it when it carries tokens, because the
  // conditional write refuses a stale base anyway (no read of its own for that batch).
  let lastReadBack: ReadState | undefined;

  /** The revision that came in between when the node still held something else than `base`. */
  let conflictRevision: RevisionInfo | undefined;

  /**
   * Writes `payload` if the node still holds `base`. `wrote` false: a conflict, nothing written.
   * `after`: the node's state after the write when the reply carried it (conditional writes).
   */
  const writeIfUnchanged = async (
    base: ReadState,
    sections: Set<WritableSection>,
    payload: PhpStruct,
    description = "",
  ): Promise<{ wrote: boolean; after?: ReadState }> => {
    if (base.tokens !== undefined) {
      const r = await client.conditionalRestore(
        dependsOn(base.tokens, sections),
        [...READ_SECTIONS],
        payload,
        description,
        base.tokens,
      );
      const after = decodeState(withKnown(r.after.sections, r.after.tokens, base), r.after.tokens);
      conflictRevision = after.revision;
      // `loop` wrote nothing either; the read-back then reports the sections as not landed.
      return { wrote: r.status !== "conflict", after };
    }
    // Fallback without exec_php: an optimistic check right before the write (§7.3). The revision
    // has one-second resolution, so the sections about to be written are compared as well.
    const check = await client.backupSections(["revision", ...sections]);
    conflictRevision = decodeRevision(check.revision);
    const moved =
      !sameRevision(conflictRevision, base.revision) ||
      [...sections].some((sec) => !isDeepStrictEqual(check[sec], base.raw[sec]));
    if (moved) return { wrote: false };
    await client.restoreSections(payload);
    return { wrote: true };
  };

  /**
   * A write whose reply was lost may still have landed: the node, not the error, says which.
   * Returns the read-back when the node holds the batch's sections, else rethrows `error`.
   */
  const landedDespite = async (
    error: unknown,
    draft: NodeHaConfig,
    sections: Set<WritableSection>,
  ): Promise<ReadState> => {
    let after: ReadState;
    try {
      after = await readState();
    } catch {
      // Unknown whether it landed: say so, so that the caller records what it may have written.
      throw markWriteUnsettled(error);
    }
    if (unlandedSections(draft, after.config, after.ctx, sections).size > 0) throw error;
    return after;
  };

  const runBatch = async (batch: Pending[]): Promise<void> => {
    sessionStats.batches++;
    let live = batch;
    for (let attempt = 0; ; attempt++) {
      // Only a read with tokens may be reused: the fallback's write would not refuse it stale.
      const reused = lastReadBack?.tokens ? lastReadBack : undefined;
      lastReadBack = undefined;
      const state = reused ?? (await readState());
      const { draft, accepted, sections, payload } = applyEdits(
        state,
        live,
        state.ctx,
        nodeLabel(client.endpoint),
      );
      live = accepted;
      if (live.length === 0) return;
      if (sections.size === 0) {
        // "Nothing to do" is only trusted on a fresh read.
        if (reused) continue;
        const unchanged = { ...stripCtx(state), written: false };
        for (const p of live) p.resolve(unchanged);
        return;
      }
      let outcome: { wrote: boolean; after?: ReadState };
      try {
        outcome = await writeIfUnchanged(state, sections, payload, historyText(live, sections));
      } catch (e) {
        // xmlrpc.php authenticates before it dispatches, so a refused login ran nothing (and a
        // read to make sure would be one more failed login toward pfSense's lockout).
        if (isHaError(e) && (e.code === "E_AUTH" || e.code === "E_PRIVILEGE")) throw e;
        outcome = { wrote: true, after: await landedDespite(e, draft, sections) };
      }
      if (!outcome.wrote) {
        sessionStats.concurrentRetries++;
        if (attempt >= MAX_CONCURRENT_EDIT_RETRIES)
          throw concurrentEditError(conflictRevision ?? state.revision);
        // The first conflicts replay at once on the reply, which is the fresh content (the gap
        // to the next write is one round trip). Writers that keep colliding then pause a random,
        // growing while and read afresh, so that they stop doing so in lockstep and never write
        // on what the pause made stale.
        if (attempt < 3) lastReadBack = outcome.after;
        else await new Promise((r) => setTimeout(r, (attempt - 2) * (20 + Math.random() * 80)));
        continue;
      }
      let after: ReadState;
      try {
        after = outcome.after ?? (await readState());
      } catch (e) {
        throw markWriteUnsettled(e); // written, but not verified
      }
      sessionStats.writes++;
      after = await keepOthersItems(state, draft, after, sections);
      lastReadBack = after;
      settle(live, state, draft, after, sections);
      return;
    }
  };

  /**
   * Puts back what the node held at read time, that the batch kept, and that is gone after the
   * write (a save that slipped in where no lock reaches, or the fallback's unchecked window).
   */
  const keepOthersItems = async (
    base: ReadState,
    draft: NodeHaConfig,
    after: ReadState,
    sections: Set<WritableSection>,
  ): Promise<ReadState> => {
    for (let i = 0; i < MAX_CONCURRENT_EDIT_RETRIES; i++) {
      const lost = lostItems(base.config, draft, after.config, sections);
      if (lost.length === 0) return after;
      const repaired = structuredClone(after.config);
      restoreLostItems(repaired, base.config, lost);
      const fix = changedSections(after.config, repaired).sections;
      const payload = encodeRestorePayload(repaired, after, fix, after.ctx);
      process.stderr.write(
        `[pfsense-ha ${nodeLabel(client.endpoint)}] another writer's save removed ${lost.length} item(s) this library does not own during its write (${lost.map((l) => l.identity.slice(0, 60)).join("; ")}); putting them back\n`,
      );
      const r = await writeIfUnchanged(
        after,
        fix,
        payload,
        "pulumi-pfsense-ha: put back items another writer's save removed",
      );
      if (r.wrote) sessionStats.repairs++;
      after = r.after ?? (await readState());
    }
    return after;
  };

  /** Resolves each edit, or rejects those whose sections did not land as written. */
  const settle = (
    live: Pending[],
    base: ReadState,
    draft: NodeHaConfig,
    after: ReadState,
    sections: Set<WritableSection>,
  ): void => {
    const done = { ...stripCtx(after), written: true };
    const unlanded = unlandedSections(draft, after.config, after.ctx, sections);
    if (unlanded.size === 0) {
      for (const p of live) p.resolve(done);
      return;
    }
    // Something did not land: each edit fails only if it changed one of those sections.
    const touched = touchedSections(base.config, live);
    for (const p of live) {
      const missing = [...(touched.get(p) ?? [])].filter((s) => unlanded.has(s));
      if (missing.length === 0) {
        p.resolve(done);
        continue;
      }
      p.reject(
        haError({
          code: "E_VERIFY",
          message: `after the write the node does not hold the written ${missing.join(", ")} (read back at revision "${after.revision.description}")`,
          field: nodeLabel(client.endpoint),
          value: missing.join(","),
          fix: "read the node's config (Diagnostics > Backup & Restore > Config History) — another writer or a pfSense normalisation changed it; run again",
        }),
      );
    }
  };

  const scheduleBatch = (): void => {
    if (batchScheduled) return;
    batchScheduled = true;
    // The engine hands resource operations over one by one: a short gather lets those that
    // arrive together share one write (one config revision) instead of one each.
    void gathered(
      () => lastEdit,
      () => editNow,
    ).then(() =>
      withLock(async () => {
        batchScheduled = false;
        editNow = false;
        const batch = queue;
        queue = [];
        try {
          await runBatch(batch);
        } catch (e) {
          for (const p of batch) p.reject(e);
        }
      }),
    );
  };

  /** A read of the node that also becomes the next batch's base and the shared snapshot. */
  const readSnapshot = async (): Promise<NodeState> => {
    const read = await readState();
    // The freshest base for the next batch (the write refuses a stale one anyway, but a fresh
    // base also keeps what the edits decide from it, like hasync, current).
    if (read.tokens) lastReadBack = read;
    const state = stripCtx(read);
    if (queue.length === 0) snapshot = { state, at: Date.now(), lastUse: Date.now() };
    return state;
  };
  // The read under way, which shared reads join.
  let runningRead: Promise<NodeState> | undefined;

  return {
    get client() {
      return client;
    },
    sessionStats,
    useEndpoint(ep: NodeEndpoint) {
      if (!sameEndpoint(ep, client.endpoint)) {
        client = createNodeClient(ep);
        firmware = undefined;
        conditional = undefined;
        lastReadBack = undefined;
        latest = undefined;
      }
    },
    read(options?: ReadOptions) {
      const now = Date.now();
      if (
        options?.shared &&
        snapshot &&
        queue.length === 0 &&
        now - snapshot.lastUse < SHARE_IDLE_MS &&
        now - snapshot.at < SHARE_MAX_AGE_MS
      ) {
        snapshot.lastUse = now;
        return Promise.resolve(snapshot.state);
      }
      // A shared read joins one already under way: the same wave, moments apart.
      if (options?.shared && runningRead && queue.length === 0) return waitingOn(runningRead);
      // Concurrent reads that have not started yet share one backup call.
      lastRead = now;
      if (options?.now) readNow = true;
      sharedRead ??= gathered(
        () => lastRead,
        () => readNow,
      ).then(() =>
        withLock(() => {
          sharedRead = undefined;
          readNow = false;
          const running = readSnapshot();
          runningRead = running;
          const over = (): void => {
            if (runningRead === running) runningRead = undefined;
          };
          running.then(over, over);
          return running;
        }),
      );
      return waitingOn(sharedRead);
    },
    edit(change: ConfigChange, label?: string, options?: EditOptions) {
      snapshot = undefined;
      if (options?.now) editNow = true;
      return waitingOn(
        new Promise<NodeState>((resolve, reject) => {
          // A pending edit may be settled twice (rejected alone, then with its batch).
          editsInFlight++;
          let open = true;
          const over = (): void => {
            if (open) editsInFlight--;
            open = false;
          };
          queue.push({
            change,
            label,
            resolve: (st) => (over(), resolve(st)),
            reject: (e) => (over(), reject(e)),
          });
          lastEdit = Date.now();
          scheduleBatch();
        }),
      );
    },
  };
}

/**
 * A reply's sections completed with those it left out because the caller knew them: each
 * section whose token is still the one `known` was read with comes from `known`.
 */
function withKnown(
  sections: PhpStruct,
  tokens: Record<string, string>,
  known: ReadState | undefined,
): PhpStruct {
  if (!known?.tokens) return sections;
  const out: PhpStruct = { ...sections };
  for (const [n, t] of Object.entries(tokens)) {
    if (n in out || known.tokens[n] !== t || known.raw[n] === undefined) continue;
    out[n] = known.raw[n];
  }
  return out;
}

function stripCtx(s: NodeState & { ctx?: NatCtx }): NodeState {
  const { config, revision, firmware, raw, written } = s;
  return written === undefined
    ? { config, revision, firmware, raw }
    : { config, revision, firmware, raw, written };
}
