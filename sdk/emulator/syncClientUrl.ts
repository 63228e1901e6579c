/**
 * The URL pfSense's sync client builds for the peer (2.4.x–master, src/etc/inc/xmlrpc_client.inc):
 * `pfsense_xmlrpc_client::__construct()` takes the port from the *sender's own*
 * `system/webgui/port` (empty → 80 when its own GUI protocol is `http`, else 443), and
 * `setConnectionData()` picks `https` when that port is 443 or the sender's GUI protocol is
 * `https`, else `http`; an IPv6 sync address is bracketed. The peer's own GUI settings play no
 * part, so two nodes with different GUI ports cannot sync.
 */
import { leaf, toStruct, type PhpStruct } from "../codec/phpValue";

/** PHP `empty()` on a config string: `""` and `"0"` are empty. */
function phpEmpty(s: string): boolean {
  return s === "" || s === "0";
}

/** The sender's `logurl` for sync target `syncIp`, from the sender's own config. */
export function syncClientLogUrl(senderConfig: PhpStruct, syncIp: string): string {
  const webgui = toStruct(toStruct(senderConfig.system).webgui);
  const protocol = leaf(webgui.protocol);
  let port = leaf(webgui.port);
  if (phpEmpty(port)) port = protocol === "http" ? "80" : "443";
  const scheme = port === "443" || protocol === "https" ? "https" : "http";
  const host = syncIp.includes(":") ? `[${syncIp}]` : syncIp;
  return `${scheme}://${host}:${port}/xmlrpc.php`;
}
