/**
 * The guide's other failover tests as drills against an emulated pair, with the maintenance
 * drill's per-VHID report: "Temporarily Disable CARP" on the primary (runtime only, undone with
 * "Enable CARP"), and "stop the primary" (the emulator stops the node; a real firewall is refused
 * unless allowStop is set, with E_DRILL_REFUSED and nothing touched).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DRILL_MARKERS, PHP_CARP_DISABLE, PHP_PLATFORM_PROBE } from "../../sdk/codec/drillSnippets";
import { emulatedNodeStopper } from "../../sdk/emulator";
import {
  disableCarp,
  enableCarp,
  getClusterHealth,
  probeNodePlatform,
  runDrill,
  waitForClusterHealth,
  type DrillReport,
} from "../../sdk/health";
import { isHaError } from "../../sdk/plan";
import { startPairFixture, type PairFixture } from "./pairFixture";

const VIPS = [
  { interface: "wan" as const, address: "192.168.1.100" },
  { interface: "lan" as const, address: "192.168.99.100", primarySkew: 10 },
];

function assertHandedOverAndBack(r: DrillReport) {
  assert.equal(r.ok, true, r.problems.join("; "));
  assert.equal(r.vhids.length, 2);
  for (const v of r.vhids) {
    assert.deepEqual(v.masters, { before: "primary", during: "secondary", after: "primary" });
    assert.ok(v.handoverMs !== undefined && v.handoverMs <= v.handoverBoundMs);
    assert.ok(v.failbackMs !== undefined && v.failbackMs <= v.failbackBoundMs);
  }
}

describe("disable-CARP drill on an emulated pair", () => {
  let f: PairFixture;
  before(async () => {
    f = await startPairFixture(VIPS);
  });
  after(async () => {
    await f?.stop();
  });

  it("hands every VHID to the secondary while CARP is off on the primary, and back after Enable CARP", async () => {
    const r = await runDrill(f.endpoints, { kind: "disable-carp" });
    assert.equal(r.kind, "disable-carp");
    assertHandedOverAndBack(r);
    // Enable CARP runs interfaces_sync_setup(), which waits ≥ 1 s for pfsync (pfsync is on here).
    assert.ok(r.restoreMs !== undefined && r.restoreMs >= 1000, `restore ${r.restoreMs} ms`);
    const h = await getClusterHealth(f.endpoints);
    assert.equal(h.primary.carpAllowed, true);
    assert.equal(h.healthy, true, JSON.stringify(h.problems));
  });

  it("is runtime only: config.xml is not written and the node reports INIT while disabled", async () => {
    const revision = f.pair.primary.config().revision;
    await disableCarp(f.endpoints.primary);
    try {
      const h = await getClusterHealth(f.endpoints);
      assert.equal(h.primary.carpAllowed, false);
      assert.ok(h.vhids.every((v) => v.primary === "INIT" && v.secondary === "MASTER"));
      assert.ok(h.problems.some((p) => p.code === "carp-disabled"));
    } finally {
      await enableCarp(f.endpoints.primary);
    }
    assert.deepEqual(f.pair.primary.config().revision, revision);
  });

  it("is not started when CARP is already disabled on the primary, and leaves it so", async () => {
    await disableCarp(f.endpoints.primary);
    try {
      const r = await runDrill(f.endpoints, { kind: "disable-carp" });
      assert.equal(r.ok, false);
      assert.deepEqual(r.vhids, []);
      assert.ok(r.problems.every((p) => p.startsWith("not drilled")));
      assert.equal((await getClusterHealth(f.endpoints)).primary.carpAllowed, false);
    } finally {
      await enableCarp(f.endpoints.primary);
    }
  });

  it("fails when the secondary cannot take over, and still enables CARP again", async () => {
    // CARP goes off on the secondary too, right after the precheck read: nobody takes over.
    const r = await runDrill(f.endpoints, {
      kind: "disable-carp",
      slackMs: 300,
      pollMs: 100,
      onProgress: (p) => {
        if (p.phase === "handover" && p.elapsedMs === 0) f.pair.secondary.setCarpAllowed(false);
      },
    });
    f.pair.secondary.setCarpAllowed(true);
    assert.equal(r.ok, false);
    assert.ok(r.problems.some((p) => /did not become MASTER on every VHID/.test(p)));
    assert.ok(r.vhids.every((v) => v.masters.during === "none" && !v.ok));
    assert.equal((await getClusterHealth(f.endpoints)).primary.carpAllowed, true);
  });
});

describe("disable-CARP drill with real-time CARP timing (masterDownScale 1)", () => {
  let f: PairFixture;
  before(async () => {
    f = await startPairFixture(VIPS.slice(0, 1), { carpMasterDownScale: 1 });
    const ready = await waitForClusterHealth(f.endpoints, { timeoutMs: 10_000, pollMs: 200 });
    assert.equal(ready.ok, true, ready.verdict.reasons.join("; "));
  });
  after(async () => {
    await f?.stop();
  });

  it("the secondary takes over only when its master-down timer (3 × advbase + skew/256 s) runs out", async () => {
    const r = await runDrill(f.endpoints, { kind: "disable-carp", pollMs: 100 });
    assertHandedOverAndBack({ ...r, vhids: [...r.vhids, ...r.vhids] });
    const v = r.vhids[0];
    const masterDownMs = (3 * v.advbase + v.secondarySkew / 256) * 1000;
    assert.ok(
      (v.handoverMs as number) >= masterDownMs - 150,
      `handover ${v.handoverMs} ms before the master-down time ${masterDownMs} ms`,
    );
  });
});

describe("stop drill on an emulated pair", () => {
  let f: PairFixture;
  before(async () => {
    f = await startPairFixture(VIPS);
  });
  after(async () => {
    await f?.stop();
  });

  it("stops the emulated primary, the secondary takes every VHID, and the restarted primary takes them back", async () => {
    const r = await runDrill(f.endpoints, {
      kind: "stop",
      stopper: emulatedNodeStopper(f.pair.primary),
    });
    assertHandedOverAndBack(r);
    assert.equal(f.pair.primary.isRunning(), true);
    assert.equal((await getClusterHealth(f.endpoints)).healthy, true);
  });

  it("without a stopper, reboots the emulator over XML-RPC (it says it is the emulator)", async () => {
    assert.deepEqual(await probeNodePlatform(f.endpoints.primary), {
      platform: "pfsense-ha-emulator",
      emulator: true,
    });
    const r = await runDrill(f.endpoints, { kind: "stop" });
    assertHandedOverAndBack(r);
    assert.ok(r.restoreMs !== undefined && r.restoreMs > 0);
  });

  it("refuses to stop a real firewall without allowStop, with E_DRILL_REFUSED, touching nothing", async () => {
    // The primary now answers the platform probe as pfSense on FreeBSD would.
    f.pair.primary.registerExecPhp(PHP_PLATFORM_PROBE, () => ({
      platform: "FreeBSD",
      marker: DRILL_MARKERS.platform,
    }));
    const calls = f.pair.primary.execLog.length;
    await assert.rejects(runDrill(f.endpoints, { kind: "stop" }), (e: unknown) => {
      assert.ok(isHaError(e, "E_DRILL_REFUSED"));
      assert.match(e.message, /real firewall \(platform FreeBSD\)/);
      assert.match(e.message, /--allow-stop|allowStop: true/);
      return true;
    });
    assert.deepEqual(
      f.pair.primary.execLog.slice(calls).map((c) => c.code),
      [PHP_PLATFORM_PROBE],
      "only the probe ran",
    );
    assert.equal(f.pair.primary.isRunning(), true);
    // maintenance and disable-carp drills need no permission
    assert.equal((await runDrill(f.endpoints, { kind: "disable-carp" })).ok, true);
  });

  it("stops a real firewall when allowStop is set (XML-RPC reboot, then waits for its boot)", async () => {
    const calls = f.pair.primary.execLog.length;
    const r = await runDrill(f.endpoints, { kind: "stop", allowStop: true });
    assertHandedOverAndBack(r);
    // The node was down, not demoted: no CARP snippet ran, and the restore waited for the
    // emulator's reboot downtime (1 s by default) to end.
    assert.ok(f.pair.primary.execLog.slice(calls).every((c) => c.code !== PHP_CARP_DISABLE));
    assert.ok((r.restoreMs as number) > 0);
  });
});
