import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { allocateVhids, VHID_MAX, type VhidAllocationInput } from "../../sdk/plan";
import { expectHaError } from "./expectHaError";

describe("allocateVhids", () => {
  const cases: { name: string; input: VhidAllocationInput; want: Record<string, number> }[] = [
    {
      name: "new VIPs get the lowest free VHIDs in request order",
      input: { segment: "lan", requests: [{ key: "a" }, { key: "b" }], inUse: [] },
      want: { a: 1, b: 2 },
    },
    {
      name: "VHIDs held by unmanaged VIPs on the node are skipped",
      input: {
        segment: "wan",
        requests: [{ key: "a" }],
        inUse: [
          { vhid: 1, owner: "GUI VIP" },
          { vhid: 2, owner: "other" },
        ],
      },
      want: { a: 3 },
    },
    {
      name: "reserved VHIDs (the ISP's VRRP groups) are skipped",
      input: {
        segment: "wan",
        requests: [{ key: "a" }, { key: "b" }],
        inUse: [],
        reserved: [1, 3],
      },
      want: { a: 2, b: 4 },
    },
    {
      name: "explicit VHIDs are honoured and new VIPs fill the gaps below them",
      input: {
        segment: "lan",
        requests: [{ key: "x", vhid: 2 }, { key: "y" }, { key: "z" }],
        inUse: [],
      },
      want: { x: 2, y: 1, z: 3 },
    },
    {
      name: "a previously allocated VHID is kept although a lower one is free",
      input: { segment: "lan", requests: [{ key: "b", vhid: 7 }], inUse: [] },
      want: { b: 7 },
    },
    {
      name: "our own VIP read back from the node does not clash with itself",
      input: {
        segment: "lan",
        requests: [{ key: "uid1", vhid: 5 }],
        inUse: [{ vhid: 5, owner: "uid1" }],
      },
      want: { uid1: 5 },
    },
    {
      name: "segments are independent: the same VHID may be used on another interface",
      input: { segment: "opt2", requests: [{ key: "a", vhid: 1 }], inUse: [] },
      want: { a: 1 },
    },
    {
      name: "the last free VHID 255 is allocated",
      input: {
        segment: "lan",
        requests: [{ key: "last" }],
        inUse: Array.from({ length: VHID_MAX - 1 }, (_, i) => ({
          vhid: i + 1,
          owner: `v${i + 1}`,
        })),
      },
      want: { last: 255 },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(allocateVhids(c.input), c.want);
    });
  }

  test("an explicit VHID held by an unmanaged VIP is rejected naming that VIP", () => {
    const e = expectHaError(
      () =>
        allocateVhids({
          segment: "wan",
          requests: [{ key: "web", vhid: 4 }],
          inUse: [{ vhid: 4, owner: "ISP uplink VIP" }],
        }),
      "E_VHID_CONFLICT",
      "CarpVip[web].vhid",
    );
    assert.match(e.message, /ISP uplink VIP/);
    assert.equal(e.value, "4");
  });
  test("an explicit reserved VHID is rejected naming the reserved list", () => {
    const e = expectHaError(
      () =>
        allocateVhids({
          segment: "wan",
          requests: [{ key: "web", vhid: 9 }],
          inUse: [],
          reserved: [9],
        }),
      "E_VHID_CONFLICT",
      "CarpVip[web].vhid",
    );
    assert.match(e.message, /reserved/);
  });
  test("two VIPs asking for the same VHID: the second is rejected naming the first", () => {
    const e = expectHaError(
      () =>
        allocateVhids({
          segment: "lan",
          requests: [
            { key: "one", vhid: 3 },
            { key: "two", vhid: 3 },
          ],
          inUse: [],
        }),
      "E_VHID_CONFLICT",
      "CarpVip[two].vhid",
    );
    assert.match(e.message, /VIP one/);
  });
  for (const bad of [0, 256, -1, 1.5, Number.NaN]) {
    test(`VHID ${bad} is out of range`, () => {
      expectHaError(
        () => allocateVhids({ segment: "lan", requests: [{ key: "a", vhid: bad }], inUse: [] }),
        "E_VHID_RANGE",
        "CarpVip[a].vhid",
      );
    });
  }
  test("a reserved VHID out of range is rejected", () => {
    expectHaError(
      () => allocateVhids({ segment: "wan", requests: [], inUse: [], reserved: [300] }),
      "E_VHID_RANGE",
      "CarpVip.reserved[wan]",
    );
  });
  test("an exhausted segment is a clear error naming the VIP that got nothing", () => {
    const e = expectHaError(
      () =>
        allocateVhids({
          segment: "lan",
          requests: [{ key: "extra" }],
          inUse: Array.from({ length: VHID_MAX - 10 }, (_, i) => ({ vhid: i + 1, owner: `v${i}` })),
          reserved: [246, 247, 248, 249, 250, 251, 252, 253, 254, 255],
        }),
      "E_VHID_EXHAUSTED",
      "CarpVip[extra].vhid",
    );
    assert.match(e.message, /lan/);
  });
  test("a duplicate key is rejected", () => {
    expectHaError(
      () => allocateVhids({ segment: "lan", requests: [{ key: "a" }, { key: "a" }], inUse: [] }),
      "E_INVALID_INPUT",
      "CarpVip[a]",
    );
  });
  test("the field prefix is configurable", () => {
    expectHaError(
      () =>
        allocateVhids({
          segment: "lan",
          field: "vips",
          requests: [{ key: "a", vhid: 0 }],
          inUse: [],
        }),
      "E_VHID_RANGE",
      "vips[a].vhid",
    );
  });
});
