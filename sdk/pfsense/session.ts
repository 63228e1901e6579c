/**
 * getNodeSession: the one write path per node per process. A module-level registry keyed by
 * URL, so every dynamic resource served by one provider process shares the session and its
 * lock (pulumi-notes B2 pitfall 11). Edits are coalesced: everything queued while a write is
 * in flight goes into the next batch, which does one read, applies all changes in order, one
 * optimistic revision check, one restore_config_section and one read-back (§7.2, §7.3). The
 * session's own work per batch is linear in the batch (see editBatch.ts, verifyWrite.ts).
 */
import { isDeepStrictEqual } from "node:util";
import { haError } from "../plan/errors";
import type {
  ConfigChange,
  FirmwareInfo,
  NodeClient,
  NodeEndpoint,
  NodeSession,
  NodeState,
  RevisionInfo,
} from "./types";
import { createNodeClient } from "./client";
import { nodeLabel } from "./endpointLabel";
import { READ_SECTIONS, decodeNodeConfig } from "./sections/nodeConfig";
import { decodeConfigVersion, decodeRevision, sameRevision } from "./sections/revision";
import { natTargetFormatFor } from "./version";
import { unlandedSections } from "./verifyWrite";
import { applyEdits, touchedSections } from "./editBatch";
import type { NatCtx } from "./sections/nat";

/** How often a batch is re-read and re-applied after a concurrent edit before giving up. */
export const MAX_CONCURRENT_EDIT_RETRIES = 3;

interface Pending {
  change: ConfigChange;
  resolve(s: NodeState): void;
  reject(e: unknown): void;
}

/** Session statistics, for tests and the benchmark. */
export interface SessionStats {
  /** Batches written (each = one restore_config_section). */
  writes: number;
  /** Batches run (including no-op batches). */
  batches: number;
  /** Batches re-run because the node's revision moved. */
  concurrentRetries: number;
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
  const sessionStats: SessionStats = { writes: 0, batches: 0, concurrentRetries: 0 };

  const withLock = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };

  const natCtx = (state: { firmware: FirmwareInfo; configVersion: string }): NatCtx => ({
    format: natTargetFormatFor(state.configVersion || state.firmware.configVersion),
  });

  const readState = async (): Promise<NodeState & { ctx: NatCtx }> => {
    firmware ??= await client.firmwareVersion();
    const raw = await client.backupSections([...READ_SECTIONS]);
    const configVersion = decodeConfigVersion(raw.version);
    const ctx = natCtx({ firmware, configVersion });
    return {
      config: decodeNodeConfig(raw, ctx),
      revision: decodeRevision(raw.revision),
      firmware,
      raw,
      ctx,
    };
  };

  const concurrentEditError = (rev: RevisionInfo): Error =>
    haError({
      code: "E_CONCURRENT_EDIT",
      message: `the node's config changed between reading and writing ${MAX_CONCURRENT_EDIT_RETRIES + 1} times in a row; last change by "${rev.username}" at ${rev.time}: "${rev.description}"`,
      field: nodeLabel(client.endpoint),
      fix: "run again when nobody else (GUI user, other tool, the primary's sync) is editing this node",
    });

  const runBatch = async (batch: Pending[]): Promise<void> => {
    sessionStats.batches++;
    let live = batch;
    for (let attempt = 0; ; attempt++) {
      const state = await readState();
      const { draft, accepted, sections, payload } = applyEdits(
        state,
        live,
        state.ctx,
        nodeLabel(client.endpoint),
      );
      live = accepted;
      if (live.length === 0) return;
      if (sections.size === 0) {
        const unchanged = { ...stripCtx(state), written: false };
        for (const p of live) p.resolve(unchanged);
        return;
      }
      // Optimistic check right before the write (§7.3: there is no compare-and-swap). The
      // revision has one-second resolution, so two writes within a second can look alike;
      // the sections about to be written are compared as well (same call, more bytes).
      const check = await client.backupSections(["revision", ...sections]);
      const now = decodeRevision(check.revision);
      const moved =
        !sameRevision(now, state.revision) ||
        [...sections].some((sec) => !isDeepStrictEqual(check[sec], state.raw[sec]));
      if (moved) {
        sessionStats.concurrentRetries++;
        if (attempt >= MAX_CONCURRENT_EDIT_RETRIES) throw concurrentEditError(now);
        continue;
      }
      await client.restoreSections(payload);
      sessionStats.writes++;
      const after = { ...(await readState()), written: true };
      const unlanded = unlandedSections(draft, after.config, after.ctx, sections);
      if (unlanded.size === 0) {
        for (const p of live) p.resolve(stripCtx(after));
        return;
      }
      // Something did not land: each edit fails only if it changed one of those sections.
      const touched = touchedSections(state.config, live);
      for (const p of live) {
        const missing = [...(touched.get(p) ?? [])].filter((s) => unlanded.has(s));
        if (missing.length > 0) {
          p.reject(
            haError({
              code: "E_VERIFY",
              message: `after restore_config_section the node does not hold the written ${missing.join(", ")} (read back at revision "${after.revision.description}")`,
              field: nodeLabel(client.endpoint),
              value: missing.join(","),
              fix: "read the node's config (Diagnostics > Backup & Restore > Config History) — another writer or a pfSense normalisation changed it; run again",
            }),
          );
        } else p.resolve(stripCtx(after));
      }
      return;
    }
  };

  const scheduleBatch = (): void => {
    if (batchScheduled) return;
    batchScheduled = true;
    void withLock(async () => {
      batchScheduled = false;
      const batch = queue;
      queue = [];
      try {
        await runBatch(batch);
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    });
  };

  return {
    get client() {
      return client;
    },
    sessionStats,
    useEndpoint(ep: NodeEndpoint) {
      if (!sameEndpoint(ep, client.endpoint)) {
        client = createNodeClient(ep);
        firmware = undefined;
      }
    },
    read() {
      // Concurrent reads that have not started yet share one backup call.
      sharedRead ??= withLock(async () => {
        sharedRead = undefined;
        return stripCtx(await readState());
      });
      return sharedRead;
    },
    edit(change: ConfigChange) {
      return new Promise<NodeState>((resolve, reject) => {
        queue.push({ change, resolve, reject });
        scheduleBatch();
      });
    },
  };
}

function stripCtx(s: NodeState & { ctx?: NatCtx }): NodeState {
  const { config, revision, firmware, raw, written } = s;
  return written === undefined
    ? { config, revision, firmware, raw }
    : { config, revision, firmware, raw, written };
}
