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
 * | `CarpIpAliasesConfig` | the CARP VIP the aliases are stacked on: its uniqid, or `<interface>/<vhid>` (e.g. `lan/5`); every IP alias stacked on it becomes the set |
 * | `SyncInterfaceRulesConfig` | the rule set id (`sync-…`) in the rules' markers, the sync interface (e.g. `opt1`), or `syncrules` (the node's one rule set) |
 * | `VipServiceBindingConfig` | `openvpn-server/<vpnid>` or `ipsec-phase1/<ikeid>` of an item bound to a CARP VIP; delete gives it the VIP's interface |
 *
 * A hand-made NAT or sync-interface rule has no identity of its own on the node (importing must
 * not write one), so it refuses with E_IMPORT.
 */
import { haError } from "../plan/errors";
import type { NodeHaConfig, VirtualIp } from "../plan/model";
import { openPair } from "../providers/nodePair";
import type { EndpointInput } from "../providers/endpointInputs";
import { resolveCarpVip, type CarpVipInputs } from "../providers/carpVipSpec";
import { haSyncAbsent } from "../providers/haSyncCrud";
import { ruleIdOf } from "../providers/natRuleSpec";
import { newAliasSetId, parentInterfaceOf } from "../providers/carpIpAliasSpec";
import {
  deriveSyncRules,
  filterRuleIdOf,
  ruleLine,
  SYNC_RULE_KEYS,
  type SyncRuleKey,
} from "../providers/syncRulesSpec";
import { noDrift } from "../providers/nodeDrift";
import type { FilterRule } from "../plan/model";
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
    // Nothing adopted, multicast peers: left out, as leanCarpVipOutputs leaves them out.
    syncedBy: "pfsense",
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

/** A CARP VIP's id as CarpVipConfig takes it: a 13-hex-digit uniqid or `<interface>/<vhid>`. */
function requireVipId(field: string, id: string): void {
  if (/^[0-9a-f]{13}$/i.test(id) || /^[A-Za-z0-9_]+\/\d+$/.test(id)) return;
  throw haError({
    code: "E_IMPORT",
    field,
    value: id,
    message:
      "is neither a CARP VIP's uniqid nor <interface>/<vhid>; an alias set is found by the CARP VIP it is stacked on",
    fix: "give the uniqid of the CARP VIP (Status > CARP, or the CarpVip's uniqid output) or its interface and VHID, e.g. lan/5",
  });
}

/**
 * The IP aliases stacked on one CARP VIP (`interface` `_vip<uniqid>`), in the node's order: the
 * set a CarpIpAliases owns, each alias by its own uniqid, the addresses given explicitly.
 */
async function importCarpIpAliases(
  k: ResourceKind,
  id: string,
  c: Connection,
): Promise<ImportedState | undefined> {
  requireVipId(k.typeName, id);
  const [p, s] = await readBoth(c);
  const pv = carpVipAt(p.virtualIps, id);
  if (pv === undefined || pv.uniqid === undefined) return undefined;
  const parent = parentInterfaceOf(pv.uniqid);
  const aliases = p.virtualIps.filter((v) => v.mode === "ipalias" && v.interface === parent);
  if (aliases.length === 0) return undefined;
  const nameless = aliases.find((a) => a.uniqid === undefined || a.uniqid === "");
  if (nameless) {
    throw haError({
      code: "E_IMPORT",
      field: k.typeName,
      value: id,
      message: `the alias ${nameless.subnet} stacked on it has no uniqid, so no state could find it again`,
      fix: "save the alias once in Firewall > Virtual IPs (pfSense gives it a uniqid), then import",
    });
  }
  const own = (n: NodeHaConfig) =>
    n.interfaces[pv.interface]?.[pv.subnet.includes(":") ? "ipaddrv6" : "ipaddr"];
  const descrs = [...new Set(aliases.map((a) => a.descr ?? ""))];
  const inputs: Plain = {
    vipUniqid: pv.uniqid,
    vipInterface: pv.interface,
    vipAddress: pv.subnet,
    subnetBits: pv.subnetBits,
    primaryAddress: own(p),
    secondaryAddress: own(s),
    addresses: aliases.map((a) => a.subnet),
    // One description for all: kept; different ones stay as the nodes hold them.
    description: descrs.length === 1 && descrs[0] !== "" ? descrs[0] : undefined,
  };
  const props: Plain = {
    ...c,
    ...inputs,
    parentInterface: parent,
    aliasAddresses: aliases.map((a) => a.subnet),
    aliasUniqids: aliases.map((a) => a.uniqid),
    planned: aliases.map(() => false),
    drift: noDrift(),
    syncedBy: "pfsense",
  };
  return { id: newAliasSetId(), props, inputs };
}

/** The library's sync-interface rule sets on a node: rule set id → its rules by key. */
function syncRuleSets(rules: FilterRule[]): Map<string, Map<SyncRuleKey, FilterRule>> {
  const out = new Map<string, Map<SyncRuleKey, FilterRule>>();
  for (const r of rules) {
    const m = /^(sync-[0-9a-f]+)\/(.+)$/.exec(filterRuleIdOf(r) ?? "");
    if (!m || !(SYNC_RULE_KEYS as readonly string[]).includes(m[2])) continue;
    const set = out.get(m[1]) ?? new Map<SyncRuleKey, FilterRule>();
    if (!set.has(m[2] as SyncRuleKey)) set.set(m[2] as SyncRuleKey, r);
    out.set(m[1], set);
  }
  return out;
}

/**
 * A rule set SyncInterfaceRules made (its markers name it), by its id, its interface or
 * `syncrules`. Hand-made rules have no marker: refused, pointing at declaring the component.
 */
async function importSyncRules(
  k: ResourceKind,
  id: string,
  c: Connection,
): Promise<ImportedState | undefined> {
  if (!/^(sync-[0-9a-f]+|syncrules|[A-Za-z0-9_]+)$/.test(id)) {
    throw haError({
      code: "E_IMPORT",
      field: k.typeName,
      value: id,
      message: "is not a rule set id (sync-…), an interface assignment name or syncrules",
      fix: "give the sync interface (e.g. opt1), or syncrules for the node's one rule set",
    });
  }
  const [p] = await readBoth(c);
  const rules = p.filterRules ?? [];
  const sets = [...syncRuleSets(rules)].filter(
    ([sid, set]) =>
      id === "syncrules" ||
      sid === id ||
      (!id.startsWith("sync-") && [...set.values()].some((r) => r.interface === id)),
  );
  if (sets.length === 0) {
    const handMade = rules.filter(
      (r) =>
        filterRuleIdOf(r) === undefined &&
        (id === "syncrules" ? r.protocol === "pfsync" : r.interface === id),
    );
    if (handMade.length === 0 || id.startsWith("sync-")) return undefined;
    throw haError({
      code: "E_IMPORT",
      field: k.typeName,
      value: id,
      message: `the primary holds ${handMade.length} rule(s) there made by hand and no rule set of this library; a hand-made rule has no identity an import could find`,
      fix: "declare SyncInterfaceRules (it adds its four rules and leaves the hand-made ones alone; delete those in the GUI after)",
    });
  }
  if (sets.length > 1) {
    throw haError({
      code: "E_IMPORT",
      field: k.typeName,
      value: id,
      message: `matches ${sets.length} rule sets (${sets.map(([sid]) => sid).join(", ")})`,
      fix: "give one rule set id",
    });
  }
  const [rulesetId, set] = sets[0];
  const get = (key: SyncRuleKey) => set.get(key);
  const first = [...set.values()][0];
  // pfsync-primary and gui-primary: from the secondary to the primary; the others the other way.
  const primarySyncAddress =
    get("pfsync-primary")?.destination.address ??
    get("gui-primary")?.destination.address ??
    get("pfsync-secondary")?.source.address ??
    get("gui-secondary")?.source.address;
  const secondarySyncAddress =
    get("pfsync-primary")?.source.address ??
    get("gui-primary")?.source.address ??
    get("pfsync-secondary")?.destination.address ??
    get("gui-secondary")?.destination.address;
  const primaryGuiPort = get("gui-primary")?.destination.port ?? "443";
  const secondaryGuiPort = get("gui-secondary")?.destination.port ?? "443";
  const inputs: Plain = {
    syncInterface: first.interface,
    primarySyncAddress,
    secondarySyncAddress,
  };
  const trackers: Record<string, string> = {};
  for (const [key, r] of set) if (r.tracker !== undefined) trackers[key] = r.tracker;
  const props: Plain = {
    ...c,
    ...inputs,
    rulesetId,
    primaryGuiPort,
    secondaryGuiPort,
    rules:
      primarySyncAddress && secondarySyncAddress
        ? deriveSyncRules({
            syncInterface: first.interface,
            primarySyncAddress,
            secondarySyncAddress,
            primaryGuiPort,
            secondaryGuiPort,
          }).map(ruleLine)
        : [],
    trackers,
    drift: noDrift(),
    syncedBy: "pfsense",
  };
  return { id: rulesetId, props, inputs };
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
    case "CarpIpAliasesConfig":
      return importCarpIpAliases(k, id, conn);
    case "SyncInterfaceRulesConfig":
      return importSyncRules(k, id, conn);
    case "VipServiceBindingConfig":
      return importVipService(id, conn);
    default:
      return unsupported(k);
  }
}
