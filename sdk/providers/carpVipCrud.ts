/**
 * CarpVip provider runtime: create/read/update/delete against both nodes. One resource owns one
 * CARP VIP, identified by its uniqid; the primary holds the desired record, the secondary the
 * derived one (advskew + 100, §6.4), delivered by pfSense's own sync or written by the library.
 */
import {
  allocateVhids,
  deriveSecondary,
  haError,
  secondaryDrift,
  type NodeHaConfig,
  type VirtualIp,
} from "../plan";
import type { ConfigChange, NodeState } from "../pfsense/types";
import {
  carpVipOutputs,
  leanCarpVipOutputs,
  primaryVip,
  unicastPeerOf,
  withUnicastPeer,
  type CarpVipDesired,
  type CarpVipInputs,
  type CarpVipOutputs,
} from "./carpVipSpec";
import { driftLines, type NodeDrift } from "./nodeDrift";
import { openPair, readBoth } from "./nodePair";
import { firstReadOptions, pairFor, type ItemContext } from "./itemContext";
import {
  isPreWriteError,
  orPartial,
  partialFailure,
  primaryReadBackFailure,
  type PartialRecord,
} from "./partialFailure";
import { toPlainData } from "./plainData";
import { refreshedInputs } from "./refreshInputs";
import { convergeSecondary, pfSenseSyncs } from "./secondaryConvergence";
import { SecondaryHeadStart } from "./secondaryHeadStart";
import { servicesUsingVip } from "./vipServiceSpec";

import { newUniqid } from "./vipIdentity";
import { claimVip, releaseVip } from "./vipClaims";
import {
  adoptableVip,
  assertAddressFree,
  nodeAddresses,
  vhidsInUse,
  planOnNodes,
} from "./carpVipNodeRules";
import { declaredVhids, forgetVip } from "./declaredVips";
import { resourceLabel } from "./resourceLabel";

const INPUT_KEYS: (keyof CarpVipInputs)[] = [
  "primary",
  "secondary",
  "name",
  "interface",
  "subnet",
  "layout",
  "address",
  "primaryAddress",
  "secondaryAddress",
  "vhid",
  "advbase",
  "skew",
  "password",
  "description",
  "reservedVhids",
  "unicast",
  "syncWaitMs",
  "stack",
  "adopt",
];

function label(inp: { name?: string }): string {
  return resourceLabel("CarpVip", inp);
}

function onlyVips(vips: VirtualIp[]): NodeHaConfig {
  return { virtualIps: vips, natRules: [], dhcpd: {}, interfaces: {} };
}

interface ReconcileOptions {
  uniqid: string;
  /** VHID given explicitly by the user: kept, or refused when another VIP holds it. */
  vhid?: number;
  /**
   * VHID recorded in state. The node, not the record, decides: it is kept while the VIP is on
   * the primary or the VHID is still free, and allocated afresh when a write that never landed
   * left it recorded and someone else took it since.
   */
  recordedVhid?: number;
  /** Take over a matching unmanaged VIP (create only). */
  adopt: boolean;
  /** The adopted VIP as it was before (from state on update), restored on delete. */
  adoptedFrom?: VirtualIp | null;
  /**
   * Write the secondary alongside the primary where pfSense does not sync `virtualip`
   * (secondaryHeadStart.ts): a create of a new VIP, outside an aggregate.
   */
  headStart?: boolean;
}

/** The secondary's view of `vip` (advskew + 100, the secondary's unicast peer). */
function secondaryView(vip: VirtualIp, peer: string | undefined): VirtualIp {
  return withUnicastPeer(deriveSecondary(onlyVips([vip])).virtualIps[0], peer);
}

/** Does the secondary hold `expected` as the VIP `id` (with the unicast peer, if any)? */
function holdsOnSecondary(
  cfg: NodeHaConfig,
  id: string,
  expected: VirtualIp,
  peer: string | undefined,
): boolean {
  const found = cfg.virtualIps.filter((v) => v.uniqid === id);
  return (
    secondaryDrift(onlyVips([expected]), onlyVips(found)).length === 0 &&
    (peer === undefined || unicastPeerOf(found[0]) === peer)
  );
}

/** Writes `expected` as the VIP `id` into the secondary's draft, keeping its other members. */
function putOnSecondary(id: string, expected: VirtualIp, unicast: boolean): ConfigChange {
  return (draft) => {
    const i = draft.virtualIps.findIndex((v) => v.uniqid === id);
    const copy = {
      ...expected,
      extra: !unicast
        ? (draft.virtualIps[i]?.extra ?? expected.extra)
        : { ...(draft.virtualIps[i]?.extra ?? {}), ...(expected.extra ?? {}) },
    };
    if (copy.extra === undefined) delete copy.extra;
    if (i >= 0) draft.virtualIps[i] = copy;
    else draft.virtualIps.push(copy);
  };
}

/** Removes the VIP `id` from a draft (nothing else). */
function removeVip(id: string): ConfigChange {
  return (draft) => {
    draft.virtualIps = draft.virtualIps.filter((v) => v.uniqid !== id);
  };
}

/**
 * The primary's write failed. When it proves nothing landed there (the error passes through,
 * nothing is recorded), a head start on the secondary is taken back; if that fails too, the
 * secondary may hold a VIP the primary lacks, so the failure is recorded (partial) and the next
 * `up` reconciles both nodes. After any other failure (recorded) the head start stays: it is
 * what the record says.
 */
async function takeBackHeadStart(
  head: SecondaryHeadStart<VirtualIp> | undefined,
  e: unknown,
  record: () => PartialRecord,
  lbl: string,
): Promise<unknown> {
  if (!head || !isPreWriteError(e)) return e;
  const failed = await head.takeBack(removeVip(record().id), lbl);
  if (failed === undefined) return e;
  const why = e instanceof Error ? e.message : String(e);
  return partialFailure({
    ...record(),
    step: "primary write",
    cause: new Error(
      `${why}; the secondary, written alongside it, could not be put back: ${failed}`,
    ),
  });
}

async function reconcile(
  inp: CarpVipInputs,
  o: ReconcileOptions,
  ctx?: ItemContext,
): Promise<{ id: string; outs: CarpVipOutputs }> {
  const lbl = label(inp);
  const pair = pairFor(ctx, () => openPair(inp));
  const first = firstReadOptions(ctx);
  const [p0, s0] = await Promise.all([pair.primary.read(first), pair.secondary.read(first)]);
  const { d, peers } = planOnNodes(inp, p0, s0, lbl);

  let id = o.uniqid;
  let vhid: number | undefined = o.vhid;
  let adoptedFrom: VirtualIp | null = o.adoptedFrom ?? null;
  const head = o.headStart ? new SecondaryHeadStart<VirtualIp>(pair.secondary) : undefined;
  const change = (draft: NodeHaConfig): void => {
    let existing = draft.virtualIps.find((v) => v.uniqid === id);
    const match = !existing && o.adopt ? adoptableVip(draft.virtualIps, d, o.vhid) : undefined;
    if (match) {
      id = match.uniqid as string;
      existing = match;
      adoptedFrom = structuredClone(match);
    }
    assertAddressFree(draft.virtualIps, existing, d, lbl);
    const inUse = vhidsInUse([draft, s0.config], d.interface, id);
    const recordedFree =
      o.recordedVhid !== undefined && !inUse.some((u) => u.vhid === o.recordedVhid);
    const want = o.vhid ?? existing?.vhid ?? (recordedFree ? o.recordedVhid : undefined);
    const alloc = allocateVhids({
      segment: d.interface,
      requests: [{ key: id, vhid: want, label: lbl }],
      inUse,
      reserved: [...(inp.reservedVhids ?? []), ...declaredVhids(inp, lbl)],
      field: "CarpVip",
    });
    vhid = alloc[id];
    claimVip(id);
    const vip = withUnicastPeer(primaryVip(d, id, vhid, existing), peers?.primary);
    if (existing) draft.virtualIps[draft.virtualIps.indexOf(existing)] = vip;
    else draft.virtualIps.push(vip);
    head?.plan(vip, pfSenseSyncs(draft.hasync, "virtualip"));
  };

  // Read when a step fails: the id and VHID are settled inside the primary's change.
  const record = () => ({
    resource: lbl,
    id,
    properties: { ...inp, uniqid: id, vhid, adoptedFrom },
  });
  const primaryWrite = orPartial(
    "primary write",
    record,
    () => pair.primary.edit(change, lbl),
    isPreWriteError,
  );
  head?.start(
    primaryWrite,
    (vip) => putOnSecondary(id, secondaryView(vip, peers?.secondary), peers !== undefined),
    lbl,
  );
  const pAfter = await primaryWrite.catch(async (e: unknown) => {
    throw await takeBackHeadStart(head, e, record, lbl);
  });
  const pv = pAfter.config.virtualIps.find((v) => v.uniqid === id);
  const expectedPrimary = primaryVip(d, id, vhid as number, pv);
  const pDrift = secondaryDrift(onlyVips([expectedPrimary]), onlyVips(pv ? [pv] : []));
  if (!pv || pDrift.length > 0) {
    throw primaryReadBackFailure(
      record(),
      `the primary does not hold the VIP as written (${driftLines(pDrift).join("; ") || "missing"})`,
      "check the primary for concurrent edits",
    );
  }
  if (peers && unicastPeerOf(pv) !== peers.primary) {
    throw primaryReadBackFailure(
      record(),
      "the primary does not hold the unicast peer as written",
      "check that both nodes run pfSense Plus with unicast CARP support",
    );
  }
  // The secondary advertises to the primary (a Plus sync copying carp_peer verbatim would make it
  // peer with itself, so the peer is checked and, if needed, written by the library).
  const expected = secondaryView(pv, peers?.secondary);
  const early = await head?.state();
  const kept =
    early &&
    !pfSenseSyncs(pAfter.config.hasync, "virtualip") &&
    holdsOnSecondary(early.config, id, expected, peers?.secondary);
  const secondary = kept
    ? { state: early, syncedBy: "library" as const }
    : await orPartial("secondary write", record, () =>
        convergeSecondary({
          primary: pAfter,
          pair,
          area: "virtualip",
          label: lbl,
          waitMs: inp.syncWaitMs,
          inPlace: (cfg) => holdsOnSecondary(cfg, id, expected, peers?.secondary),
          apply: putOnSecondary(id, expected, peers !== undefined),
        }),
      );
  const sv = secondary.state.config.virtualIps.find((v) => v.uniqid === id);
  const outs = carpVipOutputs(
    inp,
    d,
    pv,
    sv?.advskew ?? expected.advskew ?? 0,
    secondary.syncedBy,
    peers ?? { primary: "", secondary: "" },
  );
  outs.adoptedFrom = adoptedFrom;
  const own = nodeAddresses(d, pAfter.config, secondary.state.config);
  outs.primaryAddress = own.primary;
  outs.secondaryAddress = own.secondary;
  return { id, outs: toPlainData(leanCarpVipOutputs(outs)) };
}

/** `create`: plans, allocates the VHID on the primary (inside its lock), adopts a matching VIP. */
export function createCarpVip(
  inputs: CarpVipInputs,
  ctx?: ItemContext,
): Promise<{ id: string; outs: CarpVipOutputs }> {
  const adopt = inputs.adopt === true;
  return reconcile(
    inputs,
    { uniqid: newUniqid(), vhid: inputs.vhid, adopt, headStart: !adopt && ctx === undefined },
    ctx,
  );
}

/** `update`: reconciles both nodes to the new inputs, keeping the uniqid and VHID from state. */
export async function updateCarpVip(
  id: string,
  olds: CarpVipOutputs,
  news: CarpVipInputs,
  ctx?: ItemContext,
): Promise<{ outs: CarpVipOutputs }> {
  const r = await reconcile(
    news,
    {
      uniqid: id,
      vhid: news.vhid,
      recordedVhid: olds.vhid,
      adopt: false,
      adoptedFrom: olds.adoptedFrom ?? null,
    },
    ctx,
  );
  return { outs: r.outs };
}

/**
 * The primary's part of a delete: refused while IP aliases or services use the VIP; an adopted
 * VIP goes back to what it was, one the resource created goes away.
 */
function deleteOnPrimary(id: string, prior: VirtualIp | null, lbl: string): ConfigChange {
  return (draft) => {
    // pfSense's GUI refuses the same delete (firewall_virtual_ip.inc deleteVIP(): "This entry
    // cannot be deleted because it is still referenced by an IP alias entry ..."); XML-RPC
    // would not, and the aliases would be left pointing at a `_vip<uniqid>` that no longer exists.
    const stacked = draft.virtualIps.filter(
      (v) => v.interface === `_vip${id}` && v.mode === "ipalias",
    );
    if (stacked.length > 0) {
      throw haError({
        code: "E_INVALID_INPUT",
        field: lbl,
        value: stacked.map((v) => `${v.subnet}${v.descr ? ` "${v.descr}"` : ""}`).join(", "),
        message: `the CARP VIP cannot be deleted because it is still referenced by ${stacked.length} IP alias entr${stacked.length === 1 ? "y" : "ies"} stacked on it (interface _vip${id}), as pfSense's GUI would also refuse`,
        fix: "delete those IP aliases first: a CarpIpAliases on this CarpVip is deleted before it by the engine; aliases made outside the stack are removed in Firewall > Virtual IPs",
      });
    }
    const i = draft.virtualIps.findIndex((v) => v.uniqid === id);
    // The GUI's same check for OpenVPN servers and IPsec phase 1 entries (deleteVIP(): "still
    // referenced by OpenVPN server ..." / "by IPsec ..."): they would lose their address.
    const using = i >= 0 && !prior ? servicesUsingVip(draft, draft.virtualIps[i]) : [];
    if (using.length > 0) {
      throw haError({
        code: "E_SERVICE_BINDING",
        field: lbl,
        value: using.join(", "),
        message: `the CARP VIP cannot be deleted because it is still referenced by ${using.join(" and ")}, as pfSense's GUI would also refuse`,
        fix: "bind them elsewhere first: a VipServiceBinding on this CarpVip is deleted before it by the engine (and gives the interface back); bindings made outside the stack are changed in VPN > OpenVPN / VPN > IPsec",
      });
    }
    // An adopted VIP goes back to what it was; one the resource created goes away.
    if (i >= 0 && prior) draft.virtualIps[i] = prior;
    else draft.virtualIps = draft.virtualIps.filter((v) => v.uniqid !== id);
  };
}

/**
 * The secondary's part of deleting a VIP the resource created, sent beside the primary's write
 * (secondaryHeadStart.ts); `takeBack` puts the VIP back where it was on the secondary.
 */
function deleteAlongside(
  head: SecondaryHeadStart<true>,
  primaryWrite: Promise<NodeState>,
  id: string,
  lbl: string,
): { takeBack(): Promise<unknown>; gone(pAfter: NodeState): Promise<boolean> } {
  let held: { at: number; vip: VirtualIp } | undefined;
  head.start(
    primaryWrite,
    () => (draft) => {
      const at = draft.virtualIps.findIndex((v) => v.uniqid === id);
      held = at >= 0 ? { at, vip: draft.virtualIps[at] } : undefined;
      removeVip(id)(draft);
    },
    `${lbl} delete`,
  );
  return {
    takeBack: () =>
      head.takeBack((draft) => {
        if (held && !draft.virtualIps.some((v) => v.uniqid === id))
          draft.virtualIps.splice(Math.min(held.at, draft.virtualIps.length), 0, held.vip);
      }, lbl),
    gone: async (pAfter) => {
      const early = await head.state();
      return (
        early !== undefined &&
        !early.config.virtualIps.some((v) => v.uniqid === id) &&
        !pfSenseSyncs(pAfter.config.hasync, "virtualip")
      );
    },
  };
}

/** `delete`: removes this VIP (by uniqid) from the primary and the secondary; nothing else. */
export async function deleteCarpVip(
  id: string,
  props: CarpVipOutputs,
  ctx?: ItemContext,
): Promise<void> {
  releaseVip(id);
  const lbl = label(props);
  forgetVip(lbl);
  const prior = props.adoptedFrom ?? null;
  const pair = pairFor(ctx, () => openPair(props));
  // A VIP the resource created goes from the secondary beside the primary (no pfSense sync).
  const head =
    !prior && ctx === undefined ? new SecondaryHeadStart<true>(pair.secondary) : undefined;
  const remove = deleteOnPrimary(id, prior, lbl);
  const primaryWrite = pair.primary.edit((draft) => {
    remove(draft);
    head?.plan(true, pfSenseSyncs(draft.hasync, "virtualip"));
  }, `${lbl} delete`);
  const alongside = head && deleteAlongside(head, primaryWrite, id, lbl);
  const pAfter = await primaryWrite.catch(async (e: unknown) => {
    // Nothing left the primary: the secondary gets the VIP back. After a write that may have
    // landed it stays gone: the resource is still in state and the retry finishes the delete.
    if (isPreWriteError(e)) await alongside?.takeBack();
    throw e;
  });
  if (await alongside?.gone(pAfter)) return;
  const expected = prior ? deriveSecondary(onlyVips([prior])).virtualIps[0] : undefined;
  await convergeSecondary({
    primary: pAfter,
    pair,
    area: "virtualip",
    label: lbl,
    waitMs: props.syncWaitMs,
    inPlace: (cfg) =>
      expected
        ? holdsOnSecondary(cfg, id, expected, undefined)
        : !cfg.virtualIps.some((v) => v.uniqid === id),
    apply: (draft) => {
      const i = draft.virtualIps.findIndex((v) => v.uniqid === id);
      if (expected && i >= 0)
        draft.virtualIps[i] = { ...expected, extra: draft.virtualIps[i].extra };
      else if (expected) draft.virtualIps.push(expected);
      else removeVip(id)(draft);
    },
  });
}

/**
 * `read` (refresh): reads both nodes; compares the primary with the desired VIP recorded in state
 * and the secondary with its derived expectation, so the +100 skew is never reported as drift.
 * Gone from both nodes → empty id (refresh drops it).
 */
export async function readCarpVip(
  id: string,
  props: CarpVipOutputs,
): Promise<{ id: string; props: Partial<CarpVipOutputs>; inputs?: Partial<CarpVipInputs> }> {
  claimVip(id);
  const pair = openPair(props);
  const [p, s] = await readBoth(pair);
  const pv = p.config.virtualIps.find((v) => v.uniqid === id);
  const sv = s.config.virtualIps.find((v) => v.uniqid === id);
  if (!pv && !sv) return { id: "", props: {} };
  const desired: CarpVipDesired = {
    interface: props.interface,
    address: props.address,
    network: props.network,
    subnetBits: props.subnetBits,
    family: props.family,
    advbase: props.advbase,
    primaryAdvskew: props.skew ?? 0,
    secondaryAdvskew: props.secondaryAdvskew,
    primaryAddress: props.primaryAddress,
    secondaryAddress: props.secondaryAddress,
    password: props.password,
    descr: props.description,
  };
  const expectedPrimary = primaryVip(desired, id, props.vhid, pv);
  const expectedSecondary = deriveSecondary(onlyVips([expectedPrimary])).virtualIps[0];
  const drift: NodeDrift = {
    primary: driftLines(secondaryDrift(onlyVips([expectedPrimary]), onlyVips(pv ? [pv] : []))),
    secondary: driftLines(secondaryDrift(onlyVips([expectedSecondary]), onlyVips(sv ? [sv] : []))),
  };
  if (props.unicast) {
    const pp = unicastPeerOf(pv);
    const sp = unicastPeerOf(sv);
    if (pv && pp !== props.primaryPeer) {
      drift.primary.push(
        `virtualIps[${id}].carp_peer: expected "${props.primaryPeer}", found ${JSON.stringify(pp ?? null)}`,
      );
    }
    if (sv && sp !== props.secondaryPeer) {
      drift.secondary.push(
        `virtualIps[${id}].carp_peer: expected "${props.secondaryPeer}", found ${JSON.stringify(sp ?? null)}`,
      );
    }
  }
  const observed: Partial<CarpVipOutputs> = pv
    ? {
        address: pv.subnet,
        subnetBits: pv.subnetBits,
        advbase: pv.advbase ?? props.advbase,
        primaryAdvskew: pv.advskew ?? props.primaryAdvskew,
        password: pv.password ?? props.password,
        description: pv.descr,
      }
    : {};
  const outs: CarpVipOutputs = {
    ...props,
    ...observed,
    secondaryAdvskew: sv?.advskew ?? props.secondaryAdvskew,
    drift,
  };
  const inputs = refreshedInputs<CarpVipInputs>(props, INPUT_KEYS);
  if (pv) {
    if (props.skew !== undefined || pv.advskew !== 0) inputs.skew = pv.advskew;
    inputs.advbase = pv.advbase ?? inputs.advbase;
    inputs.password = pv.password ?? props.password;
    inputs.description = pv.descr;
  }
  return { id, props: toPlainData(leanCarpVipOutputs(outs)), inputs: toPlainData(inputs) };
}
