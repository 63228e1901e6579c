/**
 * The emulator's model of master's Kea HA sync (rc.filter_synchronize carp_sync_xml(), xmlrpc.php
 * restore_config_section()): the flip on a real push between two master nodes, node-local fields
 * kept by the receiver, the section list (kea only with dhcpd, kea6 only with dhcpdv6), and the
 * sender dying on an unknown role: nothing pushed, no notice.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { buildSyncPayload, startPair, type EmulatedPair } from "../../sdk/emulator";
import { profileFor } from "../../sdk/emulator/profiles";
import { call, tempDir } from "./helpers";

const MASTER = profileFor("master");

const hasync = (pw: string): PhpStruct => ({
  synchronizetoip: "172.16.1.2",
  username: "admin",
  password: pw,
  synchronizedhcpd: "on",
  synchronizekea6: "on",
  synchronizenat: "on",
});

const KEA: PhpStruct = {
  dnsreg: "",
  ha: {
    enable: "",
    role: "primary",
    localname: "fw-a",
    localip: "192.168.99.1",
    localport: "8765",
    remotename: "fw-b",
    remoteip: "192.168.99.2",
    remoteport: "8765",
    tls: "",
    scertref: "primary-cert",
  },
};

describe("emulated master: Kea HA sync", () => {
  const pairs: EmulatedPair[] = [];
  after(async () => {
    for (const p of pairs) await p.stop();
  });

  it("a push flips roles, addresses and ports, names the remote, and the receiver keeps its TLS", async () => {
    const pair = await startPair({
      dir: tempDir("keasync"),
      version: "master",
      autoSyncDelayMs: 20,
    });
    pairs.push(pair);
    const pw = pair.primary.password;
    await call(pair.secondary, "admin", pw, "pfsense.restore_config_section", [
      { kea: { ha: { tls: "", scertref: "secondary-cert", localname: "fw-b" } } },
      900,
    ]);
    const sec = toStruct(toStruct(pair.secondary.config().kea).ha);
    // Direct writes cannot set them either: the receiver put back its own (none before).
    assert.equal(sec.scertref, undefined);
    assert.equal(sec.localname, undefined);
    // Set by hand (GUI) on the secondary, then the primary pushes.
    const tree = pair.secondary.config();
    tree.kea = { ha: { tls: "", scertref: "secondary-cert", localname: "fw-b" } };
    pair.secondary.writeConfigAs(tree, "DHCP Server - Settings changed");
    await call(pair.primary, "admin", pw, "pfsense.restore_config_section", [
      { kea: KEA, hasync: hasync(pw) },
      900,
    ]);
    await pair.primary.syncIdle();
    // The primary's own receiver dropped the localname and TLS members sent to it directly, so
    // the sender names the remote after the primary's hostname (kea_defaults('name')).
    const primaryHa = toStruct(toStruct(pair.primary.config().kea).ha);
    assert.equal(primaryHa.localname, undefined);
    assert.equal(primaryHa.scertref, undefined);
    const hostname = toStruct(pair.primary.config().system).hostname;
    const got = toStruct(toStruct(pair.secondary.config().kea).ha);
    assert.deepEqual(
      [got.role, got.localip, got.remoteip, got.localport, got.remoteport, got.remotename],
      ["standby", "192.168.99.2", "192.168.99.1", "8765", "8765", hostname],
    );
    assert.equal(got.scertref, "secondary-cert", "the receiver's own certificate stays");
    assert.equal(got.localname, "fw-b", "the receiver's own name stays");
    assert.equal(toStruct(pair.secondary.config().kea).dnsreg, "");
  });

  it("an unknown role ends the sender before anything is sent, with no notice (§16.12)", async () => {
    const pair = await startPair({
      dir: tempDir("keadie"),
      version: "master",
      autoSyncDelayMs: 20,
    });
    pairs.push(pair);
    const pw = pair.primary.password;
    const before = pair.secondary.revisions.length;
    await call(pair.primary, "admin", pw, "pfsense.restore_config_section", [
      {
        kea6: { ha: { enable: "", role: "secondary" } },
        nat: { outbound: { mode: "hybrid" } },
        hasync: hasync(pw),
      },
      900,
    ]);
    await pair.primary.syncIdle();
    assert.equal(pair.secondary.revisions.length, before, "nothing reached the secondary");
    assert.ok(
      pair.primary.syncLog.some((l) =>
        /UnhandledMatchError: Unhandled match case 'secondary'/.test(l),
      ),
    );
    assert.deepEqual(
      pair.primary.listNotices().filter((n) => /XMLRPC|sync/i.test(JSON.stringify(n))),
      [],
    );
  });

  it("section list: kea rides with dhcpd, kea6 with dhcpdv6; half-filled pairs stay unswapped", () => {
    const base: PhpStruct = {
      hasync: { synchronizetoip: "172.16.1.2", synchronizedhcpd: "on", synchronizekea6: "on" },
      system: { hostname: "fw-a" },
    };
    const noDhcpd = buildSyncPayload({ ...base, kea: { ha: { role: "primary" } } }, MASTER);
    assert.equal(noDhcpd.kea, undefined, "no dhcpd array: kea is not sent");
    const half = buildSyncPayload(
      {
        ...base,
        dhcpd: { lan: {} },
        kea: { ha: { role: "primary", localip: "10.0.0.1" } },
        kea6: {},
      },
      MASTER,
    );
    const ha = toStruct(toStruct(half.kea).ha);
    assert.deepEqual(
      [ha.localip, ha.remoteip, ha.remotename, ha.role],
      ["10.0.0.1", "10.0.0.1", "fw-a", "standby"],
    );
    assert.equal(half.kea6, undefined, "no dhcpdv6: kea6 is not sent");
    const empty = buildSyncPayload(
      { ...base, dhcpd: { lan: {} }, kea: { ha: { role: "" } } },
      MASTER,
    );
    // By reading util.inc array_get_path(): "" gives the default 'primary', flipped to standby.
    assert.equal(toStruct(toStruct(empty.kea).ha).role, "standby");
  });
});
