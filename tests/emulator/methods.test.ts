import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { parseConfigXml } from "../../sdk/codec/configXml";
import { PHP_SNIPPETS } from "../../sdk/codec/phpSnippets";
import type { PhpStruct } from "../../sdk/codec/phpValue";
import { hashPassword, startNode, type EmulatedNode } from "../../sdk/emulator";
import { call, carpVip, rawPost, realisticConfigXml, tempDir } from "./helpers";

const PW = "pw-methods";

/** Asserts every top-level section except `except` (and revision) is unchanged, item for item. */
function assertUntouched(before: PhpStruct, after: PhpStruct, except: string[]): void {
  const skip = new Set([...except, "revision"]);
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (skip.has(k)) continue;
    assert.deepEqual(after[k], before[k], `section ${k} must be unchanged`);
  }
}

describe("methods and receiver semantics on a realistic config (§4, §5)", () => {
  let node: EmulatedNode;
  const rpc = (m: string, p: unknown[], h: Record<string, string> = {}) =>
    call(node, "admin", PW, m, p, h);
  beforeEach(async () => {
    await node?.stop();
    node = await startNode({
      dir: tempDir("methods"),
      configXml: realisticConfigXml("secondary"),
      adminPassword: PW,
      allowSourceIpHeader: true,
    });
  });
  after(() => node.stop());

  it("host_firmware_version returns the §4.1 struct for 2.7.2", async () => {
    assert.deepEqual(await rpc("pfsense.host_firmware_version", ["", 240]), {
      firmware: { version: "2.7.2-RELEASE" },
      kernel: { version: "14.0" },
      base: { version: "14.0" },
      platform: "pfSense",
      config_version: "23.3",
    });
  });

  it("backup_config_section: existing sections in config order, unknown names omitted, none → empty array, empty section → ''", async () => {
    const v = (await rpc("pfsense.backup_config_section", [
      ["nat", "nosuch", "interfaces"],
    ])) as PhpStruct;
    assert.deepEqual(Object.keys(v), ["interfaces", "nat"]);
    assert.deepEqual(v.nat, node.config().nat);
    assert.deepEqual(await rpc("pfsense.backup_config_section", [["nosuch"]]), []);
    assert.deepEqual(await rpc("pfsense.backup_config_section", [[]]), []);
    assert.deepEqual(await rpc("pfsense.backup_config_section", [["staticroutes"]]), {
      staticroutes: "",
    });
  });

  it("restore virtualip: list replaced, local plain IP alias and proxy ARP kept and prepended in reverse, other VIP dropped, nothing else touched", async () => {
    const before = node.config();
    const sent = [
      carpVip("wan", 1, "192.168.1.254", "6500000000001", "100"),
      carpVip("lan", 2, "192.168.99.254", "6500000000002", "100"),
    ];
    assert.equal(
      await rpc("pfsense.restore_config_section", [{ virtualip: { vip: sent } }, 900], {
        "X-Emulator-Source-Ip": "172.16.1.1",
      }),
      true,
    );
    const after = node.config();
    const vips = (after.virtualip as PhpStruct).vip as PhpStruct[];
    const local = ((before.virtualip as PhpStruct).vip as PhpStruct[]).filter(
      (v) => (v.mode === "ipalias" && v.interface === "wan") || v.mode === "proxyarp",
    );
    assert.deepEqual(vips, [local[1], local[0], ...sent]);
    assert.ok(!vips.some((v) => v.mode === "other"));
    assertUntouched(before, after, ["virtualip"]);
    assert.deepEqual(after.revision, {
      time: (after.revision as PhpStruct).time,
      description: "(system)@172.16.1.1: Merged in config (virtualip sections) from XMLRPC client.",
      username: "(system)@172.16.1.1",
    });
  });

  it("restore nat: the whole section is replaced (port forwards and 1:1 gone), everything else unchanged", async () => {
    const before = node.config();
    const nat = {
      outbound: {
        mode: "advanced",
        rule: [
          {
            source: { network: "192.168.99.0/24" },
            target: "192.168.1.254",
            interface: "wan",
            destination: { any: "" },
          },
        ],
      },
    };
    await rpc("pfsense.restore_config_section", [{ nat }, 900]);
    const after = node.config();
    assert.deepEqual(after.nat, nat);
    assertUntouched(before, after, ["nat"]);
    assert.match(
      String((after.revision as PhpStruct).description),
      /Merged in config \(nat sections\) from XMLRPC client\.$/,
    );
  });

  it("restore with several sections: message lists merged keys in payload order then full-replace sections in list order", async () => {
    await rpc("pfsense.restore_config_section", [
      { nat: "", virtualip: { vip: [] }, filter: "", hasync: { pfsyncenabled: "on" }, dhcpd: "" },
      900,
    ]);
    assert.match(
      String((node.config().revision as PhpStruct).description),
      /Merged in config \(virtualip, hasync, dhcpd, filter, nat sections\)/,
    );
  });

  it('restore a full-replace section as an empty array removes it; "" leaves an empty element', async () => {
    // util.inc array_merge_recursive_unique() creates a key only while looping over its children.
    const before = node.config();
    await rpc("pfsense.restore_config_section", [{ dhcpd: [] }, 900]);
    const after = node.config();
    assert.equal(Object.prototype.hasOwnProperty.call(after, "dhcpd"), false);
    assert.doesNotMatch(readFileSync(node.configPath, "utf8"), /<dhcpd[ >/]/);
    assertUntouched(before, after, ["dhcpd"]);
    await rpc("pfsense.restore_config_section", [{ dhcpd: "" }, 900]);
    assert.equal(node.config().dhcpd, "");
  });

  it("a merged (not full-replaced) section sent as an empty array leaves the local one alone", async () => {
    const before = node.config();
    assert.ok(before.system);
    await rpc("pfsense.restore_config_section", [{ system: [] }, 900]);
    assert.deepEqual(node.config().system, before.system);
  });

  it("restore hasync: two-level merge; boolean false deletes a child, other children stay", async () => {
    await rpc("pfsense.restore_config_section", [
      { hasync: { pfsyncenabled: "on", pfsyncinterface: "opt1", pfsyncpeerip: "172.16.1.1" } },
      900,
    ]);
    await rpc("pfsense.restore_config_section", [
      { hasync: { pfsyncpeerip: false, pfhostid: "2" } },
      900,
    ]);
    assert.deepEqual(node.config().hasync, {
      pfsyncenabled: "on",
      pfsyncinterface: "opt1",
      pfhostid: "2",
    });
  });

  it("restore with an empty vip list keeps only the node's own plain aliases/proxy ARP", async () => {
    await rpc("pfsense.restore_config_section", [{ virtualip: { vip: [] } }, 900]);
    const modes = ((node.config().virtualip as PhpStruct).vip as PhpStruct[]).map((v) => v.mode);
    assert.deepEqual(modes, ["proxyarp", "ipalias"]);
  });

  it("restore users and groups: add/delete sets by name, low ids kept local, second revision written", async () => {
    const cfg = node.config();
    const sys = cfg.system as PhpStruct;
    const remoteUsers = [
      { ...(sys.user as PhpStruct[])[0], descr: "changed on primary" },
      {
        name: "hasync",
        scope: "user",
        "bcrypt-hash": hashPassword("x"),
        uid: "2000",
        priv: ["system-xmlrpc-ha-sync"],
      },
    ];
    const revisionsBefore = node.revisions.length;
    await rpc("pfsense.restore_config_section", [
      { system: { user: remoteUsers, group: sys.group, nextuid: "2001" } },
      900,
    ]);
    const after = node.config().system as PhpStruct;
    const users = after.user as PhpStruct[];
    assert.deepEqual(
      users.map((u) => u.name),
      ["admin", "hasync"],
    );
    assert.equal(
      users[0].descr,
      "System Administrator",
      "uid < 2000 stays local without adminsync",
    );
    assert.equal(after.nextuid, "2001");
    const descs = node.revisions.slice(revisionsBefore).map((r) => r.description);
    assert.deepEqual(
      descs.map((d) => d.replace(/^\(system\)@[^:]+: /, "")),
      [
        "Merged in config (system sections) from XMLRPC client.",
        "Sync'd users and groups via XMLRPC",
      ],
    );
  });

  it("merge_config_section overlays only existing keys, at every depth", async () => {
    const before = node.config();
    await rpc("pfsense.merge_config_section", [
      { system: { hostname: "renamed", brandnew: "x" }, nosuchsection: { a: "b" } },
      240,
    ]);
    const after = node.config();
    assert.equal((after.system as PhpStruct).hostname, "renamed");
    assert.equal((after.system as PhpStruct).brandnew, undefined);
    assert.equal(after.nosuchsection, undefined);
    assertUntouched(before, after, ["system"]);
    assert.match(
      String((after.revision as PhpStruct).description),
      /Merged in config \(system, nosuchsection sections\) from XMLRPC client\.$/,
    );
  });

  it("merge_installedpackages_section: a PHP fatal without the section (2.7.2: HTTP 200 text/html); shallow merge with it", async () => {
    const body =
      '<?xml version="1.0"?><methodCall><methodName>pfsense.merge_installedpackages_section</methodName><params><param><value><struct><member><name>pkg</name><value>a</value></member></struct></value></param><param><value><int>240</int></value></param></params></methodCall>';
    const r = await rawPost(node.url, body, {
      Authorization: `Basic ${Buffer.from(`admin:${PW}`).toString("base64")}`,
    });
    assert.equal(r.status, 200);
    assert.match(r.body, /Fatal error: Uncaught TypeError: array_merge\(\)/);
    await rpc("pfsense.merge_config_section", [{}, 240]);
    const cfgWith = node.config();
    cfgWith.installedpackages = { keep: "1", pkg: "old" };
    node.writeConfigAs(cfgWith, "add packages section");
    await rpc("pfsense.merge_installedpackages_section", [{ pkg: "new" }, 240]);
    assert.deepEqual(node.config().installedpackages, { keep: "1", pkg: "new" });
  });

  it("exec_php: status snippet tells CARP truth; maintenance on/off writes config; unknown code returns true and is recorded", async () => {
    const status = (await rpc("pfsense.exec_php", [PHP_SNIPPETS.carpStatus, 240])) as PhpStruct;
    assert.deepEqual(status, {
      allow: true,
      demotion: 0,
      maintenance: false,
      vips: { "6500000000001": "MASTER", "6500000000002": "MASTER" },
      marker: "pfsense-ha:carp-status:1",
    });
    await rpc("pfsense.exec_php", [PHP_SNIPPETS.maintenanceOn, 240]);
    assert.equal(node.config().virtualip_carp_maintenancemode, "");
    assert.match(
      String((node.config().revision as PhpStruct).description),
      /Enter CARP maintenance mode$/,
    );
    assert.equal(
      ((await rpc("pfsense.exec_php", [PHP_SNIPPETS.carpStatus])) as PhpStruct).maintenance,
      true,
    );
    await rpc("pfsense.exec_php", [PHP_SNIPPETS.maintenanceOff, 240]);
    assert.equal(node.config().virtualip_carp_maintenancemode, undefined);
    assert.equal(await rpc("pfsense.exec_php", ["echo 1;", 240]), true);
    assert.deepEqual(node.execLog.at(-1), { kind: "php", code: "echo 1;", matched: false });
    node.registerExecPhp("$toreturn = 0;", () => 0);
    assert.equal(
      await rpc("pfsense.exec_php", ["$toreturn = 0;"]),
      true,
      "a falsy $toreturn comes back as true",
    );
  });

  it("exec_shell, interfaces_carp_configure and captive_portal_sync", async () => {
    assert.equal(await rpc("pfsense.exec_shell", ["/bin/true", 240]), true);
    assert.deepEqual(node.execLog.at(-1), { kind: "shell", code: "/bin/true", matched: false });
    node.setCarpAllowed(false);
    assert.equal(await rpc("pfsense.interfaces_carp_configure", ["", 240]), true);
    assert.equal(node.carpStatus().allow, true, "re-applying CARP VIPs re-enables CARP (§8.2)");
    assert.equal(
      await rpc("pfsense.captive_portal_sync", [{ op: "get_databases", zone: "x" }, 240]),
      false,
    );
  });

  it("every write lands atomically in config.xml with a revision and a backup of the previous config", async () => {
    const backupsBefore = readdirSync(path.join(node.dir, "backup")).length;
    await rpc("pfsense.restore_config_section", [{ hasync: { pfsyncenabled: "on" } }, 900]);
    const onDisk = parseConfigXml(readFileSync(node.configPath, "utf8"));
    assert.deepEqual(onDisk, node.config());
    assert.equal(readdirSync(path.join(node.dir, "backup")).length, backupsBefore + 1);
    const last = node.revisions.at(-1);
    assert.ok(last?.backupPath && existsSync(last.backupPath));
    assert.ok(!readdirSync(node.dir).some((f) => f.includes(".tmp-")), "no temp files left behind");
  });

  it("reboot returns true, the node is unreachable for a while, then serves the same config", async () => {
    const before = node.config();
    assert.equal(await rpc("pfsense.reboot", ["", 240]), true);
    await new Promise((r) => setTimeout(r, 200));
    await assert.rejects(rpc("pfsense.host_firmware_version", ["", 240]));
    for (let i = 0; i < 100 && !node.isRunning(); i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      ((await rpc("pfsense.backup_config_section", [["virtualip"]])) as PhpStruct).virtualip,
      before.virtualip,
    );
  });
});

describe("receiver version differences (§5.1 step 4, §12)", () => {
  let node: EmulatedNode;
  before(async () => {
    node = await startNode({
      dir: tempDir("v252"),
      version: "2.5.2",
      configXml: realisticConfigXml("secondary"),
      adminPassword: PW,
    });
  });
  after(() => node.stop());

  it("2.5.2 merges dhcrelay two-level (not in its full-replace list)", async () => {
    const cfg = node.config();
    cfg.dhcrelay = { enable: "", interface: "lan", server: "10.0.0.1" };
    node.writeConfigAs(cfg, "relay");
    await call(node, "admin", PW, "pfsense.restore_config_section", [
      { dhcrelay: { server: "10.0.0.2" } },
      900,
    ]);
    assert.deepEqual(node.config().dhcrelay, { enable: "", interface: "lan", server: "10.0.0.2" });
  });
});
