/**
 * DhcpFailover provider runtime: one interface's `dhcpd` settings on both nodes. The resource
 * owns that interface's entry; other interfaces' DHCP settings are untouched (the client rewrites
 * the section from the one it read).
 */
import { deriveSecondary, secondaryDrift, type DhcpdInterface, type NodeHaConfig } from "../plan";
import type { DhcpFailoverInputs, DhcpFailoverOutputs } from "./dhcpFailoverSpec";
import { driftLines, noDrift } from "./nodeDrift";
import { openPair, readBoth } from "./nodePair";
import { firstReadOptions, pairFor, type ItemContext } from "./itemContext";
import { isPreWriteError, orPartial } from "./partialFailure";
import { toPlainData } from "./plainData";
import { refreshedInputs } from "./refreshInputs";
import { convergeSecondary, pfSenseSyncs } from "./secondaryConvergence";
import { resourceLabel } from "./resourceLabel";
import { planDhcpOnNodes } from "./dhcpFailoverNodeRules";
import type { NodePair } from "./nodePair";
import type { NodeState } from "../pfsense/types";
import type { KeaHa, NodeHaConfig as Cfg } from "../plan";
import { isStruct, leaf } from "../codec/phpValue";
import {
  KEA6_HA_DEFAULT_PORT,
  KEA_HA_DEFAULT_PORT,
  haDrift,
  requireDhcpv6Ha,
  keaServerName,
  pairBackend,
  planKeaHa,
  requireValidKeaRoles,
  sectionWithHa,
  senderHa,
  withNodeLocal,
  type KeaHaPlan,
} from "./keaHaRules";

/** The members of the state that are inputs (handed back by `read`). */
const INPUT_KEYS: readonly (keyof DhcpFailoverInputs)[] = [
  "primary",
  "secondary",
  "name",
  "interface",
  "vip",
  "rangeFrom",
  "rangeTo",
  "dnsServers",
  "gateway",
  "keaPrimaryAddress",
  "keaSecondaryAddress",
  "keaPrimaryPort",
  "keaSecondaryPort",
  "keaDhcpv6",
  "keaDhcpv6PrimaryPort",
  "keaDhcpv6SecondaryPort",
  "syncWaitMs",
  "stack",
];

function label(inp: { name?: string }): string {
  return resourceLabel("DhcpFailover", inp);
}

function only(ifName: string, d: DhcpdInterface | undefined | null, interfaces = {}): NodeHaConfig {
  return { virtualIps: [], natRules: [], dhcpd: d ? { [ifName]: d } : {}, interfaces };
}

function withExtra(d: DhcpdInterface, existing: DhcpdInterface | undefined): DhcpdInterface {
  const out = { ...d };
  if (existing?.extra !== undefined) out.extra = existing.extra;
  return out;
}

/** A node's `system/hostname` (Kea's default server name, services_dhcp.inc kea_defaults('name')). */
async function hostnameOf(pair: NodePair, role: "primary" | "secondary"): Promise<string> {
  const sys = (await pair[role].client.backupSections(["system"])).system;
  return (isStruct(sys) ? leaf(sys.hostname) : "") || "pfSense";
}

/**
 * Writes `ha` into the draft's `kea` (or `kea6`), keeping the node's node-local members and the
 * rest of the section.
 */
function putHa(draft: Cfg, ha: KeaHa | undefined, section: "kea" | "kea6" = "kea"): void {
  const next = sectionWithHa(draft[section], withNodeLocal(ha, draft[section]?.ha));
  if (next.ha === undefined && next.extra === undefined) delete draft[section];
  else draft[section] = next;
}

/**
 * Kea HA for both nodes: addresses (default: the interface's), ports, the peers' server names.
 * `kea6` (DHCPv6 HA) listens on the same addresses, on its own ports (default 8766).
 */
async function planKeaOnNodes(
  inp: DhcpFailoverInputs,
  pair: NodePair,
  p: Cfg,
  s: Cfg,
  section: "kea" | "kea6" = "kea",
): Promise<KeaHaPlan> {
  const [ph, sh] = await Promise.all([hostnameOf(pair, "primary"), hostnameOf(pair, "secondary")]);
  const v6 = section === "kea6";
  return planKeaHa({
    primaryAddress: inp.keaPrimaryAddress ?? p.interfaces[inp.interface]?.ipaddr ?? "",
    secondaryAddress: inp.keaSecondaryAddress ?? s.interfaces[inp.interface]?.ipaddr ?? "",
    primaryPort: v6
      ? (inp.keaDhcpv6PrimaryPort ?? KEA6_HA_DEFAULT_PORT)
      : (inp.keaPrimaryPort ?? KEA_HA_DEFAULT_PORT),
    secondaryPort: v6
      ? (inp.keaDhcpv6SecondaryPort ?? KEA6_HA_DEFAULT_PORT)
      : (inp.keaSecondaryPort ?? KEA_HA_DEFAULT_PORT),
    primaryName: keaServerName(p, ph, section),
    secondaryName: keaServerName(s, sh, section),
  });
}

/**
 * The sync area that carries the primary's `kea6` to the secondary, or undefined when no push
 * will: master's sender adds `kea6` only inside `if ($hasync['synchronizekea6'])` and only when
 * `dhcpdv6` and `kea6` are arrays on the primary (rc.filter_synchronize `carp_sync_xml()`), and
 * the library never writes `dhcpdv6` (pfSense's own DHCPv6 server settings).
 */
async function kea6Area(pair: NodePair, primary: Cfg): Promise<"kea6" | undefined> {
  if (!pfSenseSyncs(primary.hasync, "kea6") || primary.kea6 === undefined) return undefined;
  const raw = (await pair.primary.client.backupSections(["dhcpdv6"])).dhcpdv6;
  return isStruct(raw) ? "kea6" : undefined;
}

/**
 * What the secondary's `kea6/ha` becomes once the primary's was put back (delete, or DHCPv6 HA
 * turned off): what the primary's sender sends when a push carries `kea6`, else its own prior.
 */
async function restoreKea6Secondary(
  pair: NodePair,
  pAfter: NodeState,
  priorSecondary: KeaHa | null | undefined,
  label: string,
  waitMs: number | undefined,
): Promise<void> {
  const area = await kea6Area(pair, pAfter.config);
  const expected = area
    ? senderHa(
        pAfter.config.kea6?.ha,
        keaServerName(pAfter.config, await hostnameOf(pair, "primary"), "kea6"),
      )
    : (priorSecondary ?? undefined);
  await convergeSecondary({
    primary: pAfter,
    pair,
    area,
    label,
    waitMs,
    inPlace: (cfg) => haDrift(expected, cfg.kea6?.ha, "kea6").length === 0,
    apply: (draft) => putHa(draft, expected, "kea6"),
  });
}

async function reconcile(
  id: string,
  inp: DhcpFailoverInputs,
  olds?: DhcpFailoverOutputs,
  ctx?: ItemContext,
): Promise<{ id: string; outs: DhcpFailoverOutputs }> {
  const lbl = label(inp);
  const ifName = inp.interface;
  const pair = pairFor(ctx, () => openPair(inp));
  const first = firstReadOptions(ctx);
  const [p0, s0] = await Promise.all([pair.primary.read(first), pair.secondary.read(first)]);
  if (inp.keaDhcpv6 === true) requireDhcpv6Ha(p0, s0, lbl);
  const backend = pairBackend(p0, s0, lbl);
  if (backend === "kea") {
    requireValidKeaRoles(p0.config, "primary", lbl);
    requireValidKeaRoles(s0.config, "secondary", lbl);
  }
  const planned = planDhcpOnNodes(inp, p0, s0, ctx?.plannedVips, backend);
  const kea = backend === "kea" ? await planKeaOnNodes(inp, pair, p0.config, s0.config) : undefined;
  const kea6 =
    kea && inp.keaDhcpv6 === true
      ? await planKeaOnNodes(inp, pair, p0.config, s0.config, "kea6")
      : undefined;
  // DHCPv6 HA turned off on update: both nodes' `kea6/ha` go back to what they were.
  const kea6Off = kea6 === undefined && olds?.kea6Ha !== undefined;
  const priorKea6Primary = olds?.kea6Ha
    ? (olds.priorKea6Primary ?? null)
    : (p0.config.kea6?.ha ?? null);
  const priorKea6Secondary = olds?.kea6Ha
    ? (olds.priorKea6Secondary ?? null)
    : (s0.config.kea6?.ha ?? null);
  const kea6Record = kea6 ? { priorKea6Primary, priorKea6Secondary, kea6Ha: kea6 } : {};
  const priorKeaPrimary = olds ? (olds.priorKeaPrimary ?? null) : (p0.config.kea?.ha ?? null);
  const priorKeaSecondary = olds ? (olds.priorKeaSecondary ?? null) : (s0.config.kea?.ha ?? null);
  const priorPrimary = olds ? olds.priorPrimary : (p0.config.dhcpd[ifName] ?? null);
  const priorSecondary = olds ? olds.priorSecondary : (s0.config.dhcpd[ifName] ?? null);
  const record = () => ({
    resource: lbl,
    id,
    properties: {
      ...inp,
      priorPrimary,
      priorSecondary,
      dhcpBackend: backend,
      ...(kea ? { priorKeaPrimary, priorKeaSecondary } : {}),
      ...kea6Record,
    },
  });
  // On update every failure of the primary write is recorded as partial.
  const pAfter = await orPartial(
    "primary write",
    record,
    () =>
      pair.primary.edit((draft) => {
        draft.dhcpd[ifName] = withExtra(planned.primary, draft.dhcpd[ifName]);
        if (kea) putHa(draft, kea.primary);
        if (kea6) putHa(draft, kea6.primary, "kea6");
        else if (kea6Off) putHa(draft, priorKea6Primary ?? undefined, "kea6");
      }),
    olds ? undefined : isPreWriteError,
  );
  const pd = pAfter.config.dhcpd[ifName];
  const expected = deriveSecondary(only(ifName, pd, pAfter.config.interfaces)).dhcpd[ifName];
  const { syncedBy, state: sAfter } = await orPartial("secondary write", record, () =>
    convergeSecondary({
      primary: pAfter,
      pair,
      area: "dhcpd",
      label: lbl,
      waitMs: inp.syncWaitMs,
      inPlace: (cfg) =>
        secondaryDrift(only(ifName, expected), only(ifName, cfg.dhcpd[ifName])).length === 0 &&
        (!kea || haDrift(kea.secondary, cfg.kea?.ha).length === 0),
      apply: (draft) => {
        draft.dhcpd[ifName] = withExtra(expected, draft.dhcpd[ifName]);
        if (kea) putHa(draft, kea.secondary);
      },
    }),
  );
  let s6 = sAfter;
  if (kea6) {
    // `kea6` rides its own area (synchronizekea6), only with `dhcpdv6` on the primary.
    const area = await kea6Area(pair, pAfter.config);
    s6 = (
      await orPartial("secondary write", record, () =>
        convergeSecondary({
          primary: pAfter,
          pair,
          area,
          label: lbl,
          waitMs: inp.syncWaitMs,
          inPlace: (cfg) => haDrift(kea6.secondary, cfg.kea6?.ha, "kea6").length === 0,
          apply: (draft) => putHa(draft, kea6.secondary, "kea6"),
        }),
      )
    ).state;
  } else if (kea6Off) {
    await orPartial("secondary write", record, () =>
      restoreKea6Secondary(pair, pAfter, priorKea6Secondary, lbl, inp.syncWaitMs),
    );
  }
  const outs: DhcpFailoverOutputs = {
    ...inp,
    gateway: pd?.gateway ?? inp.vip,
    dnsServers: pd?.dnsServers ?? [inp.vip],
    primaryPeer: kea ? (pAfter.config.kea?.ha?.remoteIp ?? "") : (pd?.failoverPeerIp ?? ""),
    secondaryPeer: kea
      ? (sAfter.config.kea?.ha?.remoteIp ?? "")
      : (sAfter.config.dhcpd[ifName]?.failoverPeerIp ?? ""),
    priorPrimary,
    priorSecondary,
    dhcpBackend: backend,
    primaryRole: kea ? (pAfter.config.kea?.ha?.role ?? "") : "",
    secondaryRole: kea ? (sAfter.config.kea?.ha?.role ?? "") : "",
    ...(kea ? { priorKeaPrimary, priorKeaSecondary, keaHa: kea } : {}),
    dhcpv6PrimaryRole: kea6 ? (pAfter.config.kea6?.ha?.role ?? "") : "",
    dhcpv6SecondaryRole: kea6 ? (s6.config.kea6?.ha?.role ?? "") : "",
    ...kea6Record,
    drift: noDrift(),
    syncedBy,
  };
  return { id, outs: toPlainData(outs) };
}

/** `create`: plans with the nodes' real addresses and the VIP's skew, writes both nodes. */
export function createDhcpFailover(
  inputs: DhcpFailoverInputs,
  ctx?: ItemContext,
): Promise<{ id: string; outs: DhcpFailoverOutputs }> {
  return reconcile(`dhcpd/${inputs.interface}`, inputs, undefined, ctx);
}

/** `update`: same, keeping the prior settings recorded at create. */
export async function updateDhcpFailover(
  id: string,
  olds: DhcpFailoverOutputs,
  news: DhcpFailoverInputs,
  ctx?: ItemContext,
): Promise<{ outs: DhcpFailoverOutputs }> {
  return { outs: (await reconcile(id, news, olds, ctx)).outs };
}

/** `delete`: puts back the interface's DHCP settings (and on Kea the HA settings) as they were. */
export async function deleteDhcpFailover(
  _id: string,
  props: DhcpFailoverOutputs,
  ctx?: ItemContext,
): Promise<void> {
  const ifName = props.interface;
  const isKea = props.dhcpBackend === "kea";
  const pair = pairFor(ctx, () => openPair(props));
  const restore =
    (prior: DhcpdInterface | null, priorHa: KeaHa | null | undefined) => (draft: NodeHaConfig) => {
      // The node's current extras (static maps, added since or not) stay, in the node's order.
      if (prior) draft.dhcpd[ifName] = withExtra(prior, draft.dhcpd[ifName]);
      else delete draft.dhcpd[ifName];
      if (isKea) putHa(draft, priorHa ?? undefined);
    };
  const pAfter = await pair.primary.edit((draft) => {
    restore(props.priorPrimary, props.priorKeaPrimary)(draft);
    if (props.kea6Ha) putHa(draft, props.priorKea6Primary ?? undefined, "kea6");
  });
  const syncs = pfSenseSyncs(pAfter.config.hasync, "dhcpd");
  const expected = syncs
    ? deriveSecondary(only(ifName, pAfter.config.dhcpd[ifName], pAfter.config.interfaces)).dhcpd[
        ifName
      ]
    : (props.priorSecondary ?? undefined);
  // master's sender sends `kea` only when the primary has one (rc.filter_synchronize).
  const keaSynced = isKea && syncs && pAfter.config.kea !== undefined;
  const expectedHa = keaSynced
    ? senderHa(
        pAfter.config.kea?.ha,
        keaServerName(pAfter.config, await hostnameOf(pair, "primary")),
      )
    : (props.priorKeaSecondary ?? undefined);
  const keaInPlace = (cfg: NodeHaConfig) => haDrift(expectedHa, cfg.kea?.ha).length === 0;
  await convergeSecondary({
    primary: pAfter,
    pair,
    area: "dhcpd",
    label: label(props),
    waitMs: props.syncWaitMs,
    inPlace: (cfg) =>
      secondaryDrift(only(ifName, expected), only(ifName, cfg.dhcpd[ifName])).length === 0 &&
      (!keaSynced || keaInPlace(cfg)),
    apply: (draft) => {
      if (expected) draft.dhcpd[ifName] = withExtra(expected, draft.dhcpd[ifName]);
      else delete draft.dhcpd[ifName];
      if (keaSynced) putHa(draft, expectedHa);
    },
  });
  if (isKea && !keaSynced) {
    // No push carries `kea`: the secondary's HA settings are put back directly.
    await convergeSecondary({
      primary: pAfter,
      pair,
      area: undefined,
      label: label(props),
      inPlace: keaInPlace,
      apply: (draft) => putHa(draft, expectedHa),
    });
  }
  if (props.kea6Ha) {
    await restoreKea6Secondary(
      pair,
      pAfter,
      props.priorKea6Secondary,
      label(props),
      props.syncWaitMs,
    );
  }
}

/**
 * `read` (refresh): compares each node's entry with the planned one (peer per node). When no
 * node runs failover on the interface (its dhcpd entry gone or without a failover peer on both)
 * → empty id (refresh drops it; pulumi-notes B2 pitfall 9).
 */
export async function readDhcpFailover(
  id: string,
  props: DhcpFailoverOutputs,
): Promise<{
  id: string;
  props: Partial<DhcpFailoverOutputs>;
  inputs?: Partial<DhcpFailoverInputs>;
}> {
  const ifName = props.interface;
  const pair = openPair(props);
  const [p, s] = await readBoth(pair);
  const isKea = props.dhcpBackend === "kea";
  const gone = isKea
    ? !p.config.kea?.ha?.enable && !s.config.kea?.ha?.enable
    : !p.config.dhcpd[ifName]?.failoverPeerIp && !s.config.dhcpd[ifName]?.failoverPeerIp;
  if (gone) return { id: "", props: {} };
  const want: DhcpdInterface = {
    enable: true,
    rangeFrom: props.rangeFrom,
    rangeTo: props.rangeTo,
    gateway: props.gateway,
    dnsServers: props.dnsServers,
    ...(isKea ? {} : { failoverPeerIp: props.primaryPeer }),
  };
  const expectedSecondary = deriveSecondary(only(ifName, want, p.config.interfaces)).dhcpd[ifName];
  const keaPlan = isKea ? props.keaHa : undefined;
  const kea6Plan = isKea ? props.kea6Ha : undefined;
  const drift = {
    primary: [
      ...driftLines(secondaryDrift(only(ifName, want), only(ifName, p.config.dhcpd[ifName]))),
      ...(keaPlan ? haDrift(keaPlan.primary, p.config.kea?.ha) : []),
      ...(kea6Plan ? haDrift(kea6Plan.primary, p.config.kea6?.ha, "kea6") : []),
    ],
    secondary: [
      ...driftLines(
        secondaryDrift(only(ifName, expectedSecondary), only(ifName, s.config.dhcpd[ifName])),
      ),
      ...(keaPlan ? haDrift(keaPlan.secondary, s.config.kea?.ha) : []),
      ...(kea6Plan ? haDrift(kea6Plan.secondary, s.config.kea6?.ha, "kea6") : []),
    ],
  };
  const inputs = refreshedInputs<DhcpFailoverInputs>(props, INPUT_KEYS);
  return { id, props: toPlainData({ ...props, drift }), inputs: toPlainData(inputs) };
}
