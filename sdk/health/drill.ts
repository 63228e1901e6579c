/**
 * A failover drill: demote the primary (one of the guide's tests, drillKinds.ts: persistent CARP
 * maintenance mode, Temporarily Disable CARP, or stopping it), wait until the secondary is MASTER
 * on every VHID within the CARP bound, undo the demotion, wait until the primary is MASTER again
 * (failback, pfSense runs with preempt on), and report each VHID's holder before, during and
 * after, and its handover and failback time. The demotion is always undone, even when the drill
 * fails.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_HANDOVER_SLACK_MS, handoverBoundMs } from "./carpBounds";
import { getClusterHealth, readNode } from "./clusterHealth";
import { gateVerdict } from "./healthVerdict";
import { disruptionFor, type DrillKind, type StopDrillOptions } from "./drillKinds";
import type { ClusterEndpoints, ClusterHealth, MasterHolder, VipState } from "./types";

/** Options of {@link runDrill}. */
export interface DrillOptions extends StopDrillOptions {
  /** Which test to run. Default `maintenance`. */
  kind?: DrillKind;
  /** Added to each VHID's CARP bound (3 × advbase + skew/256 s), in ms. Default 3000. */
  slackMs?: number;
  /** Pause between CARP status readings, in ms. Default 200. */
  pollMs?: number;
  /** Progress callback: phase changes, each VHID that moves, and a heartbeat while waiting. */
  onProgress?: (p: DrillProgress) => void;
}

/** Drill phases, in order. */
export type DrillPhase = "precheck" | "handover" | "failback" | "done";

/** A progress report. */
export interface DrillProgress {
  /** The phase this report belongs to. */
  phase: DrillPhase;
  /** ms since the phase started. */
  elapsedMs: number;
  /** VHIDs that have moved in this phase so far, of `total`. */
  done: number;
  /** VHIDs the drill moves. */
  total: number;
  /** One line for humans. */
  message: string;
}

/** Outcome for one VHID. */
export interface DrillVhidResult {
  /** Interface assignment name (`wan`, `lan`, ...). */
  interface: string;
  /** CARP virtual host id, 1-255. */
  vhid: number;
  /** `address/bits` of the VIP. */
  address: string;
  /** CARP advertisement base, seconds. */
  advbase: number;
  /** advskew on the primary. */
  primarySkew: number;
  /** advskew on the secondary. */
  secondarySkew: number;
  /** ms from entering maintenance until the secondary was seen MASTER (primary not MASTER). */
  handoverMs?: number;
  /** 3 × advbase + secondarySkew/256 s + slack, in ms. */
  handoverBoundMs: number;
  /** ms from leaving maintenance until the primary was seen MASTER again (secondary BACKUP). */
  failbackMs?: number;
  /** 3 × advbase + primarySkew/256 s + slack, in ms. */
  failbackBoundMs: number;
  /** Which node was MASTER before the drill, once handed over (or at the bound), and at the end. */
  masters: { before: MasterHolder; during?: MasterHolder; after?: MasterHolder };
  /** Handed over and back, each within its bound. */
  ok: boolean;
}

/** Outcome of {@link runDrill}. */
export interface DrillReport {
  /** The test that ran. */
  kind: DrillKind;
  /** Every VHID handed over and back within its bound, and the demotion was undone. */
  ok: boolean;
  /** One result per VHID. */
  vhids: DrillVhidResult[];
  /** What went wrong (empty when ok). */
  problems: string[];
  /** Health before the drill (the precondition). */
  before: ClusterHealth;
  /** ms the undo took (leaving maintenance, enabling CARP, the node's restart or boot). */
  restoreMs?: number;
  /** Whole drill, ms. */
  durationMs: number;
}

interface Watch {
  uniqid: string;
  row: DrillVhidResult;
}

/**
 * Runs the drill against a healthy cluster (every VHID MASTER on the primary). If the cluster is
 * not healthy beforehand, nothing is changed and the report says why. Node errors while waiting
 * count as "not yet" (the bounds decide); other errors end the drill early. Every failure of the
 * drill is a line in `problems` (`ok` false); it throws only `E_DRILL_REFUSED`, before touching
 * anything, for a `stop` drill on a real firewall without `allowStop`.
 *
 * @example
 * const r = await runDrill(cluster, { kind: "disable-carp" });
 * console.log(formatDrillReport(r));
 */
export async function runDrill(
  cluster: ClusterEndpoints,
  options: DrillOptions = {},
): Promise<DrillReport> {
  const slackMs = options.slackMs ?? DEFAULT_HANDOVER_SLACK_MS;
  const pollMs = options.pollMs ?? 200;
  const progress = options.onProgress ?? (() => undefined);
  const kind = options.kind ?? "maintenance";
  const started = performance.now();
  const problems: string[] = [];
  const disruption = await disruptionFor(kind, cluster, options);

  progress({
    phase: "precheck",
    elapsedMs: 0,
    done: 0,
    total: 0,
    message: "reading cluster health",
  });
  const before = await getClusterHealth(cluster);
  const verdict = gateVerdict(before);
  let restoreMs: number | undefined;
  const report = (vhids: DrillVhidResult[]): DrillReport => ({
    kind,
    ok: problems.length === 0,
    vhids,
    problems,
    before,
    ...(restoreMs === undefined ? {} : { restoreMs }),
    durationMs: performance.now() - started,
  });
  const notReady = [
    ...verdict.reasons.map((r) => `not drilled, cluster not ready: ${r}`),
    ...disruption.notReady(before),
  ];
  if (notReady.length > 0) {
    problems.push(...notReady);
    return report([]);
  }

  const watches: Watch[] = before.vhids.map((v) => ({
    uniqid: v.uniqid,
    row: {
      interface: v.interface,
      vhid: v.vhid,
      address: v.address,
      advbase: v.advbase,
      primarySkew: v.primarySkew ?? 0,
      secondarySkew: v.secondarySkew ?? 0,
      handoverBoundMs: handoverBoundMs(v.advbase, v.secondarySkew ?? 0, slackMs),
      failbackBoundMs: handoverBoundMs(v.advbase, v.primarySkew ?? 0, slackMs),
      masters: { before: v.master },
      ok: false,
    },
  }));
  const total = watches.length;

  /** Polls until `moved` holds for every VHID in one reading, or the largest bound passes. */
  const waitPhase = async (
    phase: "handover" | "failback",
    holder: "during" | "after",
    moved: (p: VipState, s: VipState) => boolean,
    record: (w: Watch, ms: number) => void,
    recorded: (w: Watch) => boolean,
    bound: (w: Watch) => number,
  ): Promise<boolean> => {
    const t0 = performance.now();
    const deadline = Math.max(...watches.map(bound));
    let lastBeat = 0;
    for (;;) {
      // A stopped primary is off the network by design: while it is, only the secondary is read
      // (a retried read of the primary could straddle a short outage and report it MASTER).
      const offline = phase === "handover" && disruption.primaryOffline === true;
      const [p, s] = await Promise.all([
        offline
          ? Promise.resolve({ carp: undefined })
          : readNode(cluster.primary, "primary", { config: false, notices: false }),
        readNode(cluster.secondary, "secondary", { config: false, notices: false }),
      ]);
      const elapsed = performance.now() - t0;
      let all = true;
      for (const w of watches) {
        const ps: VipState = p.carp ? (p.carp.vips[w.uniqid] ?? "") : "UNKNOWN";
        const ss: VipState = s.carp ? (s.carp.vips[w.uniqid] ?? "") : "UNKNOWN";
        if (!recorded(w)) w.row.masters[holder] = holderOf(ps, ss);
        if (moved(ps, ss)) {
          if (!recorded(w)) {
            record(w, elapsed);
            const done = watches.filter(recorded).length;
            progress({
              phase,
              elapsedMs: elapsed,
              done,
              total,
              message: `${w.row.interface} vhid ${w.row.vhid}: ${phase === "handover" ? "secondary" : "primary"} is MASTER after ${(elapsed / 1000).toFixed(1)} s`,
            });
          }
        } else all = false;
      }
      if (all) return true;
      if (elapsed > deadline) return false;
      if (elapsed - lastBeat >= 1000) {
        lastBeat = elapsed;
        progress({
          phase,
          elapsedMs: elapsed,
          done: watches.filter(recorded).length,
          total,
          message: `waiting for the ${phase === "handover" ? "secondary" : "primary"} to be MASTER on every VHID (bound ${(deadline / 1000).toFixed(1)} s)`,
        });
      }
      await sleep(pollMs);
    }
  };

  let demoted = false;
  try {
    progress({
      phase: "handover",
      elapsedMs: 0,
      done: 0,
      total,
      message: disruption.demote.message,
    });
    demoted = true; // set first: a failed call may still have demoted the primary
    await disruption.demote.run();
    const handedOver = await waitPhase(
      "handover",
      "during",
      (p, s) => s === "MASTER" && p !== "MASTER",
      (w, ms) => (w.row.handoverMs = ms),
      (w) => w.row.handoverMs !== undefined,
      (w) => w.row.handoverBoundMs,
    );
    if (!handedOver)
      problems.push("the secondary did not become MASTER on every VHID within the bound");

    progress({
      phase: "failback",
      elapsedMs: 0,
      done: 0,
      total,
      message: disruption.restore.message,
    });
    const r0 = performance.now();
    await disruption.restore.run();
    demoted = false;
    restoreMs = performance.now() - r0;
    const failedBack = await waitPhase(
      "failback",
      "after",
      (p, s) => p === "MASTER" && s === "BACKUP",
      (w, ms) => (w.row.failbackMs = ms),
      (w) => w.row.failbackMs !== undefined,
      (w) => w.row.failbackBoundMs,
    );
    if (!failedBack)
      problems.push("the primary did not become MASTER again on every VHID within the bound");
  } catch (e) {
    problems.push(`drill aborted: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    if (demoted) {
      try {
        await disruption.restore.run();
      } catch (e) {
        problems.push(
          `could not undo the drill on the primary, ${disruption.byHand}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
  }

  for (const w of watches) {
    const r = w.row;
    r.ok =
      r.handoverMs !== undefined &&
      r.handoverMs <= r.handoverBoundMs &&
      r.failbackMs !== undefined &&
      r.failbackMs <= r.failbackBoundMs;
    if (r.handoverMs !== undefined && r.handoverMs > r.handoverBoundMs)
      problems.push(
        `${r.interface} vhid ${r.vhid}: handover took ${ms(r.handoverMs)}, bound ${ms(r.handoverBoundMs)}`,
      );
    if (r.failbackMs !== undefined && r.failbackMs > r.failbackBoundMs)
      problems.push(
        `${r.interface} vhid ${r.vhid}: failback took ${ms(r.failbackMs)}, bound ${ms(r.failbackBoundMs)}`,
      );
  }
  const rows = watches.map((w) => w.row);
  progress({
    phase: "done",
    elapsedMs: performance.now() - started,
    done: rows.filter((r) => r.ok).length,
    total,
    message: problems.length === 0 ? "drill passed" : "drill failed",
  });
  return report(rows);
}

const ms = (v: number) => `${(v / 1000).toFixed(2)} s`;

function holderOf(p: VipState, s: VipState): MasterHolder {
  if (p === "MASTER") return s === "MASTER" ? "both" : "primary";
  return s === "MASTER" ? "secondary" : "none";
}
