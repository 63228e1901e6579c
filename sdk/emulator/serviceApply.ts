/**
 * What the receiver's service apply restarts for OpenVPN (pfSense 2.7.2 and master xmlrpc.php,
 * private `filter_configure()`, redmine #11082): per `openvpn-server` / `openvpn-client`, by
 * `vpnid`, an instance whose settings changed (or every one, when the VIP apply forced it) is
 * resynced (`openvpn_resync()`: restarted), a new one started, and one that is gone deleted
 * (`openvpn_delete()`); unchanged instances keep running. Pure.
 */
import { isStruct, leaf, toList, toStruct, type PhpStruct, type PhpValue } from "../codec/phpValue";

function instances(section: PhpValue | undefined, type: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const it of toList(toStruct(section)[`openvpn-${type}`]).filter(isStruct))
    out.set(leaf((it as PhpStruct).vpnid), JSON.stringify(it));
  return out;
}

/** The service log entries of one restore: `restart:openvpn-server:<vpnid>`, `start:…`, `delete:…`. */
export function openvpnServiceApply(
  before: PhpValue | undefined,
  after: PhpValue | undefined,
  force: boolean,
): string[] {
  const log: string[] = [];
  for (const type of ["server", "client"]) {
    const old = instances(before, type);
    const now = instances(after, type);
    for (const [id, settings] of now) {
      const was = old.get(id);
      if (was === undefined) log.push(`start:openvpn-${type}:${id}`);
      else if (was !== settings || force) log.push(`restart:openvpn-${type}:${id}`);
    }
    for (const id of old.keys()) if (!now.has(id)) log.push(`delete:openvpn-${type}:${id}`);
  }
  return log;
}
