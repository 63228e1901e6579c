import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  deriveSecondary,
  planDhcpFailover,
  type DhcpFailoverInput,
  type ErrorCode,
} from "../../sdk/plan";
import { expectHaError } from "./expectHaError";
import { tutorialInterfaces, tutorialPrimary } from "./fixtures";

const tutorial = (over: Partial<DhcpFailoverInput> = {}): DhcpFailoverInput => ({
  interface: "lan",
  subnet: "192.168.99.0/24",
  primaryAddress: "192.168.99.1",
  secondaryAddress: "192.168.99.2",
  vip: "192.168.99.100",
  rangeFrom: "192.168.99.150",
  rangeTo: "192.168.99.199",
  ...over,
});

describe("planDhcpFailover: accepted", () => {
  test("tutorial LAN: gateway and DNS default to the CARP VIP; each node's peer is the other node", () => {
    const { primary, secondary } = planDhcpFailover(tutorial());
    for (const n of [primary, secondary]) {
      assert.equal(n.enable, true);
      assert.equal(n.rangeFrom, "192.168.99.150");
      assert.equal(n.rangeTo, "192.168.99.199");
      assert.equal(n.gateway, "192.168.99.100");
      assert.deepEqual(n.dnsServers, ["192.168.99.100"]);
    }
    assert.equal(primary.failoverPeerIp, "192.168.99.2");
    assert.equal(secondary.failoverPeerIp, "192.168.99.1");
  });
  test("explicit gateway and up to four DNS servers are kept", () => {
    const dns = ["192.168.99.100", "1.1.1.1", "9.9.9.9", "8.8.8.8"];
    const { primary } = planDhcpFailover(tutorial({ gateway: "192.168.99.254", dnsServers: dns }));
    assert.equal(primary.gateway, "192.168.99.254");
    assert.deepEqual(primary.dnsServers, dns);
  });
  test("a single-address range next to the nodes is fine", () => {
    const { primary } = planDhcpFailover(
      tutorial({ rangeFrom: "192.168.99.3", rangeTo: "192.168.99.3" }),
    );
    assert.equal(primary.rangeFrom, primary.rangeTo);
  });
  test("the secondary's plan matches what pfSense's sync derives from the primary's", () => {
    const plan = planDhcpFailover(tutorial());
    const p = tutorialPrimary();
    p.dhcpd = { lan: plan.primary };
    const derived = deriveSecondary(p, { secondaryInterfaces: tutorialInterfaces(2) });
    assert.deepEqual(derived.dhcpd.lan, plan.secondary);
  });
});

describe("planDhcpFailover: rejected", () => {
  const cases: [string, Partial<DhcpFailoverInput>, ErrorCode, string][] = [
    [
      "range contains the VIP",
      { rangeFrom: "192.168.99.50", rangeTo: "192.168.99.150" },
      "E_DHCP_RANGE",
      "DhcpFailover[lan].rangeFrom",
    ],
    [
      "range contains the primary",
      { rangeFrom: "192.168.99.1", rangeTo: "192.168.99.20" },
      "E_DHCP_RANGE",
      "DhcpFailover[lan].rangeFrom",
    ],
    [
      "range contains the secondary",
      { rangeFrom: "192.168.99.2", rangeTo: "192.168.99.2" },
      "E_DHCP_RANGE",
      "DhcpFailover[lan].rangeFrom",
    ],
    [
      "range backwards",
      { rangeFrom: "192.168.99.199", rangeTo: "192.168.99.150" },
      "E_DHCP_RANGE",
      "DhcpFailover[lan].rangeTo",
    ],
    [
      "range end outside the subnet",
      { rangeTo: "192.168.100.10" },
      "E_ADDRESS_OUTSIDE_SUBNET",
      "DhcpFailover[lan].rangeTo",
    ],
    [
      "range end on the broadcast address",
      { rangeTo: "192.168.99.255" },
      "E_ADDRESS_RESERVED",
      "DhcpFailover[lan].rangeTo",
    ],
    [
      "range start on the network address",
      {
        rangeFrom: "192.168.99.0",
        primaryAddress: "192.168.99.201",
        secondaryAddress: "192.168.99.202",
        vip: "192.168.99.200",
      },
      "E_ADDRESS_RESERVED",
      "DhcpFailover[lan].rangeFrom",
    ],
    [
      "failover peer equals the VIP",
      { secondaryAddress: "192.168.99.100" },
      "E_DHCP_PEER",
      "DhcpFailover[lan].secondaryAddress",
    ],
    [
      "both nodes the same address",
      { secondaryAddress: "192.168.99.1" },
      "E_DHCP_PEER",
      "DhcpFailover[lan].secondaryAddress",
    ],
    [
      "node address outside the subnet",
      { primaryAddress: "10.0.0.1" },
      "E_DHCP_PEER",
      "DhcpFailover[lan].primaryAddress",
    ],
    [
      "gateway outside the subnet",
      { gateway: "10.0.0.1" },
      "E_ADDRESS_OUTSIDE_SUBNET",
      "DhcpFailover[lan].gateway",
    ],
    [
      "five DNS servers",
      { dnsServers: ["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4", "9.9.9.9"] },
      "E_INVALID_INPUT",
      "DhcpFailover[lan].dnsServers",
    ],
    [
      "an IPv6 DNS server",
      { dnsServers: ["2001:db8::53"] },
      "E_FAMILY_MISMATCH",
      "DhcpFailover[lan].dnsServers[0]",
    ],
    [
      "an IPv6 subnet (ISC failover is DHCPv4)",
      { subnet: "2001:db8::/64" },
      "E_FAMILY_MISMATCH",
      "DhcpFailover[lan].subnet",
    ],
    [
      "primary skew 20 on the DHCP interface",
      { primarySkew: 20 },
      "E_DHCP_SKEW",
      "DhcpFailover[lan].advskew",
    ],
    ["unparsable VIP", { vip: "192.168.99" }, "E_INVALID_ADDRESS", "DhcpFailover[lan].vip"],
  ];
  for (const [name, over, code, field] of cases) {
    test(name, () => {
      expectHaError(() => planDhcpFailover(tutorial(over)), code, field);
    });
  }
});

test("a range covering a static mapping is refused, naming the mapping (pfSense's GUI refuses it too)", () => {
  assert.throws(
    () =>
      planDhcpFailover({
        ...tutorial(),
        staticMaps: [{ address: "192.168.99.160", name: "printer" }],
      }),
    /E_DHCP_RANGE.*static mapping 192\.168\.99\.160 \(printer\)/,
  );
  assert.doesNotThrow(() =>
    planDhcpFailover({
      ...tutorial(),
      staticMaps: [{ address: "192.168.99.250" }, { address: "" }],
    }),
  );
});
