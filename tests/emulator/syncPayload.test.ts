import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfigXml } from "../../sdk/codec/configXml";
import type { PhpStruct } from "../../sdk/codec/phpValue";
import { applyRestore, buildSyncPayload, profileFor, syncSectionList } from "../../sdk/emulator";
import { encodeXmlRpcValue } from "../../sdk/codec/xmlrpcEnvelope";
import { realisticConfigXml } from "./helpers";

function primaryWith(hasync: PhpStruct): PhpStruct {
  const t = parseConfigXml(realisticConfigXml("primary"));
  t.hasync = { synchronizetoip: "172.16.1.2", password: "x", ...hasync };
  return t;
}

describe("sync sender payload (§6.3, §6.4)", () => {
  it("maps checkboxes to sections; '' means off for synchronize* flags", () => {
    const p = profileFor("2.7.2");
    assert.deepEqual(
      syncSectionList(
        primaryWith({ synchronizerules: "on", synchronizenat: "", synchronizeopenvpn: "on" }),
        p,
      ),
      {
        sections: ["cert", "ca", "crl", "filter", "schedules", "openvpn"],
        system: [],
      },
    );
    assert.deepEqual(
      syncSectionList(primaryWith({ synchronizeusers: "on", synchronizeauthservers: "on" }), p)
        .system,
      ["user", "nextuid", "group", "nextgid", "authserver"],
    );
  });

  it("strips nosync items keeping indexes, so a hole goes on the wire as a numbered struct", () => {
    const payload = buildSyncPayload(primaryWith({ synchronizenat: "on" }), profileFor("2.7.2"));
    const rules = ((payload.nat as PhpStruct).outbound as PhpStruct).rule as PhpStruct;
    assert.deepEqual(Object.keys(rules), ["0"]);
    const cfg = primaryWith({ synchronizenat: "on" });
    const out = ((cfg.nat as PhpStruct).outbound as PhpStruct).rule as PhpStruct[];
    out.push({ ...out[0], descr: "after the hole" });
    const holed = (
      (buildSyncPayload(cfg, profileFor("2.7.2")).nat as PhpStruct).outbound as PhpStruct
    ).rule;
    assert.deepEqual(Object.keys(holed as PhpStruct), ["0", "2"]);
    assert.match(encodeXmlRpcValue(holed), /^<struct><member><name>0<\/name>/);
  });

  it("filters VIPs, adds 100 to advskew capped at 254, caps advbase at 254, sends them as ints", () => {
    const cfg = primaryWith({ synchronizevirtualip: "on" });
    const vips = (cfg.virtualip as PhpStruct).vip as PhpStruct[];
    vips[1].advskew = "190";
    vips[1].advbase = "255";
    const sent = (buildSyncPayload(cfg, profileFor("2.7.2")).virtualip as PhpStruct)
      .vip as PhpStruct[];
    assert.deepEqual(
      sent.map((v) => v.mode),
      ["carp", "carp", "ipalias", "other"],
    );
    assert.equal(sent[0].advskew, 100);
    assert.equal(sent[1].advskew, 254);
    assert.equal(sent[1].advbase, 254);
    assert.equal(sent[0].advbase, 1);
  });

  it("rewrites DHCP failover_peerip to this node's interface address (2.6+: ipaddr; ≤2.5.0: interface facing the peer)", () => {
    const cfg = primaryWith({ synchronizedhcpd: "on" });
    const d = buildSyncPayload(cfg, profileFor("2.7.2")).dhcpd as PhpStruct;
    assert.equal((d.lan as PhpStruct).failover_peerip, "192.168.99.1");
    assert.equal((d.opt2 as PhpStruct).failover_peerip, "10.20.0.1");
    const cfg24 = primaryWith({ synchronizedhcpd: "on" });
    ((cfg24.dhcpd as PhpStruct).opt2 as PhpStruct).failover_peerip = "192.168.99.2";
    const d24 = buildSyncPayload(cfg24, profileFor("2.4.5")).dhcpd as PhpStruct;
    assert.equal((d24.opt2 as PhpStruct).failover_peerip, "192.168.99.1");
  });

  it("adminsync adds hasync/adminsync=on, which lets the receiver replace uid<2000 users", () => {
    const cfg = primaryWith({ synchronizeusers: "on", adminsync: "on" });
    const sys = cfg.system as PhpStruct;
    ((sys.user as PhpStruct[])[0] as PhpStruct).descr = "admin from primary";
    const payload = buildSyncPayload(cfg, profileFor("2.7.2"));
    assert.deepEqual(payload.hasync, { adminsync: "on" });
    const receiver = parseConfigXml(realisticConfigXml("secondary"));
    const r = applyRestore(receiver, payload, profileFor("2.7.2"));
    assert.equal(r.accounts?.changed, true);
    const admin = (r.accounts?.users as PhpStruct[]).find((u) => u.name === "admin");
    assert.equal(admin?.descr, "admin from primary");
  });
});

describe("receiver: captive portal zones (§5.1 step 5)", () => {
  it("deletes local zones the payload lacks only when captiveportal is sent (2.5+), always on 2.4", () => {
    const local: PhpStruct = {
      captiveportal: { guests: { zone: "guests", enable: "" }, staff: { zone: "staff" } },
      nat: "",
    };
    const sent = { captiveportal: { guests: { zone: "guests" } } };
    const r27 = applyRestore(local, sent, profileFor("2.7.2")).config;
    assert.deepEqual(Object.keys(r27.captiveportal as PhpStruct), ["guests"]);
    assert.deepEqual(
      applyRestore(local, { nat: "" }, profileFor("2.7.2")).config.captiveportal,
      local.captiveportal,
    );
    const r24 = applyRestore(local, { nat: "" }, profileFor("2.4.5")).config;
    assert.deepEqual(r24.captiveportal, {}, "2.4.x deletes every local zone even without the key");
  });
});

describe("Kea HA (master, §6.4 step 5, §5.1 step 8)", () => {
  it("the sender flips local/remote and the role; the receiver keeps its own TLS fields and name", () => {
    const cfg = primaryWith({ synchronizedhcpd: "on" });
    cfg.kea = {
      ha: {
        role: "primary",
        localname: "fw1",
        localip: "192.168.99.1",
        localport: "8000",
        remoteip: "192.168.99.2",
        remoteport: "8001",
        tls: "",
        scertref: "cert1",
      },
    };
    const p = profileFor("master");
    const payload = buildSyncPayload(cfg, p);
    const ha = (payload.kea as PhpStruct).ha as PhpStruct;
    assert.deepEqual(
      [
        ha.role,
        ha.localip,
        ha.remoteip,
        ha.localport,
        ha.remoteport,
        ha.remotename,
        ha.tls,
        ha.localname,
      ],
      ["standby", "192.168.99.2", "192.168.99.1", "8001", "8000", "fw1", undefined, undefined],
    );
    const receiver = parseConfigXml(realisticConfigXml("secondary"));
    receiver.kea = { ha: { role: "standby", localname: "fw2", tls: "", scertref: "cert2" } };
    const got = (applyRestore(receiver, payload, p).config.kea as PhpStruct).ha as PhpStruct;
    assert.deepEqual(
      [got.role, got.localname, got.scertref, got.remotename],
      ["standby", "fw2", "cert2", "fw1"],
    );
  });
});

describe("sender and receiver details confirmed in pfSense's source", () => {
  const profile = profileFor("2.7.2");

  it("the payload follows rc.filter_synchronize's if-chain order, empty sections as arrays", () => {
    const cfg: PhpStruct = {
      version: "23.3",
      system: { user: [{ name: "admin", uid: "0" }], nextuid: "2000", group: [], nextgid: "2000" },
      schedules: "",
      virtualip: "",
      nat: { outbound: { mode: "automatic" } },
      hasync: {
        synchronizetoip: "172.16.1.2",
        synchronizeusers: "on",
        synchronizenat: "on",
        synchronizevirtualip: "on",
        synchronizestaticroutes: "on",
        synchronizerules: "on",
        synchronizecaptiveportal: "on",
      },
    };
    const payload = buildSyncPayload(cfg, profile);
    assert.deepEqual(Object.keys(payload), [
      "filter", "nat", "staticroutes", "gateways", "virtualip", "system", "schedules", "captiveportal",
    ]); // prettier-ignore
    assert.deepEqual(payload.filter, []);
    assert.deepEqual(payload.staticroutes, { route: [] });
    assert.deepEqual(payload.captiveportal, []);
  });

  it("captiveportal replaces the local zones whole and is not named in the merge message", () => {
    const cfg: PhpStruct = {
      captiveportal: { old: { zone: "old" }, kept: { zone: "kept", backwardsyncip: "10.0.0.9" } },
    };
    const sent = { captiveportal: { kept: { zone: "kept", backwardsyncip: "10.9.9.9" } }, nat: "" };
    const r = applyRestore(cfg, sent, profile);
    assert.deepEqual(r.config.captiveportal, {
      kept: { zone: "kept", backwardsyncip: "10.0.0.9" },
    });
    assert.equal(r.message, "Merged in config (nat sections) from XMLRPC client.");
  });

  it("synced users and groups come out sorted by name (local_sync_accounts)", () => {
    const local: PhpStruct = {
      system: { user: [{ name: "admin", uid: "0" }], group: [{ name: "admins", gid: "1999" }] },
    };
    const sent = {
      system: {
        user: [{ name: "admin", uid: "0" }, { name: "zed", uid: "2001" }, { name: "Bob", uid: "2002" }, { name: "amy", uid: "2003" }],
        group: [{ name: "admins", gid: "1999" }, { name: "ops", gid: "2000" }, { name: "Dev", gid: "2001" }],
      },
    }; // prettier-ignore
    const r = applyRestore(local, sent, profile);
    assert.deepEqual(
      r.accounts?.users.map((u) => (u as PhpStruct).name),
      ["Bob", "admin", "amy", "zed"],
    );
    assert.deepEqual(
      r.accounts?.groups.map((g) => (g as PhpStruct).name),
      ["Dev", "admins", "ops"],
    );
  });
});
