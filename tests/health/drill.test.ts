/**
 * runDrill against an emulated pair: maintenance mode on the primary hands every VHID to the
 * secondary within the CARP bound and back again; an unready cluster is not touched; a drill
 * that fails still leaves maintenance mode.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  enterMaintenance,
  getClusterHealth,
  leaveMaintenance,
  runDrill,
  type DrillProgress,
} from "../../sdk/health";
import { startPairFixture, type PairFixture } from "./pairFixture";

describe("runDrill on an emulated pair", () => {
  let f: PairFixture;
  before(async () => {
    f = await startPairFixture([
      { interface: "wan", address: "192.168.1.100" },
      { interface: "wan", address: "192.168.1.101", advbase: 2, primarySkew: 10 },
      { interface: "lan", address: "192.168.99.100" },
    ]);
  });
  after(async () => {
    await f?.stop();
  });

  it("hands every VHID to the secondary and back within the CARP bound, reporting each time", async () => {
    const progress: DrillProgress[] = [];
    const r = await runDrill(f.endpoints, { onProgress: (p) => progress.push(p) });
    assert.equal(r.ok, true, r.problems.join("; "));
    assert.equal(r.vhids.length, 3);
    for (const v of r.vhids) {
      assert.ok(
        v.handoverMs !== undefined && v.handoverMs <= v.handoverBoundMs,
        `${v.vhid} handover`,
      );
      assert.ok(
        v.failbackMs !== undefined && v.failbackMs <= v.failbackBoundMs,
        `${v.vhid} failback`,
      );
      // Bound = 3 × advbase + skew/256 s + the default 3 s slack.
      assert.equal(v.handoverBoundMs, (3 * v.advbase + v.secondarySkew / 256) * 1000 + 3000);
      assert.equal(v.ok, true);
    }
    const slow = r.vhids.find((v) => v.advbase === 2);
    assert.equal(slow?.secondarySkew, 110);
    const phases = [...new Set(progress.map((p) => p.phase))];
    assert.deepEqual(phases, ["precheck", "handover", "failback", "done"]);
    assert.ok(progress.some((p) => p.phase === "handover" && p.done === 3 && p.total === 3));
    const afterDrill = await getClusterHealth(f.endpoints);
    assert.equal(afterDrill.primary.maintenance, false);
    assert.equal(afterDrill.healthy, true, JSON.stringify(afterDrill.problems));
  });

  it("does not touch a cluster that is not ready (primary already in maintenance)", async () => {
    await enterMaintenance(f.endpoints.primary);
    try {
      const r = await runDrill(f.endpoints);
      assert.equal(r.ok, false);
      assert.deepEqual(r.vhids, []);
      assert.ok(r.problems.every((p) => p.startsWith("not drilled")));
      assert.equal(
        (await getClusterHealth(f.endpoints)).primary.maintenance,
        true,
        "left as found",
      );
    } finally {
      await leaveMaintenance(f.endpoints.primary);
    }
  });

  it("does not start when the secondary is in maintenance mode (it could never take over)", async () => {
    await enterMaintenance(f.endpoints.secondary);
    try {
      const r = await runDrill(f.endpoints);
      assert.equal(r.ok, false);
      assert.deepEqual(r.problems, [
        "not drilled: the secondary is in maintenance mode and could not take over",
      ]);
      assert.equal(
        (await getClusterHealth(f.endpoints)).primary.maintenance,
        false,
        "primary untouched",
      );
    } finally {
      await leaveMaintenance(f.endpoints.secondary);
    }
  });

  it("fails when the secondary cannot take over, and still leaves maintenance mode", async () => {
    // A secondary demoted to the 240 clamp advertises as badly as a primary in maintenance mode
    // (254 → 240, §8.5), so it never takes over: the drill must time out and restore.
    f.pair.secondary.setDemotion(240);
    try {
      const r = await runDrill(f.endpoints, { slackMs: 300, pollMs: 100 });
      assert.equal(r.ok, false);
      assert.ok(r.problems.some((p) => /did not become MASTER on every VHID/.test(p)));
      assert.ok(r.vhids.every((v) => v.handoverMs === undefined && !v.ok));
      assert.equal((await getClusterHealth(f.endpoints)).primary.maintenance, false);
    } finally {
      f.pair.secondary.setDemotion(0);
    }
  });
});
