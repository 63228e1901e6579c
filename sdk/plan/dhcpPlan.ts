/**
 * ISC DHCPv4 failover on a CARP interface: one pool served by both nodes, each pointing at the
 * other node's interface address, handing out the CARP VIP as gateway and DNS (design §8.6).
 */
import { haError } from "./errors";
import {
  contains,
  formatAddress,
  formatNetwork,
  parseAddress,
  parseNetwork,
  requireHostOf,
  reservedRole,
  type Network,
} from "./ipNet";
import type { DhcpdInterface } from "./model";
import { planCarpTiming } from "./skewPolicy";

/** Most DNS servers pfSense's DHCP settings hold. */
export const DHCP_MAX_DNS_SERVERS = 4;

/** Input of {@link planDhcpFailover}. */
export interface DhcpFailoverInput {
  /** Interface assignment name, for messages (`lan`). */
  interface: string;
  /** Interface subnet, IPv4 CIDR (`192.168.99.0/24`). */
  subnet: string;
  /** Primary's own address on the interface. */
  primaryAddress: string;
  /** Secondary's own address on the interface. */
  secondaryAddress: string;
  /** The interface's CARP VIP address. */
  vip: string;
  /** First address of the pool. */
  rangeFrom: string;
  /** Last address of the pool (inclusive). */
  rangeTo: string;
  /** Gateway handed out. Default: the CARP VIP. */
  gateway?: string;
  /** DNS servers handed out, at most 4. Default: `[vip]`. */
  dnsServers?: string[];
  /** The primary's CARP advskew on this interface; must be < 20 (§8.6). Default 0. */
  primarySkew?: number;
  /**
   * Static DHCP mappings on the interface (either node's), which the range must not cover: the
   * GUI refuses that (services_dhcp.php, "cannot overlap any static DHCP mappings"), XML-RPC
   * writes do not. Default none.
   */
  staticMaps?: { address: string; name?: string }[];
  /** Whether DHCP is enabled. Default true. */
  enable?: boolean;
  /** Field prefix for errors. Default `DhcpFailover[<interface>]`. */
  field?: string;
}

/**
 * Plans both nodes' `dhcpd/<if>` settings for DHCP failover. Each node's `failoverPeerIp` is the
 * other node's interface address (never the VIP: dhcpd peers talk node to node). Rejects:
 * `E_FAMILY_MISMATCH` (not IPv4: ISC failover is DHCPv4 only), `E_ADDRESS_OUTSIDE_SUBNET`,
 * `E_ADDRESS_RESERVED` (range end on network/broadcast), `E_DHCP_RANGE` (from > to, or the range
 * covers a node address, the VIP or a static mapping), `E_DHCP_PEER` (node addresses outside the subnet, equal to
 * each other or to the VIP), `E_INVALID_INPUT` (more than 4 DNS servers), `E_DHCP_SKEW`.
 */
export function planDhcpFailover(input: DhcpFailoverInput): {
  primary: DhcpdInterface;
  secondary: DhcpdInterface;
} {
  const base = input.field ?? `DhcpFailover[${input.interface}]`;
  const net = parseNetwork(input.subnet, `${base}.subnet`);
  if (net.family !== 4) {
    throw haError({
      code: "E_FAMILY_MISMATCH",
      field: `${base}.subnet`,
      value: input.subnet,
      message: "DHCP failover (ISC dhcpd) exists for IPv4 only",
      fix: "plan DHCP failover on the interface's IPv4 subnet",
    });
  }
  planCarpTiming({ primarySkew: input.primarySkew ?? 0, dhcpFailover: true, field: base });

  const primary = peerAddress(input.primaryAddress, net, `${base}.primaryAddress`);
  const secondary = peerAddress(input.secondaryAddress, net, `${base}.secondaryAddress`);
  const vip = hostIn(input.vip, net, `${base}.vip`);
  if (primary === secondary) {
    throw haError({
      code: "E_DHCP_PEER",
      field: `${base}.secondaryAddress`,
      value: input.secondaryAddress,
      message: "both nodes have the same address, so each would be its own failover peer",
      fix: "give the secondary its own interface address",
    });
  }
  for (const [which, v, text] of [
    ["primaryAddress", primary, input.primaryAddress],
    ["secondaryAddress", secondary, input.secondaryAddress],
  ] as const) {
    if (v === vip) {
      throw haError({
        code: "E_DHCP_PEER",
        field: `${base}.${which}`,
        value: text,
        message:
          "a node address equals the CARP VIP; the failover peer must be the other node's own address, never the VIP, which moves between nodes",
        fix: "use the nodes' own interface addresses for primaryAddress/secondaryAddress",
      });
    }
  }

  const from = hostIn(input.rangeFrom, net, `${base}.rangeFrom`);
  const to = hostIn(input.rangeTo, net, `${base}.rangeTo`);
  if (from > to) {
    throw haError({
      code: "E_DHCP_RANGE",
      field: `${base}.rangeTo`,
      value: input.rangeTo,
      message: `the range ends before it starts (from ${input.rangeFrom})`,
      fix: "swap rangeFrom and rangeTo",
    });
  }
  for (const [role, v] of [
    ["primary node address", primary],
    ["secondary node address", secondary],
    ["CARP VIP", vip],
  ] as const) {
    if (v >= from && v <= to) {
      throw haError({
        code: "E_DHCP_RANGE",
        field: `${base}.rangeFrom`,
        value: `${input.rangeFrom}-${input.rangeTo}`,
        message: `the DHCP range contains the ${role} ${formatAddress(4, v)}; a client could be leased it`,
        fix: "move the range so that it excludes both node addresses and the VIP",
      });
    }
  }

  rejectStaticMapsInRange(input, from, to, base);

  const gateway = input.gateway === undefined ? vip : hostIn(input.gateway, net, `${base}.gateway`);
  const dnsInput = input.dnsServers ?? [input.vip];
  if (dnsInput.length > DHCP_MAX_DNS_SERVERS) {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${base}.dnsServers`,
      value: dnsInput.join(","),
      message: `pfSense hands out at most ${DHCP_MAX_DNS_SERVERS} DNS servers`,
      fix: `list at most ${DHCP_MAX_DNS_SERVERS} servers (default: the CARP VIP)`,
    });
  }
  const dnsServers = dnsInput.map((d, i) => {
    const a = parseAddress(d, `${base}.dnsServers[${i}]`);
    if (a.family !== 4) {
      throw haError({
        code: "E_FAMILY_MISMATCH",
        field: `${base}.dnsServers[${i}]`,
        value: d,
        message: "DHCPv4 hands out IPv4 DNS servers only",
        fix: "give an IPv4 DNS server, e.g. the interface's CARP VIP",
      });
    }
    return formatAddress(4, a.value);
  });

  const common = {
    enable: input.enable ?? true,
    rangeFrom: formatAddress(4, from),
    rangeTo: formatAddress(4, to),
    gateway: formatAddress(4, gateway),
    dnsServers,
  };
  return {
    primary: {
      ...common,
      dnsServers: [...dnsServers],
      failoverPeerIp: formatAddress(4, secondary),
    },
    secondary: {
      ...common,
      dnsServers: [...dnsServers],
      failoverPeerIp: formatAddress(4, primary),
    },
  };
}

/** Refuses a range that covers a static mapping (two clients could get one address). */
function rejectStaticMapsInRange(
  input: DhcpFailoverInput,
  from: bigint,
  to: bigint,
  base: string,
): void {
  for (const m of input.staticMaps ?? []) {
    let a: bigint;
    try {
      a = parseAddress(m.address, `${base}.staticMaps`).value;
    } catch {
      continue; // not an address pfSense would compare either
    }
    if (a < from || a > to) continue;
    throw haError({
      code: "E_DHCP_RANGE",
      field: `${base}.rangeFrom`,
      value: `${input.rangeFrom}-${input.rangeTo}`,
      message: `the DHCP range covers the static mapping ${m.address}${m.name ? ` (${m.name})` : ""}; the pool could lease that address to another client`,
      fix: "move the range so that it excludes every static mapping on the interface",
    });
  }
}

/** A usable IPv4 host address inside `net`. */
function hostIn(text: string, net: Network, field: string): bigint {
  const a = parseAddress(text, field);
  if (a.family !== net.family) {
    throw haError({
      code: "E_FAMILY_MISMATCH",
      field,
      value: text,
      message: `is not an IPv4 address of ${formatNetwork(net)}`,
      fix: `give an address inside ${formatNetwork(net)}`,
    });
  }
  requireHostOf(net, a.value, text, field);
  return a.value;
}

/** A node address used as failover peer: must be a host of the subnet (dhcpd's role rule). */
function peerAddress(text: string, net: Network, field: string): bigint {
  const a = parseAddress(text, field);
  if (a.family !== net.family || !contains(net, a.value) || reservedRole(net, a.value)) {
    throw haError({
      code: "E_DHCP_PEER",
      field,
      value: text,
      message: `is not a host address inside ${formatNetwork(net)}; pfSense makes dhcpd the failover primary only when the peer lies in the interface's own subnet`,
      fix: `use the node's own address on this interface, inside ${formatNetwork(net)}`,
    });
  }
  return a.value;
}
