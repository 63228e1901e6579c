/**
 * Drift on the secondary alone, with pfSense's own sync configured: the update has nothing to
 * write on the primary, so no sync will come (a sync follows a primary write, §6.1); the library
 * writes the secondary's derived view at once instead of waiting out the sync bound. When the
 * primary is written, the secondary's view still arrives through pfSense's sync.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { leaf, toStruct } from "../../sdk/codec/phpValue";
import { providers } from "../../sdk/providers/runtime";
import type { CarpVipInputs, CarpVipOutputs } from "../../sdk/providers/carpVipSpec";
import type { NatRuleInputs, NatRuleOutputs } from "../../sdk/providers/natRuleSpec";
import {
  enablePrimarySync,
  startFixture,
  type PairFixture,
  newProviderProcess,
} from "./pairFixture";
import { guiEdit, rawNatRules, rawVip, setRawVipField } from "./nodeView";

/** Far above what an immediate repair takes: waiting it out fails the timing assertions. */
const SYNC_WAIT_MS = 30_000;
const carp = providers.carpVip;
const nat = providers.outboundNat;
let fx: PairFixture;

const vipInputs = (over: Partial<CarpVipInputs> = {}): CarpVipInputs => ({
  primary: fx.primary,
  secondary: fx.secondary,
  name: "wan-vip",
  interface: "wan",
  subnet: "192.168.1.0/24",
  address: "192.168.1.100",
  password: "DriftPass1",
  syncWaitMs: SYNC_WAIT_MS,
  ...over,
});

before(async () => {
  fx = await startFixture();
  enablePrimarySync(fx, ["virtualip", "nat"]);
  await fx.pair.primary.syncIdle();
});
after(async () => {
  await fx.close();
});

test("a CarpVip drifted on the secondary only is repaired by writing the secondary at once, well under the sync wait", async () => {
  const inputs = vipInputs();
  const { id, outs } = await carp.create(inputs);
  assert.equal(outs.syncedBy, "pfsense", "created through pfSense's own sync");
  await fx.pair.primary.syncIdle();

  setRawVipField(fx.pair.secondary, id, "advskew", "150");
  newProviderProcess();
  const refreshed = await carp.read(id, outs);
  assert.equal(refreshed.props.drift?.secondary.length, 1);
  assert.deepEqual(refreshed.props.drift?.primary, []);

  const t0 = performance.now();
  const { outs: repaired } = await carp.update(id, refreshed.props as CarpVipOutputs, inputs);
  const ms = performance.now() - t0;
  assert.ok(ms < SYNC_WAIT_MS / 3, `repair took ${ms.toFixed(0)} ms`);
  assert.equal(repaired.syncedBy, "library");
  assert.equal(leaf(rawVip(fx.pair.secondary, id)?.advskew), "100");
  assert.equal(leaf(rawVip(fx.pair.primary, id)?.advskew), "0");
  assert.equal((await carp.read(id, repaired)).props.drift, undefined, "in sync again");
  await carp.delete(id, repaired);
  await fx.pair.primary.syncIdle();
});

test("an update that writes the primary still leaves the secondary to pfSense's sync", async () => {
  const inputs = vipInputs({ address: "192.168.1.101" });
  const { id, outs } = await carp.create(inputs);
  const { outs: updated } = await carp.update(id, outs, { ...inputs, skew: 5 });
  assert.equal(updated.syncedBy, "pfsense");
  assert.equal(leaf(rawVip(fx.pair.secondary, id)?.advskew), "105");
  await carp.delete(id, updated);
  await fx.pair.primary.syncIdle();
});

test("an OutboundNatRule drifted on the secondary only is repaired at once as well", async () => {
  const vip = await carp.create(vipInputs({ name: "nat-vip", address: "192.168.1.102" }));
  const inputs: NatRuleInputs = {
    primary: fx.primary,
    secondary: fx.secondary,
    name: "lan-out",
    interface: "wan",
    source: "192.168.99.0/24",
    target: "192.168.1.102",
    syncWaitMs: SYNC_WAIT_MS,
  };
  const { id, outs } = await nat.create(inputs);
  await fx.pair.primary.syncIdle();
  const ours = (n: typeof fx.pair.secondary) =>
    rawNatRules(n).find((r) => leaf(toStruct(r.created).username).endsWith(id));
  guiEdit(
    fx.pair.secondary,
    (tree) => {
      const outbound = toStruct(toStruct(tree.nat).outbound);
      outbound.rule = [];
    },
    "GUI: outbound rules removed on the secondary",
  );
  assert.equal(ours(fx.pair.secondary), undefined);
  newProviderProcess();
  const refreshed = await nat.read(id, outs);
  assert.ok((refreshed.props.drift?.secondary.length ?? 0) > 0);

  const t0 = performance.now();
  const { outs: repaired } = await nat.update(id, refreshed.props as NatRuleOutputs, inputs);
  const ms = performance.now() - t0;
  assert.ok(ms < SYNC_WAIT_MS / 3, `repair took ${ms.toFixed(0)} ms`);
  assert.equal(repaired.syncedBy, "library");
  assert.ok(ours(fx.pair.secondary), "the rule is back on the secondary");
  await nat.delete(id, repaired);
  await carp.delete(vip.id, vip.outs);
});
