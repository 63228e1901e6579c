/**
 * DhcpFailover provider runtime: one interface's `dhcpd` settings on both nodes. The resource
 * owns that interface's entry; other interfaces' DHCP settings are untouched (the client rewrites
 * the section from the one it read).
 */
import { deriveSecondary, secondaryDrift, type DhcpdInterface, type NodeHaConfig } from "../plan";
import type { DhcpFailoverInputs, DhcpFailoverOutputs } from "./dhcpFailoverSpec";
import { driftLines, noDrift } from "./nodeDrift";
import { openPair } from "./nodePair";
import { firstReadOptions, pairFor, type ItemContext } from "./itemContext";
import { isPreWriteError, orPartial } from "./partialFailure";
import { toPlainData } from "./plainData";
import { refreshedInputs } from "./refreshInputs";
import { convergeSecondary, pfSenseSyncs } from "./secondaryConvergence";
import { resourceLabel } from "./resourceLabel";
import { planDhcpOnNodes } from "./dhcpFailoverNodeRules";

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
  const planned = planDhcpOnNodes(inp, p0, s0, ctx?.plannedVips);
  const priorPrimary = olds ? olds.priorPrimary : (p0.config.dhcpd[ifName] ?? null);
  const priorSecondary = olds ? olds.priorSecondary : (s0.config.dhcpd[ifName] ?? null);
  const record = () => ({
    resource: lbl,
    id,
    properties: { ...inp, priorPrimary, priorSecondary },
  });
  // On update every failure of the primary write is recorded as partial.
  const pAfter = await orPartial(
    "primary write",
    record,
    () =>
      pair.primary.edit((draft) => {
        draft.dhcpd[ifName] = withExtra(planned.primary, draft.dhcpd[ifName]);
      }),
    olds ? undefined : isPreWriteError,
  );
  const pd = pAfter.config.dhcpd[ifName];
  const expected = deriveSecondary(only(ifName, pd, pAfter.config.interfaces)).dhcpd[ifName];
  const { syncedBy, state: sAfter } = await orPartial("secondary write", record, () =>
    convergeSecondary({
      primary: pAfter,
      secondary: pair.secondary,
      primarySession: pair.primary,
      area: "dhcpd",
      label: lbl,
      waitMs: inp.syncWaitMs,
      inPlace: (cfg) =>
        secondaryDrift(only(ifName, expected), only(ifName, cfg.dhcpd[ifName])).length === 0,
      apply: (draft) => {
        draft.dhcpd[ifName] = withExtra(expected, draft.dhcpd[ifName]);
      },
    }),
  );
  const outs: DhcpFailoverOutputs = {
    ...inp,
    gateway: pd?.gateway ?? inp.vip,
    dnsServers: pd?.dnsServers ?? [inp.vip],
    primaryPeer: pd?.failoverPeerIp ?? "",
    secondaryPeer: sAfter.config.dhcpd[ifName]?.failoverPeerIp ?? "",
    priorPrimary,
    priorSecondary,
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

/** `delete`: puts back the interface's DHCP settings as they were before create. */
export async function deleteDhcpFailover(
  _id: string,
  props: DhcpFailoverOutputs,
  ctx?: ItemContext,
): Promise<void> {
  const ifName = props.interface;
  const pair = pairFor(ctx, () => openPair(props));
  const restore = (prior: DhcpdInterface | null) => (draft: NodeHaConfig) => {
    // The node's current extras (static maps, added since or not) stay, in the node's order.
    if (prior) draft.dhcpd[ifName] = withExtra(prior, draft.dhcpd[ifName]);
    else delete draft.dhcpd[ifName];
  };
  const pAfter = await pair.primary.edit(restore(props.priorPrimary));
  const syncs = pfSenseSyncs(pAfter.config.hasync, "dhcpd");
  const expected = syncs
    ? deriveSecondary(only(ifName, pAfter.config.dhcpd[ifName], pAfter.config.interfaces)).dhcpd[
        ifName
      ]
    : (props.priorSecondary ?? undefined);
  await convergeSecondary({
    primary: pAfter,
    secondary: pair.secondary,
    primarySession: pair.primary,
    area: "dhcpd",
    label: label(props),
    waitMs: props.syncWaitMs,
    inPlace: (cfg) =>
      secondaryDrift(only(ifName, expected), only(ifName, cfg.dhcpd[ifName])).length === 0,
    apply: (draft) => {
      if (expected) draft.dhcpd[ifName] = withExtra(expected, draft.dhcpd[ifName]);
      else delete draft.dhcpd[ifName];
    },
  });
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
  const [p, s] = await Promise.all([
    pair.primary.read({ shared: true }),
    pair.secondary.read({ shared: true }),
  ]);
  if (!p.config.dhcpd[ifName]?.failoverPeerIp && !s.config.dhcpd[ifName]?.failoverPeerIp) {
    return { id: "", props: {} };
  }
  const want: DhcpdInterface = {
    enable: true,
    rangeFrom: props.rangeFrom,
    rangeTo: props.rangeTo,
    gateway: props.gateway,
    dnsServers: props.dnsServers,
    failoverPeerIp: props.primaryPeer,
  };
  const expectedSecondary = deriveSecondary(only(ifName, want, p.config.interfaces)).dhcpd[ifName];
  const drift = {
    primary: driftLines(secondaryDrift(only(ifName, want), only(ifName, p.config.dhcpd[ifName]))),
    secondary: driftLines(
      secondaryDrift(only(ifName, expectedSecondary), only(ifName, s.config.dhcpd[ifName])),
    ),
  };
  const inputs = refreshedInputs<DhcpFailoverInputs>(props, INPUT_KEYS);
  return { id, props: toPlainData({ ...props, drift }), inputs: toPlainData(inputs) };
}
