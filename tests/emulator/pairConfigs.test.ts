/**
 * A pair started from two config.xml files of its own (PairOptions.primaryConfig* /
 * secondaryConfig*): each node serves its own file, and the auto-sync between them works.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { pairNodeConfigXml, startPair, type EmulatedPair } from "../../sdk/emulator";
import { call, CUSTOM_PAIR_PASSWORD, customMemberXml, tempDir } from "./helpers";

const PW = CUSTOM_PAIR_PASSWORD;

async function sections(
  ep: { url: string; caCertPem?: string },
  names: string[],
): Promise<PhpStruct> {
  return (await call(ep, "admin", PW, "pfsense.backup_config_section", [names])) as PhpStruct;
}

function vipDescrs(s: PhpStruct): string[] {
  return toList(toStruct(s.virtualip).vip).map((v) => String(toStruct(v).descr));
}

describe("startPair from two config.xml files", () => {
  const pairs: EmulatedPair[] = [];
  after(async () => {
    for (const p of pairs) await p.stop();
  });

  it("each node serves its own file (text for one, path for the other) and sync works", async () => {
    const dir = tempDir("pair-configs");
    const secondaryFile = path.join(dir, "secondary-config.xml");
    writeFileSync(secondaryFile, customMemberXml("secondary", "8443"));
    const pair = await startPair({
      dir,
      adminPassword: PW,
      autoSyncDelayMs: 20,
      syncRetryPauseMs: 10,
      primaryConfigXml: customMemberXml("primary", "8443"),
      secondaryConfigFile: secondaryFile,
    });
    pairs.push(pair);
    const p = await sections(pair.primary, ["system", "virtualip"]);
    const s = await sections(pair.secondary, ["system", "virtualip"]);
    assert.equal(toStruct(p.system).hostname, "edge-a");
    assert.equal(toStruct(s.system).hostname, "edge-b");
    assert.equal(toStruct(toStruct(s.system).webgui).port, "8443");
    assert.deepEqual(vipDescrs(p), ["lan CARP 7", "primary own"]);
    assert.deepEqual(vipDescrs(s), ["secondary own"]);

    // A write on the primary: the sync pushes it and the CARP VIP; the secondary keeps its own.
    const alias = { name: "web_servers", type: "host", address: "192.168.99.80", descr: "" };
    await call(pair.primary, "admin", PW, "pfsense.restore_config_section", [
      { aliases: { alias: [alias] } },
      900,
    ]);
    await pair.primary.syncIdle();
    const after = await sections(pair.secondary, ["aliases", "virtualip"]);
    assert.equal(toStruct(toList(toStruct(after.aliases).alias)[0]).name, "web_servers");
    assert.deepEqual(vipDescrs(after), ["secondary own", "lan CARP 7"]);
    const carp = toList(toStruct(after.virtualip).vip).map(toStruct)[1];
    assert.equal(carp.advskew, "100");
    // The sender names the peer with its own GUI port (xmlrpc_client.inc), not 443.
    assert.ok(
      pair.primary.syncLog.includes(
        "XMLRPC sync successfully completed with https://172.16.1.2:8443/xmlrpc.php.",
      ),
      pair.primary.syncLog.join("\n"),
    );
    assert.ok(!pair.primary.syncLog.some((l) => l.includes(":443/")));
  });

  it("refuses a config in nodeOptions and two configs for one node", async () => {
    const dir = tempDir("pair-configs-bad");
    await assert.rejects(
      startPair({ dir, nodeOptions: { configXml: pairNodeConfigXml("primary") } }),
      (e: Error & { code?: string }) =>
        e.code === "E_INVALID_INPUT" && /primaryConfigXml/.test(e.message),
    );
    await assert.rejects(
      startPair({
        dir,
        primaryConfigXml: pairNodeConfigXml("primary"),
        primaryConfigFile: path.join(dir, "x.xml"),
      }),
      (e: Error & { code?: string }) =>
        e.code === "E_INVALID_INPUT" && /only one of primaryConfigXml/.test(e.message),
    );
  });

  it("routes the sync only to syncIps: another sync address without a route fails, never dials", async () => {
    const dir = tempDir("pair-configs-route");
    const xml = customMemberXml("primary", "443").replace(
      "<synchronizetoip>172.16.1.2</synchronizetoip>",
      "<synchronizetoip>172.16.1.9</synchronizetoip>",
    );
    const pair = await startPair({
      dir,
      adminPassword: PW,
      autoSyncDelayMs: 20,
      syncRetryPauseMs: 10,
      primaryConfigXml: xml,
    });
    pairs.push(pair);
    await call(pair.primary, "admin", PW, "pfsense.restore_config_section", [
      { aliases: { alias: [{ name: "a1", type: "host", address: "10.0.0.1" }] } },
      900,
    ]);
    await pair.primary.syncIdle();
    assert.deepEqual(toList(toStruct(pair.secondary.config().aliases).alias), []);
    assert.ok(pair.primary.syncLog.some((l) => /no loopback endpoint/.test(l)));
  });
});
