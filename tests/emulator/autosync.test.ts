import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { PhpStruct } from "../../sdk/codec/phpValue";
import { PHP_SNIPPETS } from "../../sdk/codec/phpSnippets";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import { call, carpVip, tempDir } from "./helpers";

const HASYNC_ON = (password: string): PhpStruct => ({
  pfsyncenabled: "on",
  pfsyncinterface: "opt1",
  synchronizetoip: "172.16.1.2",
  username: "admin",
  password,
  synchronizevirtualip: "on",
  synchronizenat: "on",
  synchronizedhcpd: "on",
  synchronizerules: "on",
});

describe("auto-sync primary → secondary (§6, §10.8)", () => {
  const pairs: EmulatedPair[] = [];
  after(async () => {
    for (const p of pairs) await p.stop();
  });

  it("a write on the primary appears on the secondary transformed per §6.4", async () => {
    const pair = await startPair({ dir: tempDir("sync"), autoSyncDelayMs: 20 });
    pairs.push(pair);
    const { primary, secondary } = pair;
    const pw = primary.password;
    const secondaryOwn = {
      mode: "ipalias",
      interface: "wan",
      descr: "secondary only",
      type: "single",
      subnet_bits: "24",
      subnet: "192.168.1.242",
    };
    await call(secondary, "admin", pw, "pfsense.restore_config_section", [
      { virtualip: { vip: [secondaryOwn] } },
      900,
    ]);
    const vips = [
      carpVip("wan", 1, "192.168.1.254", "65a000000001", "0"),
      carpVip("lan", 2, "192.168.99.254", "65a000000002", "200"),
      { ...carpVip("wan", 3, "192.168.1.253", "65a000000003", "10"), advbase: "255" },
      {
        mode: "ipalias",
        interface: "_vip65a000000001",
        uniqid: "65a000000004",
        descr: "stacked",
        type: "single",
        subnet_bits: "24",
        subnet: "192.168.1.250",
      },
      {
        mode: "ipalias",
        interface: "wan",
        uniqid: "65a000000005",
        descr: "primary only",
        type: "single",
        subnet_bits: "24",
        subnet: "192.168.1.241",
      },
      {
        mode: "other",
        interface: "wan",
        descr: "routed",
        type: "single",
        subnet_bits: "32",
        subnet: "198.51.100.7",
      },
    ];
    const nat = {
      outbound: {
        mode: "hybrid",
        rule: [
          {
            source: { network: "192.168.99.0/24" },
            target: "192.168.1.254",
            interface: "wan",
            destination: { any: "" },
            descr: "synced",
          },
          {
            source: { network: "10.9.0.0/24" },
            target: "wanip",
            interface: "wan",
            destination: { any: "" },
            descr: "primary only",
            nosync: "",
          },
          {
            source: { network: "10.8.0.0/24" },
            target: "wanip",
            interface: "wan",
            destination: { any: "" },
            descr: "third",
          },
        ],
      },
    };
    const dhcpd = {
      lan: {
        enable: "",
        range: { from: "192.168.99.100", to: "192.168.99.199" },
        failover_peerip: "192.168.99.2",
      },
    };
    await call(primary, "admin", pw, "pfsense.restore_config_section", [
      { virtualip: { vip: vips }, nat, dhcpd, hasync: HASYNC_ON(pw) },
      900,
    ]);
    await primary.syncIdle();
    const s = secondary.config();
    const sv = (s.virtualip as PhpStruct).vip as PhpStruct[];
    assert.deepEqual(
      sv.map((v) => [v.mode, v.descr, v.advskew, v.advbase]),
      [
        ["ipalias", "secondary only", undefined, undefined],
        ["carp", "wan CARP 1", "100", "1"],
        ["carp", "lan CARP 2", "254", "1"],
        ["carp", "wan CARP 3", "110", "254"],
        ["ipalias", "stacked", undefined, undefined],
        ["other", "routed", undefined, undefined],
      ],
    );
    assert.equal(sv[1].uniqid, "65a000000001", "uniqids are kept so _vip references stay valid");
    const rules = ((s.nat as PhpStruct).outbound as PhpStruct).rule as PhpStruct[];
    assert.deepEqual(
      rules.map((r) => r.descr),
      ["synced", "third"],
      "nosync rules stay on the primary",
    );
    assert.equal(((s.dhcpd as PhpStruct).lan as PhpStruct).failover_peerip, "192.168.99.1");
    assert.equal(
      ((primary.config().dhcpd as PhpStruct).lan as PhpStruct).failover_peerip,
      "192.168.99.2",
    );
    assert.equal(
      (s.hasync as PhpStruct | undefined)?.synchronizetoip,
      undefined,
      "hasync is never sent (no adminsync)",
    );
    const rev = s.revision as PhpStruct;
    assert.equal(rev.username, "(system)@172.16.1.1");
    assert.equal(
      rev.description,
      "(system)@172.16.1.1: Merged in config (virtualip, dhcpd, filter, nat, schedules sections) from XMLRPC client.",
      "synchronizerules also sends schedules (empty when missing)",
    );
    assert.ok(
      primary.syncLog.includes(
        "XMLRPC sync successfully completed with https://172.16.1.2:443/xmlrpc.php.",
      ),
    );
    // CARP truth across the pair: primary MASTER on skew 0 VIP, secondary BACKUP.
    assert.equal(primary.carpStatus().vips["65a000000001"], "MASTER");
    assert.equal(secondary.carpStatus().vips["65a000000001"], "BACKUP");
  });

  it("a config-version mismatch means no sync and the pfSense log message", async () => {
    const pair = await startPair({
      dir: tempDir("sync-ver"),
      secondaryVersion: "2.6.0",
      autoSyncDelayMs: 20,
    });
    pairs.push(pair);
    const { primary, secondary } = pair;
    const before = secondary.config();
    await call(primary, "admin", primary.password, "pfsense.restore_config_section", [
      {
        virtualip: { vip: [carpVip("wan", 1, "192.168.1.254", "65b000000001")] },
        hasync: HASYNC_ON(primary.password),
      },
      900,
    ]);
    await primary.syncIdle();
    assert.deepEqual(secondary.config(), before);
    assert.ok(primary.syncLog.includes("XMLRPC versioncheck: 22.2 -- 23.3"));
    assert.ok(
      primary.syncLog.includes(
        "The other member is on a different configuration version of pfSense. Sync will not be done to prevent problems!",
      ),
    );
  });

  it("a wrong sync password: retries, then a sync_settings notice; an unmapped sync IP is never dialled", async () => {
    const pair = await startPair({
      dir: tempDir("sync-fail"),
      autoSyncDelayMs: 20,
      syncRetryPauseMs: 10,
    });
    pairs.push(pair);
    const { primary, secondary } = pair;
    const authBefore = secondary.authLog.length;
    await call(primary, "admin", primary.password, "pfsense.restore_config_section", [
      { hasync: { ...HASYNC_ON("wrong") } },
      900,
    ]);
    await primary.syncIdle();
    assert.equal(secondary.authLog.length - authBefore, 4, "2.6+: four attempts");
    const notices = primary.listNotices().filter((n) => n.id === "sync_settings");
    assert.equal(notices.filter((n) => n.category === "Communications error occurred").length, 4);
    assert.equal(notices.filter((n) => n.category === "XMLRPC Error").length, 1);
    // xmlrpc_client.inc: the final notice is the last error's bare text, at file_notice's default
    // priority 1 (its 4th argument is the URL), like every attempt's.
    const final = notices.find((n) => n.category === "XMLRPC Error");
    assert.equal(
      final?.notice,
      "Exception calling XMLRPC method host_firmware_version #-1 : Authentication failed: Invalid username or password",
    );
    assert.deepEqual([...new Set(notices.map((n) => n.priority))], ["1"]);
    // The shared snippet reads every notice and keeps id sync_settings (get_notices() filters by category).
    const viaSnippet = (await call(primary, "admin", primary.password, "pfsense.exec_php", [
      PHP_SNIPPETS.syncNotices,
      240,
    ])) as PhpStruct;
    assert.deepEqual(
      (viaSnippet.notices as PhpStruct[]).map((n) => [n.id, n.category, n.notice]),
      notices.map((n) => [n.id, n.category, n.notice]),
    );
    await call(primary, "admin", primary.password, "pfsense.restore_config_section", [
      { hasync: { ...HASYNC_ON(primary.password), synchronizetoip: "172.16.1.99" } },
      900,
    ]);
    await primary.syncIdle();
    assert.match(primary.syncLog.at(-1) ?? "", /no route to host/);
    assert.equal(primary.listNotices().filter((n) => n.category === "XMLRPC Error").length, 2);
  });

  it("honours hasync/new_password after a successful sync (§6.2 step 8)", async () => {
    const pair = await startPair({
      dir: tempDir("sync-newpw"),
      autoSyncDelayMs: 20,
      syncRetryPauseMs: 10,
    });
    pairs.push(pair);
    const { primary } = pair;
    await call(primary, "admin", primary.password, "pfsense.restore_config_section", [
      { hasync: { ...HASYNC_ON(primary.password), new_password: "next-pass" } },
      900,
    ]);
    await primary.syncIdle();
    const h = primary.config().hasync as PhpStruct;
    assert.equal(h.password, "next-pass");
    assert.equal(h.new_password, undefined);
    assert.ok(
      primary.revisions.some((r) => r.description === "(system): Update XMLRPC sync password."),
    );
  });

  it("2.5.2 sender: two attempts without a pause, a notice for each failed attempt", async () => {
    const pair = await startPair({
      dir: tempDir("sync-252"),
      version: "2.5.2",
      autoSyncDelayMs: 20,
    });
    pairs.push(pair);
    const { primary, secondary } = pair;
    const authBefore = secondary.authLog.length;
    await call(primary, "admin", primary.password, "pfsense.restore_config_section", [
      { hasync: HASYNC_ON("wrong") },
      900,
    ]);
    await primary.syncIdle();
    assert.equal(secondary.authLog.length - authBefore, 2);
    const cats = primary
      .listNotices()
      .filter((n) => n.id === "sync_settings")
      .map((n) => n.category);
    // 2.5.2's xmlrpc_client.inc has no final "XMLRPC Error" notice (added in 2.6.0).
    assert.deepEqual(cats, ["Error code received", "Error code received"]);
    assert.ok(
      !primary.syncLog.some((l) => l.startsWith("Retrying")),
      "no Retrying log line before 2.6",
    );
  });
});
