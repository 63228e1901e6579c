/**
 * `virtualip` codec (§9.2): `{vip: list}` ↔ VirtualIp[]. Also the receiver's keep-local rule
 * (§5.1 step 7), which decides which VIPs a restore payload may carry.
 */
import { haError } from "../../plan/errors";
import type { VirtualIp } from "../../plan/model";
import { isStruct, toList, toStruct, type PhpStruct, type PhpValue } from "../../codec/phpValue";
import { canonicalJson } from "./canonicalJson";
import { decodeItem, encodeItem, flag, int, str, type FieldSpec } from "./fieldCodec";

const VIP_FIELDS: readonly FieldSpec<VirtualIp, unknown>[] = [
  str("mode", "mode", true),
  str("interface", "interface", true),
  flag("noexpand", "noexpand", ""),
  int("vhid", "vhid"),
  int("advskew", "advskew"),
  int("advbase", "advbase"),
  str("password", "password"),
  str("uniqid", "uniqid"),
  str("descr", "descr"),
  {
    keys: ["type"],
    fields: ["type"],
    decode: (raw) => ({ type: raw.type === "network" ? "network" : "single" }),
    encode: (m) => ({ type: m.type }),
  },
  {
    // The model requires a prefix; a missing/odd one reads as /32 and the raw form is kept.
    keys: ["subnet_bits"],
    fields: ["subnetBits"],
    decode: (raw) => {
      const s =
        typeof raw.subnet_bits === "string"
          ? raw.subnet_bits.trim()
          : String(raw.subnet_bits ?? "");
      return { subnetBits: /^\d+$/.test(s) ? Number(s) : 32 };
    },
    encode: (m) => ({ subnet_bits: String(m.subnetBits) }),
  },
  str("subnet", "subnet", true),
];

/** Decodes one `<vip>`. */
export function decodeVip(raw: PhpStruct): VirtualIp {
  return decodeItem<VirtualIp, unknown>(raw, VIP_FIELDS, undefined);
}

/** Encodes one VIP the way the GUI stores it (strings, `""` flags). */
export function encodeVip(v: VirtualIp): PhpStruct {
  return encodeItem<VirtualIp, unknown>(v, VIP_FIELDS, undefined);
}

/** Decodes the `virtualip` section (`""`, a struct with `vip` as list/numbered struct/single). */
export function decodeVirtualIps(section: PhpValue | undefined): VirtualIp[] {
  return toList(toStruct(section).vip)
    .filter(isStruct)
    .map((x) => decodeVip(x));
}

/**
 * True for the VIPs a receiver keeps from its own config on every restore that carries
 * `virtualip` and re-prepends (§5.1 steps 7 and 9): plain IP aliases and proxy ARP on a real
 * interface, and anything on lo0 that is not a stacked/lo0 IP alias.
 */
export function isKeptLocally(v: VirtualIp): boolean {
  const stackedOrLo0Alias =
    v.mode === "ipalias" && (v.interface.startsWith("_vip") || v.interface.includes("lo0"));
  if (v.mode === "carp" || stackedOrLo0Alias) return false;
  if ((v.mode === "ipalias" || v.mode === "proxyarp") && !v.interface.startsWith("_vip"))
    return true;
  return v.interface.includes("lo0");
}

/** Identity of a VIP for matching: uniqid when present, else mode/interface/vhid/address. */
export function vipKey(v: VirtualIp): string {
  return v.uniqid
    ? `u:${v.uniqid}`
    : `a:${v.mode}|${v.interface}|${v.vhid ?? ""}|${v.subnet}/${v.subnetBits}`;
}

/**
 * The `virtualip` payload for restore_config_section on a node whose current VIPs are
 * `current`. Rule (§5.1 step 7, §7.2 step 3): the receiver keeps and re-prepends its own
 * kept-locally VIPs, so those already on the node are NOT sent (sending them would duplicate
 * them); kept-locally VIPs that are new are sent (the receiver has no copy to keep). A change
 * or removal of an existing kept-locally VIP cannot be expressed through restore at all: it
 * is refused with E_INVALID_INPUT rather than silently leaving the old one in place.
 */
export function encodeVirtualIpPayload(
  desired: VirtualIp[],
  current: VirtualIp[],
  field = "virtualip",
): PhpStruct {
  const enc = (v: VirtualIp): string => canonicalJson(encodeVip(v));
  const currentKept = current.filter(isKeptLocally);
  const desiredKeptSet = new Set(desired.filter(isKeptLocally).map(enc));
  for (const c of currentKept) {
    if (!desiredKeptSet.has(enc(c))) {
      throw haError({
        code: "E_INVALID_INPUT",
        message: `the ${c.mode} VIP ${c.subnet}/${c.subnetBits} on ${c.interface} exists on the node and would be changed or removed, which restore_config_section cannot do (the receiver always keeps its own IP alias / proxy ARP VIPs)`,
        field,
        value: `${c.mode} ${c.subnet}/${c.subnetBits} ${c.interface}`,
        fix: "change or delete that VIP in the node's GUI (Firewall > Virtual IPs), or leave it as it is",
      });
    }
  }
  const currentKeptSet = new Set(currentKept.map(enc));
  const vip = desired
    .filter((v) => !isKeptLocally(v) || !currentKeptSet.has(enc(v)))
    .map(encodeVip);
  return { vip };
}
