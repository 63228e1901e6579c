/**
 * The "services on node addresses" rules on plain data, and how the status table shows them:
 * OpenVPN / IPsec on a CARP segment's own interface, on `any`, on a non-CARP or vanished VIP;
 * DHCP gateway / DNS on a node address or unset, a failover peer on the VIP; nothing for items
 * bound to a CARP VIP (or an alias stacked on one), disabled items, or segments without CARP.
 * Findings are warnings: the verdict stays healthy.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { NodeHaConfig } from "../../sdk/plan";
import { evaluateHealth, formatHealthTable, serviceFindings } from "../../sdk/health";

function cfg(own: string): NodeHaConfig {
  return {
    interfaces: {
      wan: { name: "wan", enable: true, ipaddr: `192.168.1.${own}`, subnet: 24 },
      lan: { name: "lan", enable: true, ipaddr: `192.168.99.${own}`, subnet: 24 },
      opt2: { name: "opt2", enable: true, ipaddr: `10.2.0.${own}`, subnet: 24 },
    },
    virtualIps: [
      {
        mode: "carp",
        interface: "wan",
        uniqid: "wanvip",
        vhid: 1,
        type: "single",
        subnet: "192.168.1.10",
        subnetBits: 24,
      },
      {
        mode: "carp",
        interface: "lan",
        uniqid: "lanvip",
        vhid: 2,
        type: "single",
        subnet: "192.168.99.254",
        subnetBits: 24,
      },
      {
        mode: "ipalias",
        interface: "_viplanvip",
        uniqid: "stacked",
        type: "single",
        subnet: "192.168.99.253",
        subnetBits: 24,
      },
      {
        mode: "ipalias",
        interface: "wan",
        uniqid: "plainalias",
        type: "single",
        subnet: "192.168.1.20",
        subnetBits: 24,
      },
    ],
    natRules: [],
    dhcpd: {
      lan: {
        enable: true,
        rangeFrom: "192.168.99.100",
        rangeTo: "192.168.99.199",
        gateway: "192.168.99.1",
        dnsServers: ["192.168.99.254", "192.168.99.2"],
      },
      opt2: { enable: true, rangeFrom: "10.2.0.100", rangeTo: "10.2.0.199", dnsServers: [] },
    },
    openvpnServers: [
      { vpnid: "1", interface: "wan", description: "roadwarrior" },
      { vpnid: "2", interface: "_vipwanvip", ipaddr: "192.168.1.10" },
      { vpnid: "3", interface: "_vipstacked", ipaddr: "192.168.99.253" },
      { vpnid: "4", interface: "_vipplainalias", ipaddr: "192.168.1.20" },
      { vpnid: "5", interface: "any" },
      { vpnid: "6", interface: "wan", disable: true },
      { vpnid: "7", interface: "opt2" },
      { vpnid: "8", interface: "_vipgone" },
    ],
    ipsecPhase1: [{ ikeid: "1" }, { ikeid: "2", interface: "_vipwanvip" }],
  };
}

test("each rule names node, section, item, field, value and a fix", () => {
  const p = cfg("1");
  const found = serviceFindings(p, cfg("2")).filter((f) => f.node === "primary");
  const rows = found.map((f) => [f.section, f.item, f.field, f.value]);
  assert.deepEqual(rows, [
    ["openvpn", "openvpn-server vpnid 1", "interface", "wan"],
    ["openvpn", "openvpn-server vpnid 4", "interface", "_vipplainalias"],
    ["openvpn", "openvpn-server vpnid 5", "interface", "any"],
    ["openvpn", "openvpn-server vpnid 8", "interface", "_vipgone"],
    ["ipsec", "ipsec phase1 ikeid 1", "interface", ""],
    ["dhcpd", "dhcpd lan", "gateway", "192.168.99.1"],
    ["dhcpd", "dhcpd lan", "dnsserver", "192.168.99.2"],
  ]);
  assert.ok(found.every((f) => f.node === "primary" && f.code === "service-on-node-address"));
  const ovpn1 = found[0];
  assert.match(
    ovpn1.message,
    /OpenVPN server vpnid 1 "roadwarrior" is on wan, the node's own address/,
  );
  assert.match(ovpn1.fix, /CARP VIP 192\.168\.1\.10 \(vhid 1\)/);
  assert.match(ovpn1.fix, /VipServiceBinding service "openvpn-server" id 1/);
  assert.match(found[1].message, /ipalias VIP 192\.168\.1\.20 on wan, which is not CARP/);
  assert.match(found[3].message, /a VIP that no longer exists/);
  assert.match(found[4].message, /IPsec phase 1 ikeid 1 is on wan/, "absent interface = wan");
  assert.match(found[5].message, /primary's address 192\.168\.99\.1 as the router/);
  assert.match(found[6].message, /secondary's address 192\.168\.99\.2 as DNS server/);
  assert.match(found[6].fix, /192\.168\.99\.254/);
});

test("DHCP: an unset gateway or DNS list hands out the node's own address; a failover peer on the VIP is wrong", () => {
  const p = cfg("1");
  p.dhcpd.lan = {
    enable: true,
    rangeFrom: "192.168.99.100",
    rangeTo: "192.168.99.199",
    dnsServers: [],
    failoverPeerIp: "192.168.99.254",
  };
  p.openvpnServers = [];
  p.ipsecPhase1 = [];
  const found = serviceFindings(p, undefined);
  assert.deepEqual(
    found.map((f) => [f.field, f.value]),
    [
      ["gateway", ""],
      ["dnsserver", ""],
      ["failover_peerip", "192.168.99.254"],
    ],
  );
  assert.match(found[0].message, /each node hands out its own address \(192\.168\.99\.1\)/);
  // DHCP off, or as DhcpFailover sets it: nothing.
  p.dhcpd.lan = {
    enable: true,
    rangeFrom: "a",
    rangeTo: "b",
    gateway: "192.168.99.254",
    dnsServers: ["192.168.99.254"],
    failoverPeerIp: "192.168.99.2",
  };
  assert.deepEqual(serviceFindings(p, undefined), []);
  p.dhcpd.lan.gateway = "192.168.99.1";
  p.dhcpd.lan.enable = false;
  assert.deepEqual(serviceFindings(p, undefined), []);
});

test("findings are warnings: a healthy cluster stays healthy, and the table lists them with the fix", () => {
  const p = cfg("1");
  const s = cfg("2");
  const reading = (role: "primary" | "secondary", config: NodeHaConfig) => ({
    health: {
      role,
      url: `https://${role}`,
      reachable: true,
      carpAllowed: true,
      demotion: 0,
      maintenance: false,
    },
    config,
    carp: {
      allow: true,
      demotion: 0,
      maintenance: false,
      vips:
        role === "primary"
          ? { wanvip: "MASTER" as const, lanvip: "MASTER" as const }
          : { wanvip: "BACKUP" as const, lanvip: "BACKUP" as const },
    },
  });
  const h = evaluateHealth(reading("primary", p), reading("secondary", s) as never);
  assert.equal(h.healthy, true, JSON.stringify(h.problems));
  assert.equal(h.warnings.length, 14, "7 per node");
  assert.ok(h.warnings.slice(7).every((w) => w.node === "secondary"));
  const table = formatHealthTable(h);
  assert.match(
    table,
    /SERVICES ON NODE ADDRESSES \(14 warning\(s\); failover does not move them\):/,
  );
  assert.match(table, /\n {2}NODE +SECTION +ITEM +FIELD +VALUE\n/);
  assert.match(table, /\n {2}primary +openvpn +openvpn-server vpnid 1 +interface +wan\n/);
  assert.match(table, /\n {2}primary +ipsec +ipsec phase1 ikeid 1 +interface +\(none\)\n/);
  assert.match(
    table,
    /- primary: OpenVPN server vpnid 1 "roadwarrior" is on wan.*Fix: bind it to the CARP VIP 192\.168\.1\.10/,
  );
  assert.match(table, /\nHEALTHY$/);
  // Without findings the section is absent.
  const clean = { ...h, warnings: [] };
  assert.doesNotMatch(formatHealthTable(clean), /SERVICES ON NODE ADDRESSES/);
});
