/**
 * A brownfield pair, configured "by hand" before any stack exists: CARP VIPs of every mode (CARP,
 * IP alias, proxy ARP, other, an IP alias stacked on a CARP VIP), port forwards (one `nosync`),
 * a 1:1 entry, a hand-made hybrid outbound rule, a filter rule, DHCP static mappings, DHCP
 * failover on a second interface, an extra user and group, and the web GUI on port 8443. Both
 * nodes' config.xml are written as files and the pair starts from them.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { dumpConfigXml, parseConfigXml } from "../../sdk/codec/configXml";
import { leaf, toList, toStruct, type PhpStruct, type PhpValue } from "../../sdk/codec/phpValue";
import {
  pairNodeConfigXml,
  startPair,
  type EmulatedNode,
  type EmulatedPair,
} from "../../sdk/emulator";

type Role = "primary" | "secondary";

/** The uniqid of the hand-made CARP VIP (the stacked IP alias names it). */
const HAND_CARP = "5f1a2b3c4d5e6";
const DMZ_CARP = "5f1a2b3c4d5e7";

function vips(role: Role): PhpStruct[] {
  const skew = role === "primary" ? "0" : "100";
  const carp = (iface: string, uniqid: string, vhid: string, subnet: string, descr: string) => ({
    mode: "carp",
    interface: iface,
    vhid,
    advskew: skew,
    advbase: "1",
    password: "HandCarpPw1",
    uniqid,
    descr,
    type: "single",
    subnet_bits: "24",
    subnet,
  });
  const plain = (mode: string, iface: string, subnet: string, descr: string) => ({
    mode,
    interface: iface,
    uniqid: `5f1a2b3c4${mode.length}${subnet.split(".").pop()}`,
    descr,
    type: "single",
    subnet_bits: "24",
    subnet,
  });
  return [
    carp("wan", HAND_CARP, "1", "192.168.1.50", "hand CARP"),
    carp("opt2", DMZ_CARP, "1", "10.20.0.254", "hand DMZ CARP"),
    plain("ipalias", "lan", "192.168.99.60", "hand IP alias"),
    plain("proxyarp", "wan", "192.168.1.61", "hand proxy ARP"),
    plain("other", "wan", "192.168.1.62", "hand other"),
    {
      ...plain("ipalias", `_vip${HAND_CARP}`, "192.168.1.63", "hand stacked alias"),
      subnet_bits: "32",
    },
  ];
}

function nat(): PhpStruct {
  const forward = (descr: string, port: string, nosync: boolean): PhpStruct => ({
    source: { any: "" },
    destination: { network: "wanip", port },
    ipprotocol: "inet",
    protocol: "tcp",
    target: "192.168.99.80",
    "local-port": port,
    interface: "wan",
    descr,
    ...(nosync ? { nosync: "" } : {}),
    "associated-rule-id": "pass",
  });
  return {
    rule: [forward("hand web forward", "443", false), forward("hand nosync forward", "8022", true)],
    onetoone: [
      {
        external: "192.168.1.70",
        descr: "hand 1:1",
        interface: "wan",
        source: { address: "192.168.99.70" },
        destination: { any: "" },
      },
    ],
    outbound: {
      mode: "hybrid",
      rule: [
        {
          interface: "wan",
          source: { network: "10.8.0.0/24" },
          destination: { any: "" },
          target: "192.168.1.50",
          descr: "hand VPN outbound",
        },
      ],
    },
  };
}

function edit(role: Role): string {
  const tree = parseConfigXml(pairNodeConfigXml(role));
  const host = role === "primary" ? "1" : "2";
  const peer = role === "primary" ? "2" : "1";
  const ifs = toStruct(tree.interfaces);
  ifs.opt2 = { enable: "", if: "em3", descr: "DMZ", ipaddr: `10.20.0.${host}`, subnet: "24" };
  tree.virtualip = { vip: vips(role) };
  tree.nat = nat();
  const filter = toStruct(tree.filter);
  filter.rule = [
    ...toList(filter.rule),
    {
      type: "pass",
      interface: "lan",
      ipprotocol: "inet",
      source: { any: "" },
      destination: { any: "" },
      descr: "hand LAN rule",
      tracker: "1700000001",
    },
  ];
  tree.filter = filter;
  const dhcpd = toStruct(tree.dhcpd);
  dhcpd.lan = {
    ...toStruct(dhcpd.lan),
    staticmap: [
      {
        mac: "00:11:22:33:44:55",
        ipaddr: "192.168.99.220",
        hostname: "printer",
        descr: "hand map",
      },
    ],
  };
  dhcpd.opt2 = {
    enable: "",
    range: { from: "10.20.0.100", to: "10.20.0.199" },
    failover_peerip: `10.20.0.${peer}`,
    gateway: "10.20.0.254",
    dnsserver: ["10.20.0.254"],
  };
  tree.dhcpd = dhcpd;
  const sys = toStruct(tree.system);
  sys.webgui = { ...toStruct(sys.webgui), protocol: "https", port: "8443" };
  sys.group = [
    ...toList(sys.group),
    { name: "netops", description: "hand group", scope: "local", gid: "2001", member: ["2001"] },
  ];
  sys.user = [
    ...toList(sys.user),
    {
      name: "netops",
      descr: "hand user",
      scope: "user",
      groupname: "netops",
      uid: "2001",
      "bcrypt-hash": "$2y$10$abcdefghijklmnopqrstuuJ0wLCp0VxfK8ZrWkWwQ0aFJ7w8B1Xy",
    },
  ];
  tree.system = sys;
  return dumpConfigXml(tree);
}

/** Starts the brownfield pair from two config files written under `dir`. */
export async function startBrownfieldPair(dir: string): Promise<EmulatedPair> {
  const files = {
    primary: path.join(dir, "primary.xml"),
    secondary: path.join(dir, "secondary.xml"),
  };
  for (const role of ["primary", "secondary"] as const) writeFileSync(files[role], edit(role));
  return startPair({ dir, primaryConfigFile: files.primary, secondaryConfigFile: files.secondary });
}

function byDescr(list: PhpValue | undefined, prefix: string, tag: string): [string, PhpValue][] {
  return toList(list)
    .map(toStruct)
    .filter((i) => (leaf(i.descr) || leaf(i.description)).startsWith("hand"))
    .map((i) => [`${prefix}[${leaf(i.descr) || leaf(i.description)}]${tag}`, i]);
}

/**
 * Every item the stack does not own, by a stable name: what up, refresh and destroy must leave
 * exactly as it was on each node.
 */
export function unownedItems(node: EmulatedNode): Map<string, string> {
  const t = node.config();
  const nat_ = toStruct(t.nat);
  const sys = toStruct(t.system);
  const dhcpd = toStruct(t.dhcpd);
  const items: [string, PhpValue][] = [
    ...byDescr(toStruct(t.virtualip).vip, "virtualip", ""),
    ...byDescr(nat_.rule, "nat/rule", ""),
    ...byDescr(nat_.onetoone, "nat/onetoone", ""),
    ...byDescr(toStruct(nat_.outbound).rule, "nat/outbound/rule", ""),
    ...byDescr(toStruct(t.filter).rule, "filter/rule", ""),
    ...byDescr(sys.user, "system/user", ""),
    ...byDescr(sys.group, "system/group", ""),
    ["dhcpd/opt2", dhcpd.opt2 ?? null],
    ["dhcpd/lan/staticmap", toStruct(dhcpd.lan).staticmap ?? null],
    ["system/webgui", sys.webgui ?? null],
    ["interfaces", t.interfaces ?? null],
  ];
  return new Map(items.map(([k, v]) => [k, JSON.stringify(v)]));
}
