/**
 * The node client against an emulated pfSense over real HTTPS on loopback: every method, the
 * trailing-timeout parameter rule, and CARP runtime through the fixed exec_php snippets.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { isHaError } from "../../sdk/plan/errors";
import { PHP_CARP_STATUS } from "../../sdk/codec/phpSnippets";
import { toStruct } from "../../sdk/codec/phpValue";
import { createNodeClient } from "../../sdk/pfsense";
import { startHarness, type Harness } from "./emulatorHarness";

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

test("firmwareVersion reads product, config version, platform and derives the 2.7 profile", async () => {
  const c = createNodeClient(h.endpoint());
  const fw = await c.firmwareVersion();
  assert.equal(fw.productVersion, "2.7.2-RELEASE");
  assert.equal(fw.configVersion, "23.3");
  assert.equal(fw.platform, "pfSense");
  assert.equal(fw.profile.family, "2.7");
  assert.equal(fw.profile.natTargetFormat, "new");
  assert.equal(c.stats.calls, 1);
  assert.ok(c.stats.bytesSent > 0 && c.stats.bytesReceived > 0);
});

test("backupSections returns the requested sections as stored; unknown names are omitted", async () => {
  const c = createNodeClient(h.endpoint());
  const s = await c.backupSections(["interfaces", "dhcpd", "nosuchsection"]);
  assert.deepEqual(Object.keys(s).sort(), ["dhcpd", "interfaces"]);
  assert.equal(toStruct(toStruct(s.interfaces).lan).ipaddr, "192.168.99.1");
  assert.deepEqual(
    await c.backupSections(["nosuchsection"]),
    {},
    "an empty PHP array (XML-RPC array) reads as no sections",
  );
});

test("restoreSections writes a section and the node stores it (ints become strings)", async () => {
  const c = createNodeClient(h.endpoint());
  await c.restoreSections({
    virtualip: {
      vip: [
        {
          mode: "carp",
          interface: "lan",
          vhid: 9,
          advskew: 0,
          advbase: 1,
          password: "pw",
          uniqid: "u9",
          descr: "t",
          type: "single",
          subnet_bits: 24,
          subnet: "192.168.99.254",
        },
      ],
    },
  });
  const vip = toStruct(h.node.config().virtualip).vip as Record<string, unknown>[];
  assert.equal(vip.length, 1);
  assert.equal(vip[0].vhid, "9");
  assert.equal(
    h.node.revisions
      .at(-1)
      ?.description.includes("Merged in config (virtualip sections) from XMLRPC client"),
    true,
  );
});

test("interfacesCarpConfigure and execPhp succeed; an unknown snippet's falsy result is plain true (§4.2)", async () => {
  const c = createNodeClient(h.endpoint());
  await c.interfacesCarpConfigure();
  assert.equal(await c.execPhp("$x = 1;"), true);
});

test("carpStatus reports CARP allowed, demotion and per-VIP states keyed by uniqid", async () => {
  const c = createNodeClient(h.endpoint());
  const st = await c.carpStatus();
  assert.equal(st.allow, true);
  assert.equal(st.demotion, 0);
  assert.equal(st.maintenance, false);
  assert.ok(["MASTER", "BACKUP", "INIT"].includes(st.vips.u9), JSON.stringify(st));
  h.node.setDemotion(240);
  assert.equal((await c.carpStatus()).demotion, 240);
  h.node.setDemotion(0);
});

test("setMaintenanceMode persists the flag (§8.3) and carpStatus sees it; off clears it", async () => {
  const c = createNodeClient(h.endpoint());
  await c.setMaintenanceMode(true);
  assert.equal((await c.carpStatus()).maintenance, true);
  assert.ok("virtualip_carp_maintenancemode" in h.node.config());
  await c.setMaintenanceMode(false);
  assert.equal((await c.carpStatus()).maintenance, false);
  assert.ok(!("virtualip_carp_maintenancemode" in h.node.config()));
});

test("syncNotices decodes the notice texts the fixed snippet returns", async () => {
  const c = createNodeClient(h.endpoint());
  assert.deepEqual(await c.syncNotices(), []);
  // The snippet calls get_notices('sync_settings'), which filters by *category* (see report).
  h.node.fileNotice("sync_settings", "XMLRPC sync failed with https://172.16.1.2", "sync_settings");
  const n = await c.syncNotices();
  assert.equal(n.length, 1);
  assert.match(n[0], /XMLRPC sync failed/);
});

test("a snippet reply of plain true means the snippet did not run: E_MALFORMED_REPLY with an explanation", async () => {
  h.node.registerExecPhp(PHP_CARP_STATUS, () => false);
  const c = createNodeClient(h.endpoint());
  await assert.rejects(
    c.carpStatus(),
    (e: unknown) => isHaError(e, "E_MALFORMED_REPLY") && /did not run/.test((e as Error).message),
  );
});
