/**
 * `openvpn` codec: `openvpn/openvpn-server` is modelled (vpnid, interface, ipaddr, description,
 * disable); every other member of a server (keys, certificate refs, tunnel networks, ...) is kept
 * verbatim in its stored order, and every other member of the section (`openvpn-client`,
 * `openvpn-csc`, ...) is carried through from the node's read.
 *
 * The receiver replaces `<openvpn>` wholesale (pfSense 2.7.2 xmlrpc.php `restore_config_section`,
 * `$sync_full_sections`; §5.2), so the payload is always the whole section. Its service apply
 * (xmlrpc.php `filter_configure()`) restarts only the instances whose settings changed
 * (`openvpn_resync()` per `vpnid`, redmine #11082).
 */
import type { OpenVpnServer } from "../../plan/model";
import {
  cloneValue,
  isStruct,
  toList,
  toStruct,
  type PhpStruct,
  type PhpValue,
} from "../../codec/phpValue";
import { decodeItem, encodeItem, flag, str, type FieldSpec } from "./fieldCodec";

/** The list member of the section holding the servers. */
export const OPENVPN_SERVER_KEY = "openvpn-server";

const SERVER_FIELDS: readonly FieldSpec<OpenVpnServer, unknown>[] = [
  str("vpnid", "vpnid", true),
  flag("disable", "disable", ""),
  str("interface", "interface", true),
  str("ipaddr", "ipaddr"),
  str("description", "description"),
];

/** Decodes one `<openvpn-server>`. */
export function decodeOpenVpnServer(raw: PhpStruct): OpenVpnServer {
  return decodeItem<OpenVpnServer, unknown>(raw, SERVER_FIELDS, undefined);
}

/** Encodes one server (unmodelled members as read, in their order). */
export function encodeOpenVpnServer(s: OpenVpnServer): PhpStruct {
  return encodeItem<OpenVpnServer, unknown>(s, SERVER_FIELDS, undefined);
}

/** The servers of the section (`""` or absent → none). */
export function decodeOpenVpn(section: PhpValue | undefined): OpenVpnServer[] {
  return toList(toStruct(section)[OPENVPN_SERVER_KEY]).filter(isStruct).map(decodeOpenVpnServer);
}

/**
 * The complete `openvpn` section: the servers from the model, every other member from `current`
 * (the section as read from the node), untouched and in place.
 */
export function encodeOpenVpn(servers: OpenVpnServer[], current: PhpValue | undefined): PhpStruct {
  const out: PhpStruct = isStruct(current) ? cloneValue(current) : {};
  if (servers.length > 0) out[OPENVPN_SERVER_KEY] = servers.map(encodeOpenVpnServer);
  else delete out[OPENVPN_SERVER_KEY];
  return out;
}
