/**
 * Read-back verification: does a section on the node now hold what was written? Compares the
 * encoded forms after the normalisation pfSense's write/re-read cycle applies (§9.1: ints and
 * booleans become strings, false members vanish), VIPs as a multiset (the receiver re-prepends
 * its kept-local VIPs in reverse order, §5.1 step 9).
 */
import type { NodeHaConfig } from "../plan/model";
import { isStruct, type PhpValue } from "../codec/phpValue";
import { canonicalJson } from "./sections/canonicalJson";
import { encodeVip } from "./sections/virtualip";
import { encodeHaSync } from "./sections/hasync";
import { encodeOutboundRule, type NatCtx } from "./sections/nat";
import { encodeDhcpd } from "./sections/dhcpd";
import { encodeFilterRule } from "./sections/filter";
import { encodeKea } from "./sections/kea";
import { encodeOpenVpnServer } from "./sections/openvpn";
import { encodeIpsecPhase1 } from "./sections/ipsec";
import { WRITABLE_SECTIONS, type WritableSection } from "./sections/nodeConfig";

/** A value as it reads back after pfSense stored it. */
export function normaliseStored(v: unknown): unknown {
  if (v === true) return "";
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) return v.length === 0 ? "" : v.map(normaliseStored);
  if (isStruct(v as PhpValue)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === false || x === undefined) continue;
      o[k] = normaliseStored(x);
    }
    return Object.keys(o).length === 0 ? "" : o;
  }
  return v;
}

const norm = (v: unknown): string => canonicalJson(normaliseStored(v));

/** True when `section` of `actual` holds what `desired` asked for. */
export function sectionLanded(
  section: WritableSection,
  desired: NodeHaConfig,
  actual: NodeHaConfig,
  ctx: NatCtx,
): boolean {
  switch (section) {
    case "virtualip": {
      const a = desired.virtualIps.map((v) => norm(encodeVip(v))).sort();
      const b = actual.virtualIps.map((v) => norm(encodeVip(v))).sort();
      return canonicalJson(a) === canonicalJson(b);
    }
    case "hasync":
      return (
        norm(desired.hasync ? encodeHaSync(desired.hasync) : {}) ===
        norm(actual.hasync ? encodeHaSync(actual.hasync) : {})
      );
    case "nat":
      return (
        (desired.natMode ?? "") === (actual.natMode ?? "") &&
        norm(desired.natRules.map((r) => encodeOutboundRule(r, ctx))) ===
          norm(actual.natRules.map((r) => encodeOutboundRule(r, ctx)))
      );
    case "dhcpd":
      return norm(encodeDhcpd(desired.dhcpd)) === norm(encodeDhcpd(actual.dhcpd));
    case "filter":
      return (
        norm((desired.filterRules ?? []).map(encodeFilterRule)) ===
        norm((actual.filterRules ?? []).map(encodeFilterRule))
      );
    case "kea":
    case "kea6":
      return norm(encodeKea(desired[section])) === norm(encodeKea(actual[section]));
    case "openvpn":
      return (
        norm((desired.openvpnServers ?? []).map(encodeOpenVpnServer)) ===
        norm((actual.openvpnServers ?? []).map(encodeOpenVpnServer))
      );
    case "ipsec":
      return (
        norm((desired.ipsecPhase1 ?? []).map(encodeIpsecPhase1)) ===
        norm((actual.ipsecPhase1 ?? []).map(encodeIpsecPhase1))
      );
  }
}

/**
 * The sections of `actual` among `written` (default: every writable section) that do not hold
 * what `desired` asked for, each compared once (a batch's edits then check their own sections
 * against this set). Sections the write did not carry are not re-encoded.
 */
export function unlandedSections(
  desired: NodeHaConfig,
  actual: NodeHaConfig,
  ctx: NatCtx,
  written: Iterable<WritableSection> = WRITABLE_SECTIONS,
): Set<WritableSection> {
  return new Set([...written].filter((s) => !sectionLanded(s, desired, actual, ctx)));
}
