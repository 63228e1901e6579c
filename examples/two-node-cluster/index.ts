/**
 * pfSense's HA tutorial topology as a Pulumi program: two nodes, a CARP VIP on WAN and on LAN, a
 * dedicated sync interface carrying pfsync and XML-RPC config sync, outbound NAT of the LAN to the
 * WAN VIP (hybrid mode), and DHCP on the LAN VIP with failover between the nodes.
 *
 * Every address and interface name is stack config whose default is the emulator pair's value
 * (`TOPOLOGY` below). The nodes themselves are per-stack config:
 *
 *   pulumi config set primaryUrl https://fw1.example:443   # and secondaryUrl
 *   pulumi config set --secret primaryPassword ...          # and secondaryPassword
 *   pulumi config set primaryFingerprint AB:CD:...          # and secondary...; or ...CaCertFile
 *   pulumi config set --secret carpPassword ...             # optional: omitted = generated
 *                                                           # (needs the @pulumi/random plugin)
 */
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as ha from "pulumi-pfsense-ha";

const config = new pulumi.Config();

/** The emulator pair's topology (contracts: wan/lan/opt1 with nodes on .1 and .2). */
const TOPOLOGY = {
  wanInterface: "wan",
  wanSubnet: "192.168.1.0/24",
  wanPrimaryAddress: "192.168.1.1",
  wanSecondaryAddress: "192.168.1.2",
  wanVip: "192.168.1.100",
  lanInterface: "lan",
  lanSubnet: "192.168.99.0/24",
  lanPrimaryAddress: "192.168.99.1",
  lanSecondaryAddress: "192.168.99.2",
  lanVip: "192.168.99.100",
  syncInterface: "opt1",
  primarySyncAddress: "172.16.1.1",
  secondarySyncAddress: "172.16.1.2",
  dhcpRangeFrom: "192.168.99.10",
  dhcpRangeTo: "192.168.99.99",
};

/** A topology setting: stack config, else the emulator pair's value. */
function setting(key: keyof typeof TOPOLOGY): string {
  return config.get(key) ?? TOPOLOGY[key];
}

/** One node's XML-RPC endpoint from config: `<role>Url`, `<role>Username`, `<role>Password`, ... */
function node(role: "primary" | "secondary") {
  const caCertFile = config.get(`${role}CaCertFile`);
  return {
    url: config.require(`${role}Url`),
    username: config.get(`${role}Username`) ?? "admin",
    password: config.requireSecret(`${role}Password`),
    tls: caCertFile
      ? { caCertPem: readFileSync(caCertFile, "utf8") }
      : { fingerprint256: config.require(`${role}Fingerprint`) },
  };
}

const primary = node("primary");
const secondary = node("secondary");
const cluster = new ha.Cluster({ primary, secondary, advbase: 1 });
const carpPassword = config.getSecret("carpPassword");

const wanVip = new ha.CarpVip("wan", {
  cluster,
  interface: setting("wanInterface"),
  subnet: setting("wanSubnet"),
  primaryAddress: setting("wanPrimaryAddress"),
  secondaryAddress: setting("wanSecondaryAddress"),
  address: setting("wanVip"),
  password: carpPassword,
  description: "WAN CARP VIP",
});

const lanVip = new ha.CarpVip("lan", {
  cluster,
  interface: setting("lanInterface"),
  subnet: setting("lanSubnet"),
  primaryAddress: setting("lanPrimaryAddress"),
  secondaryAddress: setting("lanSecondaryAddress"),
  address: setting("lanVip"),
  password: carpPassword,
  description: "LAN CARP VIP",
});

// The primary pushes its config to the secondary with the secondary's own admin credentials.
new ha.HaSyncSettings("sync", {
  cluster,
  syncInterface: setting("syncInterface"),
  primarySyncAddress: setting("primarySyncAddress"),
  secondarySyncAddress: setting("secondarySyncAddress"),
  username: secondary.username,
  password: secondary.password,
});

new ha.OutboundNatRule("lan-to-wan-vip", {
  cluster,
  interface: setting("wanInterface"),
  source: setting("lanSubnet"),
  translation: wanVip,
  mode: "hybrid",
  description: "LAN out via the WAN CARP VIP",
});

new ha.DhcpFailover("lan-dhcp", {
  cluster,
  interface: setting("lanInterface"),
  vip: lanVip,
  rangeFrom: setting("dhcpRangeFrom"),
  rangeTo: setting("dhcpRangeTo"),
});

export const wan = { address: wanVip.address, vhid: wanVip.vhid, uniqid: wanVip.uniqid };
export const lan = { address: lanVip.address, vhid: lanVip.vhid, uniqid: lanVip.uniqid };
