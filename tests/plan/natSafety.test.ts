import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  checkOutboundNatRule,
  type ErrorCode,
  type OutboundNatRule,
  type VirtualIp,
} from "../../sdk/plan";
import { expectHaError } from "./expectHaError";

const carpVips: VirtualIp[] = [
  {
    mode: "carp",
    interface: "wan",
    vhid: 1,
    advskew: 0,
    advbase: 1,
    uniqid: "aaa111",
    type: "single",
    subnet: "192.168.1.100",
    subnetBits: 24,
  },
  {
    mode: "ipalias",
    interface: "_vipaaa111",
    uniqid: "aaa112",
    type: "single",
    subnet: "192.168.1.101",
    subnetBits: 24,
  },
  {
    mode: "carp",
    interface: "lan",
    vhid: 2,
    advskew: 0,
    advbase: 1,
    uniqid: "bbb222",
    type: "single",
    subnet: "192.168.99.100",
    subnetBits: 24,
  },
  {
    mode: "ipalias",
    interface: "wan",
    uniqid: "ccc333",
    type: "single",
    subnet: "192.168.1.50",
    subnetBits: 24,
  },
  {
    mode: "carp",
    interface: "opt3",
    vhid: 3,
    uniqid: "ddd444",
    type: "single",
    subnet: "2001:db8:3::100",
    subnetBits: 64,
  },
];
const ctx = {
  wanNodeAddresses: ["192.168.1.1", "192.168.1.2", "2001:db8:3::1", "2001:db8:3::2"],
  carpVips,
};
const rule = (over: Partial<OutboundNatRule>): OutboundNatRule => ({
  interface: "wan",
  source: "192.168.99.0/24",
  destination: { any: true },
  target: "192.168.1.100",
  ...over,
});

describe("checkOutboundNatRule: accepted", () => {
  const cases: [string, OutboundNatRule][] = [
    ["tutorial rule: LAN subnet out via the WAN CARP VIP", rule({})],
    ["target an IP alias stacked on the WAN CARP VIP", rule({ target: "192.168.1.101" })],
    ["source an alias name (cannot be resolved here)", rule({ source: "InternalNets" })],
    ["source the LAN special network", rule({ source: "lan" })],
    ["source a single internal host", rule({ source: "192.168.99.20" })],
    [
      "IPv6 source and target on an IPv6 CARP interface",
      rule({ interface: "opt3", source: "2001:db8:99::/64", target: "2001:db8:3::100" }),
    ],
    ["target written with a host-length target subnet", rule({ targetSubnet: "32" })],
    [
      "no-NAT rule with source any translates nothing",
      rule({ source: "any", target: "", nonat: true }),
    ],
  ];
  for (const [name, r] of cases) {
    test(name, () => assert.doesNotThrow(() => checkOutboundNatRule(r, ctx)));
  }
});

describe("checkOutboundNatRule: rejected", () => {
  const cases: [string, OutboundNatRule, ErrorCode, string][] = [
    ["source any", rule({ source: "any" }), "E_NAT_SOURCE_UNSAFE", "OutboundNatRule.source"],
    [
      "source This Firewall stored as (self)",
      rule({ source: "(self)" }),
      "E_NAT_SOURCE_UNSAFE",
      "OutboundNatRule.source",
    ],
    [
      "source written as This Firewall",
      rule({ source: "This Firewall" }),
      "E_NAT_SOURCE_UNSAFE",
      "OutboundNatRule.source",
    ],
    [
      "source the WAN network itself",
      rule({ source: "wan" }),
      "E_NAT_SOURCE_UNSAFE",
      "OutboundNatRule.source",
    ],
    [
      "source the WAN subnet, which contains both node addresses",
      rule({ source: "192.168.1.0/24" }),
      "E_NAT_SOURCE_UNSAFE",
      "OutboundNatRule.source",
    ],
    [
      "source a supernet containing a node address",
      rule({ source: "192.168.0.0/16" }),
      "E_NAT_SOURCE_UNSAFE",
      "OutboundNatRule.source",
    ],
    [
      "source the secondary's own address",
      rule({ source: "192.168.1.2" }),
      "E_NAT_SOURCE_UNSAFE",
      "OutboundNatRule.source",
    ],
    [
      "IPv6 source containing a node address",
      rule({ interface: "opt3", source: "2001:db8:3::/64", target: "2001:db8:3::100" }),
      "E_NAT_SOURCE_UNSAFE",
      "OutboundNatRule.source",
    ],
    [
      "target a node's own WAN address",
      rule({ target: "192.168.1.1" }),
      "E_NAT_TARGET",
      "OutboundNatRule.target",
    ],
    [
      "target the interface address (wanip)",
      rule({ target: "wanip" }),
      "E_NAT_TARGET",
      "OutboundNatRule.target",
    ],
    [
      "target a plain IP alias (not on a CARP VIP)",
      rule({ target: "192.168.1.50" }),
      "E_NAT_TARGET",
      "OutboundNatRule.target",
    ],
    [
      "target a CARP VIP of another interface",
      rule({ target: "192.168.99.100" }),
      "E_NAT_TARGET",
      "OutboundNatRule.target",
    ],
    [
      "target a network instead of the VIP",
      rule({ target: "192.168.1.100", targetSubnet: "29" }),
      "E_NAT_TARGET",
      "OutboundNatRule.target",
    ],
    [
      "target on an interface without CARP VIPs",
      rule({ interface: "opt7", target: "10.7.0.1" }),
      "E_NAT_TARGET",
      "OutboundNatRule.target",
    ],
  ];
  for (const [name, r, code, field] of cases) {
    test(name, () => {
      expectHaError(() => checkOutboundNatRule(r, ctx), code, field);
    });
  }
  test("the fix names the CARP VIPs the rule may translate to", () => {
    const e = expectHaError(
      () => checkOutboundNatRule(rule({ target: "192.168.1.1" }), { ...ctx, field: "nat[0]" }),
      "E_NAT_TARGET",
      "nat[0].target",
    );
    assert.match(e.fix ?? "", /192\.168\.1\.100/);
    assert.match(e.fix ?? "", /192\.168\.1\.101/);
  });
});
