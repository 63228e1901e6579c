/**
 * What the primary's sync sender puts in its `restore_config_section` payload for a set of
 * areas (pfSense 2.7.2 `src/etc/rc.filter_synchronize`, `carp_sync_xml()`; design
 * pfsense-xmlrpc.md §6.3 and §6.4). Pure: a model of pfSense's code over raw config trees, used
 * to predict what the secondary keeps and loses before sync of an area is switched on.
 */
import type { SyncArea } from "../plan/model";
import { cloneValue, isStruct, leaf, toList, toStruct, type PhpStruct } from "../codec/phpValue";
import type { PhpValue } from "../codec/phpValue";

/** Every top-level section the sender can send, plus what it reads to build them. */
export const SENDER_READ_SECTIONS = [
  "filter", "nat", "aliases", "schedules", "cert", "ca", "crl", "ipsec", "openvpn", "dhcpd",
  "dhcrelay", "dhcrelay6", "wol", "staticroutes", "gateways", "virtualip", "shaper", "dnshaper",
  "dnsmasq", "unbound", "captiveportal", "voucher", "system", "interfaces",
] as const; // prettier-ignore

/** The payload's section names and the `system` children sent, per area. */
export interface SenderSections {
  sections: string[];
  system: string[];
}

/** Top-level sections each area sends; `present` ones only when the primary has them. */
const AREA_SECTIONS: Record<SyncArea, { always?: string[]; present?: string[] }> = {
  users: {},
  authservers: {},
  certs: { always: ["cert", "ca", "crl"] },
  rules: { always: ["filter", "schedules"] },
  schedules: { always: ["schedules"] },
  aliases: { always: ["aliases"] },
  nat: { always: ["nat"] },
  ipsec: { always: ["ipsec"] },
  openvpn: { always: ["openvpn", "cert", "ca", "crl"] },
  dhcpd: { present: ["dhcpd"] },
  dhcrelay: { present: ["dhcrelay"] },
  dhcrelay6: { present: ["dhcrelay6"] },
  // master: `dhcpdv6` when the primary has it, and `kea6` with it (rc.filter_synchronize).
  kea6: { present: ["dhcpdv6", "kea6"] },
  wol: { always: ["wol"] },
  staticroutes: { always: ["staticroutes", "gateways"] },
  virtualip: { always: ["virtualip"] },
  trafficshaper: { always: ["shaper"] },
  trafficshaperlimiter: { always: ["dnshaper"] },
  dnsforwarder: { present: ["dnsmasq", "unbound"] },
  captiveportal: { always: ["captiveportal"], present: ["voucher"] },
};

/** `system` children each area sends (`synchronizeusers`, `synchronizeauthservers`). */
const AREA_SYSTEM: Partial<Record<SyncArea, string[]>> = {
  users: ["user", "nextuid", "group", "nextgid"],
  authservers: ["authserver"],
};

/** The sections the sender's if-chain adds for `areas` (2.7.2, §6.3). */
export function senderSections(areas: readonly SyncArea[], primary: PhpStruct): SenderSections {
  const sections: string[] = [];
  const system: string[] = [];
  const add = (list: string[], names: string[]) =>
    names.forEach((n) => list.includes(n) || list.push(n));
  for (const a of areas) {
    const spec = AREA_SECTIONS[a];
    add(sections, spec.always ?? []);
    add(
      sections,
      (spec.present ?? []).filter((n) => primary[n] !== undefined),
    );
    add(system, AREA_SYSTEM[a] ?? []);
  }
  return { sections, system };
}

/** Lists whose `<nosync>` items the sender strips (`carp_sync_xml()`, §6.4 step 1). */
const NOSYNC_LISTS: readonly string[][] = [
  ["nat", "outbound", "rule"],
  ["nat", "rule"],
  ["filter", "rule"],
  ["aliases", "alias"],
  ["dnsmasq", "hosts"],
  ["ipsec", "tunnel"],
];

function stripNosync(section: PhpValue | undefined, path: readonly string[]): void {
  if (!isStruct(section)) return;
  const [head, ...rest] = path;
  if (rest.length > 0) return stripNosync(section[head], rest);
  if (section[head] === undefined) return;
  // `isset($item['nosync'])`: the flag counts whatever its value.
  section[head] = toList(section[head]).filter((v) => !(isStruct(v) && v.nosync !== undefined));
}

/**
 * The sender's `virtualip`, built from the live config: plain IP aliases and proxy ARP on a
 * real interface are not sent; advskew +100 capped at 254, advbase capped (§6.4 step 3).
 */
function senderVips(primary: PhpStruct): PhpStruct {
  const vip: PhpValue[] = [];
  for (const v of toList(toStruct(primary.virtualip).vip)) {
    if (!isStruct(v)) continue;
    const ifc = leaf(v.interface);
    const local = leaf(v.mode) === "ipalias" || leaf(v.mode) === "proxyarp";
    if (local && !ifc.includes("_vip") && !ifc.includes("lo0")) continue;
    const copy = cloneValue(v);
    if (leaf(v.advskew) !== "")
      copy.advskew = String(Math.min((parseInt(leaf(v.advskew), 10) || 0) + 100, 254));
    if (leaf(v.advbase) !== "")
      copy.advbase = String(Math.min(parseInt(leaf(v.advbase), 10) || 0, 254));
    vip.push(copy);
  }
  return { vip };
}

/** Each DHCP interface's failover peer becomes the primary's own `ipaddr` there (2.6+, §6.4 step 4). */
function rewriteDhcpPeers(dhcpd: PhpValue, interfaces: PhpStruct): void {
  if (!isStruct(dhcpd)) return;
  for (const [ifName, d] of Object.entries(dhcpd)) {
    const ip = leaf(toStruct(interfaces[ifName]).ipaddr);
    if (isStruct(d) && leaf(d.failover_peerip) !== "" && ip !== "") d.failover_peerip = ip;
  }
}

/** The payload the primary would send for `areas` (sections missing locally go out empty). */
export function senderPayload(primary: PhpStruct, areas: readonly SyncArea[]): PhpStruct {
  const { sections, system } = senderSections(areas, primary);
  const payload: PhpStruct = {};
  for (const name of sections) payload[name] = cloneValue(primary[name] ?? []);
  if (system.length > 0) {
    const sys = toStruct(primary.system);
    payload.system = Object.fromEntries(system.map((k) => [k, cloneValue(sys[k] ?? [])]));
  }
  for (const path of NOSYNC_LISTS) stripNosync(payload[path[0]], path.slice(1));
  if (payload.virtualip !== undefined) payload.virtualip = senderVips(primary);
  if (payload.dhcpd !== undefined) rewriteDhcpPeers(payload.dhcpd, toStruct(primary.interfaces));
  return payload;
}
