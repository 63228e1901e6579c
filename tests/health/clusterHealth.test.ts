/**
 * getClusterHealth and the gate against an emulated pair configured through the library:
 * CARP state per node and VHID, maintenance and demotion, split brain, sync state by content and
 * sync failure notices, an unreachable node — and never a secret in the result.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import {
  enterMaintenance,
  gateVerdict,
  getClusterHealth,
  leaveMaintenance,
  waitForClusterHealth,
} from "../../sdk/health";
import { getNodeSession } from "../../sdk/pfsense";
import { startPairFixture, type PairFixture } from "./pairFixture";

function assertNoSecrets(f: PairFixture, value: unknown): void {
  const text = JSON.stringify(value);
  assert.ok(!text.includes(f.endpoints.primary.password), "admin password leaked");
  for (const v of f.vips) assert.ok(!text.includes(v.password as string), "CARP password leaked");
}

describe("getClusterHealth on a healthy emulated pair", () => {
  let f: PairFixture;
  before(async () => {
    f = await startPairFixture();
  });
  after(async () => {
    await f?.stop();
  });

  it("reports every VHID MASTER on the primary and BACKUP on the secondary, and healthy", async () => {
    const h = await getClusterHealth(f.endpoints);
    assert.equal(h.healthy, true, JSON.stringify(h.problems));
    assert.equal(h.vhids.length, f.vips.length);
    for (const v of f.vips) {
      const row = h.vhids.find((r) => r.uniqid === v.uniqid);
      assert.ok(row, `row for ${v.subnet}`);
      assert.equal(row.interface, v.interface);
      assert.equal(row.vhid, v.vhid);
      assert.equal(row.primary, "MASTER");
      assert.equal(row.secondary, "BACKUP");
      assert.equal(row.primarySkew, v.advskew);
      assert.equal(row.secondarySkew, (v.advskew as number) + 100);
      assert.equal(row.ok, true);
    }
    for (const n of [h.primary, h.secondary]) {
      assert.equal(n.reachable, true);
      assert.equal(n.carpAllowed, true);
      assert.equal(n.demotion, 0);
      assert.equal(n.maintenance, false);
      assert.match(n.version ?? "", /^2\.7\.2/);
    }
    assert.deepEqual(gateVerdict(h), { ok: true, reasons: [] });
    assertNoSecrets(f, h);
  });

  it("judges sync by content: the secondary's last write came from the primary's sync", async () => {
    const h = await getClusterHealth(f.endpoints);
    assert.equal(h.sync.status, "in-sync");
    assert.equal(h.sync.autoSync, true);
    assert.deepEqual(h.sync.areas, ["virtualip"]);
    assert.equal(h.sync.secondaryLastWriteWasSync, true);
    assert.match(h.sync.secondaryRevision?.description ?? "", /from XMLRPC client/);
    assert.deepEqual(h.sync.drift, []);
    assert.deepEqual(h.sync.notices, []);
  });

  it("maintenance mode on the primary moves every VHID and fails the gate until it is left", async () => {
    await enterMaintenance(f.endpoints.primary);
    try {
      const h = await getClusterHealth(f.endpoints);
      assert.equal(h.primary.maintenance, true);
      assert.ok(h.vhids.every((r) => r.master === "secondary" && !r.ok));
      assert.ok(h.problems.some((p) => p.code === "maintenance"));
      const gate = gateVerdict(h);
      assert.equal(gate.ok, false);
      assert.equal(gate.reasons.length, f.vips.length);
      assert.match(gate.reasons[0], /the secondary is MASTER/);
    } finally {
      await leaveMaintenance(f.endpoints.primary);
    }
    const back = await waitForClusterHealth(f.endpoints, { timeoutMs: 10_000, pollMs: 100 });
    assert.equal(back.ok, true, back.verdict.reasons.join("; "));
    assert.equal(back.health.primary.maintenance, false);
  });

  it("a demoted node is a problem even while the roles are still right", async () => {
    f.pair.secondary.setDemotion(240);
    try {
      const h = await getClusterHealth(f.endpoints);
      assert.equal(h.secondary.demotion, 240);
      assert.ok(h.problems.some((p) => p.code === "demoted" && p.message.startsWith("secondary")));
      assert.equal(h.healthy, false);
      assert.equal(gateVerdict(h).ok, true, "roles are still as intended");
    } finally {
      f.pair.secondary.setDemotion(0);
    }
  });

  it("CARP disabled on the secondary shows as INIT and fails the gate", async () => {
    f.pair.secondary.setCarpAllowed(false);
    try {
      const h = await getClusterHealth(f.endpoints);
      assert.equal(h.secondary.carpAllowed, false);
      assert.ok(h.vhids.every((r) => r.secondary === "INIT"));
      assert.ok(h.problems.some((p) => p.code === "carp-disabled"));
      assert.equal(gateVerdict(h).ok, false);
    } finally {
      f.pair.secondary.setCarpAllowed(true);
    }
  });
});

describe("getClusterHealth when things are broken", () => {
  let f: PairFixture;
  before(async () => {
    f = await startPairFixture(undefined, { syncRetryPauseMs: 10 });
  });
  after(async () => {
    await f?.stop();
  });

  it("a VHID changed on the secondary alone gives split brain and sync drift", async () => {
    const target = f.vips[0];
    await getNodeSession(f.endpoints.secondary).edit((draft) => {
      const v = draft.virtualIps.find((x) => x.uniqid === target.uniqid);
      assert.ok(v);
      v.vhid = 77;
    });
    const h = await getClusterHealth(f.endpoints);
    const row = h.vhids.find((r) => r.uniqid === target.uniqid);
    assert.equal(row?.master, "both");
    assert.ok(h.problems.some((p) => p.code === "vhid" && /split brain/.test(p.message)));
    assert.equal(h.sync.status, "out-of-sync");
    assert.ok(h.sync.drift.some((d) => d.path.endsWith(".vhid")));
    assert.equal(h.sync.secondaryLastWriteWasSync, false, "the last write was local");
    assert.equal(gateVerdict(h).ok, false);
    assertNoSecrets(f, h);
  });

  it("the primary's next write repairs it through pfSense's own sync", async () => {
    await getNodeSession(f.endpoints.primary).edit((draft) => {
      draft.virtualIps[0].descr = "touched to trigger a sync";
    });
    const r = await waitForClusterHealth(f.endpoints, {
      timeoutMs: 10_000,
      pollMs: 100,
      until: (h) => ({ ok: h.healthy, reasons: h.problems.map((p) => p.message) }),
    });
    assert.equal(r.ok, true, r.verdict.reasons.join("; "));
  });

  it("a failing sync (wrong sync password) shows the primary's notices, without the password", async () => {
    const wrong = "not-the-password";
    await getNodeSession(f.endpoints.primary).edit((draft) => {
      if (draft.hasync) draft.hasync.password = wrong;
      draft.virtualIps[0].descr = "sync with a wrong password";
    });
    let h = await getClusterHealth(f.endpoints);
    for (let i = 0; i < 50 && h.sync.status !== "failing"; i++) {
      await sleep(100); // the primary's sync runs and fails (4 attempts, 10 ms apart)
      h = await getClusterHealth(f.endpoints);
    }
    assert.equal(h.sync.status, "failing");
    assert.ok(
      h.sync.notices.some((n) => /Authentication failed|XMLRPC/i.test(n)),
      JSON.stringify(h.sync.notices),
    );
    assert.ok(h.problems.some((p) => p.code === "sync-failing"));
    // The change never arrived: the content comparison sees it as well.
    assert.ok(h.sync.drift.some((d) => d.path.endsWith(".descr")));
    assert.equal(h.healthy, false);
    assert.ok(!JSON.stringify(h).includes(wrong));
  });

  it("an unreachable node is reported, not thrown, and fails the gate", async () => {
    await f.pair.secondary.stop();
    const h = await getClusterHealth({
      ...f.endpoints,
      secondary: { ...f.endpoints.secondary, connectTimeoutMs: 2000, maxAttempts: 1 },
    });
    assert.equal(h.secondary.reachable, false);
    assert.ok(h.secondary.error?.code.startsWith("E_"));
    assert.ok(h.vhids.every((r) => r.secondary === "UNKNOWN"));
    assert.equal(h.sync.status, "unknown");
    const gate = gateVerdict(h);
    assert.equal(gate.ok, false);
    assert.match(gate.reasons[0], /secondary could not be read/);
  });
});
