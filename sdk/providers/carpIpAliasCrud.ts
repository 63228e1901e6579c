/**
 * CarpIpAliases provider runtime: one resource owns the IP aliases stacked on one CARP VIP
 * (`virtualip/vip` entries `mode` `ipalias`, `interface` `_vip<uniqid>`), each identified by its
 * own uniqid. The primary holds them (item-level edit: every other VIP keeps its place and every
 * member); the secondary holds the same entries, delivered by pfSense's own `virtualip` sync or
 * written by the library exactly as that sync would (carpIpAliasSpec.ts header).
 */
import {
  deriveSecondary,
  haError,
  secondaryDrift,
  type NodeHaConfig,
  type VirtualIp,
} from "../plan";
import {
  aliasesOf,
  aliasLabel,
  aliasRecord,
  assignUniqids,
  newAliasSetId,
  parentInterfaceOf,
  planAliases,
  plannedOf,
  type CarpIpAliasInputs,
  type CarpIpAliasOutputs,
  type StackedAlias,
} from "./carpIpAliasSpec";
import { declaredVipsOn } from "./declaredVips";
import { isClaimedVip } from "./vipClaims";
import { driftLines, noDrift, type NodeDrift } from "./nodeDrift";
import { openPair, readBoth } from "./nodePair";
import { isPreWriteError, orPartial, primaryReadBackFailure } from "./partialFailure";
import { toPlainData } from "./plainData";
import { refreshedInputs } from "./refreshInputs";
import { convergeSecondary } from "./secondaryConvergence";
import { vhidOwner } from "./carpVipNodeRules";

const INPUT_KEYS: (keyof CarpIpAliasInputs)[] = [
  "primary",
  "secondary",
  "name",
  "vipUniqid",
  "vipInterface",
  "vipAddress",
  "subnetBits",
  "primaryAddress",
  "secondaryAddress",
  "addresses",
  "count",
  "exclude",
  "description",
  "syncWaitMs",
  "stack",
];

function onlyVips(vips: VirtualIp[]): NodeHaConfig {
  return { virtualIps: vips, natRules: [], dhcpd: {}, interfaces: {} };
}

/**
 * The parent CARP VIP on a node, or E_INVALID_INPUT saying it is missing (pfSense's GUI lists
 * only existing CARP VIPs as parents, firewall_virtual_ip_edit.php `build_if_list()`; XML-RPC
 * writes skip that).
 */
export function parentOn(cfg: NodeHaConfig, inp: CarpIpAliasInputs, role: string): VirtualIp {
  const p = cfg.virtualIps.find((v) => v.uniqid === inp.vipUniqid);
  if (!p || p.mode !== "carp") {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${aliasLabel(inp)}.vipUniqid`,
      value: inp.vipUniqid,
      message: p
        ? `the ${role}'s VIP with uniqid ${inp.vipUniqid} is a ${p.mode} VIP; aliases stack only on a CARP VIP`
        : `the ${role} has no CARP VIP with uniqid ${inp.vipUniqid} to stack aliases on`,
      fix: "pass the CarpVip as vip, so the aliases are created after it (and deleted before it)",
    });
  }
  return p;
}

/**
 * What an alias must not collide with on a node (pfSense: "This IP address is being used by
 * another interface or VIP", firewall_virtual_ip.inc `saveVIP()` via `is_ipaddr_configured()`):
 * every other VIP and every interface address. `own` are this set's uniqids.
 */
export function takenOn(
  nodes: [string, NodeHaConfig][],
  own: Set<string>,
): { address: string; owner: string }[] {
  const out: { address: string; owner: string }[] = [];
  for (const [role, cfg] of nodes) {
    for (const v of cfg.virtualIps) {
      if (v.uniqid && own.has(v.uniqid)) continue;
      out.push({
        address: v.subnet,
        owner: `held by the ${role}'s ${v.mode} ${vhidOwner(v)} on ${v.interface}`,
      });
    }
    for (const [name, i] of Object.entries(cfg.interfaces)) {
      for (const a of [i.ipaddr, i.ipaddrv6]) {
        if (a) out.push({ address: a, owner: `the ${role}'s address on ${name}` });
      }
    }
  }
  return out;
}

/** The program's declared (maybe not yet created) CARP VIPs on the parent's interface. */
function declaredTaken(inp: CarpIpAliasInputs): { address: string; owner: string }[] {
  return declaredVipsOn(inp.primary.url, inp.vipInterface)
    .filter((v) => v.subnet !== inp.vipAddress)
    .map((v) => ({ address: v.subnet, owner: "declared by another CarpVip of this program" }));
}

/**
 * The rules against both nodes, shared by `check` and the reconcile: the parent exists on both
 * as a CARP VIP of the same family, and the addresses plan (or are given) free of every other VIP
 * and interface address. Returns the aliases (kept uniqids for kept addresses).
 */
export function planOnNodes(
  inp: CarpIpAliasInputs,
  nodes: [string, NodeHaConfig][],
  prior: StackedAlias[],
  previousPlanned: string[],
  snapshot = false,
): { aliases: StackedAlias[]; planned: boolean[] } {
  for (const [role, cfg] of nodes) {
    // `check` reads one snapshot per program: a CarpVip this process created since is not in
    // it, and is known here by its claim (the reconcile checks the fresh config).
    if (
      snapshot &&
      isClaimedVip(inp.vipUniqid) &&
      !cfg.virtualIps.some((v) => v.uniqid === inp.vipUniqid)
    )
      continue;
    parentOn(cfg, inp, role);
  }
  const own = new Set(prior.map((a) => a.uniqid));
  const plan = planAliases(inp, previousPlanned, [...takenOn(nodes, own), ...declaredTaken(inp)]);
  return { aliases: assignUniqids(plan.addresses, prior), planned: plan.planned };
}

async function reconcile(
  id: string,
  inp: CarpIpAliasInputs,
  prior: StackedAlias[],
  previousPlanned: string[],
): Promise<{ id: string; outs: CarpIpAliasOutputs }> {
  const lbl = aliasLabel(inp);
  const pair = openPair(inp);
  const s0 = await pair.secondary.read();
  let aliases: StackedAlias[] = [];
  let planned: boolean[] = [];
  const change = (draft: NodeHaConfig): void => {
    // Planned inside the primary's lock on fresh content: two sets never take one address.
    const r = planOnNodes(
      inp,
      [
        ["primary", draft],
        ["secondary", s0.config],
      ],
      prior,
      previousPlanned,
    );
    aliases = r.aliases;
    planned = r.planned;
    const keep = new Set(aliases.map((a) => a.uniqid));
    const gone = new Set(prior.map((a) => a.uniqid).filter((u) => !keep.has(u)));
    draft.virtualIps = draft.virtualIps.filter((v) => !(v.uniqid && gone.has(v.uniqid)));
    for (const a of aliases) {
      const i = draft.virtualIps.findIndex((v) => v.uniqid === a.uniqid);
      const rec = aliasRecord(inp, a, i >= 0 ? draft.virtualIps[i] : undefined);
      // A kept alias stays where it is; a new one is appended, as the GUI's save does.
      if (i >= 0) draft.virtualIps[i] = rec;
      else draft.virtualIps.push(rec);
    }
  };
  const record = () => ({
    resource: lbl,
    id,
    properties: {
      ...inp,
      parentInterface: parentInterfaceOf(inp.vipUniqid),
      aliasAddresses: aliases.map((a) => a.address),
      aliasUniqids: aliases.map((a) => a.uniqid),
      planned,
    },
  });
  const pAfter = await orPartial(
    "primary write",
    record,
    () => pair.primary.edit(change, lbl),
    isPreWriteError,
  );
  const want = aliases.map((a) =>
    aliasRecord(
      inp,
      a,
      pAfter.config.virtualIps.find((v) => v.uniqid === a.uniqid),
    ),
  );
  const held = pAfter.config.virtualIps.filter((v) => want.some((w) => w.uniqid === v.uniqid));
  const pDrift = secondaryDrift(onlyVips(want), onlyVips(held));
  if (pDrift.length > 0) {
    throw primaryReadBackFailure(
      record(),
      `the primary does not hold the aliases as written (${driftLines(pDrift).join("; ")})`,
      "check the primary for concurrent edits",
    );
  }
  const ids = new Set([...want.map((w) => w.uniqid), ...prior.map((a) => a.uniqid)]);
  const expected = deriveSecondary(onlyVips(want)).virtualIps;
  const secondary = await orPartial("secondary write", record, () =>
    convergeSecondary({
      primary: pAfter,
      pair,
      area: "virtualip",
      label: lbl,
      waitMs: inp.syncWaitMs,
      inPlace: (cfg) =>
        secondaryDrift(
          onlyVips(expected),
          onlyVips(cfg.virtualIps.filter((v) => v.uniqid && ids.has(v.uniqid))),
        ).length === 0,
      apply: (draft) => {
        const keep = new Set(expected.map((e) => e.uniqid));
        draft.virtualIps = draft.virtualIps.filter(
          (v) => !(v.uniqid && ids.has(v.uniqid) && !keep.has(v.uniqid)),
        );
        for (const e of expected) {
          const i = draft.virtualIps.findIndex((v) => v.uniqid === e.uniqid);
          const copy = { ...e, extra: i >= 0 ? draft.virtualIps[i].extra : e.extra };
          if (copy.extra === undefined) delete copy.extra;
          if (i >= 0) draft.virtualIps[i] = copy;
          else draft.virtualIps.push(copy);
        }
      },
    }),
  );
  const outs: CarpIpAliasOutputs = {
    ...inp,
    parentInterface: parentInterfaceOf(inp.vipUniqid),
    aliasAddresses: aliases.map((a) => a.address),
    aliasUniqids: aliases.map((a) => a.uniqid),
    planned,
    drift: noDrift(),
    syncedBy: secondary.syncedBy,
  };
  return { id, outs: toPlainData(outs) };
}

/** `create`: plans the addresses on the primary (inside its lock) and stacks them on the VIP. */
export function createCarpIpAliases(
  inputs: CarpIpAliasInputs,
): Promise<{ id: string; outs: CarpIpAliasOutputs }> {
  return reconcile(newAliasSetId(), inputs, [], []);
}

/**
 * `update`: same parent. Kept addresses keep their uniqid and place, planned ones stay while
 * free, removed ones go from both nodes, new ones are appended.
 */
export async function updateCarpIpAliases(
  id: string,
  olds: CarpIpAliasOutputs,
  news: CarpIpAliasInputs,
): Promise<{ outs: CarpIpAliasOutputs }> {
  return { outs: (await reconcile(id, news, aliasesOf(olds), plannedOf(olds))).outs };
}

/** `delete`: removes this set's aliases (by uniqid) from both nodes; nothing else. */
export async function deleteCarpIpAliases(_id: string, props: CarpIpAliasOutputs): Promise<void> {
  const lbl = aliasLabel(props);
  const ids = new Set(aliasesOf(props).map((a) => a.uniqid));
  const pair = openPair(props);
  const gone = (v: VirtualIp): boolean => v.uniqid !== undefined && ids.has(v.uniqid);
  const pAfter = await pair.primary.edit((draft) => {
    draft.virtualIps = draft.virtualIps.filter((v) => !gone(v));
  }, `${lbl} delete`);
  await convergeSecondary({
    primary: pAfter,
    pair,
    area: "virtualip",
    label: lbl,
    waitMs: props.syncWaitMs,
    inPlace: (cfg) => !cfg.virtualIps.some(gone),
    apply: (draft) => {
      draft.virtualIps = draft.virtualIps.filter((v) => !gone(v));
    },
  });
}

/**
 * `read` (refresh): finds the aliases by uniqid on both nodes; the primary against the records
 * in state, the secondary against the same records (pfSense's sync copies them unchanged). Gone
 * from both nodes → empty id.
 */
export async function readCarpIpAliases(
  id: string,
  props: CarpIpAliasOutputs,
): Promise<{
  id: string;
  props: Partial<CarpIpAliasOutputs>;
  inputs?: Partial<CarpIpAliasInputs>;
}> {
  const pair = openPair(props);
  const [p, s] = await readBoth(pair);
  const aliases = aliasesOf(props);
  const ids = new Set(aliases.map((a) => a.uniqid));
  const mine = (cfg: NodeHaConfig) =>
    cfg.virtualIps.filter((v) => v.uniqid !== undefined && ids.has(v.uniqid));
  const pv = mine(p.config);
  const sv = mine(s.config);
  if (pv.length === 0 && sv.length === 0) return { id: "", props: {} };
  const want = aliases.map((a) =>
    aliasRecord(
      props,
      a,
      pv.find((v) => v.uniqid === a.uniqid),
    ),
  );
  const drift: NodeDrift = {
    primary: driftLines(secondaryDrift(onlyVips(want), onlyVips(pv))),
    secondary: driftLines(secondaryDrift(deriveSecondary(onlyVips(want)), onlyVips(sv))),
  };
  const outs: CarpIpAliasOutputs = { ...props, drift };
  const inputs = refreshedInputs<CarpIpAliasInputs>(props, INPUT_KEYS);
  return { id, props: toPlainData(outs), inputs: toPlainData(inputs) };
}
