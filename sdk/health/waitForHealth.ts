/**
 * Polls cluster health until a condition holds or a timeout passes. CARP needs a few seconds to
 * converge after a change (3 × advbase + skew/256 per VHID, §8.5), so gates and checks wait for
 * convergence instead of judging the first reading.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { getClusterHealth } from "./clusterHealth";
import { gateVerdict } from "./healthVerdict";
import type { ClusterEndpoints, ClusterHealth, GateVerdict } from "./types";

/** Options of {@link waitForClusterHealth}. */
export interface WaitForHealthOptions {
  /** Give up after this many ms. Default 60000. */
  timeoutMs?: number;
  /** Pause between readings in ms. Default 1000. */
  pollMs?: number;
  /** What to wait for. Default: the deployment gate ({@link gateVerdict}). */
  until?: (h: ClusterHealth) => GateVerdict;
  /** Called after every reading (for progress output). */
  onReading?: (h: ClusterHealth, verdict: GateVerdict, elapsedMs: number) => void;
}

/** Result of {@link waitForClusterHealth}. */
export interface WaitForHealthResult {
  /** True when `until` held before the timeout. */
  ok: boolean;
  /** The last reading. */
  health: ClusterHealth;
  /** `until`'s verdict on the last reading. */
  verdict: GateVerdict;
  /** ms from the start of waiting to the end of the last reading. */
  elapsedMs: number;
}

/**
 * Reads health until `until` (default: every VHID has exactly one MASTER, the primary) holds, or
 * `timeoutMs` passes. Never throws for an unhealthy or unreachable cluster: the result says so.
 */
export async function waitForClusterHealth(
  cluster: ClusterEndpoints,
  options: WaitForHealthOptions = {},
): Promise<WaitForHealthResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const pollMs = options.pollMs ?? 1000;
  const until = options.until ?? gateVerdict;
  const start = performance.now();
  for (;;) {
    const health = await getClusterHealth(cluster);
    const verdict = until(health);
    const elapsedMs = performance.now() - start;
    options.onReading?.(health, verdict, elapsedMs);
    if (verdict.ok || elapsedMs + pollMs > timeoutMs) {
      return { ok: verdict.ok, health, verdict, elapsedMs };
    }
    await sleep(pollMs);
  }
}
