import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkVipMask, planAddresses, type AddressPlanInput, type ErrorCode } from "../../sdk/plan";
import { expectHaError } from "./expectHaError";

describe("planAddresses: accepted layouts", () => {
  const cases: { name: string; input: AddressPlanInput; want: Record<string, unknown> }[] = [
    {
      name: "tutorial LAN 192.168.99.0/24 with nodes .1/.2 and VIP .100 given explicitly",
      input: {
        subnet: "192.168.99.0/24",
        primary: "192.168.99.1",
        secondary: "192.168.99.2",
        vip: "192.168.99.100",
      },
      want: {
        family: 4,
        network: "192.168.99.0",
        prefix: 24,
        primary: "192.168.99.1",
        secondary: "192.168.99.2",
        vip: "192.168.99.100",
        gateway: undefined,
      },
    },
    {
      name: "tutorial WAN 192.168.1.0/24 with .1/.2/.100 (no gateway slot on the lan layout)",
      input: {
        subnet: "192.168.1.0/24",
        primary: "192.168.1.1",
        secondary: "192.168.1.2",
        vip: "192.168.1.100",
      },
      want: {
        primary: "192.168.1.1",
        secondary: "192.168.1.2",
        vip: "192.168.1.100",
        gateway: undefined,
      },
    },
    {
      name: "tutorial WAN on the wan layout: the gateway slot skips the taken .1 and .2",
      input: {
        subnet: "192.168.1.0/24",
        layout: "wan",
        primary: "192.168.1.1",
        secondary: "192.168.1.2",
        vip: "192.168.1.100",
      },
      want: {
        primary: "192.168.1.1",
        secondary: "192.168.1.2",
        vip: "192.168.1.100",
        gateway: "192.168.1.3",
      },
    },
    {
      name: "WAN /29 default layout: gateway first usable, then primary, secondary, VIP",
      input: { subnet: "203.0.113.8/29", layout: "wan" },
      want: {
        network: "203.0.113.8",
        prefix: 29,
        gateway: "203.0.113.9",
        primary: "203.0.113.10",
        secondary: "203.0.113.11",
        vip: "203.0.113.12",
      },
    },
    {
      name: "WAN /29 with an explicit gateway at the top: the other slots start at the first usable",
      input: { subnet: "203.0.113.8/29", layout: "wan", gateway: "203.0.113.14" },
      want: {
        gateway: "203.0.113.14",
        primary: "203.0.113.9",
        secondary: "203.0.113.10",
        vip: "203.0.113.11",
      },
    },
    {
      name: "WAN /29 with an explicit VIP on the first usable: slots skip it",
      input: { subnet: "203.0.113.8/29", layout: "wan", vip: "203.0.113.9" },
      want: {
        vip: "203.0.113.9",
        gateway: "203.0.113.10",
        primary: "203.0.113.11",
        secondary: "203.0.113.12",
      },
    },
    {
      name: "LAN default layout: VIP keeps the familiar .1, nodes take .2 and .3",
      input: { subnet: "10.0.1.0/24" },
      want: { vip: "10.0.1.1", primary: "10.0.1.2", secondary: "10.0.1.3" },
    },
    {
      name: "LAN /29 is the smallest IPv4 block that fits",
      input: { subnet: "10.0.1.16/29" },
      want: { vip: "10.0.1.17", primary: "10.0.1.18", secondary: "10.0.1.19" },
    },
    {
      name: "a host address with prefix is normalised to its network",
      input: { subnet: "192.168.99.77/24" },
      want: { network: "192.168.99.0", prefix: 24, vip: "192.168.99.1" },
    },
    {
      name: "explicit address written with the subnet's own prefix is accepted",
      input: { subnet: "192.168.99.0/24", vip: "192.168.99.100/24" },
      want: { vip: "192.168.99.100", primary: "192.168.99.1", secondary: "192.168.99.2" },
    },
    {
      name: "IPv6 /64 LAN default: the subnet-router anycast ::0 is skipped",
      input: { subnet: "2001:db8:1::/64" },
      want: {
        family: 6,
        network: "2001:db8:1::",
        prefix: 64,
        vip: "2001:db8:1::1",
        primary: "2001:db8:1::2",
        secondary: "2001:db8:1::3",
      },
    },
    {
      name: "IPv6 WAN /125 is the smallest v6 block for four slots",
      input: { subnet: "2001:db8:ff::8/125", layout: "wan" },
      want: {
        gateway: "2001:db8:ff::9",
        primary: "2001:db8:ff::a",
        secondary: "2001:db8:ff::b",
        vip: "2001:db8:ff::c",
      },
    },
    {
      name: "IPv6 LAN /126 fits exactly (three usable addresses)",
      input: { subnet: "2001:db8::4/126" },
      want: { vip: "2001:db8::5", primary: "2001:db8::6", secondary: "2001:db8::7" },
    },
    {
      name: "IPv6 addresses come back in canonical RFC 5952 form",
      input: { subnet: "2001:DB8:0:0::/64", vip: "2001:0db8:0000:0000:0000:0000:0000:00ff" },
      want: { network: "2001:db8::", vip: "2001:db8::ff", primary: "2001:db8::1" },
    },
    {
      name: "IPv6: the last address of the block is usable (no broadcast)",
      input: { subnet: "2001:db8::/126", vip: "2001:db8::3" },
      want: { vip: "2001:db8::3", primary: "2001:db8::1", secondary: "2001:db8::2" },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const plan = planAddresses(c.input);
      for (const [k, v] of Object.entries(c.want)) {
        assert.equal((plan as unknown as Record<string, unknown>)[k], v, `field ${k}`);
      }
    });
  }
});

describe("planAddresses: rejections", () => {
  const cases: { name: string; input: AddressPlanInput; code: ErrorCode; field: string }[] = [
    {
      name: "IPv4 /30 is too small for a WAN layout",
      input: { subnet: "203.0.113.0/30", layout: "wan" },
      code: "E_PREFIX_TOO_SMALL",
      field: "addresses.subnet",
    },
    {
      name: "IPv4 /31 is too small",
      input: { subnet: "203.0.113.0/31", layout: "wan" },
      code: "E_PREFIX_TOO_SMALL",
      field: "addresses.subnet",
    },
    {
      name: "IPv4 /32 is too small",
      input: { subnet: "203.0.113.1/32" },
      code: "E_PREFIX_TOO_SMALL",
      field: "addresses.subnet",
    },
    {
      name: "IPv4 /30 is too small for a LAN layout too (two usable)",
      input: { subnet: "10.0.0.0/30" },
      code: "E_PREFIX_TOO_SMALL",
      field: "addresses.subnet",
    },
    {
      name: "IPv6 /126 is too small for a WAN layout (anycast leaves three)",
      input: { subnet: "2001:db8::/126", layout: "wan" },
      code: "E_PREFIX_TOO_SMALL",
      field: "addresses.subnet",
    },
    {
      name: "IPv6 /127 is too small for a LAN layout",
      input: { subnet: "2001:db8::/127" },
      code: "E_PREFIX_TOO_SMALL",
      field: "addresses.subnet",
    },
    {
      name: "IPv6 /128 is too small",
      input: { subnet: "2001:db8::1/128", layout: "wan" },
      code: "E_PREFIX_TOO_SMALL",
      field: "addresses.subnet",
    },
    {
      name: "subnet without a prefix",
      input: { subnet: "192.168.1.0" },
      code: "E_INVALID_INPUT",
      field: "addresses.subnet",
    },
    {
      name: "unparsable subnet",
      input: { subnet: "192.168.1.300/24" },
      code: "E_INVALID_ADDRESS",
      field: "addresses.subnet",
    },
    {
      name: "unparsable explicit address",
      input: { subnet: "192.168.1.0/24", vip: "banana" },
      code: "E_INVALID_ADDRESS",
      field: "addresses.vip",
    },
    {
      name: "IPv4 network address as VIP",
      input: { subnet: "192.168.1.0/24", vip: "192.168.1.0" },
      code: "E_ADDRESS_RESERVED",
      field: "addresses.vip",
    },
    {
      name: "IPv4 broadcast address as secondary",
      input: { subnet: "192.168.1.0/24", secondary: "192.168.1.255" },
      code: "E_ADDRESS_RESERVED",
      field: "addresses.secondary",
    },
    {
      name: "IPv4 broadcast of a /29 as gateway",
      input: { subnet: "203.0.113.8/29", layout: "wan", gateway: "203.0.113.15" },
      code: "E_ADDRESS_RESERVED",
      field: "addresses.gateway",
    },
    {
      name: "IPv6 subnet-router anycast address as primary",
      input: { subnet: "2001:db8:1::/64", primary: "2001:db8:1::" },
      code: "E_ADDRESS_RESERVED",
      field: "addresses.primary",
    },
    {
      name: "address outside the subnet",
      input: { subnet: "192.168.99.0/24", primary: "192.168.1.1" },
      code: "E_ADDRESS_OUTSIDE_SUBNET",
      field: "addresses.primary",
    },
    {
      name: "IPv6 address outside the subnet",
      input: { subnet: "2001:db8:1::/64", vip: "2001:db8:2::1" },
      code: "E_ADDRESS_OUTSIDE_SUBNET",
      field: "addresses.vip",
    },
    {
      name: "VIP equal to the primary's address",
      input: { subnet: "192.168.99.0/24", vip: "192.168.99.1", primary: "192.168.99.1" },
      code: "E_ADDRESS_CONFLICT",
      field: "addresses.primary",
    },
    {
      name: "VIP equal to the secondary's address",
      input: { subnet: "192.168.99.0/24", vip: "192.168.99.2", secondary: "192.168.99.2" },
      code: "E_ADDRESS_CONFLICT",
      field: "addresses.secondary",
    },
    {
      name: "one address as gateway and primary",
      input: {
        subnet: "203.0.113.8/29",
        layout: "wan",
        gateway: "203.0.113.9",
        primary: "203.0.113.9",
      },
      code: "E_ADDRESS_CONFLICT",
      field: "addresses.primary",
    },
    {
      name: "same node address twice, spelled differently in IPv6",
      input: { subnet: "2001:db8::/64", primary: "2001:db8::a", secondary: "2001:DB8:0::A" },
      code: "E_ADDRESS_CONFLICT",
      field: "addresses.secondary",
    },
    {
      name: "IPv6 address in an IPv4 subnet",
      input: { subnet: "192.168.1.0/24", vip: "2001:db8::1" },
      code: "E_FAMILY_MISMATCH",
      field: "addresses.vip",
    },
    {
      name: "IPv4 address in an IPv6 subnet",
      input: { subnet: "2001:db8::/64", primary: "10.0.0.1" },
      code: "E_FAMILY_MISMATCH",
      field: "addresses.primary",
    },
    {
      name: "explicit address written with another prefix",
      input: { subnet: "192.168.1.0/24", vip: "192.168.1.100/32" },
      code: "E_MASK_MISMATCH",
      field: "addresses.vip",
    },
    {
      name: "gateway on a lan layout",
      input: { subnet: "192.168.1.0/24", gateway: "192.168.1.254" },
      code: "E_INVALID_INPUT",
      field: "addresses.gateway",
    },
    {
      name: "custom field prefix appears in the error",
      input: { subnet: "192.168.1.0/30", field: "CarpVip[wan]" },
      code: "E_PREFIX_TOO_SMALL",
      field: "CarpVip[wan].subnet",
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      expectHaError(() => planAddresses(c.input), c.code, c.field);
    });
  }
});

describe("checkVipMask", () => {
  test("accepts a VIP mask equal to the interface's prefix", () => {
    assert.doesNotThrow(() => checkVipMask(24, 24));
  });
  test("rejects a /32 CARP VIP on a /24 interface, naming the interface prefix in the fix", () => {
    const e = expectHaError(
      () => checkVipMask(32, 24, "CarpVip[lan].subnetBits"),
      "E_MASK_MISMATCH",
      "CarpVip[lan].subnetBits",
    );
    assert.equal(e.value, "/32");
    assert.match(e.fix ?? "", /24/);
  });
  test("rejects an IPv6 /128 VIP on a /64 interface", () => {
    expectHaError(() => checkVipMask(128, 64), "E_MASK_MISMATCH", "CarpVip.subnetBits");
  });
});
