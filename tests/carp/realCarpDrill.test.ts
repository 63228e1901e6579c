/**
 * The emulator in real-CARP mode: the pair's CARP VIPs (planned and written by the library, synced
 * by the primary's own auto-sync) run as ucarp peers in private namespaces, and the nodes report
 * what those peers really elect. Health converges for real, a drill through the `pfsense-ha` CLI
 * hands every VHID over and back within the CARP bound (with ucarp's extra delivery delay), so do
 * the disable-CARP drill (the primary's peers stop advertising) and the stop drill (the primary
 * node stops and restarts), and a stopped primary node hands over like a crashed firewall.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import {
  getClusterHealth,
  runDrill,
  waitForClusterHealth,
  type DrillReport,
} from "../../sdk/health";
import { emulatedNodeStopper } from "../../sdk/emulator";
import { createNodeClient } from "../../sdk/pfsense";
import { startPairFixture, type PairFixture } from "../health/pairFixture";
import { carpLabUnavailableReason } from "../../sdk/emulator/ucarpLab";
import { startUcarpCarpSource, type UcarpCarpSource } from "../../sdk/emulator/ucarpCarpSource";
import { startPairWithRealCarp } from "../../sdk/emulator/ucarpPair";
import { execFileSync } from "node:child_process";
import { ucarpConvergenceMs, ucarpFailoverBoundsMs } from "./labPlan";

const CLI = resolve(__dirname, "../../sdk/cli/haCli.js");

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", fail);
    child.on("exit", (code) => done({ code, stdout, stderr }));
  });
}

describe("emulator with real CARP (ucarp peers): health, drill and failover", () => {
  let unavailable: string | undefined;
  let f: PairFixture | undefined;
  let src: UcarpCarpSource | undefined;
  let dir: string;
  const skews = () =>
    f!.vips.flatMap((v) => [
      { advbase: v.advbase as number, advskew: v.advskew as number },
      { advbase: v.advbase as number, advskew: Math.min((v.advskew as number) + 100, 254) },
    ]);

  before(async () => {
    unavailable = await carpLabUnavailableReason();
    if (unavailable) return;
    f = await startPairFixture([
      { interface: "wan", address: "192.168.1.100" },
      { interface: "lan", address: "192.168.99.100", primarySkew: 10 },
    ]);
    src = await startUcarpCarpSource({
      nodes: [f.pair.primary, f.pair.secondary],
      carp: f.pair.carp,
    });
    dir = mkdtempSync(join(tmpdir(), "pha-realcarp-"));
    writeFileSync(join(dir, "endpoints.json"), `${JSON.stringify(f.pair.describe())}\n`);
  });
  after(async () => {
    await src?.close();
    await f?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("converges to the primary as MASTER on every VHID, as real CARP elected it", async (t) => {
    if (unavailable) return t.skip(unavailable);
    const r = await waitForClusterHealth(f!.endpoints, {
      timeoutMs: ucarpConvergenceMs(skews()) + 5000,
      pollMs: 250,
    });
    assert.equal(r.ok, true, r.verdict.reasons.join("; "));
    t.diagnostic(`converged after ${(r.elapsedMs / 1000).toFixed(2)} s`);
    // The states come from the ucarp processes, not the model.
    for (const v of f!.vips) {
      assert.equal(src!.lab.state("primary", v.vhid as number, v.interface), "MASTER");
      assert.equal(src!.lab.state("secondary", v.vhid as number, v.interface), "BACKUP");
      assert.equal(
        await src!.lab.holdsAddress(
          "primary",
          src!.vipAddress(v.interface, v.vhid as number),
          v.interface,
        ),
        true,
      );
    }
  });

  it("pfsense-ha drill hands every VHID over and back within the CARP bound", async (t) => {
    if (unavailable) return t.skip(unavailable);
    // ucarp adds up to ~1 s of delivery delay plus one poll period (ucarp-notes §3), and the
    // emulated maintenance mode restarts the peer with the demoted skew (no bow-out advert).
    const slackS = Math.max(...skews().map((p) => p.advbase + p.advskew / 256)) + 2;
    const r = await runCli([
      "drill",
      "--endpoints",
      join(dir, "endpoints.json"),
      "--slack",
      String(slackS),
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const report = JSON.parse(r.stdout) as DrillReport;
    assert.equal(report.ok, true, report.problems.join("; "));
    for (const v of report.vhids) {
      const lower = ucarpFailoverBoundsMs(
        { advbase: v.advbase, advskew: v.secondarySkew },
        v.advbase,
      ).minMs;
      t.diagnostic(
        `${v.interface} vhid ${v.vhid}: handover ${(v.handoverMs! / 1000).toFixed(2)} s (bound ${(v.handoverBoundMs / 1000).toFixed(2)} s), failback ${(v.failbackMs! / 1000).toFixed(2)} s`,
      );
      assert.ok(
        v.handoverMs! >= lower,
        `real CARP cannot hand over before the master-down interval (${v.handoverMs} ms)`,
      );
      assert.ok(v.handoverMs! <= v.handoverBoundMs);
      assert.ok(v.failbackMs! <= v.failbackBoundMs);
    }
    assert.match(r.stderr, /secondary is MASTER after/);
    const h = await getClusterHealth(f!.endpoints);
    assert.equal(h.healthy, true, JSON.stringify(h.problems));
  });

  /** ucarp's delivery delay and poll period on top of the CARP bound (ucarp-notes §3). */
  const ucarpSlackS = () => Math.max(...skews().map((p) => p.advbase + p.advskew / 256)) + 2;
  const assertRealHandover = (t: { diagnostic(m: string): void }, report: DrillReport) => {
    assert.equal(report.ok, true, report.problems.join("; "));
    for (const v of report.vhids) {
      const lower = ucarpFailoverBoundsMs(
        { advbase: v.advbase, advskew: v.secondarySkew },
        v.advbase,
      ).minMs;
      t.diagnostic(
        `${report.kind} ${v.interface} vhid ${v.vhid}: ${v.masters.before}/${v.masters.during}/${v.masters.after}, handover ${(v.handoverMs! / 1000).toFixed(2)} s, failback ${(v.failbackMs! / 1000).toFixed(2)} s`,
      );
      assert.deepEqual(v.masters, { before: "primary", during: "secondary", after: "primary" });
      // The primary goes silent: the secondary must wait out its master-down interval.
      assert.ok(v.handoverMs! >= lower, `handover before master-down (${v.handoverMs} ms)`);
    }
  };

  it("pfsense-ha drill --kind disable-carp: the primary's peers go silent, the secondary takes over", async (t) => {
    if (unavailable) return t.skip(unavailable);
    const r = await runCli([
      "drill",
      "--endpoints",
      join(dir, "endpoints.json"),
      "--kind",
      "disable-carp",
      "--slack",
      String(ucarpSlackS()),
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assertRealHandover(t, JSON.parse(r.stdout) as DrillReport);
    assert.equal((await getClusterHealth(f!.endpoints)).healthy, true);
  });

  it("the stop drill stops and restarts the emulated primary; real CARP hands over and back", async (t) => {
    if (unavailable) return t.skip(unavailable);
    const report = await runDrill(f!.endpoints, {
      kind: "stop",
      stopper: emulatedNodeStopper(f!.pair.primary),
      slackMs: ucarpSlackS() * 1000,
    });
    assertRealHandover(t, report);
    assert.equal((await getClusterHealth(f!.endpoints)).healthy, true);
  });

  it("a stopped primary node hands every VHID to the secondary like a crashed firewall", async (t) => {
    if (unavailable) return t.skip(unavailable);
    const stoppedAt = performance.now();
    await f!.pair.primary.stop();
    const secondary = createNodeClient(f!.endpoints.secondary);
    const worst = Math.max(
      ...f!.vips.map(
        (v) =>
          ucarpFailoverBoundsMs(
            { advbase: v.advbase as number, advskew: Math.min((v.advskew as number) + 100, 254) },
            v.advbase as number,
          ).maxMs,
      ),
    );
    let states: string[] = [];
    while (performance.now() - stoppedAt < worst + 1000) {
      states = Object.values((await secondary.carpStatus()).vips);
      if (states.length === f!.vips.length && states.every((s) => s === "MASTER")) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const ms = performance.now() - stoppedAt;
    t.diagnostic(
      `secondary MASTER on every VHID ${(ms / 1000).toFixed(2)} s after the primary stopped`,
    );
    assert.deepEqual(
      states,
      f!.vips.map(() => "MASTER"),
    );
    assert.ok(ms <= worst + 1000);
  });
});

describe("startPairWithRealCarp", () => {
  it("puts a fresh pair's election on ucarp and removes every namespace on stop", async (t) => {
    const unavailable = await carpLabUnavailableReason();
    if (unavailable) return t.skip(unavailable);
    const dir = mkdtempSync(join(tmpdir(), "pha-realpair-"));
    const pair = await startPairWithRealCarp({ dir });
    const ours = () =>
      execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
        .split("\n")
        .filter((l) => l.startsWith(pair.ucarp.lab.prefix));
    try {
      assert.equal(pair.carp.stateSource, pair.ucarp.stateSource);
      assert.deepEqual(Object.keys(pair.ucarp.lab.namespaces).sort(), ["primary", "secondary"]);
      assert.equal(ours().length, 3, "sw + one namespace per node");
    } finally {
      await pair.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(ours(), []);
    assert.equal(pair.carp.stateSource, undefined, "the model's own election is back");
  });
});
