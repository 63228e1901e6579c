/**
 * "Services on node addresses": OpenVPN servers, IPsec phase 1 entries and DHCP settings that
 * point at a node's own address where a CARP VIP would fail over. Pure rules over what was read.
 * These are configuration advice, not an outage: they are warnings, never problems, and do not
 * change the verdict or the deployment gate.
 *
 * What pfSense does with each (2.7.2, same in master):
 * - OpenVPN `interface` is an assignment name, `_vip<uniqid>`, a gateway group or `any`; only on
 *   a `_vip` interface does `openvpn_reconfigure()` (openvpn.inc) keep the BACKUP from running the
 *   instance (`get_carp_bind_status()`, redmine #11793), and only then does it listen on the VIP.
 * - IPsec phase 1 `interface` the same way (absent = `wan`); ipsec.inc `ipsec_configure()` marks
 *   a `_vip` tunnel on a BACKUP as `carpbackup` (not initiated); otherwise both nodes initiate
 *   from their own address.
 * - dhcpd (services.inc `services_dhcpdv4_configure()`): an empty `gateway` hands out the
 *   interface's own address (`$ifcfgip`), as does an empty `dnsserver` while the DNS Resolver or
 *   Forwarder runs; the ISC failover peer must be the other node's address, never the VIP
 *   (dhcpPlan.ts).
 */
import type { NodeHaConfig, VirtualIp } from "../plan";
import type { HealthWarning } from "./types";

type Role = "primary" | "secondary";

const carpOn = (cfg: NodeHaConfig, iface: string): VirtualIp[] =>
  cfg.virtualIps.filter((v) => v.mode === "carp" && v.interface === iface);

const v4 = (v: VirtualIp): boolean => !v.subnet.includes(":");

/** The VIP whose `_vip<uniqid>` key is `iface`, if any. */
const vipOfKey = (cfg: NodeHaConfig, iface: string): VirtualIp | undefined =>
  cfg.virtualIps.find((v) => `_vip${v.uniqid}` === iface);

/** True when a `_vip` key names a CARP VIP, or an IP alias stacked on one (it follows its state). */
function followsCarp(cfg: NodeHaConfig, iface: string): boolean {
  const v = vipOfKey(cfg, iface);
  if (!v) return false;
  if (v.mode === "carp") return true;
  return (
    v.mode === "ipalias" &&
    v.interface.startsWith("_vip") &&
    vipOfKey(cfg, v.interface)?.mode === "carp"
  );
}

function vipText(vips: VirtualIp[]): string {
  return vips.map((v) => `${v.subnet} (vhid ${v.vhid ?? "?"})`).join(" or ");
}

/** One tunnel item's finding, or none. */
function tunnelFinding(
  node: Role,
  cfg: NodeHaConfig,
  section: "openvpn" | "ipsec",
  item: string,
  stored: string,
  kindText: string,
  fixKind: string,
): HealthWarning | undefined {
  const iface = section === "ipsec" && stored === "" ? "wan" : stored;
  const base = {
    code: "service-on-node-address" as const,
    node,
    section,
    item,
    field: "interface",
    value: stored,
  };
  if (iface.startsWith("_vip")) {
    if (followsCarp(cfg, iface)) return undefined;
    const v = vipOfKey(cfg, iface);
    const parent = v?.interface ?? "";
    const carp = carpOn(cfg, parent);
    return {
      ...base,
      message: v
        ? `${node}: ${kindText} is bound to the ${v.mode} VIP ${v.subnet} on ${parent}, which is not CARP and does not fail over`
        : `${node}: ${kindText} is bound to ${iface}, a VIP that no longer exists`,
      fix:
        carp.length > 0
          ? `bind it to the CARP VIP ${vipText(carp)} (${fixKind})`
          : "bind it to a CARP VIP of its segment (create one with CarpVip)",
    };
  }
  const any = iface === "any";
  const carp = any ? cfg.virtualIps.filter((v) => v.mode === "carp") : carpOn(cfg, iface);
  if (carp.length === 0) return undefined; // not a CARP segment: nothing to fail over to
  return {
    ...base,
    message: any
      ? `${node}: ${kindText} listens on every address, not a CARP VIP: both nodes run it`
      : `${node}: ${kindText} is on ${iface}, the node's own address, not the CARP VIP: both nodes run it and peers lose it on failover`,
    fix: `bind it to the CARP VIP ${vipText(any ? carp.filter(v4) : carp)} (${fixKind})`,
  };
}

/** The DHCP findings of one node's interface. */
function dhcpFindings(
  node: Role,
  cfg: NodeHaConfig,
  nodeAddresses: Map<string, string>,
  ifName: string,
): HealthWarning[] {
  const d = cfg.dhcpd[ifName];
  const vips = carpOn(cfg, ifName).filter(v4);
  if (!d?.enable || vips.length === 0) return [];
  const vip = vips[0].subnet;
  const item = `dhcpd ${ifName}`;
  const base = { code: "service-on-node-address" as const, node, section: "dhcpd" as const, item };
  const out: HealthWarning[] = [];
  const own = cfg.interfaces[ifName]?.ipaddr ?? "";
  const whose = (a: string): string | undefined => nodeAddresses.get(a);
  const gateway = d.gateway ?? "";
  if (gateway === "" || whose(gateway)) {
    out.push({
      ...base,
      field: "gateway",
      value: gateway,
      message:
        gateway === ""
          ? `${node}: DHCP on ${ifName} hands out no gateway setting, so each node hands out its own address (${own || "the interface address"}) as the router`
          : `${node}: DHCP on ${ifName} hands out the ${whose(gateway)} address ${gateway} as the router`,
      fix: `set the gateway to the CARP VIP ${vip} (DhcpFailover, or Services > DHCP Server > ${ifName.toUpperCase()} > Gateway)`,
    });
  }
  const dns = d.dnsServers;
  if (dns.length === 0) {
    out.push({
      ...base,
      field: "dnsserver",
      value: "",
      message: `${node}: DHCP on ${ifName} lists no DNS servers, so while the DNS Resolver or Forwarder runs each node hands out its own address (${own || "the interface address"})`,
      fix: `list the CARP VIP ${vip} as DNS server (DhcpFailover dnsServers, or Services > DHCP Server > ${ifName.toUpperCase()} > DNS Servers)`,
    });
  }
  for (const a of dns) {
    if (!whose(a)) continue;
    out.push({
      ...base,
      field: "dnsserver",
      value: a,
      message: `${node}: DHCP on ${ifName} hands out the ${whose(a)} address ${a} as DNS server`,
      fix: `hand out the CARP VIP ${vip} instead`,
    });
  }
  if (d.failoverPeerIp && vips.some((v) => v.subnet === d.failoverPeerIp)) {
    out.push({
      ...base,
      field: "failover_peerip",
      value: d.failoverPeerIp,
      message: `${node}: the DHCP failover peer on ${ifName} is the CARP VIP; dhcpd peers talk node to node, and the VIP moves`,
      fix: "set the failover peer to the other node's own address on the interface (DhcpFailover does)",
    });
  }
  return out;
}

/**
 * Every finding on one node: its OpenVPN servers and IPsec phase 1 entries (disabled ones
 * skipped: they do not run) and its DHCP settings, against `nodeAddresses` (both nodes' own
 * addresses, address → "primary's"/"secondary's").
 */
export function nodeServiceFindings(
  node: Role,
  cfg: NodeHaConfig,
  nodeAddresses: Map<string, string>,
): HealthWarning[] {
  const out: HealthWarning[] = [];
  for (const s of cfg.openvpnServers ?? []) {
    if (s.disable) continue;
    const desc = s.description ? ` "${s.description}"` : "";
    const f = tunnelFinding(
      node,
      cfg,
      "openvpn",
      `openvpn-server vpnid ${s.vpnid}`,
      s.interface,
      `OpenVPN server vpnid ${s.vpnid}${desc}`,
      `VipServiceBinding service "openvpn-server" id ${s.vpnid}, or VPN > OpenVPN > Servers > Interface`,
    );
    if (f) out.push(f);
  }
  for (const p of cfg.ipsecPhase1 ?? []) {
    if (p.disabled) continue;
    const desc = p.descr ? ` "${p.descr}"` : "";
    const f = tunnelFinding(
      node,
      cfg,
      "ipsec",
      `ipsec phase1 ikeid ${p.ikeid}`,
      p.interface ?? "",
      `IPsec phase 1 ikeid ${p.ikeid}${desc}`,
      `VipServiceBinding service "ipsec-phase1" id ${p.ikeid}, or VPN > IPsec > Tunnels > Interface`,
    );
    if (f) out.push(f);
  }
  for (const ifName of Object.keys(cfg.dhcpd))
    out.push(...dhcpFindings(node, cfg, nodeAddresses, ifName));
  return out;
}

/** Both nodes' findings (a node not read has none). */
export function serviceFindings(
  primary: NodeHaConfig | undefined,
  secondary: NodeHaConfig | undefined,
): HealthWarning[] {
  const addresses = new Map<string, string>();
  for (const [role, cfg] of [
    ["primary's", primary],
    ["secondary's", secondary],
  ] as const) {
    for (const i of Object.values(cfg?.interfaces ?? {})) {
      if (i.ipaddr && /^\d+\.\d+\.\d+\.\d+$/.test(i.ipaddr)) addresses.set(i.ipaddr, role);
      if (i.ipaddrv6 && i.ipaddrv6.includes(":")) addresses.set(i.ipaddrv6, role);
    }
  }
  return [
    ...(primary ? nodeServiceFindings("primary", primary, addresses) : []),
    ...(secondary ? nodeServiceFindings("secondary", secondary, addresses) : []),
  ];
}
