import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PHP_SNIPPETS } from "../../sdk/codec/phpSnippets";
import type { PhpStruct } from "../../sdk/codec/phpValue";
import {
  CarpCluster,
  effectiveSkew,
  startNode,
  startPair,
  type EmulatedPair,
} from "../../sdk/emulator";
import { call, carpVip, tempDir } from "./helpers";

describe("CARP election model across the pair (§8.5, §10.7)", () => {
  let pair: EmulatedPair;
  const U = "65c000000001";
  const statusOf = async (n: EmulatedPair["primary"]) =>
    (await call(n, "admin", n.password, "pfsense.exec_php", [
      PHP_SNIPPETS.carpStatus,
      240,
    ])) as PhpStruct;
  before(async () => {
    pair = await startPair({ dir: tempDir("carp"), autoSyncDelayMs: 10 });
    const pw = pair.primary.password;
    await call(pair.primary, "admin", pw, "pfsense.restore_config_section", [
      {
        virtualip: { vip: [carpVip("wan", 1, "192.168.1.254", U, "0")] },
        hasync: { synchronizetoip: "172.16.1.2", password: pw, synchronizevirtualip: "on" },
      },
      900,
    ]);
    await pair.primary.syncIdle();
  });
  after(() => pair.stop());

  it("effective skew is (254 in maintenance, else advskew) + demotion, clamped to 240", () => {
    assert.equal(effectiveSkew(0, false, 0), 0);
    assert.equal(effectiveSkew(100, false, 50), 150);
    assert.equal(effectiveSkew(0, true, 0), 240);
    assert.equal(effectiveSkew(200, false, 100), 240);
  });

  it("the primary (skew 0) is MASTER and the secondary (skew 100) BACKUP", async () => {
    assert.deepEqual((await statusOf(pair.primary)).vips, { [U]: "MASTER" });
    assert.deepEqual((await statusOf(pair.secondary)).vips, { [U]: "BACKUP" });
  });

  it("maintenance mode on the primary hands MASTER to the secondary, and back when left", async () => {
    await call(pair.primary, "admin", pair.primary.password, "pfsense.exec_php", [
      PHP_SNIPPETS.maintenanceOn,
      240,
    ]);
    const p = await statusOf(pair.primary);
    assert.equal(p.maintenance, true);
    assert.deepEqual(p.vips, { [U]: "BACKUP" });
    assert.deepEqual((await statusOf(pair.secondary)).vips, { [U]: "MASTER" });
    await call(pair.primary, "admin", pair.primary.password, "pfsense.exec_php", [
      PHP_SNIPPETS.maintenanceOff,
      240,
    ]);
    assert.deepEqual((await statusOf(pair.primary)).vips, { [U]: "MASTER" });
  });

  it("demotion on the primary above the secondary's skew makes the secondary MASTER", async () => {
    pair.primary.setDemotion(150);
    const p = await statusOf(pair.primary);
    assert.equal(p.demotion, 150);
    assert.deepEqual(p.vips, { [U]: "BACKUP" });
    assert.deepEqual((await statusOf(pair.secondary)).vips, { [U]: "MASTER" });
    pair.primary.setDemotion(0);
    assert.deepEqual((await statusOf(pair.primary)).vips, { [U]: "MASTER" });
  });

  it("a stopped primary is not eligible: the secondary becomes MASTER; after restart the primary preempts", async () => {
    const url = pair.primary.url;
    await pair.primary.stop();
    assert.deepEqual((await statusOf(pair.secondary)).vips, { [U]: "MASTER" });
    await pair.primary.restart();
    assert.equal(pair.primary.url, url);
    assert.deepEqual((await statusOf(pair.primary)).vips, { [U]: "MASTER" });
    assert.deepEqual((await statusOf(pair.secondary)).vips, { [U]: "BACKUP" });
  });

  it("CARP disallowed on the primary: allow false, its VIP INIT, the secondary MASTER", async () => {
    pair.primary.setCarpAllowed(false);
    const p = await statusOf(pair.primary);
    assert.equal(p.allow, false);
    assert.deepEqual(p.vips, { [U]: "INIT" });
    assert.deepEqual((await statusOf(pair.secondary)).vips, { [U]: "MASTER" });
    pair.primary.setCarpAllowed(true);
  });

  it("an external state source overrides the model (for real ucarp peers)", async () => {
    pair.carp.stateSource = (node) => (node === "primary" ? "BACKUP" : undefined);
    assert.deepEqual((await statusOf(pair.primary)).vips, { [U]: "BACKUP" });
    pair.carp.stateSource = undefined;
    assert.deepEqual((await statusOf(pair.primary)).vips, { [U]: "MASTER" });
  });
});

describe("CARP timing (§8.5)", () => {
  it("a new VIP stays BACKUP until the master-down time (3 × advbase + skew/256, scaled) passes", async () => {
    const node = await startNode({
      dir: tempDir("carp-t"),
      adminPassword: "pw",
      carp: new CarpCluster({ masterDownScale: 0.1 }),
    });
    try {
      await call(node, "admin", "pw", "pfsense.restore_config_section", [
        { virtualip: { vip: [carpVip("lan", 5, "192.168.1.254", "65d000000001")] } },
        900,
      ]);
      assert.equal(node.carpStatus().vips["65d000000001"], "BACKUP");
      await new Promise((r) => setTimeout(r, 350));
      assert.equal(node.carpStatus().vips["65d000000001"], "MASTER");
    } finally {
      await node.stop();
    }
  });
});

describe("VIP runtime after a VHID change with the same address (§5.1 step 11, gotcha 31)", () => {
  for (const [version, leftBehind] of [
    ["2.7.2", true],
    ["2.5.2", false],
  ] as const) {
    it(`${version}: the old binding is ${leftBehind ? "left behind" : "removed"}`, async () => {
      const node = await startNode({
        dir: tempDir(`vhid-${version}`),
        version,
        adminPassword: "pw",
      });
      try {
        const rpc = (vhid: number) =>
          call(node, "admin", "pw", "pfsense.restore_config_section", [
            { virtualip: { vip: [carpVip("wan", vhid, "192.168.1.254", "65e000000001")] } },
            900,
          ]);
        await rpc(1);
        await rpc(7);
        assert.equal(node.runtime.applied.has("wan_vip7"), true);
        assert.equal(node.runtime.applied.has("wan_vip1"), leftBehind);
      } finally {
        await node.stop();
      }
    });
  }
});
