/**
 * `pulumi import` ids. The engine imports with nothing but the id, so each kind finds its item
 * on the nodes by the id it documents and returns the state (and the inputs that declare it) as
 * if the resource had created it. An imported item is owned: delete removes it.
 *
 * | type | id |
 * | --- | --- |
 * | `CarpVipConfig` | the VIP's uniqid, or `<interface>/<vhid>` (e.g. `wan/5`) |
 * | `DhcpFailoverConfig` | the interface (e.g. `lan`) whose dhcpd has a failover peer |
 * | `HaSyncConfig` | `hasync` (the node pair's one HA sync setting) |
 * | `OutboundNatConfig` | the rule id (`nat-…`) a rule made by this library carries in its marker |
 * | `ClusterHaConfigState` | its items, `<kind>:<key>=<item id>` joined by `,`, e.g. `carpVips:wan=wan/1,outboundNat:out=nat-…,dhcpFailover:lan=lan` |
 * | `ClusterHealthCheck` | any name: it owns nothing on the nodes; the import records a reading |
 * | `VipServiceBindingConfig` | `openvpn-server/<vpnid>` or `ipsec-phase1/<ikeid>` of an item bound to a CARP VIP; delete gives it the VIP's interface |
 *
 * A hand-made NAT rule has no identity of its own on the node (importing must not write one), so
 * it refuses with E_IMPORT.
 */
import { haError } from "../plan/errors";
import type { NodeHaConfig, VirtualIp } from "../plan/model";
import { openPair } from "../providers/nodePair";
import type { EndpointInput } from "../providers/endpointInputs";
import { resolveCarpVip, type CarpVipInputs } from "../providers/carpVipSpec";
import { haSyncAbsent } from "../providers/haSyncCrud";
import { ruleIdOf } from "../providers/natRuleSpec";
import {
  BOUND_SERVICES,
  carpVipByUniqid,
  serviceView,
  type BoundService,
} from "../providers/vipServiceSpec";
import type { ResourceKind } from "./resourceKinds";

type Plain = Record<string, unknown>;

/** What an import found: the id, the state (with the connection) and the declaring inputs. */
export interface ImportedState {
  id: string;
  props: Plain;
  inputs: Plain;
}

type Connection = { primary: EndpointInput; secondary: EndpointInput } & Plain;

async function readBoth(c: Connection): Promise<[NodeHaConfig, NodeHaConfig]> {
  const pair = openPair(c);
  const [p, s] = await Promise.all([pair.primary.read(), pair.secondary.read()]);
  return [p.config, s.config];
}

function unsupported(k: ResourceKind): never {
  throw haError({
    code: "E_IMPORT",
    field: k.typeName,
    message: "this type cannot be imported",
    fix: "declare it in the program instead (use `adopt: true` on the component to take over a matching item made by hand)",
  });
}

function carpVipAt(vips: VirtualIp[], id: string): VirtualIp | undefined {
  const carp = vips.filter((v) => v.mode === "carp");
  const m = /^([A-Za-z0-9_]+)\/(\d+)$/.exec(id);
  if (m) return carp.find((v) => v.interface === m[1] && v.vhid === Number(m[2]));
  return carp.find((v) => v.uniqid === id);
}

async function importCarpVip(id: string, c: Connection): Promise<ImportedState | undefined> {
  const [p, s] = await readBoth(c);
  const pv = carpVipAt(p.virtualIps, id);
  if (pv === undefined || pv.uniqid === undefined) return undefined;
  const sv = s.virtualIps.find((v) => v.uniqid === pv.uniqid);
  const own = (n: NodeHaConfig) =>
    n.interfaces[pv.interface]?.[pv.subnet.includes(":") ? "ipaddrv6" : "ipaddr"];
  const inputs: Plain = {
    interface: pv.interface,
    address: `${pv.subnet}/${pv.subnetBits}`,
    primaryAddress: own(p),
    secondaryAddress: own(s),
    vhid: pv.vhid,
    advbase: pv.advbase ?? 1,
    skew: pv.advskew ?? 0,
    password: pv.password ?? "",
    description: pv.descr,
  };
  const d = resolveCarpVip({ ...c, name: String(c.name), ...inputs } as unknown as CarpVipInputs);
  const props: Plain = {
    ...c,
    ...inputs,
    uniqid: pv.uniqid,
    address: d.address,
    network: d.network,
    subnetBits: d.subnetBits,
    family: d.family,
    primaryAdvskew: d.primaryAdvskew,
    secondaryAdvskew: sv?.advskew ?? d.secondaryAdvskew,
    adoptedFrom: null,
    syncedBy: "pfsense",
    primaryPeer: "",
    secondaryPeer: "",
  };
  return { id: pv.uniqid, props, inputs };
}

async function importDhcpFailover(id: string, c: Connection): Promise<ImportedState | undefined> {
  const [p, s] = await readBoth(c);
  const d = p.dhcpd[id];
  if (d === undefined || !d.failoverPeerIp) return undefined;
  const vip =
    p.virtualIps.find((v) => v.mode === "carp" && v.interface === id)?.subnet ?? d.gateway;
  const inputs: Plain = {
    interface: id,
    vip,
    rangeFrom: d.rangeFrom,
    rangeTo: d.rangeTo,
    dnsServers: d.dnsServers,
    gateway: d.gateway,
  };
  const props: Plain = {
    ...c,
    ...inputs,
    gateway: d.gateway ?? vip,
    primaryPeer: d.failoverPeerIp,
    secondaryPeer: s.dhcpd[id]?.failoverPeerIp ?? "",
    priorPrimary: null,
    priorSecondary: null,
    syncedBy: "pfsense",
  };
  return { id, props, inputs };
}

async function importHaSync(id: string, c: Connection): Promise<ImportedState | undefined> {
  if (id !== "hasync") return undefined;
  const [p, s] = await readBoth(c);
  const h = p.hasync;
  if (h === undefined || haSyncAbsent(h)) return undefined;
  const inputs: Plain = {
    syncInterface: h.pfsyncInterface,
    primarySyncAddress: s.hasync?.pfsyncPeerIp,
    secondarySyncAddress: h.pfsyncPeerIp ?? h.synchronizeToIp,
    username: h.username || "admin",
    password: h.password ?? "",
    areas: h.areas,
    adminSync: h.adminSync ?? false,
  };
  const props: Plain = {
    ...c,
    ...inputs,
    primaryHostId: h.pfHostId ?? "",
    secondaryHostId: s.hasync?.pfHostId ?? "",
    priorPrimary: null,
    priorSecondary: null,
  };
  return { id, props, inputs };
}

async function importNatRule(id: string, c: Connection): Promise<ImportedState | undefined> {
  if (!id.startsWith("nat-")) {
    throw haError({
      code: "E_IMPORT",
      field: "OutboundNatConfig",
      value: id,
      message:
        "is not a rule id of this library; a hand-made rule has no identity an import could find",
      fix: "declare the rule with OutboundNatRule and adopt: true, which takes it over at create",
    });
  }
  const [p] = await readBoth(c);
  const r = p.natRules.find((x) => ruleIdOf(x) === id);
  if (r === undefined) return undefined;
  const mode = p.natMode === "advanced" ? "advanced" : "hybrid";
  const inputs: Plain = {
    interface: r.interface,
    source: r.source,
    target: r.target,
    mode,
    description: r.descr,
    destination: "network" in r.destination ? r.destination.network : undefined,
    protocol: r.protocol,
    sourcePort: r.sourcePort,
    destinationPort: r.destinationPort,
  };
  // The mode stays as it is on delete: it was not set by this stack.
  const props: Plain = {
    ...c,
    ...inputs,
    ruleId: id,
    priorMode: mode,
    adoptedFrom: null,
    syncedBy: "pfsense",
  };
  return { id, props, inputs };
}

/**
 * A binding made in the GUI: the item must be bound to a CARP VIP. What it had before is not on
 * the nodes, so delete gives it the VIP's own interface (no bind address), as the GUI stores a
 * plain interface.
 */
async function importVipService(id: string, c: Connection): Promise<ImportedState | undefined> {
  const m = /^([a-z0-9-]+)\/(\d+)$/.exec(id);
  if (!m || !BOUND_SERVICES.includes(m[1] as BoundService)) {
    throw haError({
      code: "E_IMPORT",
      field: "VipServiceBindingConfig",
      value: id,
      message: "is not a binding id",
      fix: "use openvpn-server/<vpnid> or ipsec-phase1/<ikeid>, e.g. openvpn-server/1",
    });
  }
  const service = m[1] as BoundService;
  const itemId = m[2];
  const [p, s] = await readBoth(c);
  const pv = serviceView(p, service, itemId);
  if (pv === undefined) return undefined;
  const vip = pv.interface.startsWith("_vip")
    ? carpVipByUniqid(p, pv.interface.slice(4))
    : undefined;
  if (vip === undefined) {
    throw haError({
      code: "E_IMPORT",
      field: "VipServiceBindingConfig",
      value: id,
      message: `the item is bound to ${JSON.stringify(pv.interface)}, not to a CARP VIP: there is no binding to import`,
      fix: "declare a VipServiceBinding for it instead; its create binds it",
    });
  }
  const inputs: Plain = { service, itemId, vipUniqid: vip.uniqid };
  const props: Plain = {
    ...c,
    ...inputs,
    boundInterface: pv.interface,
    vipAddress: vip.subnet,
    vipInterface: vip.interface,
    previousInterface: vip.interface,
    previousAddress: null,
    secondaryPreviousInterface: serviceView(s, service, itemId) ? vip.interface : "",
    secondaryPreviousAddress: null,
    syncedBy: "pfsense",
    drift: { primary: [], secondary: [] },
  };
  return { id, props, inputs };
}

type ItemKind = "carpVips" | "outboundNat" | "dhcpFailover";
const ITEM_IMPORTS: Record<
  ItemKind,
  (id: string, c: Connection) => Promise<ImportedState | undefined>
> = {
  carpVips: importCarpVip,
  outboundNat: importNatRule,
  dhcpFailover: importDhcpFailover,
};

function badAggregateId(k: ResourceKind, part: string): never {
  throw haError({
    code: "E_IMPORT",
    field: k.typeName,
    value: part,
    message: "is not an item of the form <kind>:<key>=<item id>",
    fix: "list the items as carpVips:<key>=<interface>/<vhid>, outboundNat:<key>=<rule id>, dhcpFailover:<key>=<interface>, joined by commas",
  });
}

/** The aggregate: each listed item imported as its own kind would be, under its key. */
async function importClusterHa(
  k: ResourceKind,
  id: string,
  c: Connection,
): Promise<ImportedState | undefined> {
  const items: Record<ItemKind, Plain> = { carpVips: {}, outboundNat: {}, dhcpFailover: {} };
  const inputs: Record<string, Plain> = {
    carpVips: {},
    outboundNat: {},
    dhcpFailover: {},
    carpPasswords: {},
  };
  // Every part is checked before any node is read.
  const parts = id
    .split(",")
    .filter((p) => p !== "")
    .map((part) => {
      const m = /^(carpVips|outboundNat|dhcpFailover):([^=]+)=(.+)$/.exec(part);
      if (!m) badAggregateId(k, part);
      return m as unknown as [string, ItemKind, string, string];
    });
  for (const [, kind, key, itemId] of parts) {
    const found = await ITEM_IMPORTS[kind](itemId, c);
    if (found === undefined) return undefined;
    const {
      primary: _p,
      secondary: _s,
      name: _n,
      stack: _st,
      syncWaitMs: _w,
      password,
      adoptedFrom: _a,
      ...state
    } = found.props;
    const { password: _pw, ...declared } = found.inputs;
    (items[kind] as Plain)[key] = state;
    (inputs[kind] as Plain)[key] = kind === "outboundNat" ? { ...declared } : declared;
    if (kind === "carpVips") (inputs.carpPasswords as Plain)[key] = password;
  }
  const props: Plain = {
    ...c,
    ...inputs,
    items,
    adoptedVips: {},
    drift: { primary: [], secondary: [] },
  };
  return { id: `cluster-ha/${String(c.name)}`, props, inputs };
}

/** The gate owns nothing: an import records a passing-shaped reading it will redo at the next up. */
function importHealthCheck(id: string, c: Connection): ImportedState {
  const props: Plain = {
    ...c,
    ok: true,
    checkedAt: new Date().toISOString(),
    waitedMs: 0,
    vhids: [],
  };
  return { id, props, inputs: {} };
}

/** The state an import of `id` finds, or undefined when the nodes hold no such item. */
export async function importedState(
  k: ResourceKind,
  id: string,
  c: Plain,
): Promise<ImportedState | undefined> {
  const conn = c as Connection;
  switch (k.typeName) {
    case "CarpVipConfig":
      return importCarpVip(id, conn);
    case "DhcpFailoverConfig":
      return importDhcpFailover(id, conn);
    case "HaSyncConfig":
      return importHaSync(id, conn);
    case "OutboundNatConfig":
      return importNatRule(id, conn);
    case "ClusterHaConfigState":
      return importClusterHa(k, id, conn);
    case "ClusterHealthCheck":
      return importHealthCheck(id, conn);
    case "VipServiceBindingConfig":
      return importVipService(id, conn);
    default:
      return unsupported(k);
  }
}
