/**
 * Drift between the secondary's expected configuration ({@link deriveSecondary}) and what was read
 * from it. Expected primary/secondary differences are already folded into the expectation, so
 * anything reported here is real divergence (architecture invariant 3).
 */
import { isDeepStrictEqual } from "node:util";
import type { DhcpdInterface, HaSync, NodeHaConfig, OutboundNatRule, VirtualIp } from "./model";
import { isSyncedVip } from "./secondaryDerivation";

/** One difference. Secret fields (passwords) are reported as `"(secret)"`, never their value. */
export interface DriftItem {
  /** Where, e.g. `virtualIps[65a1b2c3d4e5f].advskew`, `dhcpd.lan.failoverPeerIp`. */
  path: string;
  expected: unknown;
  observed: unknown;
}

const SECRET = "(secret)";
const VIP_FIELDS = [
  "mode",
  "interface",
  "vhid",
  "advskew",
  "advbase",
  "password",
  "descr",
  "type",
  "subnet",
  "subnetBits",
  "noexpand",
] as const;
const HASYNC_FIELDS = [
  "pfsyncEnabled",
  "pfsyncInterface",
  "pfsyncPeerIp",
  "pfHostId",
  "synchronizeToIp",
  "username",
  "password",
  "areas",
] as const;
const NAT_FIELDS = [
  "interface",
  "source",
  "sourcePort",
  "destination",
  "destinationPort",
  "target",
  "targetSubnet",
  "ipProtocol",
  "protocol",
  "descr",
  "disabled",
  "nosync",
  "nonat",
  "staticNatPort",
] as const;
const DHCP_FIELDS = [
  "enable",
  "rangeFrom",
  "rangeTo",
  "gateway",
  "dnsServers",
  "failoverPeerIp",
] as const;

/**
 * Compares the secondary's expected configuration with an observed one, field by field, over
 * what pfSense syncs: synced VIPs (matched by uniqid, else by interface + address; the
 * secondary's own plain IP aliases / proxy ARP are per node and ignored), outbound NAT mode and
 * rules (in order), DHCP per interface, and the hasync settings. Interfaces and unmodelled
 * `extra` members are not compared. Returns an empty list when there is no drift.
 */
export function secondaryDrift(expected: NodeHaConfig, observed: NodeHaConfig): DriftItem[] {
  const out: DriftItem[] = [];
  diffVips(expected.virtualIps, observed.virtualIps.filter(isSyncedVip), out);
  if ((expected.natMode ?? "automatic") !== (observed.natMode ?? "automatic")) {
    out.push({ path: "natMode", expected: expected.natMode, observed: observed.natMode });
  }
  diffNat(expected.natRules, observed.natRules, out);
  diffDhcp(expected.dhcpd, observed.dhcpd, out);
  diffHaSync(expected.hasync, observed.hasync, out);
  return out;
}

function vipKey(v: VirtualIp): string {
  return v.uniqid ? v.uniqid : `${v.interface}/${v.subnet}`;
}

function diffVips(exp: VirtualIp[], obs: VirtualIp[], out: DriftItem[]): void {
  const seen = new Map(obs.map((v) => [vipKey(v), v]));
  for (const e of exp) {
    const k = vipKey(e);
    const o = seen.get(k);
    seen.delete(k);
    if (!o) {
      out.push({ path: `virtualIps[${k}]`, expected: "present", observed: "missing" });
      continue;
    }
    diffFields(`virtualIps[${k}]`, e, o, VIP_FIELDS, out, ["password"]);
  }
  for (const k of seen.keys()) {
    out.push({ path: `virtualIps[${k}]`, expected: "absent", observed: "present" });
  }
}

function diffNat(exp: OutboundNatRule[], obs: OutboundNatRule[], out: DriftItem[]): void {
  const n = Math.max(exp.length, obs.length);
  for (let i = 0; i < n; i++) {
    const e = exp[i];
    const o = obs[i];
    if (!e || !o) {
      out.push({
        path: `natRules[${i}]`,
        expected: e ? "present" : "absent",
        observed: o ? "present" : "missing",
      });
      continue;
    }
    diffFields(`natRules[${i}]`, e, o, NAT_FIELDS, out, []);
  }
}

function diffDhcp(
  exp: Record<string, DhcpdInterface>,
  obs: Record<string, DhcpdInterface>,
  out: DriftItem[],
): void {
  for (const k of new Set([...Object.keys(exp), ...Object.keys(obs)])) {
    const e = exp[k];
    const o = obs[k];
    if (!e || !o) {
      out.push({
        path: `dhcpd.${k}`,
        expected: e ? "present" : "absent",
        observed: o ? "present" : "missing",
      });
      continue;
    }
    diffFields(`dhcpd.${k}`, e, o, DHCP_FIELDS, out, []);
  }
}

function diffHaSync(e: HaSync | undefined, o: HaSync | undefined, out: DriftItem[]): void {
  if (!e && !o) return;
  const empty: HaSync = { pfsyncEnabled: false, areas: [] };
  diffFields("hasync", e ?? empty, o ?? empty, HASYNC_FIELDS, out, ["password"], (f, v) =>
    f === "areas" ? [...(v as string[])].sort() : v,
  );
}

function diffFields<T extends object>(
  path: string,
  e: T,
  o: T,
  fields: readonly (keyof T & string)[],
  out: DriftItem[],
  secret: string[],
  normalise: (field: string, v: unknown) => unknown = (_f, v) => v,
): void {
  for (const f of fields) {
    const ev = normalise(f, emptyToUndefined(e[f]));
    const ov = normalise(f, emptyToUndefined(o[f]));
    if (isDeepStrictEqual(ev, ov)) continue;
    const hide = secret.includes(f);
    out.push({
      path: `${path}.${f}`,
      expected: hide && ev !== undefined ? SECRET : ev,
      observed: hide && ov !== undefined ? SECRET : ov,
    });
  }
}

/** `""`, `false` and absent mean the same in config.xml for the fields compared here. */
function emptyToUndefined(v: unknown): unknown {
  return v === "" || v === false || v === null ? undefined : v;
}
