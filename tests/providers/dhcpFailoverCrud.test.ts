/**
 * DhcpFailover provider against an emulated pair: per-node failover peers from the nodes' real
 * interface addresses, gateway/DNS = the VIP, the planner's range and skew rules at apply, drift
 * per node (the crossed peers are expected, not drift), and delete restoring what was there.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { leaf, toStruct } from "../../sdk/codec/phpValue";
import { providers } from "../../sdk/providers/runtime";
import type { CarpVipOutputs } from "../../sdk/providers/carpVipSpec";
import type { DhcpFailoverInputs, DhcpFailoverOutputs } from "../../sdk/providers/dhcpFailoverSpec";
import { guiEdit } from "./nodeView";
import { startFixture, type PairFixture, newProviderProcess } from "./pairFixture";

const dhcp = providers.dhcpFailover;
let fx: PairFixture;
let vip: { id: string; outs: CarpVipOutputs };
before(async () => {
  fx = await startFixture();
  vip = await providers.carpVip.create({
    primary: fx.primary,
    secondary: fx.secondary,
    name: "lan-vip",
    interface: "lan",
    subnet: "192.168.99.0/24",
    address: "192.168.99.254",
    password: "DhcpVipPw1",
  });
});
after(async () => {
  await fx.close();
});

function inputs(over: Partial<DhcpFailoverInputs> = {}): DhcpFailoverInputs {
  return {
    primary: fx.primary,
    secondary: fx.secondary,
    name: "lan-dhcp",
    interface: "lan",
    vip: "192.168.99.254",
    rangeFrom: "192.168.99.10",
    rangeTo: "192.168.99.99",
    ...over,
  };
}

const lan = (n: typeof fx.pair.primary) => toStruct(toStruct(n.config().dhcpd).lan);

test("check refuses non-IPv4 addresses and more than 4 DNS servers", async () => {
  const r = await dhcp.check(
    {},
    inputs({
      rangeFrom: "2001:db8::10",
      dnsServers: ["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4", "9.9.9.9"],
    }),
  );
  const props = r.failures.map((f) => f.property).sort();
  assert.deepEqual(props, ["dnsServers", "rangeFrom"]);
});

test("apply refuses a range covering a node address (planner rule) and a VIP that does not exist", async () => {
  const covers = await dhcp.create(inputs({ rangeFrom: "192.168.99.1" })).catch((e: unknown) => e);
  assert.match(String(covers), /E_DHCP_RANGE/);
  const noVip = await dhcp.create(inputs({ vip: "192.168.99.253" })).catch((e: unknown) => e);
  assert.match(String(noVip), /E_DHCP_PEER/);
});

test("create: each node's peer is the other node's address, gateway and DNS are the VIP; refresh sees no drift", async () => {
  const prior = JSON.stringify(lan(fx.pair.primary));
  const { id, outs } = await dhcp.create(inputs());
  const p = lan(fx.pair.primary);
  const s = lan(fx.pair.secondary);
  assert.equal(leaf(p.failover_peerip), "192.168.99.2");
  assert.equal(leaf(s.failover_peerip), "192.168.99.1");
  assert.equal(leaf(p.gateway), "192.168.99.254");
  assert.equal(leaf(toStruct(p.range).from), "192.168.99.10");
  assert.equal(leaf(toStruct(s.range).to), "192.168.99.99");
  assert.equal(outs.primaryPeer, "192.168.99.2");
  assert.equal(outs.secondaryPeer, "192.168.99.1");
  assert.deepEqual(outs.dnsServers, ["192.168.99.254"]);
  const clean = await dhcp.read(id, outs);
  assert.deepEqual(
    clean.props.drift,
    { primary: [], secondary: [] },
    "crossed peers are expected, not drift",
  );

  guiEdit(fx.pair.secondary, (tree) => {
    const d = toStruct(tree.dhcpd);
    d.lan = { ...toStruct(d.lan), failover_peerip: "192.168.99.7" };
    tree.dhcpd = d;
  });
  newProviderProcess();
  const drifted = await dhcp.read(id, outs);
  assert.deepEqual(drifted.props.drift?.primary, []);
  assert.match(drifted.props.drift?.secondary.join() ?? "", /failoverPeerIp/);
  const { outs: fixed } = await dhcp.update(id, drifted.props as DhcpFailoverOutputs, inputs());
  assert.equal(leaf(lan(fx.pair.secondary).failover_peerip), "192.168.99.1");

  // While failover runs on lan, the VIP's skew may not move to 20 or more.
  const skewed = await providers.carpVip
    .update(vip.id, vip.outs, { ...vip.outs, skew: 25 })
    .catch((e: unknown) => e);
  assert.match(String(skewed), /E_DHCP_SKEW/);

  await dhcp.delete(id, fixed);
  assert.equal(
    JSON.stringify(lan(fx.pair.primary)),
    prior,
    "the primary's lan DHCP settings are as before",
  );
  assert.equal(lan(fx.pair.secondary).failover_peerip, undefined);
});

/** Sets (or with `undefined`, removes) the lan dhcpd entry's failover peer in a GUI edit. */
function setLanPeer(n: typeof fx.pair.primary, peer: string | undefined): void {
  guiEdit(n, (tree) => {
    const d = toStruct(tree.dhcpd);
    const entry = { ...toStruct(d.lan) };
    if (peer === undefined) delete entry.failover_peerip;
    else entry.failover_peerip = peer;
    d.lan = entry;
    tree.dhcpd = d;
  });
}

test("refresh keeps the resource while either node still runs failover, and drops it once both do not", async () => {
  const { id, outs } = await dhcp.create(inputs());
  setLanPeer(fx.pair.secondary, undefined);
  newProviderProcess();
  const oneSide = await dhcp.read(id, outs);
  assert.equal(oneSide.id, id, "the primary still has its failover peer");
  assert.match(oneSide.props.drift?.secondary.join() ?? "", /failoverPeerIp/);

  setLanPeer(fx.pair.primary, undefined);
  newProviderProcess();
  const gone = await dhcp.read(id, outs);
  assert.equal(gone.id, "", "no failover peer on either node: refresh drops it");

  setLanPeer(fx.pair.primary, "192.168.99.2");
  guiEdit(fx.pair.secondary, (tree) => {
    const d = { ...toStruct(tree.dhcpd) };
    delete d.lan;
    tree.dhcpd = d;
  });
  newProviderProcess();
  assert.equal((await dhcp.read(id, outs)).id, id, "the primary runs failover again");
  guiEdit(fx.pair.primary, (tree) => {
    const d = { ...toStruct(tree.dhcpd) };
    delete d.lan;
    tree.dhcpd = d;
  });
  newProviderProcess();
  assert.equal(
    (await dhcp.read(id, outs)).id,
    "",
    "the interface's dhcpd entry is gone on both nodes",
  );
  await dhcp.delete(id, outs);
});

test("a primary VIP skew of 20 or more is refused (dhcpd would take the secondary role on both nodes)", async () => {
  const { outs } = await providers.carpVip.update(vip.id, vip.outs, { ...vip.outs, skew: 30 });
  const e = await dhcp.create(inputs()).catch((x: unknown) => x);
  assert.match(String(e), /E_DHCP_SKEW/);
  vip = {
    id: vip.id,
    outs: (await providers.carpVip.update(vip.id, outs, { ...outs, skew: 0 })).outs,
  };
  await providers.carpVip.delete(vip.id, vip.outs);
});
