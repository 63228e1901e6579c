/**
 * Kea HA rules (keaHaRules.ts), pure: the plan both nodes get, master's sender transform as the
 * library predicts it (half-filled pairs, roles), the role check, half-filled inputs, the
 * node-local fields, the backend/version refusal, and the kea codec's round trip.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isHaError, type NodeHaConfig } from "../../sdk/plan";
import type { NodeState } from "../../sdk/pfsense/types";
import { profileFor } from "../../sdk/pfsense/version";
import { decodeKea, encodeKea } from "../../sdk/pfsense/sections/kea";
import {
  bothOrNeither,
  keaRoleProblems,
  pairBackend,
  planKeaHa,
  refuseNodeLocal,
  requireValidKeaRoles,
  senderHa,
  withNodeLocal,
} from "../../sdk/providers/keaHaRules";
import { checkDhcpFailover, type DhcpFailoverInputs } from "../../sdk/providers/dhcpFailoverSpec";
import { normaliseAreas } from "../../sdk/providers/haSyncSpec";

const cfg = (over: Partial<NodeHaConfig> = {}): NodeHaConfig => ({
  virtualIps: [],
  natRules: [],
  dhcpd: {},
  interfaces: {},
  ...over,
});

function node(version: string, config: NodeHaConfig, platform = "pfSense"): NodeState {
  return {
    config,
    firmware: {
      productVersion: version,
      configVersion: "24.5",
      platform,
      kernelVersion: "15.0",
      profile: profileFor(version, platform, "24.5"),
    },
  } as unknown as NodeState;
}

const PLAN = planKeaHa({
  primaryAddress: "192.168.99.1",
  secondaryAddress: "192.168.99.2",
  primaryPort: 8765,
  secondaryPort: 8865,
  primaryName: "fw-a",
  secondaryName: "fw-b",
});

describe("Kea HA plan and master's sender transform", () => {
  it("plans primary/standby, each node's own listener and the peer's", () => {
    assert.deepEqual(PLAN.primary, {
      enable: true,
      role: "primary",
      localIp: "192.168.99.1",
      localPort: "8765",
      remoteName: "fw-b",
      remoteIp: "192.168.99.2",
      remotePort: "8865",
    });
    assert.equal(PLAN.secondary.role, "standby");
    assert.equal(PLAN.secondary.localPort, "8865");
    assert.equal(PLAN.secondary.remoteName, "fw-a");
  });

  it("the sender's flip of the primary's plan is the secondary's plan", () => {
    assert.deepEqual(senderHa(PLAN.primary, "fw-a"), PLAN.secondary);
  });

  it("a half-filled pair is not swapped back: the secondary's localip equals its remoteip (§16.12)", () => {
    const out = senderHa({ enable: true, role: "primary", localIp: "192.168.99.1" }, "fw-a");
    assert.equal(out?.localIp, "192.168.99.1");
    assert.equal(out?.remoteIp, "192.168.99.1");
  });

  it("missing or empty role → standby; unknown role → the sender dies (undefined)", () => {
    assert.equal(senderHa({ enable: true }, "x")?.role, "standby");
    assert.equal(senderHa({ enable: true, role: "" }, "x")?.role, "standby");
    assert.equal(senderHa({ enable: true, role: "standby" }, "x")?.role, "primary");
    assert.equal(senderHa({ enable: true, role: "secondary" }, "x"), undefined);
    assert.equal(senderHa(undefined, "fw-a")?.remoteName, "fw-a", "a kea without ha gets one");
  });

  it("node-local members are dropped by the sender and kept from the node by the library", () => {
    const withTls = { ...PLAN.primary, extra: { tls: "", scertref: "c1", heartbeatdelay: "5000" } };
    assert.deepEqual(senderHa(withTls, "fw-a")?.extra, { heartbeatdelay: "5000" });
    const kept = withNodeLocal(PLAN.secondary, {
      enable: false,
      extra: { localname: "b", tls: "" },
    });
    assert.deepEqual(kept?.extra, { localname: "b", tls: "" });
    assert.deepEqual(withNodeLocal(undefined, { enable: true, extra: { tls: "" } }), {
      enable: false,
      extra: { tls: "" },
    });
  });
});

describe("Kea HA refusals", () => {
  it("a bad role on either section is found (empty included, conservatively)", () => {
    const c = cfg({
      kea: { ha: { enable: true, role: "primary" } },
      kea6: { ha: { enable: true, role: "" } },
    });
    assert.deepEqual(keaRoleProblems(c), [{ section: "kea6", role: "" }]);
    assert.throws(
      () =>
        requireValidKeaRoles(
          cfg({ kea: { ha: { enable: true, role: "backup" } } }),
          "primary",
          "X",
        ),
      (e) => isHaError(e, "E_KEA_HA") && /accepts only primary or standby/.test(e.message),
    );
    assert.throws(
      () =>
        requireValidKeaRoles(cfg({ kea: { ha: { enable: true, role: "" } } }), "secondary", "X"),
      (e) =>
        isHaError(e, "E_KEA_HA") &&
        /empty kea\/ha\/role, which pfSense reads as primary/.test(e.message),
      "an empty role is not said to stop the sender: pfSense reads it as primary",
    );
    assert.doesNotThrow(() =>
      requireValidKeaRoles(cfg({ kea: { extra: { dnsreg: "" } } }), "primary", "X"),
    );
  });

  it("half-filled peer inputs are refused, both or neither pass", () => {
    assert.throws(
      () => bothOrNeither(["keaPrimaryPort", 8765], ["keaSecondaryPort", undefined], "D"),
      (e) => isHaError(e, "E_KEA_HA") && e.field === "D.keaSecondaryPort",
    );
    assert.doesNotThrow(() => bothOrNeither(["a", undefined], ["b", undefined], "D"));
    assert.doesNotThrow(() => bothOrNeither(["a", 1], ["b", 2], "D"));
  });

  it("asking for a node-local field says it cannot be written over XML-RPC", () => {
    assert.throws(
      () => refuseNodeLocal({ keaTls: true }, "D"),
      (e) => isHaError(e, "E_KEA_HA") && /cannot be written over XML-RPC/.test(e.message),
    );
  });

  it("check reports half-filled inputs and node-local fields at preview", () => {
    const inp = {
      primary: { url: "https://10.0.0.1", username: "admin", password: "x" },
      secondary: { url: "https://10.0.0.2", username: "admin", password: "x" },
      name: "lan-dhcp",
      interface: "lan",
      vip: "192.168.99.254",
      rangeFrom: "192.168.99.10",
      rangeTo: "192.168.99.99",
      keaPrimaryAddress: "192.168.99.1",
      keaLocalName: "fw-a",
    } as unknown as DhcpFailoverInputs;
    const reasons = checkDhcpFailover(inp).failures.map((f) => f.reason);
    assert.ok(
      reasons.some((r) => /E_KEA_HA.*keaLocalName|cannot be written over XML-RPC/.test(r)),
      reasons.join("\n"),
    );
    assert.ok(
      reasons.some((r) => /without keaSecondaryAddress/.test(r)),
      reasons.join("\n"),
    );
  });

  it("Kea on 2.7.2 is refused with E_UNSUPPORTED_VERSION naming the version and the fix", () => {
    const kea = cfg({ dhcpBackend: "kea" });
    assert.throws(
      () =>
        pairBackend(node("2.7.2-RELEASE", kea), node("2.7.2-RELEASE", kea), "DhcpFailover[lan]"),
      (e) =>
        isHaError(e, "E_UNSUPPORTED_VERSION") &&
        /2\.7\.2-RELEASE with the Kea DHCP backend/.test(e.message) &&
        /upgrade both nodes to pfSense 2\.8/.test(e.message),
    );
    assert.equal(pairBackend(node("2.8.0-RELEASE", kea), node("2.8.0-RELEASE", kea), "D"), "kea");
    assert.equal(
      pairBackend(node("2.7.2-RELEASE", cfg()), node("2.7.2-RELEASE", cfg()), "D"),
      "isc",
    );
    assert.throws(
      () => pairBackend(node("2.8.0-RELEASE", kea), node("2.8.0-RELEASE", cfg()), "D"),
      (e) => isHaError(e, "E_KEA_HA") && /different DHCP backends/.test(e.message),
    );
  });

  it("version profiles: Kea HA and synchronizekea6 from 2.8 (and Plus 24.08), not 2.7", () => {
    assert.equal(profileFor("2.7.2-RELEASE", "pfSense", "23.3").hasKeaHa, false);
    assert.equal(profileFor("2.9.0-DEVELOPMENT", "pfSense", "24.5").hasKea6Sync, true);
    assert.equal(profileFor("24.03-RELEASE", "pfSense Plus", "23.9").hasKeaHa, false);
    assert.equal(profileFor("24.11-RELEASE", "pfSense Plus", "24.5").hasKeaHa, true);
  });

  it("HaSyncSettings' default areas: 19 on 2.7, 20 with kea6 where the version has it", () => {
    assert.equal(normaliseAreas(undefined).length, 19);
    const master = normaliseAreas(undefined, true);
    assert.equal(master.length, 20);
    assert.deepEqual(master.slice(10, 13), ["dhcrelay", "kea6", "dhcrelay6"]);
  });
});

describe("kea section codec", () => {
  it("round-trips a GUI-made section exactly, ha modelled and the rest carried", () => {
    const raw = {
      dnsreg: "",
      ha: {
        enable: "",
        role: "standby",
        localname: "fw-b",
        localip: "10.0.0.2",
        remotename: "fw-a",
        remoteip: "10.0.0.1",
        heartbeatdelay: "5000",
        tls: "",
        scertref: "65f0",
      },
      custom_kea_config: "e30=",
    };
    const k = decodeKea(raw);
    assert.equal(k?.ha?.role, "standby");
    assert.equal(k?.ha?.enable, true);
    assert.deepEqual(encodeKea(k), raw);
    assert.deepEqual(Object.keys(encodeKea(k).ha as object), Object.keys(raw.ha));
  });
});
