/**
 * ClusterHaConfig provider against an emulated pair: a whole cluster's VIPs, NAT rules and DHCP
 * failover in one resource, each create, update and delete leaving exactly one config revision
 * per node; items referring to each other by key; per-item check failures; refresh from one
 * read per node; a failing item named while the others stay applied and recorded.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { leaf, toStruct } from "../../sdk/codec/phpValue";
import { providers } from "../../sdk/providers/runtime";
import type { ClusterHaInputs, ClusterHaOutputs } from "../../sdk/providers/clusterHaSpec";
import { addRawVip, rawNatRules, rawVip, rawVips, setRawVipField } from "./nodeView";
import { enablePrimarySync, startFixture, type PairFixture } from "./pairFixture";
import { resetNodeSessions } from "../../sdk/pfsense";

const agg = providers.clusterHa;
let fx: PairFixture;
before(async () => {
  fx = await startFixture();
  // A hand-made VIP the resource must leave alone.
  addRawVip(fx.pair.primary, {
    mode: "carp",
    interface: "wan",
    vhid: "7",
    advskew: "0",
    advbase: "1",
    password: "HandMade1",
    uniqid: "handmade0001",
    descr: "by hand",
    type: "single",
    subnet_bits: "24",
    subnet: "192.168.1.77",
  });
});
after(async () => {
  await fx.close();
});

function inputs(over: Partial<ClusterHaInputs> = {}): ClusterHaInputs {
  return {
    primary: fx.primary,
    secondary: fx.secondary,
    name: "site",
    carpVips: {
      "wan-vip": { interface: "wan", subnet: "192.168.1.0/24", address: "192.168.1.100" },
      "lan-vip": { interface: "lan", subnet: "192.168.99.0/24", address: "192.168.99.100" },
      "lan-vip2": { interface: "lan", subnet: "192.168.99.0/24", address: "192.168.99.101" },
    },
    carpPasswords: { "wan-vip": "WanPass1", "lan-vip": "LanPass1", "lan-vip2": "LanPass2" },
    outboundNat: {
      lan: { interface: "wan", source: "192.168.99.0/24", target: "wan-vip" },
    },
    dhcpFailover: {
      lan: {
        interface: "lan",
        vip: "lan-vip",
        rangeFrom: "192.168.99.150",
        rangeTo: "192.168.99.199",
      },
    },
    ...over,
  };
}

const revs = () => ({
  p: fx.pair.primary.revisions.length,
  s: fx.pair.secondary.revisions.length,
});

/** Runs `op` and says how many config revisions each node gained. */
async function revisionsOf<T>(op: () => Promise<T>): Promise<{ result: T; p: number; s: number }> {
  const before = revs();
  const result = await op();
  const after = revs();
  return { result, p: after.p - before.p, s: after.s - before.s };
}

/** Waits until the secondary has gained no revision for a second (pushes in flight landed). */
async function settled(): Promise<void> {
  let last = -1;
  while (last !== fx.pair.secondary.revisions.length) {
    last = fx.pair.secondary.revisions.length;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

let state: ClusterHaOutputs;
let id: string;

test("check names the failing item and field, and a second DHCP entry for one interface", async () => {
  const bad = inputs({
    carpVips: {
      ...inputs().carpVips,
      broken: { interface: "wan", subnet: "192.168.1.0/24", address: "10.9.9.9" },
    },
    carpPasswords: { ...inputs().carpPasswords, broken: "Ok12345" },
    dhcpFailover: {
      ...inputs().dhcpFailover,
      again: {
        interface: "lan",
        vip: "lan-vip",
        rangeFrom: "192.168.99.10",
        rangeTo: "192.168.99.20",
      },
    },
  });
  const r = await agg.check({}, bad);
  const props = r.failures.map((f) => f.property);
  assert.ok(props.includes("carpVips.broken.address"), props.join());
  assert.ok(props.includes("dhcpFailover.again.interface"), props.join());
  const pw = await agg.check(
    {},
    inputs({ carpPasswords: { ...inputs().carpPasswords, "wan-vip": "Has Space1" } }),
  );
  assert.equal(pw.failures.length, 1);
  assert.equal(pw.failures[0].property, "", "no property whose value the engine would print");
  assert.match(pw.failures[0].reason, /E_CARP_PASSWORD.*CarpVip\[site\/wan-vip\]/);
  assert.ok(!pw.failures[0].reason.includes("Has Space1"));
  assert.deepEqual((await agg.check({}, inputs())).failures, []);
});

test("create: every item on both nodes in one revision per node; NAT and DHCP resolve VIP keys", async () => {
  const r = await revisionsOf(() => agg.create(inputs()));
  ({ id, outs: state } = r.result);
  assert.deepEqual([r.p, r.s], [1, 1]);
  const wan = state.items.carpVips["wan-vip"];
  assert.equal(wan.address, "192.168.1.100");
  for (const n of [fx.pair.primary, fx.pair.secondary]) {
    for (const key of ["wan-vip", "lan-vip", "lan-vip2"]) {
      assert.ok(rawVip(n, state.items.carpVips[key].uniqid), `${key} on ${n.url}`);
    }
    assert.ok(rawVip(n, "handmade0001") || n === fx.pair.secondary, "hand-made VIP kept");
    const rule = rawNatRules(n).find((x) => leaf(x.target) === "192.168.1.100");
    assert.ok(rule, `NAT rule to the wan-vip address on ${n.url}`);
  }
  const sv = rawVip(fx.pair.secondary, wan.uniqid);
  assert.equal(leaf(sv?.advskew), "100");
  const dhcp = toStruct(toStruct(fx.pair.primary.config().dhcpd).lan);
  assert.equal(leaf(dhcp.failover_peerip), state.items.dhcpFailover.lan.primaryPeer);
  assert.equal(leaf(dhcp.gateway), "192.168.99.100");
  // Secrets stay out of the plain item records.
  assert.equal(JSON.stringify(state.items).includes("WanPass1"), false);
});

test("diff: no change for the same program; a changed item is a change, never a replace", async () => {
  assert.equal((await agg.diff(id, state, inputs())).changes, false);
  const moved = inputs({
    carpVips: { ...inputs().carpVips, "lan-vip2": { ...inputs().carpVips["lan-vip2"], vhid: 99 } },
  });
  const d = await agg.diff(id, state, moved);
  assert.deepEqual([d.changes, d.replaces], [true, []]);
});

test("update: add, change, replace and remove items in one revision per node", async () => {
  const next = inputs({
    carpVips: {
      "wan-vip": { ...inputs().carpVips["wan-vip"], skew: 10 },
      "lan-vip": inputs().carpVips["lan-vip"],
      "opt-vip": { interface: "opt1", subnet: "172.16.1.0/24", address: "172.16.1.100" },
      "lan-vip2": { ...inputs().carpVips["lan-vip2"], vhid: 99 },
    },
    carpPasswords: { ...inputs().carpPasswords, "opt-vip": "OptPass1" },
    outboundNat: {},
  });
  const oldLan2 = state.items.carpVips["lan-vip2"].uniqid;
  const r = await revisionsOf(() => agg.update(id, state, next));
  state = r.result.outs;
  assert.deepEqual([r.p, r.s], [1, 1]);
  assert.equal(state.items.carpVips["wan-vip"].primaryAdvskew, 10);
  assert.equal(state.items.carpVips["wan-vip"].secondaryAdvskew, 110);
  assert.equal(state.items.carpVips["lan-vip2"].vhid, 99);
  assert.equal(rawVip(fx.pair.primary, oldLan2), undefined, "replaced VIP's old entry gone");
  assert.ok(rawVip(fx.pair.secondary, state.items.carpVips["opt-vip"].uniqid));
  assert.deepEqual(Object.keys(state.items.outboundNat), []);
  for (const n of [fx.pair.primary, fx.pair.secondary]) {
    assert.equal(rawNatRules(n).filter((x) => leaf(x.target) === "192.168.1.100").length, 0);
  }
  assert.equal(
    leaf(rawVip(fx.pair.secondary, state.items.carpVips["wan-vip"].uniqid)?.advskew),
    "110",
  );
});

test("refresh: one read per node for all items; a GUI edit shows as the item's drift, and up repairs it", async () => {
  resetNodeSessions(); // a refresh is a fresh provider process
  const uniqid = state.items.carpVips["lan-vip"].uniqid;
  setRawVipField(fx.pair.primary, uniqid, "advskew", "50");
  const before = [fx.pair.primary.xmlrpcRequests, fx.pair.secondary.xmlrpcRequests];
  const r = await agg.read(id, state);
  const calls = [
    fx.pair.primary.xmlrpcRequests - before[0],
    fx.pair.secondary.xmlrpcRequests - before[1],
  ];
  // the first read of a process also asks for the firmware version
  assert.ok(
    calls.every((c) => c <= 2),
    `calls per node ${calls.join("/")}`,
  );
  const drift = (r.props as ClusterHaOutputs).drift.primary.join("\n");
  assert.match(drift, /carpVips\.lan-vip: .*advskew/);
  assert.deepEqual(r.inputs?.carpVips, state.carpVips, "refresh never rewrites inputs");
  const refreshed = r.props as ClusterHaOutputs;
  assert.equal((await agg.diff(id, refreshed, refreshed)).changes, true);
  const fixed = await revisionsOf(() => agg.update(id, refreshed, refreshed));
  assert.deepEqual([fixed.p, fixed.s], [1, 0], "only the primary drifted");
  state = fixed.result.outs;
  assert.equal(leaf(rawVip(fx.pair.primary, uniqid)?.advskew), "0");
});

test("a failing item is named, the others are applied and recorded for the next up", async () => {
  // The primary's own WAN address: refused against the node, after the plan was accepted.
  const own = leaf(toStruct(toStruct(fx.pair.primary.config().interfaces).wan).ipaddr);
  const next = inputs({
    carpVips: {
      ...state.carpVips,
      clash: { interface: "wan", subnet: "192.168.1.0/24", address: own },
      fine: { interface: "wan", subnet: "192.168.1.0/24", address: "192.168.1.120" },
    },
    carpPasswords: { ...state.carpPasswords, clash: "Clash1", fine: "Fine1234" },
    outboundNat: {},
  });
  const e = (await agg.update(id, state, next).catch((x: unknown) => x)) as Error & {
    properties: ClusterHaOutputs;
  };
  assert.match(e.message, /E_PARTIAL/);
  assert.match(e.message, /carpVips\.clash/);
  assert.match(e.message, /E_ADDRESS_CONFLICT/);
  assert.ok(e.properties.items.carpVips.fine, "the fine item is recorded");
  assert.equal(e.properties.items.carpVips.clash, undefined);
  assert.ok(rawVip(fx.pair.primary, e.properties.items.carpVips.fine.uniqid));
  assert.equal((await agg.diff(id, e.properties, next)).changes, true, "next up retries");
  state = e.properties;
});

test("delete: every owned item gone from both nodes in one revision per node, the rest kept", async () => {
  const owned = Object.values(state.items.carpVips).map((v) => v.uniqid);
  const r = await revisionsOf(() => agg.delete(id, state));
  assert.deepEqual([r.p, r.s], [1, 1]);
  for (const n of [fx.pair.primary, fx.pair.secondary]) {
    const left = rawVips(n).map((v) => leaf(v.uniqid));
    assert.deepEqual(
      left.filter((u) => owned.includes(u)),
      [],
      n.url,
    );
  }
  assert.ok(rawVip(fx.pair.primary, "handmade0001"));
  const dhcp = toStruct(toStruct(fx.pair.primary.config().dhcpd).lan);
  assert.equal(leaf(dhcp.failover_peerip), "", "DHCP failover put back");
});

test("with pfSense's own sync on, the secondary's one revision is pfSense's push", async () => {
  enablePrimarySync(fx, ["virtualip", "nat", "dhcpd"]);
  await settled(); // the push that enabling sync itself triggers
  const r = await revisionsOf(() => agg.create(inputs({ name: "synced" })));
  assert.deepEqual([r.p, r.s], [1, 1]);
  assert.equal(r.result.outs.items.carpVips["wan-vip"].syncedBy, "pfsense");
  const d = await revisionsOf(() => agg.delete(r.result.id, r.result.outs));
  assert.deepEqual([d.p, d.s], [1, 1]);
});
