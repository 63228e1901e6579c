/**
 * Kea DHCPv6 HA (`keaDhcpv6` on DhcpFailover), the pure parts: the version and backend refusals
 * (checked before the DHCPv4 ones, so a 2.7.2 pair is told about kea6 by name), the input rules
 * (a boolean, ports only with it, both or neither, never the DHCPv4 listener's port) and the
 * diff of the new inputs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isHaError, type NodeHaConfig } from "../../sdk/plan";
import type { NodeState } from "../../sdk/pfsense/types";
import { profileFor } from "../../sdk/pfsense/version";
import {
  KEA6_HA_DEFAULT_PORT,
  KEA_HA_DEFAULT_PORT,
  haDrift,
  planKeaHa,
  requireDhcpv6Ha,
} from "../../sdk/providers/keaHaRules";
import {
  checkDhcpFailover,
  diffDhcpFailover,
  type DhcpFailoverInputs,
  type DhcpFailoverOutputs,
} from "../../sdk/providers/dhcpFailoverSpec";

const cfg = (over: Partial<NodeHaConfig> = {}): NodeHaConfig => ({
  virtualIps: [],
  natRules: [],
  dhcpd: {},
  interfaces: {},
  ...over,
});

function node(version: string, config: NodeHaConfig): NodeState {
  return {
    config,
    firmware: {
      productVersion: version,
      configVersion: "24.5",
      platform: "pfSense",
      kernelVersion: "15.0",
      profile: profileFor(version, "pfSense", "24.5"),
    },
  } as unknown as NodeState;
}

const base: DhcpFailoverInputs = {
  primary: { url: "https://10.0.0.1", username: "admin", password: "a" },
  secondary: { url: "https://10.0.0.2", username: "admin", password: "b" },
  name: "lan-dhcp",
  interface: "lan",
  vip: "192.168.99.254",
  rangeFrom: "192.168.99.10",
  rangeTo: "192.168.99.99",
};

const reasons = (inp: Partial<DhcpFailoverInputs>) =>
  checkDhcpFailover({ ...base, ...inp }).failures.map((f) => `${f.property}: ${f.reason}`);

describe("Kea DHCPv6 HA refusals", () => {
  it("pfSense's DHCPv6 HA port default is the DHCPv4 one + 1 (services.inc services_kea6_configure)", () => {
    assert.equal(KEA_HA_DEFAULT_PORT, 8765);
    assert.equal(KEA6_HA_DEFAULT_PORT, 8766);
  });

  it("a 2.7.2 node is refused with E_UNSUPPORTED_VERSION naming kea6, whatever its backend", () => {
    for (const backend of ["isc", "kea"] as const) {
      const old = node("2.7.2-RELEASE", cfg({ dhcpBackend: backend }));
      const ok = node("2.8.0-RELEASE", cfg({ dhcpBackend: "kea" }));
      assert.throws(
        () => requireDhcpv6Ha(ok, old, "DhcpFailover[lan]"),
        (e: unknown) =>
          isHaError(e) &&
          e.code === "E_UNSUPPORTED_VERSION" &&
          /secondary.*2\.7\.2-RELEASE.*no Kea DHCPv6 HA \(kea6\/ha/s.test(e.message),
      );
    }
  });

  it("ISC on a 2.8 node is refused with E_KEA_HA (ISC's DHCPv6 server has no failover)", () => {
    const isc = node("2.8.0-RELEASE", cfg());
    const kea = node("2.8.0-RELEASE", cfg({ dhcpBackend: "kea" }));
    assert.throws(
      () => requireDhcpv6Ha(isc, kea, "DhcpFailover[lan]"),
      (e: unknown) =>
        isHaError(e) &&
        e.code === "E_KEA_HA" &&
        /primary runs the ISC DHCP backend/.test(e.message),
    );
    assert.doesNotThrow(() => requireDhcpv6Ha(kea, kea, "DhcpFailover[lan]"));
  });
});

describe("Kea DHCPv6 HA inputs", () => {
  it("accepts keaDhcpv6 alone and with both ports", () => {
    assert.deepEqual(reasons({ keaDhcpv6: true }), []);
    assert.deepEqual(
      reasons({ keaDhcpv6: true, keaDhcpv6PrimaryPort: 9001, keaDhcpv6SecondaryPort: 9002 }),
      [],
    );
  });

  it("refuses a port without keaDhcpv6, a half-filled pair, and a non-boolean", () => {
    assert.match(
      reasons({ keaDhcpv6PrimaryPort: 9001, keaDhcpv6SecondaryPort: 9001 }).join("\n"),
      /keaDhcpv6PrimaryPort: .*E_KEA_HA.*keaDhcpv6 is not set/,
    );
    assert.match(
      reasons({ keaDhcpv6: true, keaDhcpv6PrimaryPort: 9001 }).join("\n"),
      /keaDhcpv6SecondaryPort: .*E_KEA_HA.*keaDhcpv6PrimaryPort is given without keaDhcpv6SecondaryPort/,
    );
    assert.match(
      reasons({ keaDhcpv6: "yes" as unknown as boolean }).join("\n"),
      /keaDhcpv6: .*E_INVALID_INPUT.*true or false/,
    );
    assert.match(
      reasons({ keaDhcpv6: true, keaDhcpv6PrimaryPort: 0, keaDhcpv6SecondaryPort: 70000 }).join(
        "\n",
      ),
      /keaDhcpv6PrimaryPort: .*not a TCP port.*default 8766/,
    );
  });

  it("refuses a DHCPv6 listener on the DHCPv4 listener's port (same address)", () => {
    assert.match(
      reasons({ keaDhcpv6: true, keaDhcpv6PrimaryPort: 8765, keaDhcpv6SecondaryPort: 8766 }).join(
        "\n",
      ),
      /keaDhcpv6PrimaryPort: .*E_KEA_HA.*primary's DHCPv6 HA listener would take the DHCPv4 one's port 8765/,
    );
    assert.match(
      reasons({ keaDhcpv6: true, keaPrimaryPort: 8766, keaSecondaryPort: 8765 }).join("\n"),
      /keaDhcpv6PrimaryPort: .*port 8766/,
    );
  });

  it("diff: turning DHCPv6 HA on or changing its ports is an update in place", () => {
    const olds = { ...base, keaDhcpv6: undefined } as unknown as DhcpFailoverOutputs;
    const on = diffDhcpFailover(
      { ...olds, gateway: base.vip, dnsServers: [base.vip], drift: { primary: [], secondary: [] } },
      { ...base, keaDhcpv6: true, keaDhcpv6PrimaryPort: 9001, keaDhcpv6SecondaryPort: 9001 },
    );
    assert.deepEqual(on.replaces, []);
    assert.deepEqual([...(on.changed ?? [])].sort(), [
      "keaDhcpv6",
      "keaDhcpv6PrimaryPort",
      "keaDhcpv6SecondaryPort",
    ]);
    const same = diffDhcpFailover(
      {
        ...olds,
        gateway: base.vip,
        dnsServers: [base.vip],
        drift: { primary: [], secondary: [] },
      },
      { ...base, keaDhcpv6: false },
    );
    assert.equal(same.changes, false);
  });

  it("drift lines name the kea6 section", () => {
    const plan = planKeaHa({
      primaryAddress: "192.168.99.1",
      secondaryAddress: "192.168.99.2",
      primaryPort: 8766,
      secondaryPort: 8766,
      primaryName: "fw-a",
      secondaryName: "fw-b",
    });
    assert.deepEqual(haDrift(plan.secondary, { ...plan.secondary, role: "primary" }, "kea6"), [
      'kea6.ha.role: node has "primary", wants "standby"',
    ]);
  });
});
