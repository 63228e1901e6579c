/**
 * Every invalid input fails at `pulumi preview`, through the real engine, on a pair configured
 * by hand first (a hand-made CARP VIP, a hand-made outbound rule, a DHCP static mapping): each
 * case's preview fails with the error code, the resource and field, the rejected value and a fix,
 * and neither node gains a config revision. Among them the inputs that only the nodes' config
 * reveals, and clashes between two resources of one program.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import * as ha from "../../sdk";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import { toList, toStruct } from "../../sdk/codec/phpValue";
import { pairConfig, stackNodes } from "./clusterProgram";
import { inlineStack, OutputLog, scratch, skipUnlessEngine } from "./engineHarness";
import { editConfig } from "./nodeConfig";
import { guiAddCarpVip, WAN } from "./safeWritesHelpers";

/** One invalid program: what it declares and what the preview must say. */
interface Case {
  name: string;
  declare(cluster: ha.Cluster, password: pulumi.Output<string>): void;
  /** Each must appear in the engine's output (code, field, value, fix). */
  says: RegExp[];
}

const WAN_SUBNET = { interface: "wan", subnet: "192.168.1.0/24" };
const LAN_SUBNET = { interface: "lan", subnet: "192.168.99.0/24" };

function lanVip(cluster: ha.Cluster, password: pulumi.Output<string>, skew?: number): ha.CarpVip {
  return new ha.CarpVip("lan", {
    cluster,
    ...LAN_SUBNET,
    address: "192.168.99.254",
    password,
    skew,
  });
}

function wanVip(cluster: ha.Cluster, password: pulumi.Output<string>): ha.CarpVip {
  return new ha.CarpVip("wan", { cluster, ...WAN_SUBNET, address: "192.168.1.100", password });
}

const CASES: Case[] = [
  {
    name: "an interface neither node has",
    declare: (cluster, password) =>
      new ha.CarpVip("v", { cluster, interface: "opt9", address: "10.9.0.5", password }),
    says: [/E_INVALID_INPUT/, /CarpVip\[v\]\.interface/, /"opt9"/, /wan, lan, opt1/],
  },
  {
    name: "an address outside the interface's network (prefix read from the node)",
    declare: (cluster, password) =>
      new ha.CarpVip("v", { cluster, interface: "wan", address: "10.0.0.5", password }),
    says: [/E_ADDRESS_OUTSIDE_SUBNET/, /CarpVip\[v\]\.address/, /10\.0\.0\.5/, /Fix:/],
  },
  {
    name: "the VIP on a node's own address",
    declare: (cluster, password) =>
      new ha.CarpVip("v", { cluster, interface: "wan", address: "192.168.1.2", password }),
    says: [/E_ADDRESS_CONFLICT/, /CarpVip\[v\]\.address/, /192\.168\.1\.2/, /Fix:/],
  },
  {
    name: "a prefix other than the interface's",
    declare: (cluster, password) =>
      new ha.CarpVip("v", { cluster, interface: "wan", address: "192.168.1.100/25", password }),
    says: [/E_MASK_MISMATCH/, /CarpVip\[v\]\.subnet/, /\/25/, /use the interface's prefix \/24/],
  },
  {
    name: "the address of a hand-made VIP, without adopt",
    declare: (cluster, password) =>
      new ha.CarpVip("v", { cluster, ...WAN_SUBNET, address: "192.168.1.50", password }),
    says: [/E_ADDRESS_CONFLICT/, /CarpVip\[v\]\.address/, /hand-made/, /adopt: true/],
  },
  {
    name: "an explicit VHID a hand-made VIP holds",
    declare: (cluster, password) =>
      new ha.CarpVip("v", { cluster, ...WAN_SUBNET, address: "192.168.1.60", vhid: 1, password }),
    says: [/E_VHID_CONFLICT/, /CarpVip\[v\]/, /hand-made/, /Fix:/],
  },
  {
    name: "two resources with one address",
    declare: (cluster, password) => {
      new ha.CarpVip("a", { cluster, ...WAN_SUBNET, address: "192.168.1.70", password });
      new ha.CarpVip("b", { cluster, ...WAN_SUBNET, address: "192.168.1.70", password });
    },
    says: [
      /E_ADDRESS_CONFLICT/,
      /CarpVip\[[ab]\] declares the same VIP address/,
      /192\.168\.1\.70/,
    ],
  },
  {
    name: "two resources with one explicit VHID",
    declare: (cluster, password) => {
      new ha.CarpVip("a", { cluster, ...WAN_SUBNET, address: "192.168.1.71", vhid: 40, password });
      new ha.CarpVip("b", { cluster, ...WAN_SUBNET, address: "192.168.1.72", vhid: 40, password });
    },
    says: [/E_VHID_CONFLICT/, /CarpVip\[[ab]\] declares the same VHID/, /got "40"|40/],
  },
  {
    name: "an IPv6 VIP on an interface without a static IPv6 address",
    declare: (cluster, password) =>
      new ha.CarpVip("v6", {
        cluster,
        interface: "lan",
        subnet: "2001:db8:99::/64",
        address: "2001:db8:99::100",
        password,
      }),
    says: [/E_FAMILY_MISMATCH/, /CarpVip\[v6\]\.address/, /no static IPv6 address/, /Fix:/],
  },
  {
    name: "a node address that is not the node's",
    declare: (cluster, password) =>
      new ha.CarpVip("v", {
        cluster,
        ...WAN_SUBNET,
        address: "192.168.1.100",
        primaryAddress: "192.168.1.9",
        password,
      }),
    says: [/E_INVALID_INPUT/, /CarpVip\[v\]\.primaryAddress/, /192\.168\.1\.9/, /192\.168\.1\.1/],
  },
  {
    name: "NAT from the WAN subnet itself",
    declare: (cluster, password) =>
      new ha.OutboundNatRule("out", {
        cluster,
        interface: "wan",
        source: "192.168.1.0/24",
        translation: wanVip(cluster, password),
      }),
    says: [/E_NAT_SOURCE_UNSAFE/, /OutboundNatRule\[out\]\.source/, /192\.168\.1\.0\/24/, /Fix:/],
  },
  {
    name: "NAT from a node's own WAN address",
    declare: (cluster, password) =>
      new ha.OutboundNatRule("out", {
        cluster,
        interface: "wan",
        source: "192.168.1.1",
        translation: wanVip(cluster, password),
      }),
    says: [/E_NAT_SOURCE_UNSAFE/, /OutboundNatRule\[out\]\.source/, /node address 192\.168\.1\.1/],
  },
  {
    name: "NAT to an address that is no CARP VIP",
    declare: (cluster) =>
      new ha.OutboundNatRule("out", {
        cluster,
        interface: "wan",
        source: "192.168.99.0/24",
        translation: "192.168.1.77",
      }),
    says: [/E_NAT_TARGET/, /OutboundNatRule\[out\]\.target/, /192\.168\.1\.77/, /Fix:/],
  },
  {
    name: "NAT duplicating a hand-made rule, without adopt",
    declare: (cluster) =>
      new ha.OutboundNatRule("out", {
        cluster,
        interface: "wan",
        source: "10.8.0.0/24",
        translation: "192.168.1.50",
      }),
    says: [/E_INVALID_INPUT/, /OutboundNatRule\[out\]/, /VPN clients, by hand/, /adopt: true/],
  },
  {
    name: "a DHCP range over a static mapping",
    declare: (cluster, password) =>
      new ha.DhcpFailover("dhcp", {
        cluster,
        interface: "lan",
        vip: lanVip(cluster, password),
        rangeFrom: "192.168.99.100",
        rangeTo: "192.168.99.199",
      }),
    says: [
      /E_DHCP_RANGE/,
      /DhcpFailover\[dhcp\]\.rangeFrom/,
      /192\.168\.99\.100-192\.168\.99\.199/,
      /printer/,
    ],
  },
  {
    name: "a DHCP range over a node address",
    declare: (cluster, password) =>
      new ha.DhcpFailover("dhcp", {
        cluster,
        interface: "lan",
        vip: lanVip(cluster, password),
        rangeFrom: "192.168.99.2",
        rangeTo: "192.168.99.20",
      }),
    says: [
      /E_DHCP_RANGE/,
      /DhcpFailover\[dhcp\]\.rangeFrom/,
      /secondary node address 192\.168\.99\.2/,
    ],
  },
  {
    name: "a DHCP range over the VIP (its address unknown until the VIP exists)",
    declare: (cluster, password) =>
      new ha.DhcpFailover("dhcp", {
        cluster,
        interface: "lan",
        vip: lanVip(cluster, password),
        rangeFrom: "192.168.99.200",
        rangeTo: "192.168.99.254",
      }),
    says: [/E_DHCP_RANGE/, /DhcpFailover\[dhcp\]\.rangeFrom/, /CARP VIP 192\.168\.99\.254/],
  },
  {
    name: "a DHCP range ending outside the subnet",
    declare: (cluster, password) =>
      new ha.DhcpFailover("dhcp", {
        cluster,
        interface: "lan",
        vip: lanVip(cluster, password),
        rangeFrom: "192.168.99.10",
        rangeTo: "192.168.100.20",
      }),
    says: [
      /E_(ADDRESS_OUTSIDE_SUBNET|FAMILY_MISMATCH)/,
      /DhcpFailover\[dhcp\]\.rangeTo/,
      /192\.168\.100\.20/,
    ],
  },
  {
    name: "DHCP failover beside a VIP whose skew makes dhcpd the secondary",
    declare: (cluster, password) =>
      new ha.DhcpFailover("dhcp", {
        cluster,
        interface: "lan",
        vip: lanVip(cluster, password, 30),
        rangeFrom: "192.168.99.10",
        rangeTo: "192.168.99.20",
      }),
    says: [/E_DHCP_SKEW/, /DhcpFailover\[dhcp\]/, /30/, /Fix:/],
  },
];

describe(
  "invalid inputs are caught at preview, with nothing written",
  { skip: skipUnlessEngine() },
  () => {
    const s = scratch("invalid-inputs");
    let pair: EmulatedPair;
    const revisions = () => [pair.primary.revisions.length, pair.secondary.revisions.length];

    before(async () => {
      pair = await startPair({ dir: s.dir });
      for (const n of [pair.primary, pair.secondary])
        guiAddCarpVip(n, WAN, "192.168.1.50", "hand-made");
      editConfig(pair.primary, (tree) => {
        const nat = toStruct(tree.nat);
        const outbound = toStruct(nat.outbound);
        outbound.mode = "hybrid";
        outbound.rule = [
          ...toList(outbound.rule),
          {
            interface: "wan",
            source: { network: "10.8.0.0/24" },
            destination: { any: "" },
            target: "192.168.1.50",
            descr: "VPN clients, by hand",
          },
        ];
        nat.outbound = outbound;
        tree.nat = nat;
      });
      for (const n of [pair.primary, pair.secondary]) {
        editConfig(n, (tree) => {
          const dhcpd = toStruct(tree.dhcpd);
          const lan = toStruct(dhcpd.lan);
          lan.staticmap = [
            { mac: "00:11:22:33:44:55", ipaddr: "192.168.99.150", hostname: "printer" },
          ];
          dhcpd.lan = lan;
          tree.dhcpd = dhcpd;
        });
      }
    });
    after(async () => {
      await pair?.stop();
      s.cleanup();
    });

    for (const [i, c] of CASES.entries()) {
      it(c.name, async () => {
        const stack = await inlineStack(s, `case-${i}`, async () => {
          const cluster = new ha.Cluster(stackNodes());
          c.declare(cluster, pulumi.secret("CaseCarpPw1"));
        });
        await stack.setAllConfig(pairConfig(pair.describe()));
        const before = revisions();
        const log = new OutputLog();
        await assert.rejects(stack.preview({ onOutput: log.onOutput }), (e: Error) => {
          const text = `${e.message}\n${log.text}`;
          for (const re of c.says) assert.match(text, re, `${c.name}: ${re}`);
          return true;
        });
        assert.deepEqual(revisions(), before, "nothing written on either node");
      });
    }
  },
);
