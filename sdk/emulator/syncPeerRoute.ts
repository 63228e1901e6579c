/**
 * One auto-sync route given on the command line, `IP=URL`: the sender of an emulated node reaches
 * the peer it knows by sync IP (hasync/synchronizetoip) at a loopback URL. The emulator never
 * dials an address read from a config, so each route must be explicit and loopback-only.
 */
import { isIP } from "node:net";
import { haError } from "../plan/errors";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** True when `url` is an https URL on a loopback host. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "https:" && LOOPBACK_HOSTS.has(u.hostname);
  } catch {
    return false;
  }
}

/** Parses `IP=URL` (e.g. `172.16.1.2=https://127.0.0.1:8443`) into `[ip, url]`. */
export function parseSyncPeerRoute(spec: string): [string, string] {
  const eq = spec.indexOf("=");
  const ip = eq < 0 ? "" : spec.slice(0, eq);
  const url = eq < 0 ? "" : spec.slice(eq + 1);
  if (isIP(ip) === 0 || !isLoopbackUrl(url)) {
    throw haError({
      code: "E_INVALID_INPUT",
      message: "a sync peer route must map the peer's sync IP to an https loopback URL",
      field: "--sync-peer",
      value: spec,
      fix: "Pass --sync-peer 172.16.1.2=https://127.0.0.1:PORT (the peer's sync IP = its emulator URL).",
    });
  }
  return [ip, url];
}
