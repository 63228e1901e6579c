/**
 * A failure between the two nodes for OutboundNatRule, DhcpFailover and HaSyncSettings (the
 * CarpVip steps have their own file): the secondary's write fails with a real HTTP 500, the error
 * is E_PARTIAL with the id and the state to record, the secondary's section is untouched, and the
 * engine's next step (diff → update on the recorded state) converges both nodes.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { isHaError } from "../../sdk/plan/errors";
import type { PartialFailure } from "../../sdk/providers/partialFailure";
import { providers } from "../../sdk/providers/runtime";
import type { CarpVipOutputs } from "../../sdk/providers/carpVipSpec";
import { armAtNextWrite } from "./faultAtStep";
import { startFixture, type PairFixture } from "./pairFixture";
import { leaf, toStruct } from "../../sdk/codec/phpValue";
import { rawNatRules } from "./nodeView";

let fx: PairFixture;
let lanVip: { id: string; outs: CarpVipOutputs };
let wanVip: { id: string; outs: CarpVipOutputs };
before(async () => {
  fx = await startFixture();
  const base = { primary: fx.primary, secondary: fx.secondary, password: "PartialPw1" };
  lanVip = await providers.carpVip.create({
    ...base,
    name: "lan",
    interface: "lan",
    subnet: "192.168.99.0/24",
    address: "192.168.99.254",
  });
  wanVip = await providers.carpVip.create({
    ...base,
    name: "wan",
    interface: "wan",
    subnet: "192.168.1.0/24",
    address: "192.168.1.100",
  });
});
after(async () => {
  await providers.carpVip.delete(lanVip.id, lanVip.outs);
  await providers.carpVip.delete(wanVip.id, wanVip.outs);
  await fx.close();
});

function failSecondaryWrite(): void {
  armAtNextWrite(fx.secondary, "secondary", fx.pair.secondary, "before-write", (n) =>
    n.faults.httpError(500, 1),
  );
}

function asPartial(e: unknown): PartialFailure {
  assert.ok(isHaError(e, "E_PARTIAL"), String(e));
  const p = e as PartialFailure;
  assert.match(p.message, /secondary write/);
  assert.ok(p.id);
  assert.ok(!p.message.includes(fx.primary.password));
  return p;
}

test("OutboundNatRule: secondary write fails → E_PARTIAL carrying the rule id; rerun converges", async () => {
  const inp = {
    primary: fx.primary,
    secondary: fx.secondary,
    name: "out",
    interface: "wan",
    source: "192.168.99.0/24",
    target: "192.168.1.100",
  };
  const natBefore = JSON.stringify(fx.pair.secondary.config().nat ?? null);
  failSecondaryWrite();
  const e = asPartial(await providers.outboundNat.create(inp).catch((x: unknown) => x));
  assert.equal(
    JSON.stringify(fx.pair.secondary.config().nat ?? null),
    natBefore,
    "secondary nat untouched",
  );
  const olds = e.properties as never;
  assert.equal((await providers.outboundNat.diff(e.id, olds, inp)).changes, true);
  const { outs } = await providers.outboundNat.update(e.id, olds, inp);
  const mine = (n: typeof fx.pair.primary) =>
    rawNatRules(n).filter((r) => leaf(toStruct(r.created).username) === `pulumi-pfsense-ha:${e.id}`)
      .length;
  assert.equal(mine(fx.pair.primary), 1);
  assert.equal(mine(fx.pair.secondary), 1);
  await providers.outboundNat.delete(e.id, outs);
});

test("DhcpFailover: secondary write fails → E_PARTIAL; rerun converges with the peers crossed", async () => {
  const inp = {
    primary: fx.primary,
    secondary: fx.secondary,
    name: "dhcp",
    interface: "lan",
    vip: "192.168.99.254",
    rangeFrom: "192.168.99.10",
    rangeTo: "192.168.99.99",
  };
  failSecondaryWrite();
  const e = asPartial(await providers.dhcpFailover.create(inp).catch((x: unknown) => x));
  const { outs } = await providers.dhcpFailover.update(e.id, e.properties as never, inp);
  assert.equal(outs.primaryPeer, "192.168.99.2");
  assert.equal(outs.secondaryPeer, "192.168.99.1");
  await providers.dhcpFailover.delete(e.id, outs);
});

test("HaSyncSettings: the secondary goes down at its write → E_PARTIAL keeping the prior settings for delete; rerun converges", async () => {
  const inp = {
    primary: fx.primary,
    secondary: fx.secondary,
    name: "sync",
    syncInterface: "opt1",
    username: fx.secondary.username,
    password: fx.secondary.password,
  };
  // The primary starts pushing to the secondary as soon as it holds sync-to, so a one-shot HTTP
  // fault could be consumed by that push; the secondary goes down instead, right at the write.
  armAtNextWrite(fx.secondary, "secondary", fx.pair.secondary, "before-write", (n) => n.stop());
  const e = asPartial(await providers.haSync.create(inp).catch((x: unknown) => x));
  await fx.pair.secondary.restart();
  assert.ok("priorPrimary" in e.properties, "the prior hasync is recorded for delete");
  const { outs } = await providers.haSync.update(e.id, e.properties as never, inp);
  assert.equal(leaf(toStruct(fx.pair.secondary.config().hasync).pfsyncpeerip), "172.16.1.1");
  await providers.haSync.delete(e.id, outs);
  assert.equal(toStruct(fx.pair.primary.config().hasync).synchronizetoip, undefined);
});
