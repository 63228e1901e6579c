/**
 * `nat` codec: outbound mode and rules are modelled; every other part (port forwards `rule`,
 * `onetoone`, `npt`, separators, other outbound members) is carried through untouched. The
 * receiver replaces `<nat>` wholesale (§5.2), so the payload is always the whole section.
 * Field names follow the node's config version (§9.3): old = `target` ""/`other-subnet` +
 * `targetip`/`targetip_subnet`, `destination/address`; new = `target` (`<if>ip` for the
 * interface address) + `target_subnet`, `destination/network`.
 */
import type { OutboundNatMode, OutboundNatRule } from "../../plan/model";
import {
  cloneValue,
  flagIsSet,
  isStruct,
  leaf,
  toList,
  toStruct,
  type PhpStruct,
  type PhpValue,
} from "../../codec/phpValue";
import { decodeItem, encodeItem, flag, str, type FieldSpec } from "./fieldCodec";

/** NAT field format of a node. */
export interface NatCtx {
  format: "old" | "new";
}

const RULE_FIELDS: readonly FieldSpec<OutboundNatRule, NatCtx>[] = [
  {
    keys: ["source"],
    fields: ["source"],
    decode: (raw) => ({ source: leaf(toStruct(raw.source).network) }),
    encode: (m) => ({ source: { network: m.source } }),
  },
  str("sourceport", "sourcePort"),
  str("descr", "descr"),
  {
    keys: ["target", "target_subnet", "targetip", "targetip_subnet"],
    fields: ["target", "targetSubnet"],
    decode: (raw, ctx) => {
      const t = leaf(raw.target);
      const iface = leaf(raw.interface);
      if (ctx.format === "old") {
        if (t === "") return { target: `${iface}ip` };
        if (t === "other-subnet") {
          const bits = leaf(raw.targetip_subnet);
          return { target: leaf(raw.targetip), targetSubnet: bits || undefined };
        }
        return { target: t };
      }
      const bits = leaf(raw.target_subnet);
      return { target: t, targetSubnet: bits || undefined };
    },
    encode: (m, ctx): PhpStruct => {
      if (ctx.format === "old") {
        if (m.target === `${m.interface}ip`) return { target: "" };
        if (m.targetSubnet)
          return { target: "other-subnet", targetip: m.target, targetip_subnet: m.targetSubnet };
        return { target: m.target };
      }
      return { target: m.target, target_subnet: m.targetSubnet ?? "" };
    },
  },
  str("interface", "interface", true),
  {
    keys: ["destination"],
    fields: ["destination"],
    decode: (raw) => {
      const d = toStruct(raw.destination);
      if (flagIsSet(d.any) || (d.network === undefined && d.address === undefined))
        return { destination: { any: true } };
      const network = leaf(d.network !== undefined ? d.network : d.address);
      return { destination: flagIsSet(d.not) ? { network, not: true } : { network } };
    },
    encode: (m, ctx) => {
      const d = m.destination;
      if ("any" in d) return { destination: { any: "" } };
      const out: PhpStruct = { [ctx.format === "old" ? "address" : "network"]: d.network };
      if (d.not) out.not = "";
      return { destination: out };
    },
  },
  str("dstport", "destinationPort"),
  {
    keys: ["ipprotocol"],
    fields: ["ipProtocol"],
    decode: (raw) => {
      const v = leaf(raw.ipprotocol);
      return v === "inet" || v === "inet6" ? { ipProtocol: v } : {};
    },
    encode: (m): PhpStruct => (m.ipProtocol ? { ipprotocol: m.ipProtocol } : {}),
  },
  str("protocol", "protocol"),
  flag("disabled", "disabled", ""),
  flag("nosync", "nosync", ""),
  flag("nonat", "nonat", ""),
  flag("staticnatport", "staticNatPort", ""),
];

/** Decodes one outbound rule. */
export function decodeOutboundRule(raw: PhpStruct, ctx: NatCtx): OutboundNatRule {
  return decodeItem<OutboundNatRule, NatCtx>(raw, RULE_FIELDS, ctx);
}

/** Encodes one outbound rule in the node's format. */
export function encodeOutboundRule(r: OutboundNatRule, ctx: NatCtx): PhpStruct {
  return encodeItem<OutboundNatRule, NatCtx>(r, RULE_FIELDS, ctx);
}

const MODES = new Set(["automatic", "hybrid", "advanced", "disabled"]);

/** Decodes outbound mode (absent = undefined; pfSense treats that as automatic) and rules. */
export function decodeNat(
  section: PhpValue | undefined,
  ctx: NatCtx,
): { mode?: OutboundNatMode; rules: OutboundNatRule[] } {
  const outbound = toStruct(toStruct(section).outbound);
  const m = leaf(outbound.mode);
  return {
    mode: MODES.has(m) ? (m as OutboundNatMode) : undefined,
    rules: toList(outbound.rule)
      .filter(isStruct)
      .map((r) => decodeOutboundRule(r, ctx)),
  };
}

/**
 * The complete `nat` section with outbound mode/rules from the model and everything else
 * from `current` (the section as read from the node), untouched.
 */
export function encodeNat(
  mode: OutboundNatMode | undefined,
  rules: OutboundNatRule[],
  current: PhpValue | undefined,
  ctx: NatCtx,
): PhpStruct {
  const nat: PhpStruct = isStruct(current) ? cloneValue(current) : {};
  const outbound: PhpStruct = isStruct(nat.outbound) ? nat.outbound : {};
  if (mode !== undefined) outbound.mode = mode;
  else if (!MODES.has(leaf(outbound.mode))) {
    // keep an unknown raw mode untouched
  } else delete outbound.mode;
  if (rules.length > 0) outbound.rule = rules.map((r) => encodeOutboundRule(r, ctx));
  else delete outbound.rule;
  if (isStruct(nat.outbound) || Object.keys(outbound).length > 0) nat.outbound = outbound;
  return nat;
}
