/**
 * `dhcpd` codec (ISC DHCPv4, §9.2): one struct per interface assignment name. The receiver
 * replaces the section wholesale (§5.2), so the payload carries every interface.
 */
import type { DhcpdInterface } from "../../plan/model";
import {
  isStruct,
  leaf,
  toList,
  toStruct,
  type PhpStruct,
  type PhpValue,
} from "../../codec/phpValue";
import { decodeItem, encodeItem, flag, str, type FieldSpec } from "./fieldCodec";

const DHCPD_FIELDS: readonly FieldSpec<DhcpdInterface, unknown>[] = [
  flag("enable", "enable", ""),
  {
    keys: ["range"],
    fields: ["rangeFrom", "rangeTo"],
    decode: (raw) => {
      const r = toStruct(raw.range);
      return { rangeFrom: leaf(r.from), rangeTo: leaf(r.to) };
    },
    encode: (m) => ({ range: { from: m.rangeFrom, to: m.rangeTo } }),
  },
  str("gateway", "gateway"),
  {
    keys: ["dnsserver"],
    fields: ["dnsServers"],
    decode: (raw) => ({
      dnsServers: toList(raw.dnsserver)
        .map(leaf)
        .filter((s) => s !== ""),
    }),
    encode: (m): PhpStruct => (m.dnsServers.length > 0 ? { dnsserver: [...m.dnsServers] } : {}),
  },
  str("failover_peerip", "failoverPeerIp"),
];

/** Decodes one interface's DHCP settings. */
export function decodeDhcpdInterface(raw: PhpStruct): DhcpdInterface {
  const d = decodeItem<DhcpdInterface, unknown>(raw, DHCPD_FIELDS, undefined);
  if (d.enable === undefined) d.enable = false;
  return d;
}

/** Encodes one interface's DHCP settings. */
export function encodeDhcpdInterface(d: DhcpdInterface): PhpStruct {
  return encodeItem<DhcpdInterface, unknown>(
    { ...d, enable: d.enable || undefined } as DhcpdInterface,
    DHCPD_FIELDS,
    undefined,
  );
}

/** Decodes the whole section (`""` → no interfaces). */
export function decodeDhcpd(section: PhpValue | undefined): Record<string, DhcpdInterface> {
  const out: Record<string, DhcpdInterface> = {};
  for (const [ifname, v] of Object.entries(toStruct(section)))
    out[ifname] = decodeDhcpdInterface(isStruct(v) ? v : {});
  return out;
}

/** Encodes the whole section (every interface, as the receiver replaces it wholesale). */
export function encodeDhcpd(d: Record<string, DhcpdInterface>): PhpStruct {
  const out: PhpStruct = {};
  for (const [ifname, v] of Object.entries(d)) out[ifname] = encodeDhcpdInterface(v);
  return out;
}
