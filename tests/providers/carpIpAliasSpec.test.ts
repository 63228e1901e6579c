/**
 * CarpIpAliases' pure provider parts: the records pfSense stores (firewall_virtual_ip.inc
 * saveVIP() for ipalias), the secondary's derived view (rc.filter_synchronize sends stacked
 * aliases unchanged), check at preview with unknown VIP outputs, and diff.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { deriveSecondary } from "../../sdk/plan";
import { encodeVip } from "../../sdk/pfsense/sections/virtualip";
import {
  aliasRecord,
  assignUniqids,
  checkCarpIpAliases,
  diffCarpIpAliases,
  type CarpIpAliasInputs,
  type CarpIpAliasOutputs,
} from "../../sdk/providers/carpIpAliasSpec";
import { UNKNOWN } from "../../sdk/providers/unknowns";

const ep = { url: "https://127.0.0.1:1", username: "admin", password: "pw" };
const base: CarpIpAliasInputs = {
  primary: ep,
  secondary: { ...ep, url: "https://127.0.0.1:2" },
  name: "extra",
  vipUniqid: "65a1b2c3d4e5f",
  vipInterface: "lan",
  vipAddress: "192.168.99.254",
  subnetBits: 24,
  primaryAddress: "192.168.99.1",
  secondaryAddress: "192.168.99.2",
  count: 2,
};

test("an alias is stored as pfSense's GUI stores it: mode ipalias on _vip<uniqid>, own uniqid, type single, the network's mask", () => {
  const rec = aliasRecord(
    { ...base, description: "extra" },
    { address: "192.168.99.3", uniqid: "aaaaaaaaaaaa1" },
  );
  assert.deepEqual(encodeVip(rec), {
    mode: "ipalias",
    interface: "_vip65a1b2c3d4e5f",
    uniqid: "aaaaaaaaaaaa1",
    descr: "extra",
    type: "single",
    subnet_bits: "24",
    subnet: "192.168.99.3",
  });
});

test("the secondary's view is the same record: pfSense's sync sends stacked aliases and changes nothing in them", () => {
  const rec = aliasRecord(base, { address: "192.168.99.3", uniqid: "aaaaaaaaaaaa1" });
  const plain = { ...rec, interface: "lan", uniqid: "bbbbbbbbbbbb1", subnet: "192.168.99.9" };
  const s = deriveSecondary({ virtualIps: [rec, plain], natRules: [], dhcpd: {}, interfaces: {} });
  assert.deepEqual(s.virtualIps, [rec], "stacked alias copied as is; a plain alias is not sent");
});

test("kept addresses keep their uniqid, new ones get a fresh PHP-style uniqid", () => {
  const a = assignUniqids(
    ["192.168.99.3", "192.168.99.4"],
    [{ address: "192.168.99.4", uniqid: "ccccccccccccc" }],
  );
  assert.equal(a[1].uniqid, "ccccccccccccc");
  assert.match(a[0].uniqid, /^[0-9a-f]{13}$/);
});

test("check at a first preview (VIP outputs unknown) still refuses a bad list; with them known, the plan", () => {
  const unknownVip = { ...base, vipUniqid: UNKNOWN, vipAddress: UNKNOWN, primaryAddress: UNKNOWN };
  assert.deepEqual(checkCarpIpAliases(unknownVip).failures, []);
  let f = checkCarpIpAliases({ ...unknownVip, count: 0 }).failures;
  assert.equal(f[0]?.property, "count");
  assert.match(f[0].reason, /count/);
  f = checkCarpIpAliases({
    ...unknownVip,
    addresses: ["192.168.99.7", "192.168.99.7"],
    count: undefined,
  }).failures;
  assert.equal(f[0]?.property, "addresses");
  f = checkCarpIpAliases({ ...base, addresses: ["192.168.99.1"] }).failures;
  assert.equal(f[0]?.property, "addresses");
  assert.match(f[0].reason, /192\.168\.99\.1/);
  assert.match(f[0].reason, /primary's own address/);
  f = checkCarpIpAliases({ ...base, addresses: ["10.9.9.9"] }).failures;
  assert.match(f[0].reason, /outside/);
});

test("diff: a new parent VIP replaces the set (delete first); a longer list or a description updates in place", () => {
  const olds: CarpIpAliasOutputs = {
    ...base,
    parentInterface: "_vip65a1b2c3d4e5f",
    aliasAddresses: ["192.168.99.3", "192.168.99.4"],
    aliasUniqids: ["a", "b"],
    planned: [true, true],
    drift: { primary: [], secondary: [] },
    syncedBy: "library",
  };
  assert.equal(diffCarpIpAliases(olds, base).changes, false);
  const parent = diffCarpIpAliases(olds, { ...base, vipUniqid: "75a1b2c3d4e5f" });
  assert.deepEqual(parent.replaces, ["vipUniqid"]);
  assert.equal(parent.deleteBeforeReplace, true);
  const more = diffCarpIpAliases(olds, { ...base, count: 3 });
  assert.deepEqual(more.changed, ["count"]);
  assert.deepEqual(more.replaces, []);
  assert.deepEqual(diffCarpIpAliases(olds, { ...base, description: "x" }).changed, ["description"]);
  const unknownParent = diffCarpIpAliases(olds, { ...base, vipUniqid: UNKNOWN });
  assert.equal(unknownParent.changes, true);
});
