/** Test fixtures: the tutorial pair (the emulator's topology) as plain NodeHaConfig data. */
import type { InterfaceConfig, NodeHaConfig } from "../../sdk/plan";

export function tutorialInterfaces(node: 1 | 2): Record<string, InterfaceConfig> {
  return {
    wan: { name: "wan", device: "vtnet0", enable: true, ipaddr: `192.168.1.${node}`, subnet: 24 },
    lan: { name: "lan", device: "vtnet1", enable: true, ipaddr: `192.168.99.${node}`, subnet: 24 },
    opt1: {
      name: "opt1",
      descr: "SYNC",
      device: "vtnet2",
      enable: true,
      ipaddr: `172.16.1.${node}`,
      subnet: 24,
    },
  };
}

/** The primary's desired HA configuration in the tutorial topology. */
export function tutorialPrimary(): NodeHaConfig {
  return {
    interfaces: tutorialInterfaces(1),
    virtualIps: [
      {
        mode: "carp",
        interface: "wan",
        vhid: 1,
        advskew: 0,
        advbase: 1,
        password: "wanSecret1",
        uniqid: "65a1b2c3d4e5f",
        descr: "WAN CARP",
        type: "single",
        subnet: "192.168.1.100",
        subnetBits: 24,
      },
      {
        mode: "ipalias",
        interface: "_vip65a1b2c3d4e5f",
        uniqid: "65a1b2c3d4e60",
        descr: "extra public IP",
        type: "single",
        subnet: "192.168.1.101",
        subnetBits: 24,
      },
      {
        mode: "carp",
        interface: "lan",
        vhid: 2,
        advskew: 0,
        advbase: 1,
        password: "lanSecret2",
        uniqid: "65a1b2c3d4e61",
        descr: "LAN CARP",
        type: "single",
        subnet: "192.168.99.100",
        subnetBits: 24,
        extra: { custom: "kept" },
      },
      {
        mode: "ipalias",
        interface: "wan",
        uniqid: "65a1b2c3d4e62",
        descr: "primary-only alias",
        type: "single",
        subnet: "192.168.1.50",
        subnetBits: 24,
      },
      {
        mode: "proxyarp",
        interface: "wan",
        descr: "routed block",
        type: "network",
        subnet: "203.0.113.8",
        subnetBits: 29,
        noexpand: true,
      },
      {
        mode: "proxyarp",
        interface: "lo0",
        descr: "loopback proxyarp",
        type: "single",
        subnet: "10.255.0.1",
        subnetBits: 32,
      },
      {
        mode: "other",
        interface: "wan",
        descr: "other VIP",
        type: "network",
        subnet: "198.51.100.0",
        subnetBits: 28,
      },
    ],
    hasync: {
      pfsyncEnabled: true,
      pfsyncInterface: "opt1",
      pfsyncPeerIp: "172.16.1.2",
      pfHostId: "1",
      synchronizeToIp: "172.16.1.2",
      username: "hasync",
      password: "syncSecret",
      adminSync: true,
      areas: ["users", "rules", "nat", "dhcpd", "virtualip"],
    },
    natMode: "hybrid",
    natRules: [
      {
        interface: "wan",
        source: "192.168.99.0/24",
        destination: { any: true },
        target: "192.168.1.100",
        descr: "LAN out via WAN CARP",
      },
      {
        interface: "wan",
        source: "10.9.0.0/16",
        destination: { any: true },
        target: "192.168.1.100",
        descr: "primary only",
        nosync: true,
      },
    ],
    dhcpd: {
      lan: {
        enable: true,
        rangeFrom: "192.168.99.150",
        rangeTo: "192.168.99.199",
        gateway: "192.168.99.100",
        dnsServers: ["192.168.99.100"],
        failoverPeerIp: "192.168.99.2",
        extra: { defaultleasetime: "" },
      },
      opt1: {
        enable: false,
        rangeFrom: "172.16.1.100",
        rangeTo: "172.16.1.120",
        dnsServers: [],
        failoverPeerIp: "",
      },
    },
  };
}
