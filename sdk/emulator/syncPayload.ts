/**
 * The primary's sync payload (design/pfsense-xmlrpc.md §6.3 section list, §6.4 transforms), as
 * `rc.filter_synchronize` builds it from the node's config. Pure.
 */
import {
  cloneValue,
  isStruct,
  leaf,
  toList,
  toStruct,
  type PhpStruct,
  type PhpValue,
} from "../codec/phpValue";
import type { VersionProfile } from "./profiles";

/** Payload key order: the if-chain of rc.filter_synchronize (2.4.x–master, §16 item 3). */
const SEND_ORDER = [
  "filter", "nat", "aliases", "dhcpd", "kea", "dhcpdv6", "kea6", "dhcrelay", "dhcrelay6", "wol",
  "shaper", "dnshaper", "staticroutes", "gateways", "virtualip", "load_balancer", "ipsec",
  "openvpn", "cert", "ca", "crl", "system", "dnsmasq", "unbound", "schedules", "captiveportal",
  "voucher",
]; // prettier-ignore

function isContainer(v: unknown): v is PhpValue[] | PhpStruct {
  return typeof v === "object" && v !== null && !Buffer.isBuffer(v) && !(v instanceof Date);
}

/** The `system` part: user, nextuid, group, nextgid, authserver as selected (missing → []). */
function systemPart(config: PhpStruct, keys: string[]): PhpStruct {
  const sys = toStruct(config.system);
  const out: PhpStruct = {};
  for (const k of keys) out[k] = sys[k] === undefined ? [] : cloneValue(sys[k]);
  return out;
}

/** Lists whose items carrying `<nosync>` are not sent (§6.4 step 1), as [section, ...path]. */
const NOSYNC_LISTS: string[][] = [
  ["nat", "outbound", "rule"],
  ["nat", "rule"],
  ["filter", "rule"],
  ["aliases", "alias"],
  ["dnsmasq", "hosts"],
  ["ipsec", "tunnel"],
];

/** 2.7.2 tests `synchronize*` flags for non-empty (`""` = off, §6.3). */
function on(hasync: PhpStruct, flag: string): boolean {
  const v = hasync[flag];
  return typeof v === "string" ? v !== "" && v !== "0" : v === true;
}

/** The top-level section names to send, and the `system` children, per the hasync flags. */
export function syncSectionList(
  config: PhpStruct,
  profile: VersionProfile,
): { sections: string[]; system: string[] } {
  const h = toStruct(config.hasync);
  const s: string[] = [];
  const sys: string[] = [];
  const add = (...n: string[]) => n.forEach((x) => s.includes(x) || s.push(x));
  const has = (n: string) => config[n] !== undefined;
  if (on(h, "synchronizeusers")) sys.push("user", "nextuid", "group", "nextgid");
  if (on(h, "synchronizeauthservers")) sys.push("authserver");
  if (on(h, "synchronizecerts") || on(h, "synchronizeopenvpn")) add("cert", "ca", "crl");
  if (on(h, "synchronizerules")) add("filter", "schedules");
  if (on(h, "synchronizeschedules")) add("schedules");
  if (on(h, "synchronizealiases")) add("aliases");
  if (on(h, "synchronizenat")) add("nat");
  if (on(h, "synchronizeipsec")) add("ipsec");
  if (on(h, "synchronizeopenvpn")) add("openvpn");
  // master: `kea` only inside the dhcpd branch, `kea6` only inside the dhcpdv6 one, each when an
  // array (rc.filter_synchronize `is_array(config_get_path(...))`).
  const isArr = (n: string) => typeof config[n] === "object" && config[n] !== null;
  if (on(h, "synchronizedhcpd")) {
    if (isArr("dhcpd")) {
      add("dhcpd");
      if (profile.name === "master" && isArr("kea")) add("kea");
    }
  }
  if (profile.name === "master" && on(h, "synchronizekea6")) {
    if (isArr("dhcpdv6")) {
      add("dhcpdv6");
      if (isArr("kea6")) add("kea6");
    }
  }
  const relays =
    profile.name === "master" || profile.name === "2.7" || /^2\.6/.test(profile.productVersion);
  if (relays && on(h, "synchronizedhcrelay") && has("dhcrelay")) add("dhcrelay");
  if (relays && on(h, "synchronizedhcrelay6") && has("dhcrelay6")) add("dhcrelay6");
  if (on(h, "synchronizewol")) add("wol");
  if (on(h, "synchronizestaticroutes")) add("staticroutes", "gateways");
  if (on(h, "synchronizevirtualip")) add("virtualip");
  if (on(h, "synchronizetrafficshaper")) add("shaper");
  if (on(h, "synchronizetrafficshaperlimiter")) add("dnshaper");
  if (on(h, "synchronizednsforwarder")) {
    if (has("dnsmasq")) add("dnsmasq");
    if (has("unbound")) add("unbound");
  }
  if (on(h, "synchronizecaptiveportal")) {
    add("captiveportal");
    if (has("voucher")) add("voucher");
  }
  if (profile.name === "2.4" && on(h, "synchronizelb")) add("load_balancer");
  return { sections: s, system: sys };
}

function ipv4ToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/** True when `ip` lies in `net/bits` (IPv4 only). */
export function inSubnet(ip: string, net: string, bits: number): boolean {
  const a = ipv4ToInt(ip);
  const b = ipv4ToInt(net);
  if (a === undefined || b === undefined || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

/** This node's own address on the interface whose subnet contains `peer` (IPv4). */
export function ownAddressFacing(config: PhpStruct, peer: string): string | undefined {
  for (const ifc of Object.values(toStruct(config.interfaces))) {
    if (!isStruct(ifc)) continue;
    const ip = leaf(ifc.ipaddr);
    const bits = Number(leaf(ifc.subnet));
    if (ipv4ToInt(ip) !== undefined && inSubnet(peer, ip, bits)) return ip;
  }
  return undefined;
}

function stripNosync(section: PhpValue, path: string[]): PhpValue {
  if (!isStruct(section)) return section;
  const [head, ...rest] = path;
  if (rest.length === 0) {
    const list = section[head];
    if (list === undefined) return section;
    const items: [string, PhpValue][] = Array.isArray(list)
      ? list.map((v, i) => [String(i), v])
      : isStruct(list)
        ? Object.entries(list)
        : [];
    const kept = items.filter(
      ([, v]) => !(isStruct(v) && v.nosync !== undefined && v.nosync !== false),
    );
    if (kept.length === items.length) return section;
    // Original indexes are kept: a hole makes the list a numbered struct on the wire (§2.2).
    const out: PhpStruct = {};
    for (const [k, v] of kept) out[k] = v;
    section[head] = kept.every(([k], i) => Number(k) === i) ? kept.map(([, v]) => v) : out;
    return section;
  }
  const child = section[head];
  if (child !== undefined) section[head] = stripNosync(child, rest);
  return section;
}

function sanitizeDescr(section: PhpValue, path: string[]): void {
  if (!isStruct(section)) return;
  const [head, ...rest] = path;
  if (rest.length > 0) return sanitizeDescr(section[head], rest);
  for (const item of toList(section[head])) {
    if (isStruct(item) && typeof item.descr === "string") {
      item.descr = (item.descr.match(/[A-Za-z0-9_-]+/g) ?? []).join(" ");
    }
  }
}

/** `virtualip` as the sender builds it from the live config (§6.4 step 3). */
export function syncVirtualIps(config: PhpStruct): PhpStruct {
  const out: PhpValue[] = [];
  for (const v of toList(toStruct(config.virtualip).vip)) {
    if (!isStruct(v)) continue;
    const mode = leaf(v.mode);
    const ifc = leaf(v.interface);
    if (
      (mode === "ipalias" || mode === "proxyarp") &&
      !ifc.includes("_vip") &&
      !ifc.includes("lo0")
    )
      continue;
    const copy = cloneValue(v);
    if (leaf(v.advskew) !== "")
      copy.advskew = Math.min((parseInt(leaf(v.advskew), 10) || 0) + 100, 254);
    if (leaf(v.advbase) !== "") copy.advbase = Math.min(parseInt(leaf(v.advbase), 10) || 0, 254);
    out.push(copy);
  }
  return { vip: out };
}

function rewriteDhcpPeers(config: PhpStruct, dhcpd: PhpValue, profile: VersionProfile): PhpValue {
  if (!isStruct(dhcpd)) return dhcpd;
  const ifs = toStruct(config.interfaces);
  for (const [ifname, d] of Object.entries(dhcpd)) {
    if (!isStruct(d) || leaf(d.failover_peerip) === "") continue;
    if (profile.dhcpPeerRewrite === "runtimePeerSubnet") {
      // ≤2.5.0: the address of whichever interface's subnet contains the configured peer.
      const own = ownAddressFacing(config, leaf(d.failover_peerip));
      if (own) d.failover_peerip = own;
    } else {
      // 2.6+: interfaces/<if>/ipaddr verbatim; 2.5.1–2.5.2: the runtime address (= ipaddr here).
      const ip = leaf(toStruct(ifs[ifname]).ipaddr);
      if (ip !== "") d.failover_peerip = ip;
    }
  }
  return dhcpd;
}

/** The `restore_config_section` payload the node would send to its peer (§6.3, §6.4). */
export function buildSyncPayload(config: PhpStruct, profile: VersionProfile): PhpStruct {
  const { sections, system } = syncSectionList(config, profile);
  const payload: PhpStruct = {};
  // rc.filter_synchronize carp_sync_xml() (2.4.x–master) fills $xml section by section in the
  // order of its if-chain, not the config's, and a section missing locally goes out as an empty
  // array (2.7+: config_init_path() / array_get_path(…, [])). `system` takes the place of the
  // first account section (after crl).
  for (const name of SEND_ORDER) {
    if (name === "system") {
      if (system.length > 0) payload.system = systemPart(config, system);
      continue;
    }
    if (!sections.includes(name)) continue;
    const v = config[name];
    payload[name] = isContainer(v) ? cloneValue(v) : [];
  }
  // 2.7+ config_init_path('staticroutes/route'): the section always carries a route list.
  const modern = profile.name === "2.7" || profile.name === "master";
  if (modern && payload.staticroutes !== undefined) {
    const sr = isStruct(payload.staticroutes) ? payload.staticroutes : {};
    if (!isContainer(sr.route)) sr.route = [];
    payload.staticroutes = sr;
  }
  for (const path of NOSYNC_LISTS) {
    const [sec, ...rest] = path;
    if (payload[sec] !== undefined) {
      payload[sec] = stripNosync(payload[sec], rest);
      if (profile.name === "2.4") sanitizeDescr(payload[sec], rest);
    }
  }
  if (payload.virtualip !== undefined) payload.virtualip = syncVirtualIps(config);
  if (payload.dhcpd !== undefined) payload.dhcpd = rewriteDhcpPeers(config, payload.dhcpd, profile);
  if (profile.name === "master") {
    // The flip runs over both sections of the whole copy before the payload is assembled, so a
    // bad role in a section that is not sent still ends the script.
    const copy: PhpStruct = {};
    for (const k of ["kea", "kea6"]) if (isStruct(config[k])) copy[k] = cloneValue(config[k]);
    flipKeaSections(config, copy);
    for (const k of ["kea", "kea6"]) if (payload[k] !== undefined) payload[k] = copy[k];
  }
  if (on(toStruct(config.hasync), "adminsync") && profile.name !== "2.4") {
    payload.hasync = { adminsync: "on" };
  }
  return payload;
}

/** Kea HA fields the receiver keeps from its own config (master, §5.1 step 8). */
export const KEA_LOCAL_FIELDS = ["tls", "scertref", "mutualtls", "ccertref", "localname"] as const;

/**
 * PHP's `match` over a role the sender does not know: UnhandledMatchError, uncaught, ends
 * rc.filter_synchronize before `restore_config_section` is called (§16.12).
 */
export class UnhandledMatchError extends Error {
  constructor(value: PhpValue | undefined) {
    super(
      typeof value === "string"
        ? `Unhandled match case '${value}'`
        : `Unhandled match case of type ${Array.isArray(value) || isStruct(value) ? "array" : typeof value}`,
    );
    this.name = "UnhandledMatchError";
  }
}

/** PHP truthiness of a config value read with config_get_path (`""`, `"0"`, absent: false). */
function truthy(v: PhpValue | undefined): boolean {
  if (v === undefined || v === false || v === null) return false;
  if (typeof v === "string") return v !== "" && v !== "0";
  if (Array.isArray(v)) return v.length > 0;
  if (isStruct(v)) return Object.keys(v).length > 0;
  return Boolean(v);
}

/**
 * master's Kea HA flip (§6.4 step 5), pfsense/pfsense master src/etc/rc.filter_synchronize
 * carp_sync_xml() "handle kea/kea6", run on the config copy for both `kea` and `kea6` whether or
 * not they are sent:
 * - `ha/localip`↔`ha/remoteip`, `ha/localport`↔`ha/remoteport`, each copied only
 *   `if ($from = config_get_path(...))` (truthy), so a half-filled pair is not swapped back;
 * - `ha/remotename` = trim(`ha/localname`, default kea_defaults('name') = `system/hostname`,
 *   default the product name) (services_dhcp.inc kea_defaults());
 * - `ha/role` = match(config_get_path(role, 'primary')) primary→standby, standby→primary; util.inc
 *   array_get_path() returns the default for a missing role and for "" (so both become standby);
 *   anything else throws UnhandledMatchError (thrown here, see node.ts runSync);
 * - `localname`, `tls`, `mutualtls`, `scertref`, `ccertref` deleted.
 * A section without `ha` gets one (array_set_path creates the path).
 */
export function flipKeaSections(config: PhpStruct, copy: PhpStruct): void {
  for (const k of ["kea", "kea6"]) {
    const ha = toStruct(toStruct(config[k]).ha);
    const section = isStruct(copy[k]) ? copy[k] : {};
    const out: PhpStruct = isStruct(section.ha) ? section.ha : {};
    for (const [from, to] of [
      ["localip", "remoteip"],
      ["remoteip", "localip"],
      ["localport", "remoteport"],
      ["remoteport", "localport"],
    ]) {
      if (truthy(ha[from])) out[to] = cloneValue(ha[from]);
    }
    const hostname = leaf(toStruct(config.system).hostname) || "pfSense";
    const localname = truthy(ha.localname) ? leaf(ha.localname) : hostname;
    out.remotename = localname.trim();
    const role = ha.role === undefined || ha.role === "" ? "primary" : ha.role;
    if (role === "primary") out.role = "standby";
    else if (role === "standby") out.role = "primary";
    else throw new UnhandledMatchError(role);
    for (const f of ["localname", "tls", "mutualtls", "scertref", "ccertref"]) delete out[f];
    section.ha = out;
    copy[k] = section;
  }
}
