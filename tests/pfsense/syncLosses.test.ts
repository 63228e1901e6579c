/**
 * The library's model of what a first sync takes from the secondary (sdk/pfsense/syncSender.ts,
 * syncLosses.ts), section by section, checked against the emulator's independent model of
 * pfSense's receiver (applyRestore): every item predicted lost is really gone or changed after
 * the restore, and every item predicted kept is still there.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { leaf, toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { applyRestore } from "../../sdk/emulator/receiverSemantics";
import { profileFor } from "../../sdk/emulator/profiles";
import type { SyncArea } from "../../sdk/plan/model";
import { secondaryLosses } from "../../sdk/pfsense/syncLosses";
import { senderPayload } from "../../sdk/pfsense/syncSender";

const lines = (primary: PhpStruct, secondary: PhpStruct, areas: SyncArea[], adminSync = false) =>
  secondaryLosses(senderPayload(primary, areas), secondary, adminSync).map(
    (l) => `${l.section}: ${l.kind} ${l.identity} (${l.fate})`,
  );

/** The secondary after pfSense's receiver applied the payload (the emulator's model). */
const restored = (primary: PhpStruct, secondary: PhpStruct, areas: SyncArea[]) =>
  applyRestore(secondary, senderPayload(primary, areas), profileFor("2.7.2")).config;

const iface = (opts: PhpStruct = {}): PhpStruct => ({
  enable: "",
  range: { from: "192.168.99.100", to: "192.168.99.199" },
  ...opts,
});

test("dhcpd: a secondary-only interface and static mapping are named; identical settings are not", () => {
  const map = { mac: "00:11:22:33:44:55", ipaddr: "192.168.99.20", descr: "printer" };
  const primary = { dhcpd: { lan: iface() } };
  const secondary = { dhcpd: { lan: iface({ staticmap: [map] }), opt2: iface() } };
  assert.deepEqual(lines(primary, secondary, ["dhcpd"]), [
    "dhcpd: DHCP server opt2 (deleted)",
    "dhcpd: DHCP static mapping lan 00:11:22:33:44:55 (deleted)",
  ]);
  const after = toStruct(restored(primary, secondary, ["dhcpd"]).dhcpd);
  assert.equal(after.opt2, undefined);
  assert.equal(toList(toStruct(after.lan).staticmap).length, 0);
});

test("dhcpd: the primary's failover peer arrives rewritten to its own address, so a secondary pointing at the primary loses nothing", () => {
  const primary = {
    interfaces: { lan: { ipaddr: "192.168.99.1", subnet: "24" } },
    dhcpd: { lan: iface({ failover_peerip: "192.168.99.2" }) },
  };
  const secondary = { dhcpd: { lan: iface({ failover_peerip: "192.168.99.1" }) } };
  assert.deepEqual(lines(primary, secondary, ["dhcpd"]), []);
});

test("gateways merge per child: a secondary-only gateway group survives unless the primary sends groups", () => {
  const group = { name: "WANFAIL", item: ["WAN_DHCP|1|address"] };
  const secondary = { gateways: { gateway_item: [], gateway_group: [group] } };
  const noGroups = { gateways: { gateway_item: [] } };
  assert.deepEqual(lines(noGroups, secondary, ["staticroutes"]), []);
  assert.equal(toList(toStruct(restored(noGroups, secondary, ["staticroutes"]).gateways).gateway_group).length, 1); // prettier-ignore
  const otherGroup = { gateways: { gateway_group: [{ name: "LANFAIL" }] } };
  assert.deepEqual(lines(otherGroup, secondary, ["staticroutes"]), [
    "gateways: gateway group WANFAIL (deleted)",
  ]);
});

test("virtualip: the secondary's own plain IP alias and proxy ARP stay; a lo0 IP alias and an 'other' VIP go", () => {
  const vips = [
    { mode: "ipalias", interface: "lan", subnet: "192.168.99.77", subnet_bits: "24" },
    { mode: "proxyarp", interface: "wan", subnet: "192.168.1.77", subnet_bits: "32" },
    { mode: "ipalias", interface: "lo0", subnet: "10.255.0.1", subnet_bits: "32" },
    { mode: "other", interface: "wan", subnet: "192.168.1.78", subnet_bits: "32" },
  ];
  const secondary = { virtualip: { vip: vips } };
  assert.deepEqual(lines({}, secondary, ["virtualip"]), [
    "virtualip: ipalias VIP ipalias lo0 10.255.0.1 (deleted)",
    "virtualip: other VIP other wan 192.168.1.78 (deleted)",
  ]);
  const kept = toList(toStruct(restored({}, secondary, ["virtualip"]).virtualip).vip);
  assert.deepEqual(kept.map((v) => leaf(toStruct(v).subnet)).sort(), [
    "192.168.1.77",
    "192.168.99.77",
  ]);
});

test("users: a secondary-only user is deleted, a differing admin is spared unless adminSync, a differing admins group is replaced", () => {
  const admin = (hash: string) => ({ name: "admin", uid: "0", "bcrypt-hash": hash });
  const admins = (member: string[]) => ({ name: "admins", gid: "1999", member });
  const primary = { system: { user: [admin("$2y$p")], group: [admins(["0"])], nextuid: "2000" } };
  const secondary = {
    system: {
      user: [admin("$2y$s"), { name: "ops", uid: "2001", descr: "on-call" }],
      group: [admins(["0", "2001"])],
    },
  };
  assert.deepEqual(lines(primary, secondary, ["users"]), [
    "system: group admins (replaced)",
    "system: user ops (deleted)",
  ]);
  assert.deepEqual(lines(primary, secondary, ["users"], true), [
    "system: group admins (replaced)",
    "system: user admin (replaced)",
    "system: user ops (deleted)",
  ]);
});

test("authservers: the secondary's LDAP server goes when the primary has none (system/authserver replaced whole)", () => {
  const secondary = { system: { authserver: [{ name: "corp-ldap", type: "ldap" }] } };
  assert.deepEqual(lines({ system: {} }, secondary, ["authservers"]), [
    "system: authentication server corp-ldap (deleted)",
  ]);
});

test("nat: section settings the secondary holds differently are named by path, never by value", () => {
  const primary = { nat: { outbound: { mode: "automatic" } } };
  const secondary = { nat: { outbound: { mode: "hybrid" } } };
  assert.deepEqual(lines(primary, secondary, ["nat"]), ["nat: settings outbound/mode (replaced)"]);
});
