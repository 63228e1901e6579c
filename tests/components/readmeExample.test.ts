/**
 * The README's example program, verbatim in spirit, run under Pulumi mocks: it type-checks against
 * the public API (`pulumi-pfsense-ha` root) and registers the expected resources.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";

const types: string[] = [];
before(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        types.push(args.type);
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "random:index/randomPassword:RandomPassword")
          state.result = "x".repeat(19);
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    "readme",
    "dev",
    false,
  );
});

test("the README example builds a cluster with every component", async () => {
  const ha = await import("../../sdk");
  // --- example (README) ---
  const cluster = new ha.Cluster({
    primary: {
      url: "https://127.0.0.1:8443",
      username: "admin",
      password: pulumi.secret("pw-a"),
      tls: { fingerprint256: "AB:CD" },
    },
    secondary: {
      url: "https://127.0.0.1:8444",
      username: "admin",
      password: pulumi.secret("pw-b"),
      tls: { fingerprint256: "EF:01" },
    },
    reservedVhids: { wan: [1, 2] },
  });
  const wanVip = new ha.CarpVip("wan-vip", {
    cluster,
    interface: "wan",
    subnet: "192.168.1.0/24",
    address: "192.168.1.100",
  });
  const lanVip = new ha.CarpVip("lan-vip", {
    cluster,
    interface: "lan",
    subnet: "192.168.99.0/24",
    address: "192.168.99.254",
  });
  new ha.HaSyncSettings("sync", {
    cluster,
    syncInterface: "opt1",
    username: "admin",
    password: pulumi.secret("pw-b"),
  });
  const rule = new ha.OutboundNatRule("lan-out", {
    cluster,
    interface: "wan",
    source: "192.168.99.0/24",
    translation: wanVip,
  });
  const dhcp = new ha.DhcpFailover("lan-dhcp", {
    cluster,
    interface: "lan",
    vip: lanVip,
    rangeFrom: "192.168.99.10",
    rangeTo: "192.168.99.99",
  });
  // --- end of example ---
  for (const o of [lanVip.address, rule.target, dhcp.gateway] as pulumi.Output<unknown>[]) {
    await new Promise<void>((r) => o.apply(() => r()));
  }
  for (const t of [
    "pfsense-ha:index:CarpVip",
    "pfsense-ha:index:HaSyncSettings",
    "pfsense-ha:index:OutboundNatRule",
    "pfsense-ha:index:DhcpFailover",
    "pfsense-ha:index:CarpVipConfig",
    "pfsense-ha:index:HaSyncConfig",
    "pfsense-ha:index:OutboundNatConfig",
    "pfsense-ha:index:DhcpFailoverConfig",
    "random:index/randomPassword:RandomPassword",
  ]) {
    assert.ok(types.includes(t), t);
  }
});

test("the README's ClusterHaConfig example registers one custom resource for every item", async () => {
  const ha = await import("../../sdk");
  const cluster = new ha.Cluster({
    primary: { url: "https://127.0.0.1:8443", username: "admin", password: pulumi.secret("a") },
    secondary: { url: "https://127.0.0.1:8444", username: "admin", password: pulumi.secret("b") },
  });
  const before = types.length;
  // --- example (README, ClusterHaConfig) ---
  const site = new ha.ClusterHaConfig("site", {
    cluster,
    carpVips: {
      "wan-vip": { interface: "wan", subnet: "203.0.113.0/29", layout: "wan" },
      "lan-vip": { interface: "lan", subnet: "192.168.1.0/24" },
    },
    outboundNat: { lan: { interface: "wan", source: "192.168.1.0/24", translation: "wan-vip" } },
    dhcpFailover: {
      lan: {
        interface: "lan",
        vip: "lan-vip",
        rangeFrom: "192.168.1.100",
        rangeTo: "192.168.1.199",
      },
    },
  });
  // --- end of example ---
  await new Promise<void>((r) => site.drift.apply(() => r()));
  const added = types.slice(before);
  assert.equal(added.filter((t) => t === "pfsense-ha:index:ClusterHaConfigState").length, 1);
  assert.equal(added.filter((t) => t === "random:index/randomPassword:RandomPassword").length, 2);
  assert.ok(added.includes("pfsense-ha:index:ClusterHaConfig"));
});
