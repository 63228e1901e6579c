/**
 * OutboundNatRule and DhcpFailover `check` read both nodes (read-only) and refuse at preview
 * what their reconcile would refuse at `up`: a NAT source containing a node's own address, a
 * hand-made twin rule, a target that is no CARP VIP; a DHCP range covering a static mapping, a
 * node address or the VIP. A VIP still unknown at preview is judged by the program's own
 * declared CarpVip on the interface.
 */
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { toList, toStruct } from "../../sdk/codec/phpValue";
import { providers } from "../../sdk/providers/runtime";
import type { DhcpFailoverInputs } from "../../sdk/providers/dhcpFailoverSpec";
import type { NatRuleInputs } from "../../sdk/providers/natRuleSpec";
import { UNKNOWN } from "../../sdk/providers/unknowns";
import { guiEdit } from "./nodeView";
import { newProviderProcess, startFixture, type PairFixture } from "./pairFixture";

let fx: PairFixture;

function natIn(over: Partial<NatRuleInputs> = {}): NatRuleInputs {
  return {
    primary: fx.primary,
    secondary: fx.secondary,
    name: "lan-out",
    interface: "wan",
    source: "192.168.99.0/24",
    target: "192.168.1.100",
    ...over,
  };
}

function dhcpIn(over: Partial<DhcpFailoverInputs> = {}): DhcpFailoverInputs {
  return {
    primary: fx.primary,
    secondary: fx.secondary,
    name: "lan-dhcp",
    interface: "lan",
    vip: "192.168.99.254",
    rangeFrom: "192.168.99.100",
    rangeTo: "192.168.99.199",
    ...over,
  };
}

function revisions(): [number, number] {
  return [fx.pair.primary.revisions.length, fx.pair.secondary.revisions.length];
}

/** The program's CarpVips, as their checks declare them. */
async function declareVips(): Promise<void> {
  for (const [name, iface, address] of [
    ["wan-vip", "wan", "192.168.1.100"],
    ["lan-vip", "lan", "192.168.99.254"],
  ]) {
    const r = await providers.carpVip.check(
      {},
      {
        primary: fx.primary,
        secondary: fx.secondary,
        name,
        interface: iface,
        address,
        password: "CheckPw01",
      },
    );
    assert.deepEqual(r.failures, [], name);
  }
}

before(async () => {
  fx = await startFixture();
  guiEdit(fx.pair.primary, (tree) => {
    const nat = toStruct(tree.nat);
    const outbound = toStruct(nat.outbound);
    outbound.mode = "hybrid";
    outbound.rule = [
      ...toList(outbound.rule),
      {
        interface: "wan",
        source: { network: "10.8.0.0/24" },
        destination: { any: "" },
        target: "192.168.1.100",
        descr: "VPN clients, by hand",
      },
    ];
    nat.outbound = outbound;
    tree.nat = nat;
    const dhcpd = toStruct(tree.dhcpd);
    const lan = toStruct(dhcpd.lan);
    lan.staticmap = [{ mac: "00:11:22:33:44:55", ipaddr: "192.168.99.150", hostname: "printer" }];
    dhcpd.lan = lan;
    tree.dhcpd = dhcpd;
  });
});
after(() => fx.close());
beforeEach(() => newProviderProcess());

test("NAT: a source containing a node's own WAN address fails at check, nothing written", async () => {
  await declareVips();
  const revs = revisions();
  for (const source of ["192.168.1.0/24", "192.168.1.2"]) {
    const r = await providers.outboundNat.check({}, natIn({ source }));
    assert.equal(r.failures[0]?.property, "source", source);
    assert.match(r.failures[0].reason, /E_NAT_SOURCE_UNSAFE.*node address 192\.168\.1\.[12]/);
  }
  assert.deepEqual(revisions(), revs);
});

test("NAT: the source is judged even while the target is unknown at preview", async () => {
  await declareVips();
  const unsafe = await providers.outboundNat.check(
    {},
    natIn({ source: "192.168.1.0/25", target: UNKNOWN }),
  );
  assert.match(unsafe.failures[0]?.reason ?? "", /E_NAT_SOURCE_UNSAFE/);
  const fine = await providers.outboundNat.check({}, natIn({ target: UNKNOWN }));
  assert.deepEqual(fine.failures, []);
});

test("NAT: a target that is no CARP VIP on the nodes nor declared by the program fails at check", async () => {
  await declareVips();
  const r = await providers.outboundNat.check({}, natIn({ target: "192.168.1.77" }));
  assert.match(r.failures[0]?.reason ?? "", /E_NAT_TARGET.*192\.168\.1\.100/);
  assert.deepEqual((await providers.outboundNat.check({}, natIn())).failures, [], "declared VIP");
});

test("NAT: a hand-made twin rule fails a create at check unless adopt: true, which shows it as adopting", async () => {
  await declareVips();
  const twin = natIn({ source: "10.8.0.0/24" });
  const r = await providers.outboundNat.check({}, twin);
  assert.match(r.failures[0]?.reason ?? "", /VPN clients, by hand.*adopt: true/);
  const adopted = await providers.outboundNat.check({}, { ...twin, adopt: true });
  assert.deepEqual(adopted.failures, []);
  assert.deepEqual((adopted.inputs as { adopting?: unknown }).adopting, {
    interface: "wan",
    source: "10.8.0.0/24",
    target: "192.168.1.100",
    description: "VPN clients, by hand",
  });
});

test("DHCP: a range covering a static mapping fails at check, naming it; nothing written", async () => {
  await declareVips();
  const revs = revisions();
  const r = await providers.dhcpFailover.check({}, dhcpIn());
  assert.equal(r.failures[0]?.property, "rangeFrom");
  assert.match(r.failures[0].reason, /E_DHCP_RANGE.*static mapping 192\.168\.99\.150 \(printer\)/);
  assert.deepEqual(
    (await providers.dhcpFailover.check({}, dhcpIn({ rangeFrom: "192.168.99.160" }))).failures,
    [],
  );
  assert.deepEqual(revisions(), revs);
});

test("DHCP: with the VIP unknown at preview, the program's declared VIP stands in for it", async () => {
  await declareVips();
  const coversVip = await providers.dhcpFailover.check(
    {},
    dhcpIn({ vip: UNKNOWN, rangeFrom: "192.168.99.200", rangeTo: "192.168.99.254" }),
  );
  assert.match(coversVip.failures[0]?.reason ?? "", /E_DHCP_RANGE.*CARP VIP 192\.168\.99\.254/);
  const coversNode = await providers.dhcpFailover.check(
    {},
    dhcpIn({ vip: UNKNOWN, rangeFrom: "192.168.99.1", rangeTo: "192.168.99.20" }),
  );
  assert.match(coversNode.failures[0]?.reason ?? "", /E_DHCP_RANGE.*node address/);
});

test("DHCP: no CARP VIP with the address on the nodes or in the program fails at check", async () => {
  const r = await providers.dhcpFailover.check({}, dhcpIn({ rangeFrom: "192.168.99.160" }));
  assert.match(r.failures[0]?.reason ?? "", /E_DHCP_PEER.*no CARP VIP/);
});
