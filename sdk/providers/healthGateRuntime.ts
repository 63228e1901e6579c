/**
 * Runtime of the opt-in cluster health gate (package subpath `pulumi-pfsense-ha/runtime/health-gate`,
 * loaded by name from the serialized provider, like the main runtime entry). Its create and update
 * wait until CARP has converged and every VHID has exactly one MASTER, the primary — or fail the
 * deployment with `E_HEALTH_GATE` after the timeout. Read and delete touch no node.
 * The shape matches {@link RuntimeProvider}; members may be added, never renamed.
 */
import { haError } from "../plan/errors";
import { waitForClusterHealth } from "../health/waitForHealth";
import { gateVerdict } from "../health/healthVerdict";
import type { ClusterHealth, GateVerdict } from "../health/types";
import type { CheckFailure } from "./checkFailures";
import { endpointProblems, toNodeEndpoint, type EndpointInput } from "./endpointInputs";
import { containsUnknown, isUnknown } from "./unknowns";

/** Inputs of the gate's dynamic resource. */
export interface HealthGateInputs {
  primary: EndpointInput;
  secondary: EndpointInput;
  /** Give up after this many ms. Default 60000. */
  timeoutMs?: number;
  /** Pause between readings, ms. Default 1000. */
  pollMs?: number;
  /** Also require full health (no maintenance, demotion, sync drift or notices). Default false. */
  requireHealthy?: boolean;
  /** Check on every `pulumi up` (the diff always reports a change). Default true. */
  checkEveryUp?: boolean;
}

/** One VHID as the gate last saw it (no secrets). */
export interface GateVhid {
  interface: string;
  vhid: number;
  address: string;
  primary: string;
  secondary: string;
}

/** Outputs: the inputs plus what the last check saw. */
export interface HealthGateOutputs extends HealthGateInputs {
  /** Always true in state: a failed check fails the operation instead. */
  ok: boolean;
  /** ISO time of the passing reading. */
  checkedAt: string;
  /** ms the gate waited for convergence. */
  waitedMs: number;
  vhids: GateVhid[];
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_POLL_MS = 1000;

function fullHealth(h: ClusterHealth): GateVerdict {
  const roles = gateVerdict(h);
  const rest = h.problems.filter((p) => p.code !== "vhid").map((p) => p.message);
  const reasons = [...roles.reasons, ...rest.filter((r) => !roles.reasons.includes(r))];
  return { ok: reasons.length === 0, reasons };
}

/** Validates the gate's inputs (unknowns skipped). */
export async function checkHealthGate(
  news: HealthGateInputs,
): Promise<{ inputs: HealthGateInputs; failures: CheckFailure[] }> {
  const failures: CheckFailure[] = [
    ...endpointProblems(news.primary, "primary"),
    ...endpointProblems(news.secondary, "secondary"),
  ];
  for (const k of ["timeoutMs", "pollMs"] as const) {
    const v = news[k];
    if (v === undefined || isUnknown(v)) continue;
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
      failures.push({
        property: k,
        reason: haError({
          code: "E_INVALID_INPUT",
          field: `ClusterHealthGate.${k}`,
          value: String(v),
          message: "must be a positive number of milliseconds",
          fix: "give the gate's timeout and poll interval in seconds (timeoutSeconds, pollSeconds)",
        }).message,
      });
    }
  }
  return { inputs: news, failures };
}

/** Changes on every up unless `checkEveryUp` is false; then only when the settings change. */
export async function diffHealthGate(
  olds: HealthGateOutputs,
  news: HealthGateInputs,
): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const changes =
    news.checkEveryUp !== false ||
    containsUnknown(news) ||
    !same(olds.primary?.url, news.primary?.url) ||
    !same(olds.secondary?.url, news.secondary?.url) ||
    olds.timeoutMs !== news.timeoutMs ||
    olds.requireHealthy !== news.requireHealthy;
  return { changes, replaces: [], deleteBeforeReplace: false };
}

/**
 * Waits for convergence and checks the cluster; resolves with the outputs or throws
 * `E_HEALTH_GATE` naming every VHID (or node) that is wrong. Never includes a password.
 */
export async function runHealthGate(inputs: HealthGateInputs): Promise<HealthGateOutputs> {
  const timeoutMs = inputs.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const r = await waitForClusterHealth(
    {
      primary: toNodeEndpoint(inputs.primary, "primary"),
      secondary: toNodeEndpoint(inputs.secondary, "secondary"),
    },
    {
      timeoutMs,
      pollMs: inputs.pollMs ?? DEFAULT_POLL_MS,
      until: inputs.requireHealthy ? fullHealth : gateVerdict,
    },
  );
  if (!r.ok) {
    throw haError({
      code: "E_HEALTH_GATE",
      field: "ClusterHealthGate",
      message: `the cluster did not converge within ${(timeoutMs / 1000).toFixed(0)} s: ${r.verdict.reasons.join("; ")}`,
      fix: "see `pfsense-ha status` (Status > CARP on the nodes): leave maintenance mode, fix VHID/password mismatches or demotion, or raise timeoutSeconds",
    });
  }
  return {
    ...inputs,
    ok: true,
    checkedAt: r.health.checkedAt,
    waitedMs: Math.round(r.elapsedMs),
    vhids: r.health.vhids.map((v) => ({
      interface: v.interface,
      vhid: v.vhid,
      address: v.address,
      primary: v.primary,
      secondary: v.secondary,
    })),
  };
}

/** The gate's runtime provider (create/update check; read/delete are local). */
export const healthGate = {
  check: async (_olds: unknown, news: HealthGateInputs) => checkHealthGate(news),
  diff: async (_id: string, olds: HealthGateOutputs, news: HealthGateInputs) =>
    diffHealthGate(olds, news),
  create: async (inputs: HealthGateInputs) => ({
    id: "cluster-health-gate",
    outs: await runHealthGate(inputs),
  }),
  read: async (id: string, props: HealthGateOutputs) => ({ id, props }),
  update: async (_id: string, _olds: HealthGateOutputs, news: HealthGateInputs) => ({
    outs: await runHealthGate(news),
  }),
  delete: async () => undefined,
};
