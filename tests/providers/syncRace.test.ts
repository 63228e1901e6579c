/**
 * The providers against pfSense's real sync timing (the emulator's "realistic" mode: the sender
 * starts about 1 s after a write and pushes the config it read at its start, aggregating and
 * sometimes losing triggers): turning sync off in the same run does not leave a VIP's delete
 * waiting out the sync bound nor the VIP on the secondary; a lost push is made up for; a VHID
 * recorded by a write that never landed is allocated afresh when someone took it since.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { leaf } from "../../sdk/codec/phpValue";
import { isHaError } from "../../sdk/plan/errors";
import type { PartialFailure } from "../../sdk/providers/partialFailure";
import { providers } from "../../sdk/providers/runtime";
import type { CarpVipInputs, CarpVipOutputs } from "../../sdk/providers/carpVipSpec";
import { armAtNextWrite } from "./faultAtStep";
import { addRawVip, guiEdit, rawVip } from "./nodeView";
import { enablePrimarySync, startFixture, type PairFixture } from "./pairFixture";

const carp = providers.carpVip;
let fx: PairFixture;
before(async () => {
  fx = await startFixture({ syncTiming: "realistic" });
});
after(async () => {
  await fx.close();
});

function vip(address: string, over: Partial<CarpVipInputs> = {}): CarpVipInputs {
  return {
    primary: fx.primary,
    secondary: fx.secondary,
    name: `vip-${address}`,
    interface: "wan",
    subnet: "192.168.1.0/24",
    address,
    password: "RaceCarpPw1",
    ...over,
  };
}

function setSync(on: boolean): void {
  if (on) enablePrimarySync(fx);
  else guiEdit(fx.pair.primary, (tree) => delete tree.hasync, "disable HA sync");
}

const settled = async (): Promise<void> => {
  await fx.pair.primary.syncIdle();
  await fx.pair.secondary.syncIdle();
};

test("sync turned off while a VIP's delete waits for pfSense's push: no wait for the bound, nothing left on the secondary", async () => {
  setSync(true);
  await settled();
  const { id, outs } = await carp.create(vip("192.168.1.170"));
  assert.equal(outs.syncedBy, "pfsense", "delivered by pfSense's own (late) push");
  assert.equal(leaf(rawVip(fx.pair.secondary, id)?.advskew), "100");
  const t0 = Date.now();
  const deleting = carp.delete(id, outs);
  // HaSyncSettings' delete lands while the VIP's delete waits for pfSense's push.
  await new Promise((r) => setTimeout(r, 300));
  setSync(false);
  await deleting;
  const ms = Date.now() - t0;
  // The bound is 30 s (DEFAULT_SYNC_WAIT_MS); noticing that sync is off takes about a second.
  assert.ok(ms < 20_000, `the delete took ${ms} ms: it waited out the sync bound`);
  console.log(`delete with sync turned off meanwhile: ${ms} ms`);
  await settled();
  assert.equal(rawVip(fx.pair.primary, id), undefined);
  assert.equal(rawVip(fx.pair.secondary, id), undefined, "the VIP is gone from the secondary too");
});

test("a push pfSense loses (a dropped re-arm) is made up for: the secondary ends with the VIP", async () => {
  setSync(true);
  await settled();
  fx.pair.primary.faults.dropSyncPush(1);
  const { id, outs } = await carp.create(vip("192.168.1.171", { syncWaitMs: 3000 }));
  await settled();
  assert.equal(leaf(rawVip(fx.pair.secondary, id)?.advskew), "100", `synced by ${outs.syncedBy}`);
  await carp.delete(id, outs);
  await settled();
  assert.equal(rawVip(fx.pair.secondary, id), undefined);
  setSync(false);
  await settled();
});

test("a VHID recorded by a primary write that never landed, and taken since by hand, is allocated afresh by the plain rerun", async () => {
  const inp = vip("192.168.1.172");
  armAtNextWrite(fx.primary, "primary", fx.pair.primary, "before-write", (n) =>
    n.faults.httpError(500, 1),
  );
  const e = (await carp.create(inp).catch((x: unknown) => x)) as PartialFailure;
  assert.ok(isHaError(e, "E_PARTIAL"), String(e));
  const recorded = (e.properties as unknown as CarpVipOutputs).vhid;
  assert.equal(rawVip(fx.pair.primary, e.id), undefined, "the write never landed");
  // Someone takes that VHID on the segment before the rerun.
  addRawVip(fx.pair.primary, {
    mode: "carp",
    interface: "wan",
    vhid: String(recorded),
    advskew: "0",
    advbase: "1",
    password: "byhand",
    uniqid: "hand00000172",
    type: "single",
    subnet: "192.168.1.222",
    subnet_bits: "24",
  });
  const { outs } = await carp.update(e.id, e.properties as unknown as CarpVipOutputs, inp);
  assert.notEqual(outs.vhid, recorded, "a fresh VHID, not E_VHID_CONFLICT");
  assert.equal(leaf(rawVip(fx.pair.primary, e.id)?.vhid), String(outs.vhid));
  assert.ok(rawVip(fx.pair.primary, "hand00000172"), "the hand-made VIP is untouched");
  await carp.delete(e.id, outs);
});
