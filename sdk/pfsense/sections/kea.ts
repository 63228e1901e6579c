/**
 * `dhcpbackend`, `kea` and `kea6` codecs (pfSense 2.7.1+ / master). `kea/ha` is modelled
 * (KeaHa); every other member of the section (dnsreg, earlydnsreg, custom_kea_config, ...) and of
 * `ha` (timing fields, the node-local TLS and name fields) is carried as read.
 *
 * On master the receiver replaces `kea` and `kea6` wholesale (xmlrpc.php `$sync_full_sections`),
 * so a payload carries the whole section; it then puts `tls`, `scertref`, `mutualtls`, `ccertref`
 * and `localname` back from its old config (xmlrpc.php "Special handling for Kea HA").
 */
import type { DhcpBackend, KeaHa, KeaSection } from "../../plan/model";
import { isStruct, leaf, type PhpStruct, type PhpValue } from "../../codec/phpValue";
import { decodeItem, encodeItem, flag, str, type FieldSpec } from "./fieldCodec";

/** The `ha` members pfSense's receiver keeps from its own config: never writable over XML-RPC. */
export const KEA_NODE_LOCAL_FIELDS = [
  "localname",
  "tls",
  "scertref",
  "mutualtls",
  "ccertref",
] as const;

const HA_FIELDS: readonly FieldSpec<KeaHa, unknown>[] = [
  flag("enable", "enable", ""),
  str("role", "role"),
  str("localip", "localIp"),
  str("localport", "localPort"),
  str("remotename", "remoteName"),
  str("remoteip", "remoteIp"),
  str("remoteport", "remotePort"),
];

const SECTION_FIELDS: readonly FieldSpec<KeaSection, unknown>[] = [
  {
    keys: ["ha"],
    fields: ["ha"],
    decode: (raw) => (isStruct(raw.ha) || raw.ha === "" ? { ha: decodeKeaHa(raw.ha) } : {}),
    encode: (m): PhpStruct => (m.ha ? { ha: encodeKeaHa(m.ha) } : {}),
  },
];

/** Decodes `ha` (`""` → disabled, no members). */
export function decodeKeaHa(raw: PhpValue | undefined): KeaHa {
  const h = decodeItem<KeaHa, unknown>(isStruct(raw) ? raw : {}, HA_FIELDS, undefined);
  if (h.enable === undefined) h.enable = false;
  return h;
}

/** Encodes `ha` as stored on the node. */
export function encodeKeaHa(h: KeaHa): PhpStruct {
  return encodeItem<KeaHa, unknown>(
    { ...h, enable: h.enable || undefined } as KeaHa,
    HA_FIELDS,
    undefined,
  );
}

/** Decodes a `kea`/`kea6` section; absent → undefined. */
export function decodeKea(section: PhpValue | undefined): KeaSection | undefined {
  if (section === undefined || section === false) return undefined;
  return decodeItem<KeaSection, unknown>(
    isStruct(section) ? section : {},
    SECTION_FIELDS,
    undefined,
  );
}

/** Encodes a whole `kea`/`kea6` section (the receiver replaces it wholesale on master). */
export function encodeKea(k: KeaSection | undefined): PhpStruct {
  return k ? encodeItem<KeaSection, unknown>(k, SECTION_FIELDS, undefined) : {};
}

/** `dhcpbackend` as pfSense reads it: `kea`, else `isc` (pfsense-utils.inc dhcp_get_backend()). */
export function decodeDhcpBackend(raw: PhpValue | undefined): DhcpBackend | undefined {
  if (raw === undefined) return undefined;
  return leaf(raw) === "kea" ? "kea" : "isc";
}
