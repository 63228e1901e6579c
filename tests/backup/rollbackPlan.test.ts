/**
 * The rollback preview's diff (sdk/backup/rollbackPlan.ts), the payload it writes
 * (rollbackPayload) and the state reader (stackRecord.ts), on hand-made sections.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { PhpStruct } from "../../sdk/codec/phpValue";
import {
  contentDigest,
  formatSectionPlans,
  planNode,
  planSection,
  sectionsEqual,
} from "../../sdk/backup/rollbackPlan";
import { rollbackPayload, syncedByPrimary } from "../../sdk/backup/rollback";
import type { NodeSnapshot } from "../../sdk/backup/snapshot";
import { backupsOfDeployment, exportedPlain } from "../../sdk/backup/stackRecord";
import { isHaError } from "../../sdk/plan/errors";

const carp = (over: PhpStruct = {}): PhpStruct => ({
  mode: "carp",
  interface: "lan",
  vhid: "1",
  advskew: "0",
  advbase: "1",
  password: "carp-secret-1",
  uniqid: "6900aaaa00001",
  descr: "LAN CARP VIP",
  type: "single",
  subnet_bits: "24",
  subnet: "192.168.99.254",
  ...over,
});

const snapshot = (sections: NodeSnapshot["sections"]): NodeSnapshot => ({
  revision: { time: 1700000000, description: "before", username: "admin" },
  configVersion: "23.3",
  productVersion: "2.7.2-RELEASE",
  sections,
});

describe("rollback preview: virtualip", () => {
  test("an added VIP is removed, a changed skew reverted, matched by uniqid", () => {
    const back = { vip: [carp()] };
    const now = {
      vip: [
        carp({ advskew: "10" }),
        carp({ uniqid: "6900bbbb00002", vhid: "2", subnet: "192.168.99.253", descr: "extra" }),
      ],
    };
    const p = planSection("virtualip", now, back);
    assert.equal(p.changed, true);
    assert.deepEqual(
      p.items.map((i) => [
        i.action,
        i.item,
        i.fields.map((f) => `${f.field} ${f.now} -> ${f.back}`),
      ]),
      [
        ["revert", 'CARP VIP 192.168.99.254/24 vhid 1@lan "LAN CARP VIP"', ["advskew 10 -> 0"]],
        ["remove", 'CARP VIP 192.168.99.253/24 vhid 2@lan "extra"', []],
      ],
    );
  });

  test("a VIP without uniqid is matched by vhid@interface; a removed one is restored", () => {
    const a = carp({ uniqid: "" });
    const b = carp({ uniqid: "", vhid: "5", subnet: "192.168.99.200" });
    const p = planSection("virtualip", { vip: [a] }, { vip: [a, b] });
    assert.deepEqual(
      p.items.map((i) => [i.action, i.item]),
      [["restore", 'CARP VIP 192.168.99.200/24 vhid 5@lan "LAN CARP VIP"']],
    );
  });

  test("VIP order alone is no change (restore re-orders the kept VIPs)", () => {
    const a = carp();
    const b = carp({ uniqid: "6900cccc00003", vhid: "3", subnet: "192.168.99.3" });
    assert.equal(sectionsEqual("virtualip", { vip: [a, b] }, { vip: [b, a] }), true);
    assert.equal(planSection("virtualip", { vip: [a, b] }, { vip: [b, a] }).changed, false);
  });

  test("a changed CARP password is shown masked, never in clear", () => {
    const p = planSection(
      "virtualip",
      { vip: [carp({ password: "new-secret-2" })] },
      { vip: [carp()] },
    );
    const text = formatSectionPlans([p]).join("\n");
    assert.match(text, /password \(secret\) -> \(secret, recorded\)/);
    assert.equal(text.includes("carp-secret-1"), false);
    assert.equal(text.includes("new-secret-2"), false);
  });
});

describe("rollback preview: secrets", () => {
  test("a secret nested in a value that appears or goes away is masked too", () => {
    const now = { lan: { enable: "", ddns: { ddnsdomainkey: "tsig-secret", name: "x" } } };
    const back = { lan: { enable: "" } };
    const text = formatSectionPlans([planSection("dhcpd", now, back)]).join("\n");
    assert.match(text, /ddns \{"ddnsdomainkey":"\(secret\)","name":"x"\} -> \(absent\)/);
    assert.equal(text.includes("tsig-secret"), false);
  });
});

describe("rollback preview: other sections", () => {
  test("openvpn servers by vpnid and IPsec phase 1 by ikeid, their keys masked", () => {
    const server = (iface: string) => ({ vpnid: "1", interface: iface, tls: "static-key-text" });
    const now = { "openvpn-server": [server("_vipabc"), { vpnid: "2", interface: "lan" }] };
    const back = { "openvpn-server": [server("wan")] };
    const ipsecNow = {
      phase1: [{ ikeid: "3", interface: "_vipabc", "pre-shared-key": "psk-text" }],
    };
    const ipsecBack = { phase1: [{ ikeid: "3", interface: "wan", "pre-shared-key": "psk-text" }] };
    const text = formatSectionPlans([
      planSection("openvpn", now, back),
      planSection("ipsec", ipsecNow, ipsecBack),
    ]).join("\n");
    assert.match(text, /revert +OpenVPN server 1: interface _vipabc -> wan/);
    assert.match(text, /remove +OpenVPN server 2/);
    assert.match(text, /revert +IPsec phase 1 3: interface _vipabc -> wan/);
    assert.equal(/static-key-text|psk-text/.test(text), false, text);
  });

  test("nat: outbound rule by the library's marker, mode, and port forwards by tracker", () => {
    const rule = (id: string, target: string): PhpStruct => ({
      source: { network: "192.168.99.0/24" },
      target,
      interface: "wan",
      descr: `rule ${id}`,
      created: { time: "1", username: `pulumi-pfsense-ha:${id}` },
    });
    const back = {
      outbound: { mode: "automatic", rule: [rule("nat-a", "192.168.1.100")] },
      rule: [],
    };
    const now = {
      outbound: {
        mode: "hybrid",
        rule: [rule("nat-a", "192.168.1.101"), rule("nat-b", "192.168.1.100")],
      },
      rule: [{ tracker: "77", descr: "ssh in" }],
    };
    const items = planSection("nat", now, back).items.map((i) => `${i.action} ${i.item}`);
    assert.deepEqual(items, [
      "revert outbound NAT mode",
      'revert outbound rule #1 "rule nat-a"',
      'remove outbound rule #2 "rule nat-b"',
      'remove port forward #1 "ssh in"',
    ]);
  });

  test("dhcpd per interface; hasync members; unchanged sections say so", () => {
    const back: NodeSnapshot["sections"] = {
      dhcpd: { lan: { enable: "", range: { from: "192.168.99.10", to: "192.168.99.99" } } },
      hasync: { pfsyncenabled: "on", password: "sync-secret" },
      filter: { rule: [{ tracker: "1", descr: "a" }] },
    };
    const now: PhpStruct = {
      dhcpd: {
        lan: { enable: "", range: { from: "192.168.99.10", to: "192.168.99.120" } },
        opt2: { enable: "" },
      },
      hasync: { pfsyncenabled: "on", password: "sync-secret", synchronizetoip: "172.16.1.2" },
      filter: { rule: [{ tracker: "1", descr: "a" }] },
    };
    const lines = formatSectionPlans(planNode(snapshot(back), now));
    assert.deepEqual(lines, [
      "  virtualip: unchanged",
      "  hasync:",
      "    ~ revert  HA sync settings: synchronizetoip 172.16.1.2 -> (absent)",
      "  nat: unchanged",
      "  dhcpd:",
      "    ~ revert  DHCP server on lan: range.to 192.168.99.120 -> 192.168.99.99",
      "    - remove  DHCP server on opt2",
      "  filter: unchanged",
      "  kea: unchanged",
      "  kea6: unchanged",
      "  openvpn: unchanged",
      "  ipsec: unchanged",
    ]);
  });

  test("an absent section and an empty one are the same", () => {
    assert.equal(sectionsEqual("nat", undefined, ""), true);
    assert.equal(sectionsEqual("kea", {}, undefined), true);
    assert.equal(planSection("filter", [], undefined).changed, false);
  });

  test("the digest moves with the sections a rollback reads, not with others", () => {
    const base: PhpStruct = {
      interfaces: { lan: { ipaddr: "192.168.99.1" } },
      virtualip: { vip: [carp()] },
    };
    const d = contentDigest(base);
    assert.equal(contentDigest({ ...base, aliases: { alias: [{ name: "x" }] } }), d);
    assert.notEqual(contentDigest({ ...base, virtualip: { vip: [carp({ advskew: "7" })] } }), d);
  });
});

describe("rollback payload", () => {
  test("full-replace sections whole, merged ones with false for dropped members", () => {
    const snap = snapshot({
      nat: { outbound: { mode: "automatic" } },
      hasync: { pfsyncenabled: "on" },
      virtualip: { vip: [carp()] },
    });
    const current: PhpStruct = {
      nat: { outbound: { mode: "hybrid", rule: [{ target: "x" }] } },
      hasync: { pfsyncenabled: "on", synchronizetoip: "172.16.1.2", password: "p" },
      virtualip: { vip: [carp({ advskew: "10" })] },
      dhcpd: { lan: { enable: "" } },
    };
    const p = rollbackPayload(
      snap,
      current,
      ["nat", "hasync", "virtualip", "dhcpd"],
      "node primary",
    );
    assert.deepEqual(p.nat, { outbound: { mode: "automatic" } });
    assert.deepEqual(p.hasync, { pfsyncenabled: "on", synchronizetoip: false, password: false });
    assert.equal((p.virtualip as { vip: PhpStruct[] }).vip[0].advskew, "0");
    assert.deepEqual(p.dhcpd, [], "a section the node lacked before goes back empty");
  });

  test("the sections the primary's own sync carries", () => {
    const primary: PhpStruct = {
      hasync: { synchronizetoip: "172.16.1.2", synchronizevirtualip: "on", synchronizenat: "on" },
    };
    assert.deepEqual([...syncedByPrimary(primary)].sort(), ["nat", "virtualip"]);
    assert.deepEqual([...syncedByPrimary({ hasync: { synchronizevirtualip: "on" } })], []);
  });
});

describe("the stack's record", () => {
  const SIG = "4dabf18193072939515e22adb298388d";
  const SECRET = "1b47061264138c4ac30d75fd1eb44270";
  const shown = (v: unknown) => ({ [SIG]: SECRET, plaintext: JSON.stringify(v) });
  const endpoint = { url: "https://10.0.0.1", username: "admin", password: "pw" };
  const providerUrn = "urn:pulumi:dev::site::pulumi:providers:pfsense-ha::cluster";
  const deployment = (snapshotValue: unknown) => ({
    resources: [
      {
        urn: providerUrn,
        type: "pulumi:providers:pfsense-ha",
        id: "p1",
        inputs: {
          primary: shown(endpoint),
          secondary: shown({ ...endpoint, url: "https://10.0.0.2" }),
          syncWaitSeconds: 3,
        },
      },
      {
        urn: "urn:pulumi:dev::site::pfsense-ha:index:ClusterBackupConfig::cluster-backup",
        type: "pfsense-ha:index:ClusterBackupConfig",
        provider: `${providerUrn}::p1`,
        inputs: { name: "cluster-backup", snapshot: snapshotValue },
      },
    ],
  });

  test("reads the snapshot and the provider's endpoints from an export with secrets shown", () => {
    const snap = { takenAt: "t", primary: snapshot({}), secondary: snapshot({}) };
    const [b] = backupsOfDeployment(deployment(shown(snap)), "dev");
    assert.equal(b.name, "cluster-backup");
    assert.equal(b.primary.url, "https://10.0.0.1");
    assert.equal(b.secondary.url, "https://10.0.0.2");
    assert.equal(b.syncWaitMs, 3000);
    assert.deepEqual(b.snapshot, snap);
  });

  test("an export with ciphertext only, or no record, is E_ROLLBACK_NO_BACKUP", () => {
    assert.throws(
      () => exportedPlain({ [SIG]: SECRET, ciphertext: "v1:abc" }),
      (e: unknown) => isHaError(e, "E_ROLLBACK_NO_BACKUP"),
    );
    assert.throws(
      () => backupsOfDeployment({ resources: [] }, "dev"),
      (e: unknown) =>
        isHaError(e, "E_ROLLBACK_NO_BACKUP") && /holds no pfsense-ha backup/.test(String(e)),
    );
  });
});
