/**
 * Kea HA on a pair (pfSense master / 2.8): which DHCP backend the nodes run, whether their version
 * has Kea HA, the `kea/ha` settings each node gets, and what the primary's own sync sends the
 * secondary (pfsense/pfsense master src/etc/rc.filter_synchronize `carp_sync_xml()`, "handle
 * kea/kea6"). Pure.
 *
 * pfSense's Kea HA is one hot-standby pair per address family (`kea/ha` for DHCPv4, `kea6/ha` for
 * DHCPv6), with a role set by hand on each node (`primary` / `standby`, never derived from CARP
 * skews, unlike ISC's failover role, §8.6), each node's own HA listener (`localip`, `localport`)
 * and the peer's (`remotename`, `remoteip`, `remoteport`); services.inc `services_dhcpd_configure()`
 * (master) turns it into Kea's `high-availability` hook config.
 */
import { haError } from "../plan/errors";
import type { KeaHa, KeaSection, NodeHaConfig } from "../plan/model";
import type { NodeState } from "../pfsense/types";
import { KEA_NODE_LOCAL_FIELDS } from "../pfsense/sections/kea";

/** Kea's HA listener port for DHCPv4 (services_dhcp.inc `kea_defaults('listenport')`). */
export const KEA_HA_DEFAULT_PORT = 8765;

/**
 * Kea's HA listener port for DHCPv6: `kea_defaults('listenport') + 1` (pfsense/pfsense master
 * src/etc/inc/services.inc `services_kea6_configure()`: `config_get_path('kea6/ha/localport',
 * kea_defaults('listenport') + 1)`; services_dhcpv6_settings.php shows it as the placeholder).
 */
export const KEA6_HA_DEFAULT_PORT = KEA_HA_DEFAULT_PORT + 1;

/**
 * DHCPv6 HA (`kea6/ha`) asked for: both nodes must have Kea HA (master commit a4cd7de16d, "kea:
 * Introduce high availability support for both IPv4 and IPv6", brought `kea/ha` and `kea6/ha`
 * together) and run Kea (ISC's DHCPv6 server has no failover in pfSense: `failover_peerip`
 * exists only under `dhcpd`, the ISC dhcpd6 config of services.inc `services_dhcpdv6_configure()` has no failover peer, unlike `services_dhcpdv4_configure()`).
 * Checked before {@link pairBackend}, so a 2.7.2 pair is told about DHCPv6 HA by name.
 */
export function requireDhcpv6Ha(p: NodeState, s: NodeState, field: string): void {
  for (const [role, st] of [
    ["primary", p],
    ["secondary", s],
  ] as const) {
    if (st.firmware.profile.hasKeaHa) continue;
    throw haError({
      code: "E_UNSUPPORTED_VERSION",
      field: `${field}.keaDhcpv6 (${role})`,
      value: st.firmware.productVersion,
      message: `the ${role} runs pfSense ${st.firmware.productVersion}, which has no Kea DHCPv6 HA (kea6/ha came with Kea HA in 2.8.0)`,
      fix: "upgrade both nodes to pfSense 2.8 or later, or remove keaDhcpv6",
    });
  }
  for (const [role, st] of [
    ["primary", p],
    ["secondary", s],
  ] as const) {
    if (backendOf(st.config) === "kea") continue;
    throw haError({
      code: "E_KEA_HA",
      field: `${field}.keaDhcpv6 (${role})`,
      value: backendOf(st.config),
      message: `the ${role} runs the ISC DHCP backend; DHCPv6 HA is Kea HA only (ISC's DHCPv6 server has no failover)`,
      fix: "switch both nodes to Kea (System > Advanced > Networking > DHCP Options > Server Backend), or remove keaDhcpv6",
    });
  }
}

/** The library's input names that would ask for a node-local field, and pfSense's name. */
export const NODE_LOCAL_INPUTS: Record<string, string> = {
  keaLocalName: "localname",
  keaTls: "tls",
  keaServerCert: "scertref",
  keaMutualTls: "mutualtls",
  keaClientCert: "ccertref",
};

/** The `ha` members the library owns. */
const OWNED = [
  "enable",
  "role",
  "localIp",
  "localPort",
  "remoteName",
  "remoteIp",
  "remotePort",
] as const;

/** The owned members of an `ha` (absent ones as ""), for comparisons and drift lines. */
export function ownedHa(h: KeaHa | undefined): Record<(typeof OWNED)[number], string> {
  const out = {} as Record<(typeof OWNED)[number], string>;
  for (const k of OWNED) {
    const v = h?.[k];
    out[k] = k === "enable" ? (v ? "on" : "") : typeof v === "string" ? v : "";
  }
  return out;
}

/** `field: node has X, wants Y` lines where `actual`'s owned members differ from `want`'s. */
export function haDrift(
  want: KeaHa | undefined,
  actual: KeaHa | undefined,
  section: "kea" | "kea6" = "kea",
): string[] {
  const a = ownedHa(actual);
  const w = ownedHa(want);
  return OWNED.filter((k) => a[k] !== w[k]).map(
    (k) => `${section}.ha.${k}: node has "${a[k]}", wants "${w[k]}"`,
  );
}

/** The node's DHCP backend (pfsense-utils.inc `dhcp_get_backend()`: anything but kea is isc). */
export function backendOf(cfg: NodeHaConfig): "isc" | "kea" {
  return cfg.dhcpBackend ?? "isc";
}

/**
 * The backend of the pair: both nodes must run the same one (pfSense's sync copies `dhcpd` and
 * `kea` but never `dhcpbackend`, a top-level member no sync area carries), and on Kea both must be
 * a version with Kea HA.
 */
export function pairBackend(p: NodeState, s: NodeState, field: string): "isc" | "kea" {
  const pb = backendOf(p.config);
  const sb = backendOf(s.config);
  if (pb !== sb) {
    throw haError({
      code: "E_KEA_HA",
      field,
      value: `primary ${pb}, secondary ${sb}`,
      message:
        "the nodes run different DHCP backends; ISC failover and Kea HA cannot pair with each other",
      fix: "choose the same DHCP backend on both nodes (System > Advanced > Networking > DHCP Options > Server Backend)",
    });
  }
  if (pb === "kea") {
    for (const [role, st] of [
      ["primary", p],
      ["secondary", s],
    ] as const) {
      if (!st.firmware.profile.hasKeaHa) {
        throw haError({
          code: "E_UNSUPPORTED_VERSION",
          field: `${field} (${role})`,
          value: st.firmware.productVersion,
          message: `the ${role} runs pfSense ${st.firmware.productVersion} with the Kea DHCP backend, which has no Kea HA in that version (Kea HA came with 2.8.0; ISC's failover_peerip is ignored on Kea), so DHCP failover cannot be configured`,
          fix: "upgrade both nodes to pfSense 2.8 or later, or switch both to the ISC DHCP backend (System > Advanced > Networking > DHCP Options)",
        });
      }
    }
  }
  return pb;
}

/**
 * Kea HA roles the library refuses: master's carp_sync_xml() maps `kea/ha/role` and
 * `kea6/ha/role` with a PHP `match` over `primary`/`standby` only, for both sections whatever the
 * sync areas, so any other value throws UnhandledMatchError and the whole push (VIPs and NAT
 * included) is lost without a notice (§16.12). An empty role is refused too, for another reason:
 * array_get_path() (util.inc) gives `""` the default `primary`, in the sender and in the node's
 * own Kea config (services.inc), which on a secondary is the wrong role; the GUI never writes it.
 */
export function keaRoleProblems(cfg: NodeHaConfig): { section: "kea" | "kea6"; role: string }[] {
  const out: { section: "kea" | "kea6"; role: string }[] = [];
  for (const section of ["kea", "kea6"] as const) {
    const role = cfg[section]?.ha?.role;
    if (role !== undefined && role !== "primary" && role !== "standby") out.push({ section, role });
  }
  return out;
}

/** Throws when a node holds a Kea HA role the primary's sender cannot handle. */
export function requireValidKeaRoles(cfg: NodeHaConfig, node: string, field: string): void {
  const bad = keaRoleProblems(cfg)[0];
  if (!bad) return;
  throw haError({
    code: "E_KEA_HA",
    field,
    value: `${bad.section}/ha/role = "${bad.role}"`,
    message:
      bad.role === ""
        ? `the ${node} holds an empty ${bad.section}/ha/role, which pfSense reads as primary (on either node)`
        : `the ${node} holds ${bad.section}/ha/role "${bad.role}"; pfSense's sync sender accepts only primary or standby and otherwise stops without sending anything or filing a notice`,
    fix: `set the role on the ${node} (Services > DHCP${bad.section === "kea6" ? "v6" : ""} Server > Settings > High Availability) to primary or standby before sync is enabled`,
  });
}

/** Both or neither of a pair of optional inputs (a half-filled pair is swapped wrongly, §16.12). */
export function bothOrNeither(a: [string, unknown], b: [string, unknown], field: string): void {
  if ((a[1] === undefined) === (b[1] === undefined)) return;
  const [given, missing] = a[1] === undefined ? [b, a] : [a, b];
  throw haError({
    code: "E_KEA_HA",
    field: `${field}.${missing[0]}`,
    value: `${given[0]} = ${String(given[1])}`,
    message: `${given[0]} is given without ${missing[0]}; pfSense's sync swaps local and remote only where both are set, so a half-filled pair leaves the secondary pointing at itself`,
    fix: `give both ${a[0]} and ${b[0]}, or neither (default: each node's address on the interface and port ${KEA_HA_DEFAULT_PORT})`,
  });
}

/** Refuses inputs that ask for one of the five node-local fields. */
export function refuseNodeLocal(inputs: Record<string, unknown>, field: string): void {
  for (const [k, pf] of Object.entries(NODE_LOCAL_INPUTS)) {
    if (inputs[k] === undefined) continue;
    throw haError({
      code: "E_KEA_HA",
      field: `${field}.${k}`,
      value: String(inputs[k]),
      message: `kea/ha/${pf} cannot be written over XML-RPC: pfSense's receiver puts ${KEA_NODE_LOCAL_FIELDS.join(", ")} back from its own config on every restore (xmlrpc.php, master), so the library never writes them`,
      fix: "set it on each node in Services > DHCP Server > Settings > High Availability; remove the input",
    });
  }
}

/** What each node's `kea/ha` should hold. */
export interface KeaHaPlan {
  primary: KeaHa;
  secondary: KeaHa;
}

/**
 * Plans both nodes' HA settings: the primary `primary`, the secondary `standby`; each one's local
 * listener its own address/port and the other's as remote; the remote name is the peer's Kea
 * server name as services.inc builds it (`localname`, else the hostname).
 */
export function planKeaHa(o: {
  primaryAddress: string;
  secondaryAddress: string;
  primaryPort: number;
  secondaryPort: number;
  primaryName: string;
  secondaryName: string;
}): KeaHaPlan {
  return {
    primary: {
      enable: true,
      role: "primary",
      localIp: o.primaryAddress,
      localPort: String(o.primaryPort),
      remoteName: o.secondaryName,
      remoteIp: o.secondaryAddress,
      remotePort: String(o.secondaryPort),
    },
    secondary: {
      enable: true,
      role: "standby",
      localIp: o.secondaryAddress,
      localPort: String(o.secondaryPort),
      remoteName: o.primaryName,
      remoteIp: o.primaryAddress,
      remotePort: String(o.primaryPort),
    },
  };
}

/** The node's Kea server name: `kea/ha/localname` (`kea6/…`), else the hostname (services.inc, kea_defaults('name')). */
export function keaServerName(
  cfg: NodeHaConfig,
  hostname: string,
  section: "kea" | "kea6" = "kea",
): string {
  const ln = cfg[section]?.ha?.extra?.localname;
  return typeof ln === "string" && ln.trim() !== "" ? ln.trim() : hostname;
}

/** `planned` with the node-local members of `current` (they never change through XML-RPC). */
export function withNodeLocal(
  planned: KeaHa | undefined,
  current: KeaHa | undefined,
): KeaHa | undefined {
  const local: Record<string, unknown> = {};
  for (const f of KEA_NODE_LOCAL_FIELDS) {
    const v = current?.extra?.[f];
    if (v !== undefined && v !== false) local[f] = v;
  }
  if (!planned) {
    return Object.keys(local).length > 0 ? { enable: false, extra: local } : undefined;
  }
  const extra: Record<string, unknown> = { ...(planned.extra ?? {}) };
  for (const f of KEA_NODE_LOCAL_FIELDS) delete extra[f];
  Object.assign(extra, local);
  const out: KeaHa = { ...planned };
  if (Object.keys(extra).length > 0) out.extra = extra;
  else delete out.extra;
  return out;
}

/** A section with `ha` replaced by `ha` (the rest of the section kept). */
export function sectionWithHa(section: KeaSection | undefined, ha: KeaHa | undefined): KeaSection {
  const out: KeaSection = { ...(section ?? {}) };
  if (ha) out.ha = ha;
  else delete out.ha;
  return out;
}

/**
 * The `ha` the primary's sender sends (master rc.filter_synchronize carp_sync_xml()): local and
 * remote address and port swapped where a value exists (`if ($from = config_get_path(...))`, so
 * a missing one leaves the copy's own value), `remotename` = the primary's localname or hostname,
 * role flipped (missing → `primary` → `standby`), node-local members dropped. A `kea` without `ha`
 * gets one. Undefined for a role the sender dies on.
 */
export function senderHa(ha: KeaHa | undefined, primaryName: string): KeaHa | undefined {
  const src = ha ?? { enable: false };
  const out: KeaHa = { ...src };
  if (src.remoteIp) out.localIp = src.remoteIp;
  if (src.localIp) out.remoteIp = src.localIp;
  if (src.remotePort) out.localPort = src.remotePort;
  if (src.localPort) out.remotePort = src.localPort;
  out.remoteName = primaryName;
  const role = src.role === undefined || src.role === "" ? "primary" : src.role;
  if (role === "primary") out.role = "standby";
  else if (role === "standby") out.role = "primary";
  else return undefined;
  if (src.extra) {
    const extra = { ...src.extra };
    for (const f of KEA_NODE_LOCAL_FIELDS) delete extra[f];
    if (Object.keys(extra).length > 0) out.extra = extra;
    else delete out.extra;
  }
  return out;
}
