/**
 * Plain-data model of the parts of a pfSense node's config.xml that the library owns or reads.
 * Every layer speaks these types: the planner produces them, the node client's section codecs
 * translate them to and from pfSense's XML-RPC shapes (design/pfsense-xmlrpc.md §9), the
 * providers store them in state. Pure types, no behaviour.
 *
 * Fields pfSense has but the library does not model travel in `extra`, untouched, so a
 * read-modify-write never drops them (architecture invariant 1).
 */

/** Unmodelled members of an item, carried through verbatim (XML-RPC / config.xml shape). */
export type Extra = Record<string, unknown>;

/** IP address family. */
export type Family = 4 | 6;

/** `virtualip/vip/mode` (§9.2). */
export type VipMode = "carp" | "ipalias" | "proxyarp" | "other";

/** One `<vip>` entry of `<virtualip>`. */
export interface VirtualIp {
  mode: VipMode;
  /** Interface assignment name (`wan`, `lan`, `opt1`, ...), or `_vip<uniqid>` for a stacked alias. */
  interface: string;
  /** CARP group id, 1-255 (carp only). */
  vhid?: number;
  /** CARP advertisement skew, 0-254 (carp only). */
  advskew?: number;
  /** CARP advertisement base in seconds, 1-254 (carp only). */
  advbase?: number;
  /** CARP shared password (carp only). A secret. */
  password?: string;
  /** PHP uniqid() identity (carp and ipalias). */
  uniqid?: string;
  descr?: string;
  /** `single` (one address) or `network` (proxyarp/other). */
  type: "single" | "network";
  /** The VIP address itself. */
  subnet: string;
  /** Prefix length of the parent network (not /32). */
  subnetBits: number;
  /** `noexpand` flag (proxyarp/other). */
  noexpand?: boolean;
  extra?: Extra;
}

/** `hasync` checkbox areas (§6.3), by their config suffix: `synchronize<area>`. */
export type SyncArea =
  | "users"
  | "authservers"
  | "certs"
  | "rules"
  | "schedules"
  | "aliases"
  | "nat"
  | "ipsec"
  | "openvpn"
  | "dhcpd"
  | "dhcrelay"
  | "dhcrelay6"
  | "wol"
  | "staticroutes"
  | "virtualip"
  | "trafficshaper"
  | "trafficshaperlimiter"
  | "dnsforwarder"
  | "captiveportal";

/** Every sync area pfSense 2.7 offers, in the GUI's order. */
export const ALL_SYNC_AREAS: readonly SyncArea[] = [
  "users",
  "authservers",
  "certs",
  "rules",
  "schedules",
  "aliases",
  "nat",
  "ipsec",
  "openvpn",
  "dhcpd",
  "dhcrelay",
  "dhcrelay6",
  "wol",
  "staticroutes",
  "virtualip",
  "trafficshaper",
  "trafficshaperlimiter",
  "dnsforwarder",
  "captiveportal",
];

/** The `<hasync>` section of one node. */
export interface HaSync {
  /** `pfsyncenabled` (per node, never synced). */
  pfsyncEnabled: boolean;
  /** `pfsyncinterface`: assignment name of the sync interface. */
  pfsyncInterface?: string;
  /** `pfsyncpeerip`: the other node's sync address (empty = multicast). */
  pfsyncPeerIp?: string;
  /** `pfhostid` (2.7+): hex, at most 8 characters, distinct per node. */
  pfHostId?: string;
  /** `synchronizetoip`: primary only. */
  synchronizeToIp?: string;
  /** `username` (empty means `admin`). Primary only. */
  username?: string;
  /** `password`: the sync user's password. Primary only. A secret. */
  password?: string;
  /** `adminsync` (2.5+). */
  adminSync?: boolean;
  /** The `synchronize*` boxes that are checked. */
  areas: SyncArea[];
  extra?: Extra;
}

/** Outbound NAT modes (§9.3). */
export type OutboundNatMode = "automatic" | "hybrid" | "advanced" | "disabled";

/** One `nat/outbound/rule`. */
export interface OutboundNatRule {
  interface: string;
  /** `source/network`: CIDR, alias, `any`, special nets such as `lan`, `(self)`. */
  source: string;
  sourcePort?: string;
  /** Destination: `any`, or a CIDR/alias with optional negation. */
  destination: { any: true } | { network: string; not?: boolean };
  destinationPort?: string;
  /** Translation target: a VIP address (what the library writes), `<if>ip`, an alias or a network. */
  target: string;
  targetSubnet?: string;
  /** `inet`, `inet6`, or absent for both. */
  ipProtocol?: "inet" | "inet6";
  protocol?: string;
  descr?: string;
  disabled?: boolean;
  nosync?: boolean;
  nonat?: boolean;
  staticNatPort?: boolean;
  extra?: Extra;
}

/** One interface's `<dhcpd>` settings (ISC DHCPv4). */
export interface DhcpdInterface {
  enable: boolean;
  rangeFrom: string;
  rangeTo: string;
  /** Default gateway handed out (usually the interface's CARP VIP). */
  gateway?: string;
  /** DNS servers handed out (at most 4). */
  dnsServers: string[];
  /** `failover_peerip`: the other node's address on this interface. */
  failoverPeerIp?: string;
  extra?: Extra;
}

/** One `<interfaces>` entry, read only. */
export interface InterfaceConfig {
  /** Assignment name (`wan`, `lan`, `optN`). */
  name: string;
  /** NIC name (`igb0`); may differ per node. */
  device?: string;
  descr?: string;
  enable: boolean;
  /** Static IPv4 address, or a mode such as `dhcp`. */
  ipaddr?: string;
  /** IPv4 prefix length. */
  subnet?: number;
  ipaddrv6?: string;
  subnetv6?: number;
}

/** Everything HA-related about one node, as the library plans and reads it. */
export interface NodeHaConfig {
  virtualIps: VirtualIp[];
  hasync?: HaSync;
  natMode?: OutboundNatMode;
  natRules: OutboundNatRule[];
  dhcpd: Record<string, DhcpdInterface>;
  interfaces: Record<string, InterfaceConfig>;
}

/** Which node of the pair. */
export type NodeRole = "primary" | "secondary";
