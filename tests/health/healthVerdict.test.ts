/**
 * The pure health rules on plain readings: who is MASTER per VHID, split brain, VIPs on one node
 * only, unknown states, sync failure notices, and what the deployment gate accepts.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { evaluateHealth, gateVerdict, type NodeReading } from "../../sdk/health";
import { deriveSecondary, type NodeHaConfig, type VirtualIp } from "../../sdk/plan";

const vip = (uniqid: string, vhid: number, advskew = 0): VirtualIp => ({
  mode: "carp",
  interface: "wan",
  vhid,
  advbase: 1,
  advskew,
  password: "s3cretPass",
  uniqid,
  type: "single",
  subnet: `192.0.2.${vhid + 100}`,
  subnetBits: 24,
});

const primaryConfig: NodeHaConfig = {
  virtualIps: [vip("aaa", 1), vip("bbb", 2)],
  natRules: [],
  dhcpd: {},
  interfaces: { wan: { name: "wan", enable: true, ipaddr: "192.0.2.1", subnet: 24 } },
  hasync: {
    pfsyncEnabled: true,
    synchronizeToIp: "192.0.2.2",
    username: "admin",
    password: "syncpw",
    areas: ["virtualip"],
  },
};

function reading(
  role: "primary" | "secondary",
  config: NodeHaConfig | undefined,
  states: Record<string, "MASTER" | "BACKUP" | "INIT" | ""> | undefined,
  notices: string[] = [],
): NodeReading {
  return {
    health: states
      ? {
          role,
          url: `https://127.0.0.1:${role === "primary" ? 1 : 2}`,
          reachable: true,
          carpAllowed: true,
          demotion: 0,
          maintenance: false,
        }
      : {
          role,
          url: "https://127.0.0.1:2",
          reachable: false,
          error: { code: "E_TRANSPORT", message: "connection refused" },
        },
    ...(config ? { config } : {}),
    ...(states ? { carp: { allow: true, demotion: 0, maintenance: false, vips: states } } : {}),
    notices,
  };
}

const secondaryConfig = deriveSecondary(primaryConfig);

describe("health rules", () => {
  it("is healthy when the primary is MASTER and the secondary BACKUP on every VHID", () => {
    const h = evaluateHealth(
      reading("primary", primaryConfig, { aaa: "MASTER", bbb: "MASTER" }),
      reading("secondary", secondaryConfig, { aaa: "BACKUP", bbb: "BACKUP" }),
    );
    assert.equal(h.healthy, true, JSON.stringify(h.problems));
    assert.deepEqual(
      h.vhids.map((r) => [r.vhid, r.master, r.primarySkew, r.secondarySkew]),
      [
        [1, "primary", 0, 100],
        [2, "primary", 0, 100],
      ],
    );
    assert.equal(gateVerdict(h).ok, true);
  });

  it("names split brain when both nodes are MASTER of one VHID", () => {
    const h = evaluateHealth(
      reading("primary", primaryConfig, { aaa: "MASTER", bbb: "MASTER" }),
      reading("secondary", secondaryConfig, { aaa: "MASTER", bbb: "BACKUP" }),
    );
    assert.equal(h.vhids[0].master, "both");
    const gate = gateVerdict(h);
    assert.equal(gate.ok, false);
    assert.equal(gate.reasons.length, 1);
    assert.match(gate.reasons[0], /wan vhid 1 .*split brain/);
  });

  it("fails a VHID where no node is MASTER (e.g. both INIT after a reboot)", () => {
    const h = evaluateHealth(
      reading("primary", primaryConfig, { aaa: "INIT", bbb: "MASTER" }),
      reading("secondary", secondaryConfig, { aaa: "BACKUP", bbb: "BACKUP" }),
    );
    assert.equal(h.vhids[0].master, "none");
    assert.match(gateVerdict(h).reasons[0], /no node is MASTER/);
  });

  it("reports a VIP that exists on one node only", () => {
    const extra: NodeHaConfig = {
      ...secondaryConfig,
      virtualIps: [...secondaryConfig.virtualIps, vip("ccc", 9, 100)],
    };
    const h = evaluateHealth(
      reading("primary", primaryConfig, { aaa: "MASTER", bbb: "MASTER" }),
      reading("secondary", extra, { aaa: "BACKUP", bbb: "BACKUP", ccc: "MASTER" }),
    );
    const row = h.vhids.find((r) => r.uniqid === "ccc");
    assert.equal(row?.primary, "");
    assert.equal(row?.primarySkew, undefined);
    assert.ok(
      h.problems.some((p) => p.code === "vip-missing" && /only on the secondary/.test(p.message)),
    );
    assert.ok(h.problems.some((p) => p.code === "sync-drift"));
  });

  it("an unreadable node makes every VHID UNKNOWN and fails the gate, without guessing", () => {
    const h = evaluateHealth(
      reading("primary", primaryConfig, { aaa: "MASTER", bbb: "MASTER" }),
      reading("secondary", undefined, undefined),
    );
    assert.deepEqual(
      h.vhids.map((r) => r.secondary),
      ["UNKNOWN", "UNKNOWN"],
    );
    assert.ok(!h.problems.some((p) => p.code === "vip-missing"));
    assert.equal(h.sync.status, "unknown");
    assert.equal(gateVerdict(h).ok, false);
  });

  it("sync failure notices on the primary make sync 'failing' even when the content matches", () => {
    const h = evaluateHealth(
      reading("primary", primaryConfig, { aaa: "MASTER", bbb: "MASTER" }, [
        "A communications error occurred while attempting to call XMLRPC method restore_config_section: timeout",
      ]),
      reading("secondary", secondaryConfig, { aaa: "BACKUP", bbb: "BACKUP" }),
    );
    assert.equal(h.sync.status, "failing");
    assert.ok(h.problems.some((p) => p.code === "sync-failing"));
    assert.equal(gateVerdict(h).ok, true, "the gate judges CARP roles only");
  });

  it("never carries a CARP or sync password, even when they drift", () => {
    const drifted = deriveSecondary(primaryConfig);
    drifted.virtualIps[0].password = "otherSecret";
    const h = evaluateHealth(
      reading("primary", primaryConfig, { aaa: "MASTER", bbb: "MASTER" }),
      reading("secondary", drifted, { aaa: "MASTER", bbb: "BACKUP" }),
    );
    assert.ok(h.sync.drift.some((d) => d.path.endsWith(".password")));
    const text = JSON.stringify(h);
    for (const secret of ["s3cretPass", "otherSecret", "syncpw"])
      assert.ok(!text.includes(secret), secret);
  });
});
