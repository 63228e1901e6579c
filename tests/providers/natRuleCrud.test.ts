/**
 * OutboundNatRule provider against an emulated pair: the rule and the mode on both nodes, the
 * ownership marker surviving reordering and description edits, adoption of a matching unmanaged
 * rule, the planner's safety rules at check and apply, and deletes that keep every other rule.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { leaf, toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { providers } from "../../sdk/providers/runtime";
import type { CarpVipOutputs } from "../../sdk/providers/carpVipSpec";
import type { NatRuleInputs, NatRuleOutputs } from "../../sdk/providers/natRuleSpec";
import { guiEdit, rawNatMode, rawNatRules } from "./nodeView";
import { startFixture, type PairFixture } from "./pairFixture";

const nat = providers.outboundNat;
let fx: PairFixture;
let vip: { id: string; outs: CarpVipOutputs };
before(async () => {
  fx = await startFixture();
  vip = await providers.carpVip.create({
    primary: fx.primary,
    secondary: fx.secondary,
    name: "wan-vip",
    interface: "wan",
    subnet: "192.168.1.0/24",
    address: "192.168.1.100",
    password: "NatVipPass1",
  });
});
after(async () => {
  await fx.close();
});

function inputs(over: Partial<NatRuleInputs> = {}): NatRuleInputs {
  return {
    primary: fx.primary,
    secondary: fx.secondary,
    name: "lan-out",
    interface: "wan",
    source: "192.168.99.0/24",
    target: "192.168.1.100",
    description: "LAN via VIP",
    ...over,
  };
}

function setRules(n: typeof fx.pair.primary, f: (rules: PhpStruct[]) => PhpStruct[]): void {
  guiEdit(n, (tree) => {
    const natS = toStruct(tree.nat);
    const outbound = toStruct(natS.outbound);
    outbound.rule = f(toList(outbound.rule).map((r) => toStruct(r)));
    natS.outbound = outbound;
    tree.nat = natS;
  });
}

const unmanaged = (descr: string, source: string): PhpStruct => ({
  interface: "wan",
  source: { network: source },
  destination: { any: "" },
  target: "192.168.1.100",
  target_subnet: "",
  descr,
});

test("check refuses an unsafe source (any, This Firewall) with the planner's message", async () => {
  for (const source of ["any", "(self)"]) {
    const r = await nat.check({}, inputs({ source }));
    assert.match(r.failures.map((f) => f.reason).join(), /E_NAT_SOURCE_UNSAFE/, source);
  }
  assert.deepEqual((await nat.check({}, inputs())).failures, []);
});

test("apply refuses a target that is not a CARP VIP on the interface", async () => {
  const e = await nat.create(inputs({ target: "192.168.1.55" })).catch((x: unknown) => x);
  assert.match(String(e), /E_NAT_TARGET/);
});

test("create puts the rule and hybrid mode on both nodes; the marker survives reorder and description edits; delete keeps the rest", async () => {
  setRules(fx.pair.primary, (r) => [...r, unmanaged("user rule A", "10.1.0.0/16")]);
  const { id, outs } = await nat.create(inputs());
  assert.equal(rawNatMode(fx.pair.primary), "hybrid");
  assert.equal(rawNatMode(fx.pair.secondary), "hybrid");
  const ours = (n: typeof fx.pair.primary) =>
    rawNatRules(n).filter((r) => leaf(toStruct(r.created).username) === `pulumi-pfsense-ha:${id}`);
  assert.equal(ours(fx.pair.primary).length, 1);
  assert.equal(ours(fx.pair.secondary).length, 1);
  assert.equal(leaf(toStruct(ours(fx.pair.primary)[0].source).network), "192.168.99.0/24");

  // GUI: move our rule to the top and edit its description.
  setRules(fx.pair.primary, (rules) => {
    const mine = rules.filter((r) => leaf(toStruct(r.created).username).endsWith(id));
    const rest = rules.filter((r) => !leaf(toStruct(r.created).username).endsWith(id));
    return [...mine.map((r) => ({ ...r, descr: "renamed in GUI" })), ...rest];
  });
  const r = await nat.read(id, outs);
  assert.equal(r.id, id, "still found after reorder + description edit");
  assert.match(r.props.drift?.primary.join() ?? "", /descr/);
  const { outs: fixed } = await nat.update(id, r.props as NatRuleOutputs, inputs());
  assert.equal(leaf(ours(fx.pair.primary)[0].descr), "LAN via VIP");
  assert.equal(
    leaf(rawNatRules(fx.pair.primary)[0].descr),
    "LAN via VIP",
    "position kept on update",
  );

  await nat.delete(id, fixed);
  assert.equal(ours(fx.pair.primary).length, 0);
  assert.equal(ours(fx.pair.secondary).length, 0);
  assert.deepEqual(
    rawNatRules(fx.pair.primary).map((x) => leaf(x.descr)),
    ["user rule A"],
    "the unmanaged rule stays",
  );
  assert.equal(rawNatMode(fx.pair.primary), "automatic", "the prior mode is back");
});

test("an unmanaged rule with the same interface, source and VIP is adopted (marked) with adopt, refused without, and given back on delete", async () => {
  setRules(fx.pair.primary, (r) => [...r, unmanaged("pre-existing", "192.168.99.0/24")]);
  const before = rawNatRules(fx.pair.primary).length;
  const refused = await nat.create(inputs()).catch((e: unknown) => e);
  assert.match(String(refused), /adopt: true/);
  assert.equal(rawNatRules(fx.pair.primary).length, before, "nothing written");
  const { id, outs } = await nat.create(inputs({ adopt: true }));
  assert.equal(rawNatRules(fx.pair.primary).length, before);
  const adopted = rawNatRules(fx.pair.primary).find((r) =>
    leaf(toStruct(r.created).username).endsWith(id),
  );
  assert.ok(adopted);
  assert.equal(leaf(adopted.descr), "LAN via VIP");
  await nat.delete(id, outs);
  const back = rawNatRules(fx.pair.primary).find((r) => leaf(r.descr) === "pre-existing");
  assert.ok(back, "deleting an adopted rule gives it back as it was");
  assert.equal(toStruct(back.created).username, undefined, "without our marker");
  assert.equal(rawNatRules(fx.pair.primary).length, before);
});

test("diff: changing the interface or the address family replaces (delete first); a new source updates in place", async () => {
  const olds = {
    ...inputs(),
    ruleId: "nat-x",
    mode: "hybrid",
    priorMode: "automatic",
    drift: { primary: [], secondary: [] },
    syncedBy: "library",
  } as NatRuleOutputs;
  const moved = await nat.diff("nat-x", olds, inputs({ interface: "opt1" }));
  assert.deepEqual(moved.replaces, ["interface"]);
  assert.equal(moved.deleteBeforeReplace, true);
  const v6 = await nat.diff("nat-x", olds, inputs({ target: "2001:db8::5" }));
  assert.ok(v6.replaces.includes("family"));
  const src = await nat.diff("nat-x", olds, inputs({ source: "192.168.98.0/24" }));
  assert.equal(src.changes, true);
  assert.deepEqual(src.replaces, []);
  assert.equal((await nat.diff("nat-x", olds, inputs())).changes, false);
});

test("cleanup: the VIP used by the rules deletes cleanly", async () => {
  await providers.carpVip.delete(vip.id, vip.outs);
});
