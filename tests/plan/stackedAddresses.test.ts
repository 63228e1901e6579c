/**
 * Planning of IP aliases stacked on a CARP VIP: explicit addresses checked, the rest planned
 * above the VIP and the node addresses (never below them, where a WAN gateway sits), planned
 * ones kept across runs, and every refusal naming field, value and fix.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { planStackedAddresses, type StackedAddressInput } from "../../sdk/plan";
import { expectHaError } from "./expectHaError";

const lan: StackedAddressInput = {
  network: "10.0.100.0/24",
  vip: "10.0.100.1",
  primary: "10.0.100.2",
  secondary: "10.0.100.3",
  field: "CarpIpAliases[x]",
};

test("planned aliases take the lowest free addresses above the VIP and the nodes (lan layout)", () => {
  const p = planStackedAddresses({ ...lan, count: 3 });
  assert.deepEqual(p.addresses, ["10.0.100.4", "10.0.100.5", "10.0.100.6"]);
  assert.deepEqual(p.planned, [true, true, true]);
  assert.equal(p.prefix, 24);
  assert.equal(p.network, "10.0.100.0");
});

test("on the /29 WAN layout the aliases take .5 and .6 and never the gateway's .1", () => {
  const wan = {
    network: "203.0.113.0/29",
    vip: "203.0.113.4",
    primary: "203.0.113.2",
    secondary: "203.0.113.3",
  };
  assert.deepEqual(planStackedAddresses({ ...wan, count: 2 }).addresses, [
    "203.0.113.5",
    "203.0.113.6",
  ]);
  const e = expectHaError(
    () => planStackedAddresses({ ...wan, count: 3 }),
    "E_PREFIX_TOO_SMALL",
    "aliases.count",
  );
  assert.match(e.message, /203\.0\.113\.0\/29/);
});

test("with a VIP at the top of the subnet, aliases fill the gap between the nodes and the VIP", () => {
  const p = planStackedAddresses({
    ...lan,
    vip: "10.0.100.254",
    primary: "10.0.100.1",
    secondary: "10.0.100.2",
    count: 2,
  });
  assert.deepEqual(p.addresses, ["10.0.100.3", "10.0.100.4"]);
});

test("explicit addresses come first; planning skips them, taken and excluded addresses", () => {
  const p = planStackedAddresses({
    ...lan,
    addresses: ["10.0.100.5", "10.0.100.200/24"],
    count: 4,
    taken: [{ address: "10.0.100.4", owner: "held by another VIP" }],
    exclude: ["10.0.100.6"],
  });
  assert.deepEqual(p.addresses, ["10.0.100.5", "10.0.100.200", "10.0.100.7", "10.0.100.8"]);
  assert.deepEqual(p.planned, [false, false, true, true]);
});

test("addresses planned before are kept while free; a taken one is planned afresh", () => {
  const p = planStackedAddresses({
    ...lan,
    count: 3,
    previous: ["10.0.100.9", "10.0.100.4", "10.0.100.10"],
  });
  assert.deepEqual(p.addresses, ["10.0.100.9", "10.0.100.4", "10.0.100.10"]);
  const q = planStackedAddresses({
    ...lan,
    count: 2,
    previous: ["10.0.100.9", "10.0.100.4"],
    taken: [{ address: "10.0.100.9", owner: "x" }],
  });
  assert.deepEqual(q.addresses, ["10.0.100.4", "10.0.100.5"]);
  // Fewer asked for: the last planned go.
  assert.deepEqual(
    planStackedAddresses({ ...lan, count: 1, previous: ["10.0.100.9", "10.0.100.4"] }).addresses,
    ["10.0.100.9"],
  );
});

test("IPv6: planned above the VIP, canonical text", () => {
  const p = planStackedAddresses({
    network: "2001:db8:1::/64",
    vip: "2001:db8:1::1",
    primary: "2001:db8:1::2",
    secondary: "2001:db8:1::3",
    addresses: ["2001:DB8:1:0::20"],
    count: 2,
  });
  assert.deepEqual(p.addresses, ["2001:db8:1::20", "2001:db8:1::4"]);
});

test("bad input is refused with the field, the value and a fix", () => {
  const f = "CarpIpAliases[x]";
  let e = expectHaError(
    () => planStackedAddresses({ ...lan, addresses: ["10.0.100.2"] }),
    "E_ADDRESS_CONFLICT",
    `${f}.addresses[0]`,
  );
  assert.equal(e.value, "10.0.100.2");
  assert.match(e.message, /primary's own address/);
  e = expectHaError(
    () => planStackedAddresses({ ...lan, addresses: ["10.0.100.1"] }),
    "E_ADDRESS_CONFLICT",
    `${f}.addresses[0]`,
  );
  assert.match(e.message, /CARP VIP/);
  expectHaError(
    () => planStackedAddresses({ ...lan, addresses: ["10.0.100.7", "10.0.100.7"] }),
    "E_ADDRESS_CONFLICT",
    `${f}.addresses[1]`,
  );
  e = expectHaError(
    () =>
      planStackedAddresses({
        ...lan,
        addresses: ["10.0.100.9"],
        taken: [{ address: "10.0.100.9", owner: "held by the primary's ipalias VIP" }],
      }),
    "E_ADDRESS_CONFLICT",
  );
  assert.match(e.message, /held by the primary's ipalias VIP/);
  expectHaError(
    () => planStackedAddresses({ ...lan, addresses: ["10.0.101.7"] }),
    "E_ADDRESS_OUTSIDE_SUBNET",
    `${f}.addresses[0]`,
  );
  expectHaError(
    () => planStackedAddresses({ ...lan, addresses: ["10.0.100.255"] }),
    "E_ADDRESS_RESERVED",
    `${f}.addresses[0]`,
  );
  expectHaError(
    () => planStackedAddresses({ ...lan, addresses: ["10.0.100.0"] }),
    "E_ADDRESS_RESERVED",
    `${f}.addresses[0]`,
  );
  expectHaError(
    () => planStackedAddresses({ ...lan, addresses: ["2001:db8::7"] }),
    "E_FAMILY_MISMATCH",
    `${f}.addresses[0]`,
  );
  expectHaError(
    () => planStackedAddresses({ ...lan, addresses: ["10.0.100.7/32"] }),
    "E_MASK_MISMATCH",
    `${f}.addresses[0]`,
  );
  expectHaError(
    () => planStackedAddresses({ ...lan, addresses: ["10.0.100.x"] }),
    "E_INVALID_ADDRESS",
    `${f}.addresses[0]`,
  );
  expectHaError(() => planStackedAddresses({ ...lan }), "E_INVALID_INPUT", `${f}.count`);
  expectHaError(() => planStackedAddresses({ ...lan, count: 0 }), "E_INVALID_INPUT", `${f}.count`);
  expectHaError(
    () => planStackedAddresses({ ...lan, count: 2.5 }),
    "E_INVALID_INPUT",
    `${f}.count`,
  );
  expectHaError(
    () => planStackedAddresses({ ...lan, addresses: ["10.0.100.7", "10.0.100.8"], count: 1 }),
    "E_INVALID_INPUT",
    `${f}.count`,
  );
  expectHaError(
    () => planStackedAddresses({ ...lan, count: 300 }),
    "E_PREFIX_TOO_SMALL",
    `${f}.count`,
  );
});
