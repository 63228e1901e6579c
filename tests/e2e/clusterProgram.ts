/**
 * The e2e suites' Pulumi program: the two-node-cluster topology on the emulator pair, as an inline
 * program whose inputs come from a mutable {@link ClusterSpec} (so a test can change one input and
 * run `up` again) and whose node endpoints come from stack config, as a real stack's would.
 */
import * as pulumi from "@pulumi/pulumi";
import type { automation } from "@pulumi/pulumi";
import * as ha from "../../sdk";
import type { EndpointDescription } from "../../sdk/emulator";

/** The inputs a test may change between runs. */
export interface ClusterSpec {
  wanVip: string;
  /** Explicit VHID for the WAN VIP (an identity field: changing it replaces the VIP). */
  wanVhid?: number;
  lanVip: string;
  lanDescription: string;
  /** The LAN VIP's primary skew (default 0). */
  lanSkew?: number;
  /** `ignoreChanges` of the LAN CarpVip component. */
  lanIgnoreChanges?: string[];
  dhcpRangeTo: string;
  /** Explicit CARP password (the random plugin is not built offline, pulumi-notes A7). */
  carpPassword: string;
  /** Omit the CARP password so the component generates one with @pulumi/random. */
  generatedCarpPassword?: boolean;
}

/** The emulator pair's topology with one VIP per segment. */
export function defaultSpec(carpPassword: string): ClusterSpec {
  return {
    wanVip: "192.168.1.100",
    lanVip: "192.168.99.254",
    lanDescription: "LAN CARP VIP",
    dhcpRangeTo: "192.168.99.99",
    carpPassword,
  };
}

/** Stack config for the pair: URLs, usernames, fingerprints, and passwords as secrets. */
export function pairConfig(d: {
  primary: EndpointDescription;
  secondary: EndpointDescription;
}): automation.ConfigMap {
  const out: automation.ConfigMap = {};
  for (const role of ["primary", "secondary"] as const) {
    out[`${role}Url`] = { value: d[role].url };
    out[`${role}Username`] = { value: d[role].username };
    out[`${role}Password`] = { value: d[role].password, secret: true };
    out[`${role}Fingerprint`] = { value: d[role].fingerprint256 };
  }
  return out;
}

/** Both nodes' endpoints from the stack config that {@link pairConfig} writes. */
export function stackNodes(): { primary: ha.NodeEndpointArgs; secondary: ha.NodeEndpointArgs } {
  const config = new pulumi.Config();
  const node = (role: "primary" | "secondary"): ha.NodeEndpointArgs => ({
    url: config.require(`${role}Url`),
    username: config.require(`${role}Username`),
    password: config.requireSecret(`${role}Password`),
    tls: { fingerprint256: config.require(`${role}Fingerprint`) },
  });
  return { primary: node("primary"), secondary: node("secondary") };
}

/**
 * The program; reads `spec()` on every run. `lib` is the library it uses (another release of it,
 * for the upgrade test).
 */
export function clusterProgram(spec: () => ClusterSpec, lib: typeof ha = ha): automation.PulumiFn {
  return async () => {
    const ha = lib;
    const s = spec();
    // The emulator's own sync lands within ~0.1 s; a short bound keeps runs where pfSense's sync
    // does not carry the change (secondary-only repairs, destroy) from idling 30 s each.
    const cluster = new ha.Cluster({ ...stackNodes(), syncWaitSeconds: 3 });
    const config = new pulumi.Config();
    const password = s.generatedCarpPassword ? undefined : pulumi.secret(s.carpPassword);
    const wan = new ha.CarpVip("wan", {
      cluster,
      interface: "wan",
      subnet: "192.168.1.0/24",
      primaryAddress: "192.168.1.1",
      secondaryAddress: "192.168.1.2",
      address: s.wanVip,
      vhid: s.wanVhid,
      password,
      description: "WAN CARP VIP",
    });
    const lan = new ha.CarpVip(
      "lan",
      {
        cluster,
        interface: "lan",
        subnet: "192.168.99.0/24",
        primaryAddress: "192.168.99.1",
        secondaryAddress: "192.168.99.2",
        address: s.lanVip,
        password,
        description: s.lanDescription,
        skew: s.lanSkew,
      },
      { ignoreChanges: s.lanIgnoreChanges },
    );
    new ha.HaSyncSettings("sync", {
      cluster,
      syncInterface: "opt1",
      primarySyncAddress: "172.16.1.1",
      secondarySyncAddress: "172.16.1.2",
      username: config.require("secondaryUsername"),
      password: config.requireSecret("secondaryPassword"),
    });
    new ha.OutboundNatRule("lan-out", {
      cluster,
      interface: "wan",
      source: "192.168.99.0/24",
      translation: wan,
      mode: "hybrid",
      description: "LAN out via the WAN CARP VIP",
    });
    new ha.DhcpFailover("lan-dhcp", {
      cluster,
      interface: "lan",
      vip: lan,
      rangeFrom: "192.168.99.10",
      rangeTo: s.dhcpRangeTo,
    });
    return { wanVhid: wan.vhid, lanVhid: lan.vhid, wanUniqid: wan.uniqid };
  };
}
