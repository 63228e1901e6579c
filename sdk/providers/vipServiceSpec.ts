/**
 * VipServiceBinding: inputs, outputs and the pure rules of binding an existing OpenVPN server or
 * IPsec phase 1 to a CARP VIP.
 *
 * How pfSense stores the binding (2.7.2 and master, same code):
 * - OpenVPN server (`openvpn/openvpn-server[]`, id `vpnid`): the GUI lists every CARP / IP alias
 *   VIP as `_vip<uniqid>|<address>` (openvpn.inc `openvpn_build_if_list()`, keys from util.inc
 *   `get_configured_vip_list()`) and vpn_openvpn_server.php saves the two halves as `interface`
 *   and `ipaddr`. `openvpn_reconfigure()` binds the daemon to `ipaddr` (`local`), and does not
 *   start an instance whose `_vip` interface is BACKUP/INIT (pfsense-utils.inc
 *   `get_carp_bind_status()`, redmine #11793): only the MASTER runs it.
 * - IPsec phase 1 (`ipsec/phase1[]`, id `ikeid`): vpn_ipsec_phase1.php `build_interface_list()`
 *   lists VIPs as `_vip<uniqid>` and saves `interface` alone; ipsec.inc `ipsec_get_phase1_src()`
 *   resolves the address through `get_interface_ip()` (absent = `wan`), and `ipsec_configure()`
 *   marks a tunnel whose `_vip` is BACKUP/INIT as `carpbackup` (not initiated).
 * Sync: `synchronizeopenvpn` sends `openvpn` (+ cert/ca/crl), `synchronizeipsec` sends `ipsec`
 * (rc.filter_synchronize), the receiver replaces each section whole (xmlrpc.php
 * `restore_config_section`, `$sync_full_sections`) and restarts the changed OpenVPN instances /
 * reconfigures IPsec (xmlrpc.php `filter_configure()`).
 */
import { haError, type IpsecPhase1, type NodeHaConfig, type OpenVpnServer } from "../plan";
import type { SyncArea, VirtualIp } from "../plan/model";
import { collectFailure, type CheckFailure } from "./checkFailures";
import { endpointProblems, type EndpointInput } from "./endpointInputs";
import { diffFieldPairs, type FieldDiffResult } from "./fieldDiff";
import { hasDrift, type NodeDrift } from "./nodeDrift";
import type { SyncedBy } from "./secondaryConvergence";
import { containsUnknown, isUnknown } from "./unknowns";

/** The kinds of service a binding can move onto a VIP. */
export type BoundService = "openvpn-server" | "ipsec-phase1";

/** Every {@link BoundService}. */
export const BOUND_SERVICES: readonly BoundService[] = ["openvpn-server", "ipsec-phase1"];

/** Inputs of the VipServiceBindingConfig resource. */
export interface VipServiceInputs {
  primary: EndpointInput;
  secondary: EndpointInput;
  name: string;
  service: BoundService;
  /**
   * `vpnid` (OpenVPN server) or `ikeid` (IPsec phase 1), as config.xml holds it (the component's
   * `id`; a custom resource cannot have an input named `id`).
   */
  itemId: string;
  /** uniqid of the CARP VIP to bind to (the CarpVip's `uniqid`). */
  vipUniqid: string;
  /** Allow the binding to move the service to the VIP's interface (default false: refuse). */
  moveInterface?: boolean;
  syncWaitMs?: number;
  stack?: string;
}

/** Outputs (state). */
export interface VipServiceOutputs extends VipServiceInputs {
  /** `_vip<uniqid>`: what the item's `interface` now holds on both nodes. */
  boundInterface: string;
  /** The VIP's address (OpenVPN: also the server's `ipaddr`). */
  vipAddress: string;
  /** The VIP's interface assignment name (`wan`). */
  vipInterface: string;
  /** The primary item's `interface` before the binding (restored on delete). */
  previousInterface: string;
  /** OpenVPN: the primary server's `ipaddr` before (restored on delete; null = it had none). */
  previousAddress: string | null;
  /** The secondary item's `interface` before, where the library wrote it (no sync of the area). */
  secondaryPreviousInterface: string;
  /** See `secondaryPreviousInterface`, for `ipaddr`. */
  secondaryPreviousAddress: string | null;
  syncedBy: SyncedBy;
  drift: NodeDrift;
}

/** The sync area (hasync `synchronize<area>`) carrying a service's section. */
export const SERVICE_AREA: Record<BoundService, SyncArea> = {
  "openvpn-server": "openvpn",
  "ipsec-phase1": "ipsec",
};

/** How messages name a service's item: `OpenVPN server vpnid 1`. */
export function itemName(service: BoundService, id: string): string {
  return service === "openvpn-server" ? `OpenVPN server vpnid ${id}` : `IPsec phase 1 ikeid ${id}`;
}

/** The resource (and import) id: `openvpn-server/<vpnid>`, `ipsec-phase1/<ikeid>`. */
export function bindingId(service: BoundService, id: string): string {
  return `${service}/${id}`;
}

/** The item's binding as a node holds it. */
export interface ServiceView {
  interface: string;
  /** OpenVPN `ipaddr` (undefined: absent; IPsec has none). */
  address?: string;
  description?: string;
}

/** The service's items on a node. */
function items(cfg: NodeHaConfig, service: BoundService): (OpenVpnServer | IpsecPhase1)[] {
  return service === "openvpn-server" ? (cfg.openvpnServers ?? []) : (cfg.ipsecPhase1 ?? []);
}

const idOf = (x: OpenVpnServer | IpsecPhase1): string => ("vpnid" in x ? x.vpnid : x.ikeid);

/** The ids the node holds for `service` (for messages). */
export function serviceIds(cfg: NodeHaConfig, service: BoundService): string[] {
  return items(cfg, service).map(idOf);
}

/** The item's binding, or undefined when the node has no such item. */
export function serviceView(
  cfg: NodeHaConfig,
  service: BoundService,
  id: string,
): ServiceView | undefined {
  const it = items(cfg, service).find((x) => idOf(x) === id);
  if (!it) return undefined;
  if ("vpnid" in it) {
    const v: ServiceView = { interface: it.interface };
    if (it.ipaddr !== undefined) v.address = it.ipaddr;
    if (it.description) v.description = it.description;
    return v;
  }
  const iface = it.interface ?? "";
  return it.descr ? { interface: iface, description: it.descr } : { interface: iface };
}

/**
 * Sets the item's binding in `draft` (the session's edit path: every other member and item stays
 * as read). `address` undefined removes OpenVPN's `ipaddr`. False when the item is missing.
 */
export function setBinding(
  draft: NodeHaConfig,
  service: BoundService,
  id: string,
  iface: string,
  address: string | undefined,
): boolean {
  if (service === "openvpn-server") {
    const s = (draft.openvpnServers ?? []).find((x) => x.vpnid === id);
    if (!s) return false;
    s.interface = iface;
    if (address === undefined) delete s.ipaddr;
    else s.ipaddr = address;
    return true;
  }
  const p = (draft.ipsecPhase1 ?? []).find((x) => x.ikeid === id);
  if (!p) return false;
  // `""` is how state records an absent member (pfSense reads it as wan): absent again.
  if (iface === "") delete p.interface;
  else p.interface = iface;
  return true;
}

/** The binding the VIP asks for: `_vip<uniqid>`, and OpenVPN's `ipaddr` = the VIP's address. */
export function vipBinding(
  service: BoundService,
  vip: VirtualIp,
): { interface: string; address: string | undefined } {
  return {
    interface: `_vip${vip.uniqid ?? ""}`,
    address: service === "openvpn-server" ? vip.subnet : undefined,
  };
}

/** True when the node's item holds exactly `want`. */
export function holdsBinding(
  cfg: NodeHaConfig,
  service: BoundService,
  id: string,
  want: { interface: string; address: string | undefined },
): boolean {
  const v = serviceView(cfg, service, id);
  if (!v || v.interface !== want.interface) return false;
  return service !== "openvpn-server" || (v.address ?? undefined) === want.address;
}

/**
 * The physical segment (interface assignment name) an item's `interface` lives on: a VIP key
 * resolves to its VIP's interface (an IP alias stacked on a CARP VIP to that VIP's), `""` (IPsec)
 * to `wan`; a gateway group or `any` is returned as is.
 */
export function segmentOf(cfg: NodeHaConfig, iface: string, depth = 0): string {
  if (iface === "") return "wan";
  if (!iface.startsWith("_vip") || depth > 2) return iface;
  const v = cfg.virtualIps.find((x) => `_vip${x.uniqid}` === iface);
  return v ? segmentOf(cfg, v.interface, depth + 1) : iface;
}

/** The CARP VIP with `uniqid` on a node, if any. */
export function carpVipByUniqid(cfg: NodeHaConfig, uniqid: string): VirtualIp | undefined {
  return cfg.virtualIps.find((v) => v.mode === "carp" && v.uniqid === uniqid);
}

const label = (inp: { name?: string }): string => `VipServiceBinding[${inp.name ?? "?"}]`;

function notFound(inp: VipServiceInputs, cfg: NodeHaConfig, node: string, why = ""): Error {
  const ids = serviceIds(cfg, inp.service);
  const what = inp.service === "openvpn-server" ? "vpnid" : "ikeid";
  const has = ids.length === 0 ? "none" : `${what} ${ids.join(", ")}`;
  const where =
    inp.service === "openvpn-server"
      ? "the server's vpnid as config.xml holds it (VPN > OpenVPN > Servers: device ovpns<vpnid>)"
      : "the phase 1's ikeid as config.xml holds it (VPN > IPsec > Tunnels: con<ikeid>)";
  return haError({
    code: "E_SERVICE_NOT_FOUND",
    field: `${label(inp)}.id`,
    value: inp.itemId,
    message: `the ${node} has no ${itemName(inp.service, inp.itemId)} (it has ${has})${why}`,
    fix: why
      ? `create the same ${itemName(inp.service, inp.itemId)} on the ${node}, or sync "${SERVICE_AREA[inp.service]}" (HaSyncSettings areas)`
      : `give ${where}`,
  });
}

/**
 * The rules against the nodes' config, shared by `check` (preview) and create/update: the item
 * exists on the primary (and on the secondary unless pfSense syncs the area), the VIP is a CARP
 * VIP on the primary, and the item stays on its segment unless `moveInterface`. `vipUniqid`
 * still unknown (the CarpVip is being created) checks the item alone.
 */
export function checkBindingOnNodes(
  inp: VipServiceInputs,
  p: NodeHaConfig,
  s: NodeHaConfig,
  synced: boolean,
): { vip?: VirtualIp; primary: ServiceView; secondary?: ServiceView } {
  const pv = serviceView(p, inp.service, inp.itemId);
  if (!pv) throw notFound(inp, p, "primary");
  const sv = serviceView(s, inp.service, inp.itemId);
  if (!sv && !synced) {
    const why = `; pfSense does not sync "${SERVICE_AREA[inp.service]}" here, so the library binds each node's own item with the same id`;
    throw notFound(inp, s, "secondary", why);
  }
  if (isUnknown(inp.vipUniqid) || containsUnknown(inp.vipUniqid))
    return { primary: pv, ...(sv ? { secondary: sv } : {}) };
  const vip = carpVipByUniqid(p, inp.vipUniqid);
  if (!vip) {
    const other = p.virtualIps.find((v) => v.uniqid === inp.vipUniqid);
    throw haError({
      code: "E_SERVICE_BINDING",
      field: `${label(inp)}.vip`,
      value: inp.vipUniqid,
      message: other
        ? `the VIP ${other.subnet} is a ${other.mode} VIP, not CARP; it does not move to the secondary on failover`
        : "the primary has no CARP VIP with this uniqid",
      fix: "pass a CarpVip (its uniqid) of the segment the service listens on",
    });
  }
  const from = segmentOf(p, pv.interface);
  if (from !== vip.interface && !inp.moveInterface) {
    throw haError({
      code: "E_SERVICE_BINDING",
      field: `${label(inp)}.vip`,
      value: `${vip.subnet} on ${vip.interface}`,
      message: `${itemName(inp.service, inp.itemId)} listens on ${pv.interface === "" ? "wan (default)" : pv.interface}${from !== pv.interface && pv.interface !== "" ? ` (on ${from})` : ""}; binding it to a VIP on ${vip.interface} moves it there, and peers or clients that reach it on ${from} lose it`,
      fix: `bind it to a CarpVip on ${from}, or set moveInterface: true to move it to ${vip.interface}`,
    });
  }
  return { vip, primary: pv, ...(sv ? { secondary: sv } : {}) };
}

/** `check` without the nodes: endpoints, service kind, id shape. */
export function checkVipService(news: VipServiceInputs): {
  inputs: VipServiceInputs;
  failures: CheckFailure[];
} {
  const failures: CheckFailure[] = [
    ...endpointProblems(news.primary, "primary"),
    ...endpointProblems(news.secondary, "secondary"),
  ];
  const base = label(news);
  collectFailure(
    () => {
      if (!isUnknown(news.service) && !BOUND_SERVICES.includes(news.service)) {
        throw haError({
          code: "E_INVALID_INPUT",
          field: `${base}.service`,
          value: String(news.service),
          message: "unknown service kind",
          fix: 'use "openvpn-server" (id = vpnid) or "ipsec-phase1" (id = ikeid)',
        });
      }
      if (!isUnknown(news.itemId) && !/^\d+$/.test(String(news.itemId ?? ""))) {
        throw haError({
          code: "E_INVALID_INPUT",
          field: `${base}.id`,
          value: String(news.itemId),
          message: "the id is not a number as config.xml holds it",
          fix: "give the server's vpnid or the phase 1's ikeid (digits, e.g. 1)",
        });
      }
    },
    ["service", "itemId"],
    failures,
    { id: "itemId" },
  );
  return { inputs: news, failures };
}

/** `diff`: service and id are identity (replace); the VIP is rebound in place. */
export function diffVipService(olds: VipServiceOutputs, news: VipServiceInputs): FieldDiffResult {
  return diffFieldPairs([
    { field: "service", old: olds.service, new: news.service, identity: true },
    { field: "itemId", old: olds.itemId, new: String(news.itemId), identity: true },
    { field: "primary", old: olds.primary, new: news.primary },
    { field: "secondary", old: olds.secondary, new: news.secondary },
    { field: "vipUniqid", old: olds.vipUniqid, new: news.vipUniqid },
    { field: "moveInterface", old: olds.moveInterface ?? false, new: news.moveInterface ?? false },
    { field: "drift", old: hasDrift(olds.drift), new: false },
  ]);
}

/**
 * The services on a node that use the VIP, as pfSense's GUI finds them when it refuses to delete
 * a VIP (firewall_virtual_ip.inc `deleteVIP()`, 2.7.2): an OpenVPN server whose `ipaddr` is the
 * VIP's address (or that is bound to its `_vip` key), an enabled IPsec phase 1 whose source is
 * the VIP (`ipsec_get_phase1_src()`: bound to its `_vip` key). One line each, for messages.
 */
export function servicesUsingVip(cfg: NodeHaConfig, vip: VirtualIp): string[] {
  const key = `_vip${vip.uniqid ?? ""}`;
  const out: string[] = [];
  for (const s of cfg.openvpnServers ?? []) {
    if (s.interface === key || (s.ipaddr !== undefined && s.ipaddr === vip.subnet))
      out.push(`OpenVPN server vpnid ${s.vpnid}${s.description ? ` "${s.description}"` : ""}`);
  }
  for (const p of cfg.ipsecPhase1 ?? []) {
    if (!p.disabled && p.interface === key)
      out.push(`IPsec phase 1 ikeid ${p.ikeid}${p.descr ? ` "${p.descr}"` : ""}`);
  }
  return out;
}
