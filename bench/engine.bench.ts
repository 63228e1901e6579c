/**
 * Engine cost: N CarpVips (N = 1, 16, 64, 256) and a Cluster through the real Pulumi engine
 * (Automation API, inline programs, the offline engine of scripts/pulumiEngine.ts) against a fresh
 * emulated pair per N, each node in a process of its own as two firewalls are two machines
 * (bench/pairProcesses.ts), next to two floors:
 *
 * - the engine floor: the same stack machinery (same engine, file backend, passphrase secrets,
 *   a TypeScript provider-plugin process configured with both endpoints, resource graph and
 *   inputs) with a plugin whose methods return at once, so what remains is the engine's own
 *   per-resource cost;
 * - the physical floor: ONE bulk `restore_config_section` per node carrying the `virtualip`
 *   section the up left behind, sent to another fresh pair (as bench/providers.bench.ts does).
 *
 * Printed per N, form and operation (`up`, a no-change `preview` after it, `refresh`,
 * `destroy`): wall ms, the ratio to the engine floor's same operation, and XML-RPC requests and
 * config revisions per node as the emulated nodes counted them. Two forms: `items` (N CarpVip
 * components) and `agg` (the same N VIPs inline in one ClusterHaConfig, which the engine floor
 * of N resources overstates: it is one resource). Figures only; benchmarks measure, tests assert.
 *
 * Sizes: `npm run bench -- engine --sizes 1,16` or `BENCH_ENGINE_SIZES=1,16` (default all four);
 * rounds per size: `--rounds 3` or `BENCH_ENGINE_ROUNDS=3` (default 1, see {@link rounds}).
 * Parallelism is the engine's default (`--parallel` unset: 4 x GOMAXPROCS, i.e. 8 resource
 * operations at once on 2 cores; `PULUMI_PARALLEL` in the environment changes it).
 * The program has no HaSyncSettings, so the primary never pushes to the secondary: every request
 * the secondary counts comes from the library.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import * as pulumi from "@pulumi/pulumi";
import { automation } from "@pulumi/pulumi";
import * as ha from "../sdk";
import type { PhpStruct } from "../sdk/codec/phpValue";
import type { EndpointDescription } from "../sdk/emulator";
import { createNodeClient, resetNodeSessions } from "../sdk/pfsense";
import { toNodeEndpoint, type EndpointInput } from "../sdk/providers/endpointInputs";
import { engineStatus, workspaceOptions, type EngineLayout } from "../scripts/pulumiEngine";
import { startPairProcesses, type ProcessPair } from "./pairProcesses";

const DEFAULT_SIZES = [1, 16, 64, 256];

/**
 * `--rounds K` / `BENCH_ENGINE_ROUNDS` (default 1): each N is measured K times, floor and
 * library alternating on a fresh pair per round, and each row shows the round whose ratio is the
 * median. The machine's own speed drifts by ±15 % over minutes (the floor alone varied from 24 s
 * to 32 s at N = 256 between runs), so one floor run and one library run minutes apart can differ
 * by that much for reasons neither has.
 */
function rounds(): number {
  const text = option("rounds", "BENCH_ENGINE_ROUNDS");
  if (text === undefined || text.trim() === "") return 1;
  const k = Number(text);
  if (!Number.isInteger(k) || k < 1 || k > 9) {
    throw new Error(`--rounds: want an integer 1-9, got "${text}"`);
  }
  return k;
}
/** A segment holds at most 255 VHIDs, so VIPs are spread over the pair's three segments. */
const SEGMENTS = [
  { interface: "wan", prefix: "192.168.1", subnet: "192.168.1.0/24" },
  { interface: "lan", prefix: "192.168.99", subnet: "192.168.99.0/24" },
  { interface: "opt1", prefix: "172.16.1", subnet: "172.16.1.0/24" },
];
/** Explicit CARP password: no RandomPassword, so no `random` plugin (pulumi-notes A7). */
const CARP_PASSWORD = "BenchCarpPw1";
const OPS = ["up", "preview", "refresh", "destroy"] as const;
type Op = (typeof OPS)[number];

/** `--NAME V` / `--NAME=V` on the command line, else the environment variable `env`. */
function option(name: string, env: string): string | undefined {
  const argv = process.argv.slice(2);
  const flag = `--${name}`;
  const i = argv.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (i < 0) return process.env[env];
  return argv[i].startsWith(`${flag}=`) ? argv[i].slice(flag.length + 1) : argv[i + 1];
}

/** `--sizes 1,16` / `--sizes=1,16` on the command line, else `BENCH_ENGINE_SIZES`, else all. */
function sizes(): number[] {
  const text = option("sizes", "BENCH_ENGINE_SIZES");
  if (text === undefined || text.trim() === "") return DEFAULT_SIZES;
  const out = text.split(",").map((s) => Number(s.trim()));
  if (out.some((n) => !Number.isInteger(n) || n < 1 || n > 3 * 255)) {
    throw new Error(`--sizes: want a comma-separated list of integers 1-765, got "${text}"`);
  }
  return out;
}

/** The i-th VIP's placement: round-robin over the segments, hosts .10 upwards. */
function placement(i: number): {
  interface: string;
  subnet: string;
  address: string;
  prefix: string;
} {
  const seg = SEGMENTS[i % SEGMENTS.length];
  return {
    interface: seg.interface,
    subnet: seg.subnet,
    address: `${seg.prefix}.${10 + Math.floor(i / SEGMENTS.length)}`,
    prefix: seg.prefix,
  };
}

/** The Cluster from stack config, as a real stack (and tests/e2e/clusterProgram.ts) builds it. */
function clusterFromConfig(): ha.Cluster {
  const config = new pulumi.Config();
  const node = (role: "primary" | "secondary") => ({
    url: config.require(`${role}Url`),
    username: config.require(`${role}Username`),
    password: config.requireSecret(`${role}Password`),
    tls: { fingerprint256: config.require(`${role}Fingerprint`) },
  });
  return new ha.Cluster({ primary: node("primary"), secondary: node("secondary") });
}

/** The measured program: N CarpVips on the pair. */
function carpVipProgram(n: number): automation.PulumiFn {
  return async () => {
    const cluster = clusterFromConfig();
    const password = pulumi.secret(CARP_PASSWORD);
    for (let i = 0; i < n; i++) new ha.CarpVip(`vip-${i}`, { cluster, ...vipArgs(i, password) });
  };
}

/** The i-th VIP's arguments, the same in both forms. */
function vipArgs(i: number, password: pulumi.Input<string>): ha.ClusterHaVipArgs {
  const p = placement(i);
  return {
    interface: p.interface,
    subnet: p.subnet,
    primaryAddress: `${p.prefix}.1`,
    secondaryAddress: `${p.prefix}.2`,
    address: p.address,
    password,
  };
}

/** The aggregate form: the same N VIPs inline in one ClusterHaConfig. */
function aggregateProgram(n: number): automation.PulumiFn {
  return async () => {
    const cluster = clusterFromConfig();
    const password = pulumi.secret(CARP_PASSWORD);
    const carpVips: Record<string, ha.ClusterHaVipArgs> = {};
    for (let i = 0; i < n; i++) carpVips[`vip-${i}`] = vipArgs(i, password);
    new ha.ClusterHaConfig("site", { cluster, carpVips });
  };
}

/**
 * The engine floor's resource: served by the no-op plugin (bench/noopPlugin.ts) through a provider
 * holding both endpoints, as a Cluster's provider does.
 *
 * Why this and not bare ComponentResources: a CarpVip is a ComponentResource whose one child is a
 * custom resource of the cluster's provider plugin, so each costs the engine a component
 * registration plus check/diff/create/read/delete round trips to the plugin process, secret
 * encryption and a state checkpoint per step. ComponentResources alone would skip the plugin and
 * understate that; a no-op child keeps all of it and removes only the provider's own work
 * (planning, XML-RPC to both nodes). It gets the same inputs (the same scalars, a secret CARP
 * password); its outputs are those inputs, so its state is smaller than a CarpVipConfig's (which
 * adds its planned outputs, and a secret `adoptedFrom` when it adopted a VIP). The engine writes a
 * checkpoint per step, so the library's larger state is part of what this floor charges to it.
 */
class NoopVipConfig extends pulumi.CustomResource {
  constructor(name: string, props: Record<string, unknown>, opts: pulumi.CustomResourceOptions) {
    super("pfsense-ha-bench:index:NoopVipConfig", name, props, {
      ...opts,
      additionalSecretOutputs: ["password"],
    });
  }
}

/** The floor's provider resource (the SDK's class is abstract). */
class NoopProvider extends pulumi.ProviderResource {
  constructor(name: string, props: Record<string, unknown>) {
    super("pfsense-ha-bench", name, props);
  }
}

class NoopVip extends pulumi.ComponentResource {
  constructor(name: string, provider: pulumi.ProviderResource, i: number) {
    super("pfsense-ha-bench:index:NoopVip", name, {});
    const p = placement(i);
    new NoopVipConfig(
      name,
      {
        name,
        interface: p.interface,
        subnet: p.subnet,
        primaryAddress: `${p.prefix}.1`,
        secondaryAddress: `${p.prefix}.2`,
        address: p.address,
        password: pulumi.secret(CARP_PASSWORD),
      },
      { parent: this, provider },
    );
    (this as unknown as { __registered: boolean }).__registered = true; // as the library's do
  }
}

/** The engine floor's program: N no-op VIPs (same graph and inputs as {@link carpVipProgram}). */
function floorProgram(n: number): automation.PulumiFn {
  return async () => {
    const cluster = clusterFromConfig();
    const provider = new NoopProvider("floor", {
      primary: pulumi.secret(cluster.primary),
      secondary: pulumi.secret(cluster.secondary),
    });
    for (let i = 0; i < n; i++) new NoopVip(`vip-${i}`, provider, i);
  };
}

/** Stack config for the pair: URLs, usernames, fingerprints, and passwords as secrets. */
function pairConfig(pair: ProcessPair): automation.ConfigMap {
  const d = pair.describe();
  const out: automation.ConfigMap = {};
  for (const role of ["primary", "secondary"] as const) {
    out[`${role}Url`] = { value: d[role].url };
    out[`${role}Username`] = { value: d[role].username };
    out[`${role}Password`] = { value: d[role].password, secret: true };
    out[`${role}Fingerprint`] = { value: d[role].fingerprint256 };
  }
  return out;
}

/**
 * An inline-program stack on the offline engine with its own file backend and work directory
 * under `dir`. `main` is the repository root so the dynamic-provider process resolves
 * `@pulumi/pulumi` and `pulumi-pfsense-ha/runtime` there whatever the cwd (pulumi-notes C3).
 */
async function inlineStack(
  layout: EngineLayout,
  dir: string,
  stackName: string,
  program: automation.PulumiFn,
): Promise<automation.Stack> {
  const workDir = join(dir, "work");
  mkdirSync(workDir, { recursive: true });
  const opts = await workspaceOptions({ stateDir: join(dir, "state"), workDir }, layout);
  // The floor's no-op plugin is found on PATH, beside the library's.
  const env = opts.envVars ?? {};
  env.PATH = [join(layout.repoRoot, "bench", "bin"), env.PATH ?? ""].join(":");
  return automation.LocalWorkspace.createOrSelectStack(
    { stackName, projectName: "pfsense-ha-bench", program },
    {
      ...opts,
      projectSettings: { name: "pfsense-ha-bench", runtime: "nodejs", main: layout.repoRoot },
    },
  );
}

interface PerNode {
  primary: number;
  secondary: number;
}

interface Measure {
  ms: number;
  calls: PerNode;
  revisions: PerNode;
  /** Resources the engine reported as anything but unchanged (preview only). */
  changes?: number;
}

/** Times one operation and counts what both nodes handled meanwhile. */
async function measure<T>(
  pair: ProcessPair,
  f: () => Promise<T>,
): Promise<{ m: Measure; result: T }> {
  const before = await pair.counters();
  const t0 = performance.now();
  const result = await f();
  const ms = performance.now() - t0;
  const after = await pair.counters();
  const delta = (k: "calls" | "revisions"): PerNode => ({
    primary: after[k].primary - before[k].primary,
    secondary: after[k].secondary - before[k].secondary,
  });
  return { m: { ms, calls: delta("calls"), revisions: delta("revisions") }, result };
}

/**
 * up, no-change preview, refresh and destroy of one stack. `afterUp` runs between up and preview
 * (outside the timings) to capture the nodes' state.
 */
async function lifecycle(
  stack: automation.Stack,
  pair: ProcessPair,
  afterUp: () => Promise<void> = async () => undefined,
): Promise<Record<Op, Measure>> {
  const up = await measure(pair, () => stack.up());
  await afterUp();
  const preview = await measure(pair, () => stack.preview());
  const summary = preview.result.changeSummary;
  preview.m.changes = Object.entries(summary)
    .filter(([op]) => op !== "same")
    .reduce((s, [, count]) => s + (count ?? 0), 0);
  const refresh = await measure(pair, () => stack.refresh());
  const destroy = await measure(pair, () => stack.destroy());
  return { up: up.m, preview: preview.m, refresh: refresh.m, destroy: destroy.m };
}

async function withPair<T>(f: (pair: ProcessPair, dir: string) => Promise<T>): Promise<T> {
  resetNodeSessions();
  const dir = mkdtempSync(join(tmpdir(), "pfsense-ha-bench-engine-"));
  const pair = await startPairProcesses(join(dir, "pair"));
  try {
    return await f(pair, dir);
  } finally {
    await pair.stop();
    resetNodeSessions();
    rmSync(dir, { recursive: true, force: true });
  }
}

function endpoint(n: EndpointDescription): EndpointInput {
  return {
    url: n.url,
    username: n.username,
    password: n.password,
    tls: { fingerprint256: n.fingerprint256 },
  };
}

/** One bulk restore of the final sections per node, on a fresh pair. */
async function physicalFloor(finals: {
  primary: PhpStruct;
  secondary: PhpStruct;
}): Promise<Measure> {
  return withPair(async (pair) => {
    const d = pair.describe();
    const p = createNodeClient(toNodeEndpoint(endpoint(d.primary), "primary"));
    const s = createNodeClient(toNodeEndpoint(endpoint(d.secondary), "secondary"));
    const { m } = await measure(pair, () =>
      Promise.all([p.restoreSections(finals.primary), s.restoreSections(finals.secondary)]),
    );
    return m;
  });
}

interface SizeResult {
  n: number;
  vips: Record<Op, Measure>;
  /** The same VIPs in one ClusterHaConfig. */
  aggregate: Record<Op, Measure>;
  floor: Record<Op, Measure>;
  physical: Measure;
}

async function runSize(layout: EngineLayout, n: number): Promise<SizeResult> {
  let finals: { primary: PhpStruct; secondary: PhpStruct } | undefined;
  const { vips, floor, aggregate } = await withPair(async (pair, dir) => {
    const config = pairConfig(pair);
    // The floor touches no node; running it first leaves the pair untouched for the VIPs.
    const floorStack = await inlineStack(layout, dir, `floor-${n}`, floorProgram(n));
    await floorStack.setAllConfig(config);
    const floor = await lifecycle(floorStack, pair);
    const vipStack = await inlineStack(layout, dir, `vips-${n}`, carpVipProgram(n));
    await vipStack.setAllConfig(config);
    const vips = await lifecycle(vipStack, pair, async () => {
      finals = {
        primary: { virtualip: await pair.virtualip("primary") } as PhpStruct,
        secondary: { virtualip: await pair.virtualip("secondary") } as PhpStruct,
      };
    });
    // Destroy left the pair as it was: the aggregate starts from the same config.
    const aggStack = await inlineStack(layout, dir, `aggregate-${n}`, aggregateProgram(n));
    await aggStack.setAllConfig(config);
    const aggregate = await lifecycle(aggStack, pair);
    return { vips, floor, aggregate };
  });
  const physical = await physicalFloor(finals!);
  return { n, vips, floor, aggregate, physical };
}

/** Not printed: one N=1 floor lifecycle so the first measured run does not pay cold caches. */
async function warmUp(layout: EngineLayout): Promise<void> {
  await withPair(async (pair, dir) => {
    const stack = await inlineStack(layout, dir, "warm-up", floorProgram(1));
    await stack.setAllConfig(pairConfig(pair));
    await lifecycle(stack, pair);
  });
}

const HEADER =
  "    N  form  op       |  measured ms | engine floor ms |  x floor || calls P | calls S | revs P | revs S";

/** `form`: `items` (N CarpVips) or `agg` (one ClusterHaConfig holding the N VIPs). */
function row(n: number, form: "items" | "agg", op: Op, v: Measure, f: Measure): string {
  const pad = (x: number | string, w: number) => String(x).padStart(w);
  const note = op === "preview" && v.changes ? `   (preview showed ${v.changes} change(s))` : "";
  return (
    `${pad(n, 5)}  ${form.padEnd(5)} ${op.padEnd(8)} |${pad(v.ms.toFixed(0), 13)} |${pad(f.ms.toFixed(0), 16)} |` +
    `${pad((v.ms / f.ms).toFixed(2), 9)} ||${pad(v.calls.primary, 8)} |${pad(v.calls.secondary, 8)} |` +
    `${pad(v.revisions.primary, 7)} |${pad(v.revisions.secondary, 7)}${note}`
  );
}

function physicalRow(r: SizeResult): string {
  const p = r.physical;
  return (
    `${String(r.n).padStart(5)}  physical floor: 1 bulk restore_config_section per node ` +
    `${p.ms.toFixed(0)} ms (calls ${p.calls.primary}/${p.calls.secondary}, ` +
    `revs ${p.revisions.primary}/${p.revisions.secondary}); up is ` +
    `${(r.vips.up.ms / p.ms).toFixed(0)}x it`
  );
}

/** The load average: other work on the machine inflates every figure, this says how much ran. */
function load(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(" / ");
}

/** The round whose ratio (measured / floor) of `op` in `form` is the median of all rounds. */
function medianRound(all: SizeResult[], form: "vips" | "aggregate", op: Op): SizeResult {
  const ratio = (r: SizeResult) => r[form][op].ms / r.floor[op].ms;
  const sorted = [...all].sort((a, b) => ratio(a) - ratio(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** One line per N when there were several rounds: every round's `up` ratio, items form. */
function roundsRow(all: SizeResult[]): string {
  const ups = all.map((r) => (r.vips.up.ms / r.floor.up.ms).toFixed(2));
  const floors = all.map((r) => (r.floor.up.ms / 1000).toFixed(1));
  return (
    `${String(all[0].n).padStart(5)}  rounds: items up x floor ${ups.join(", ")} ` +
    `(floor up ${floors.join(", ")} s); each row above is its op's median round`
  );
}

/** Runs the benchmark and prints one row per N and operation. */
export async function run(): Promise<void> {
  const status = engineStatus();
  if (!status.installed) {
    console.log(`skipped: Pulumi engine not installed (${status.reason})`);
    return;
  }
  const ns = sizes();
  const k = rounds();
  const parallel = process.env.PULUMI_PARALLEL ?? "engine default (4 x GOMAXPROCS)";
  console.log(
    `sizes ${ns.join(", ")}; --parallel ${parallel}; each N on a fresh emulated pair (one process per node); ` +
      `${k} round(s) per N; calls/revs are per node (P = primary, S = secondary) during that operation`,
  );
  console.log(`load average at the start (1/5/15 min) ${load()}`);
  const t0 = performance.now();
  await warmUp(status.layout);
  console.log(HEADER);
  for (const n of ns) {
    const all: SizeResult[] = [];
    for (let i = 0; i < k; i++) all.push(await runSize(status.layout, n));
    for (const op of OPS) {
      const r = medianRound(all, "vips", op);
      console.log(row(n, "items", op, r.vips[op], r.floor[op]));
    }
    for (const op of OPS) {
      const r = medianRound(all, "aggregate", op);
      console.log(row(n, "agg", op, r.aggregate[op], r.floor[op]));
    }
    console.log(physicalRow(medianRound(all, "vips", "up")));
    if (k > 1) console.log(roundsRow(all));
  }
  const total = ((performance.now() - t0) / 1000).toFixed(0);
  console.log(`total ${total} s; load average at the end (1/5/15 min) ${load()}`);
}
