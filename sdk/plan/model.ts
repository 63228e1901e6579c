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
  /** Free-text description (`descr`). */
  descr?: string;
  /** `single` (one address) or `network` (proxyarp/other). */
  type: "single" | "network";
  /** The VIP address itself. */
  subnet: string;
  /** Prefix length of the parent network (not /32). */
  subnetBits: number;
  /** `noexpand` flag (proxyarp/other). */
  noexpand?: boolean;
  /** Members the library does not model, kept as read so writes never drop them. */
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
  | "kea6"
  | "dhcrelay6"
  | "wol"
  | "staticroutes"
  | "virtualip"
  | "trafficshaper"
  | "trafficshaperlimiter"
  | "dnsforwarder"
  | "captiveportal";

/**
 * Every sync area pfSense 2.7 offers, in the GUI's order. master (2.8.0-DEVELOPMENT since commit
 * a4cd7de16d) has a 20th, `kea6` ({@link MASTER_SYNC_AREAS}).
 */
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

/**
 * Every sync area of pfSense master / 2.8, in its GUI's order: `synchronizekea6` (DHCPv6 and
 * `kea6`) sits between the two relay boxes (pfsense/pfsense master
 * src/usr/local/www/system_hasync.php `$checkbox_names`).
 */
export const MASTER_SYNC_AREAS: readonly SyncArea[] = [
  ...ALL_SYNC_AREAS.slice(0, ALL_SYNC_AREAS.indexOf("dhcrelay6")),
  "kea6",
  ...ALL_SYNC_AREAS.slice(ALL_SYNC_AREAS.indexOf("dhcrelay6")),
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
  /** Members the library does not model, kept as read so writes never drop them. */
  extra?: Extra;
}

/** Outbound NAT modes (§9.3). */
export type OutboundNatMode = "automatic" | "hybrid" | "advanced" | "disabled";

/** One `nat/outbound/rule`. */
export interface OutboundNatRule {
  /** Assignment name of the interface the rule applies to (`wan`). */
  interface: string;
  /** `source/network`: CIDR, alias, `any`, special nets such as `lan`, `(self)`. */
  source: string;
  /** `sourceport`: a port or range (`1024:65535`); absent = any. */
  sourcePort?: string;
  /** Destination: `any`, or a CIDR/alias with optional negation. */
  destination: { any: true } | { network: string; not?: boolean };
  /** `dstport`: a port or range; absent = any. */
  destinationPort?: string;
  /** Translation target: a VIP address (what the library writes), `<if>ip`, an alias or a network. */
  target: string;
  /** `target_subnet`: prefix length of a network target. */
  targetSubnet?: string;
  /** `inet`, `inet6`, or absent for both. */
  ipProtocol?: "inet" | "inet6";
  /** `protocol` (`tcp`, `udp`, `tcp/udp`, ...); absent = any. */
  protocol?: string;
  /** Free-text description (`descr`). */
  descr?: string;
  /** `disabled` flag. */
  disabled?: boolean;
  /** `nosync` flag: the primary's sync leaves this rule out. */
  nosync?: boolean;
  /** `nonat` flag: do not translate matching traffic. */
  nonat?: boolean;
  /** `staticnatport` flag: keep the source port. */
  staticNatPort?: boolean;
  /** Members the library does not model, kept as read so writes never drop them. */
  extra?: Extra;
}

/** One interface's `<dhcpd>` settings (ISC DHCPv4). */
export interface DhcpdInterface {
  /** `enable` flag: dhcpd serves this interface. */
  enable: boolean;
  /** `range/from`: first address of the pool. */
  rangeFrom: string;
  /** `range/to`: last address of the pool. */
  rangeTo: string;
  /** Default gateway handed out (usually the interface's CARP VIP). */
  gateway?: string;
  /** DNS servers handed out (at most 4). */
  dnsServers: string[];
  /** `failover_peerip`: the other node's address on this interface. */
  failoverPeerIp?: string;
  /** Members the library does not model (DDNS keys among them: secrets), kept as read. */
  extra?: Extra;
}

/** One `<interfaces>` entry, read only. */
export interface InterfaceConfig {
  /** Assignment name (`wan`, `lan`, `optN`). */
  name: string;
  /** NIC name (`igb0`); may differ per node. */
  device?: string;
  /** Interface description shown in the GUI. */
  descr?: string;
  /** `enable` flag: the interface is up. */
  enable: boolean;
  /** Static IPv4 address, or a mode such as `dhcp`. */
  ipaddr?: string;
  /** IPv4 prefix length. */
  subnet?: number;
  /** Static IPv6 address, or a mode such as `dhcp6`. */
  ipaddrv6?: string;
  /** IPv6 prefix length. */
  subnetv6?: number;
}

/** `dhcpbackend` (2.7.1+): anything but `kea` reads as `isc` (pfSense-utils.inc dhcp_get_backend()). */
export type DhcpBackend = "isc" | "kea";

/**
 * `<kea><ha>` / `<kea6><ha>` (pfSense master / 2.8, Services > DHCP Server > Settings;
 * pfsense/pfsense master src/usr/local/pfSense/include/www/services_dhcp.inc
 * dhcp_do_settings_post()). Hot-standby Kea HA between the two nodes.
 */
export interface KeaHa {
  /** `ha/enable` flag. */
  enable: boolean;
  /** `ha/role`: `primary` or `standby` (kept as read, so a bad value can be reported). */
  role?: string;
  /** `ha/localip`: this node's HA listener address. */
  localIp?: string;
  /** `ha/localport` (default 8765 for DHCPv4, 8766 for DHCPv6). */
  localPort?: string;
  /** `ha/remotename`: the peer's Kea server name (its `localname`, else its hostname). */
  remoteName?: string;
  /** `ha/remoteip`: the peer's HA listener address. */
  remoteIp?: string;
  /** `ha/remoteport`. */
  remotePort?: string;
  /**
   * Everything else, kept as read: timing fields (`heartbeatdelay`, ...) and the node-local
   * `localname`, `tls`, `scertref`, `mutualtls`, `ccertref`, which pfSense's receiver restores from
   * its own config on every restore (xmlrpc.php master), so they can never be written over XML-RPC.
   */
  extra?: Extra;
}

/** A `<kea>` or `<kea6>` section: `ha` modelled, everything else (dnsreg, custom config) carried. */
export interface KeaSection {
  ha?: KeaHa;
  extra?: Extra;
}

/** Everything HA-related about one node, as the library plans and reads it. */
export interface NodeHaConfig {
  /** Every `virtualip/vip` entry, in config order. */
  virtualIps: VirtualIp[];
  /** The `<hasync>` section; absent when the node has none. */
  hasync?: HaSync;
  /** `nat/outbound/mode`; absent = `automatic`. */
  natMode?: OutboundNatMode;
  /** Outbound NAT rules, in config (evaluation) order. */
  natRules: OutboundNatRule[];
  /** DHCPv4 settings per interface assignment name. */
  dhcpd: Record<string, DhcpdInterface>;
  /** Interfaces per assignment name (read only). */
  interfaces: Record<string, InterfaceConfig>;
  /** `dhcpbackend` (read only); absent when the node has none (reads as `isc`). */
  dhcpBackend?: DhcpBackend;
  /** `<kea>` (Kea DHCPv4 settings, master/2.8); absent when the node has none. */
  kea?: KeaSection;
  /** `<kea6>` (Kea DHCPv6 settings, master/2.8); absent when the node has none. */
  kea6?: KeaSection;
  /**
   * `filter/rule`, in config (evaluation) order. Absent in configs built by hand (tests, the
   * planner); the session's read always fills it.
   */
  filterRules?: FilterRule[];
  /** `openvpn/openvpn-server`, in config order; absent in configs built by hand. */
  openvpnServers?: OpenVpnServer[];
  /** `ipsec/phase1`, in config order; absent in configs built by hand. */
  ipsecPhase1?: IpsecPhase1[];
}

/**
 * A source or destination of a `filter/rule` (pfSense `pconfig_to_address()`, util.inc): `any`,
 * a host or CIDR (`address`), or a special network (`network`: `lan`, `opt1ip`, `(self)`).
 */
export interface FilterAddress {
  any?: true;
  address?: string;
  network?: string;
  not?: true;
  /** A port, range (`1000-2000`) or port alias. */
  port?: string;
}

/** One `filter/rule` (firewall_rules_edit.php): the members the library models. */
export interface FilterRule {
  /** `pass`, `block` or `reject`. */
  type: string;
  /** Assignment name (`opt1`); floating rules hold a comma list. */
  interface: string;
  /** `inet`, `inet6` or `inet46`. */
  ipProtocol?: string;
  /** `tcp`, `udp`, `pfsync`, ...; absent = any. */
  protocol?: string;
  source: FilterAddress;
  destination: FilterAddress;
  descr?: string;
  /** pfSense's rule id (`(int)microtime(true)` at creation), the label pf logs carry. */
  tracker?: string;
  disabled?: boolean;
  nosync?: boolean;
  /** Every other member (`created`, `updated`, `statetype`, `log`, ...), verbatim. */
  extra?: Extra;
}

/**
 * One `openvpn/openvpn-server` (vpn_openvpn_server.php, pfSense 2.7.2 and master): the members a
 * VIP binding reads and writes. The GUI offers the interfaces and every CARP/IP alias VIP as
 * `<key>|<address>` (openvpn.inc `openvpn_build_if_list()`, VIP keys `_vip<uniqid>` from util.inc
 * `get_configured_vip_list()`) and stores the two halves as `interface` and `ipaddr`.
 */
export interface OpenVpnServer {
  /** `vpnid`: the server's id (`ovpns<vpnid>`), as config.xml holds it. */
  vpnid: string;
  /** `interface`: an assignment name (`wan`), `_vip<uniqid>`, a gateway group or `any`. */
  interface: string;
  /** `ipaddr`: the address picked with a VIP (openvpn.inc `openvpn_reconfigure()` binds to it). */
  ipaddr?: string;
  /** `description`. */
  description?: string;
  /** `disable` flag. */
  disable?: boolean;
  /** Every other member (keys, certificates, tunnel settings: secrets among them), verbatim. */
  extra?: Extra;
}

/**
 * One `ipsec/phase1` (vpn_ipsec_phase1.php): `interface` is an assignment name, `_vip<uniqid>`
 * or a gateway group; absent reads as `wan` (ipsec.inc `ipsec_get_phase1_src()`).
 */
export interface IpsecPhase1 {
  /** `ikeid`: the phase 1's id (`con<ikeid>`), as config.xml holds it. */
  ikeid: string;
  /** `interface`; absent (undefined) reads as `wan` in pfSense. */
  interface?: string;
  /** `descr`. */
  descr?: string;
  /** `disabled` flag. */
  disabled?: boolean;
  /** Every other member (pre-shared key, proposals, ...), verbatim. */
  extra?: Extra;
}

/** Which node of the pair. */
export type NodeRole = "primary" | "secondary";
