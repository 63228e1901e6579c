/**
 * The whole typed view of a node (NodeHaConfig) from the sections backup_config_section returns,
 * and the restore payload for the sections that changed.
 */
import type { NodeHaConfig } from "../../plan/model";
import type { PhpStruct } from "../../codec/phpValue";
import { decodeVirtualIps, encodeVirtualIpPayload } from "./virtualip";
import { decodeHaSync, encodeHaSyncPayload } from "./hasync";
import { decodeNat, encodeNat, type NatCtx } from "./nat";
import { decodeDhcpd, encodeDhcpd } from "./dhcpd";
import { decodeInterfaces } from "./interfaces";
import { decodeFilter, encodeFilter } from "./filter";
import { decodeDhcpBackend, decodeKea, encodeKea } from "./kea";
import { canonicalJson } from "./canonicalJson";
import { decodeOpenVpn, encodeOpenVpn } from "./openvpn";
import { decodeIpsec, encodeIpsec } from "./ipsec";

/** Sections read for every session read (§7.2 step 1). */
export const READ_SECTIONS = [
  "version",
  "revision",
  "interfaces",
  "virtualip",
  "hasync",
  "nat",
  "dhcpd",
  "filter",
  "dhcpbackend",
  "kea",
  "kea6",
  "openvpn",
  "ipsec",
] as const;

/** Sections the library writes. */
export type WritableSection =
  "virtualip" | "hasync" | "nat" | "dhcpd" | "filter" | "kea" | "kea6" | "openvpn" | "ipsec";

/** Every writable section, in payload order. */
export const WRITABLE_SECTIONS: readonly WritableSection[] = [
  "virtualip",
  "hasync",
  "nat",
  "dhcpd",
  "filter",
  "kea",
  "kea6",
  "openvpn",
  "ipsec",
];

/** Decodes the typed config from raw sections. */
export function decodeNodeConfig(raw: PhpStruct, ctx: NatCtx): NodeHaConfig {
  const nat = decodeNat(raw.nat, ctx);
  const cfg: NodeHaConfig = {
    virtualIps: decodeVirtualIps(raw.virtualip),
    natRules: nat.rules,
    dhcpd: decodeDhcpd(raw.dhcpd),
    interfaces: decodeInterfaces(raw.interfaces),
    filterRules: decodeFilter(raw.filter),
    openvpnServers: decodeOpenVpn(raw.openvpn),
    ipsecPhase1: decodeIpsec(raw.ipsec),
  };
  const hasync = decodeHaSync(raw.hasync);
  if (hasync) cfg.hasync = hasync;
  if (nat.mode) cfg.natMode = nat.mode;
  const backend = decodeDhcpBackend(raw.dhcpbackend);
  if (backend) cfg.dhcpBackend = backend;
  const kea = decodeKea(raw.kea);
  if (kea) cfg.kea = kea;
  const kea6 = decodeKea(raw.kea6);
  if (kea6) cfg.kea6 = kea6;
  return cfg;
}

/** Which writable sections differ between two typed configs (and whether interfaces did). */
export function changedSections(
  before: NodeHaConfig,
  after: NodeHaConfig,
): { sections: Set<WritableSection>; interfaces: boolean } {
  const s = new Set<WritableSection>();
  if (canonicalJson(before.virtualIps) !== canonicalJson(after.virtualIps)) s.add("virtualip");
  if (canonicalJson(before.hasync) !== canonicalJson(after.hasync)) s.add("hasync");
  if (
    before.natMode !== after.natMode ||
    canonicalJson(before.natRules) !== canonicalJson(after.natRules)
  )
    s.add("nat");
  if (canonicalJson(before.dhcpd) !== canonicalJson(after.dhcpd)) s.add("dhcpd");
  if (canonicalJson(before.filterRules ?? []) !== canonicalJson(after.filterRules ?? []))
    s.add("filter");
  if (canonicalJson(before.kea) !== canonicalJson(after.kea)) s.add("kea");
  if (canonicalJson(before.kea6) !== canonicalJson(after.kea6)) s.add("kea6");
  if (canonicalJson(before.openvpnServers ?? []) !== canonicalJson(after.openvpnServers ?? []))
    s.add("openvpn");
  if (canonicalJson(before.ipsecPhase1 ?? []) !== canonicalJson(after.ipsecPhase1 ?? []))
    s.add("ipsec");
  return {
    sections: s,
    interfaces: canonicalJson(before.interfaces) !== canonicalJson(after.interfaces),
  };
}

/**
 * The restore_config_section payload: only the changed sections; `nat`, `dhcpd` and `filter`
 * complete (full-replace, §5.2), `hasync` with `false` for removed members (merged, §5.3), `virtualip`
 * without the VIPs the receiver keeps by itself (§5.1 step 7, see encodeVirtualIpPayload).
 */
export function encodeRestorePayload(
  desired: NodeHaConfig,
  current: { config: NodeHaConfig; raw: PhpStruct },
  sections: Set<WritableSection>,
  ctx: NatCtx,
): PhpStruct {
  const p: PhpStruct = {};
  if (sections.has("virtualip"))
    p.virtualip = encodeVirtualIpPayload(desired.virtualIps, current.config.virtualIps);
  if (sections.has("hasync")) p.hasync = encodeHaSyncPayload(desired.hasync, current.raw.hasync);
  if (sections.has("nat"))
    p.nat = encodeNat(desired.natMode, desired.natRules, current.raw.nat, ctx);
  if (sections.has("dhcpd")) p.dhcpd = encodeDhcpd(desired.dhcpd);
  if (sections.has("filter"))
    p.filter = encodeFilter(desired.filterRules ?? [], current.raw.filter);
  // Whole sections: master's receiver replaces them (the five node-local ha fields come back).
  if (sections.has("kea")) p.kea = encodeKea(desired.kea);
  if (sections.has("kea6")) p.kea6 = encodeKea(desired.kea6);
  // Whole sections (full replace, §5.2): the modelled list, everything else as read.
  if (sections.has("openvpn"))
    p.openvpn = encodeOpenVpn(desired.openvpnServers ?? [], current.raw.openvpn);
  if (sections.has("ipsec")) p.ipsec = encodeIpsec(desired.ipsecPhase1 ?? [], current.raw.ipsec);
  return p;
}
