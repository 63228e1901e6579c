/**
 * ClusterHaConfig provider runtime. Every item runs through its own kind's reconcile (the same
 * code as CarpVip, OutboundNatRule and DhcpFailover), all at once, on member views of the two
 * node sessions (sharedWrites.ts): one read and one write per node for the whole resource, so
 * an `up` that changes anything leaves exactly one config revision on each node (plus, where
 * pfSense syncs the areas, the one its own push makes on the secondary instead of ours).
 */
import type { VirtualIp } from "../plan";
import type { NodeState } from "../pfsense/types";
import type { CarpVipDesired } from "./carpVipSpec";
import { createCarpVip, deleteCarpVip, readCarpVip, updateCarpVip } from "./carpVipCrud";
import { resolveOnNode } from "./carpVipNodeRules";
import {
  carpVipInputs,
  carpVipOlds,
  dhcpInputs,
  dhcpOlds,
  itemState,
  natInputs,
  natOlds,
  planItems,
  type ClusterHaInputs,
  type ClusterHaItems,
  type ClusterHaOutputs,
  type ItemKind,
  type ItemPlan,
} from "./clusterHaSpec";
import {
  createDhcpFailover,
  deleteDhcpFailover,
  readDhcpFailover,
  updateDhcpFailover,
} from "./dhcpFailoverCrud";
import type { ItemContext } from "./itemContext";
import { createNatRule, deleteNatRule, readNatRule, updateNatRule } from "./natRuleCrud";
import { noDrift, type NodeDrift } from "./nodeDrift";
import { openPair } from "./nodePair";
import { isPreWriteError, partialFailure, type PartialFailure } from "./partialFailure";
import { toPlainData } from "./plainData";
import { resourceLabel } from "./resourceLabel";
import { SharedWrites } from "./sharedWrites";

const INPUT_KEYS = [
  "primary",
  "secondary",
  "name",
  "carpVips",
  "carpPasswords",
  "outboundNat",
  "dhcpFailover",
  "syncWaitMs",
  "stack",
] as const;

/** One item operation of a run. `delete` of a replace runs before its `create`. */
interface Step {
  kind: ItemKind;
  key: string;
  op: "create" | "update" | "delete";
}

/** What a step left: the item's new state, its removal, or (failed) a partial record. */
type StepResult =
  | { step: Step; ok: true; outs?: Record<string, unknown> }
  | { step: Step; ok: false; error: unknown };

function label(a: { name?: string }): string {
  return resourceLabel("ClusterHaConfig", a);
}

/** Deletes first (so a replacement's new item meets a section without the old one). */
function stepsOf(plans: ItemPlan[]): Step[] {
  const del = plans.filter((p) => p.action === "delete" || p.action === "replace");
  const upd = plans.filter((p) => p.action === "update");
  const add = plans.filter((p) => p.action === "create" || p.action === "replace");
  return [
    ...del.map((p) => ({ kind: p.kind, key: p.key, op: "delete" as const })),
    ...upd.map((p) => ({ kind: p.kind, key: p.key, op: "update" as const })),
    ...add.map((p) => ({ kind: p.kind, key: p.key, op: "create" as const })),
  ];
}

/** Every VIP item as planned against the primary (an item that fails to plan says why itself). */
function planVips(a: ClusterHaInputs, p: NodeState): Map<string, CarpVipDesired> {
  const out = new Map<string, CarpVipDesired>();
  for (const key of Object.keys(a.carpVips)) {
    try {
      out.set(key, resolveOnNode(carpVipInputs(a, key), p.config));
    } catch {
      // the item's own reconcile reports it
    }
  }
  return out;
}

/** The VIPs the primary will hold after the run, for NAT targets and DHCP failover checks. */
function plannedVips(
  planned: Map<string, CarpVipDesired>,
  olds: ClusterHaOutputs | undefined,
): VirtualIp[] {
  return [...planned].map(([key, d]) => ({
    mode: "carp",
    interface: d.interface,
    subnet: d.address,
    subnetBits: d.subnetBits,
    type: "single",
    advskew: d.primaryAdvskew,
    vhid: olds?.items.carpVips[key]?.vhid,
  }));
}

/** A `target`/`vip` reference: a `carpVips` key's planned address, else the address given. */
function refAddress(ref: string, planned: Map<string, CarpVipDesired>): string {
  return planned.get(ref)?.address ?? ref;
}

/** Runs one step through its kind's reconcile. */
async function runStep(
  s: Step,
  a: ClusterHaInputs,
  olds: ClusterHaOutputs | undefined,
  planned: Map<string, CarpVipDesired>,
  ctx: ItemContext,
): Promise<Record<string, unknown> | undefined> {
  const o = olds as ClusterHaOutputs;
  const id = (kind: ItemKind): string => {
    const st = o.items[kind][s.key] as unknown as Record<string, string>;
    return kind === "carpVips"
      ? st.uniqid
      : kind === "outboundNat"
        ? st.ruleId
        : dhcpId(st as never);
  };
  if (s.kind === "carpVips") {
    if (s.op === "delete")
      return void (await deleteCarpVip(id(s.kind), carpVipOlds(o, s.key), ctx));
    const inp = carpVipInputs(a, s.key);
    const r =
      s.op === "create"
        ? await createCarpVip(inp, ctx)
        : await updateCarpVip(id(s.kind), carpVipOlds(o, s.key), inp, ctx);
    return r.outs as unknown as Record<string, unknown>;
  }
  if (s.kind === "outboundNat") {
    if (s.op === "delete") return void (await deleteNatRule(id(s.kind), natOlds(o, s.key), ctx));
    const inp = natInputs(a, s.key, refAddress(a.outboundNat[s.key].target, planned));
    const r =
      s.op === "create"
        ? await createNatRule(inp, ctx)
        : await updateNatRule(id(s.kind), natOlds(o, s.key), inp, ctx);
    return r.outs as unknown as Record<string, unknown>;
  }
  const dId = dhcpId(o?.items.dhcpFailover[s.key] ?? a.dhcpFailover[s.key]);
  if (s.op === "delete") return void (await deleteDhcpFailover(dId, dhcpOlds(o, s.key), ctx));
  const inp = dhcpInputs(a, s.key, refAddress(a.dhcpFailover[s.key].vip, planned));
  const r =
    s.op === "create"
      ? await createDhcpFailover(inp, ctx)
      : await updateDhcpFailover(dId, dhcpOlds(o, s.key), inp, ctx);
  return r.outs as unknown as Record<string, unknown>;
}

/** DhcpFailover's id: its interface's `dhcpd` entry. */
function dhcpId(d: { interface: string }): string {
  return `dhcpd/${d.interface}`;
}

/** Runs every step at once on member views of the sessions: one write per node. */
async function runSteps(
  steps: Step[],
  a: ClusterHaInputs,
  olds: ClusterHaOutputs | undefined,
): Promise<StepResult[]> {
  if (steps.length === 0) return [];
  const pair = openPair(a);
  // One fresh read per node; the items plan from this snapshot (their first reads share it).
  const [p] = await Promise.all([
    pair.primary.read({ now: true }),
    pair.secondary.read({ now: true }),
  ]);
  const pw = new SharedWrites(pair.primary, steps.length);
  const sw = new SharedWrites(pair.secondary, steps.length);
  const planned = planVips(a, p);
  const vips = plannedVips(planned, olds);
  return Promise.all(
    steps.map(async (step, i): Promise<StepResult> => {
      const ctx: ItemContext = {
        pair: { primary: pw.member(i), secondary: sw.member(i) },
        plannedVips: vips,
      };
      try {
        return { step, ok: true, outs: await runStep(step, a, olds, planned, ctx) };
      } catch (error) {
        return { step, ok: false, error };
      } finally {
        pw.done(i);
        sw.done(i);
      }
    }),
  );
}

const SECRET_ITEM_FIELDS: Record<ItemKind, string[]> = {
  carpVips: ["password", "adoptedFrom"],
  outboundNat: [],
  dhcpFailover: [],
};

/** The items' state after the run: results applied over what was recorded. */
function settleItems(
  before: ClusterHaOutputs | undefined,
  results: StepResult[],
): Pick<ClusterHaOutputs, "items" | "adoptedVips"> {
  const items: ClusterHaItems = structuredClone(
    before?.items ?? { carpVips: {}, outboundNat: {}, dhcpFailover: {} },
  );
  const adoptedVips = { ...(before?.adoptedVips ?? {}) };
  const record = (s: Step, outs: Record<string, unknown>): void => {
    (items[s.kind] as Record<string, unknown>)[s.key] = itemState(
      outs,
      ...SECRET_ITEM_FIELDS[s.kind],
    );
    if (s.kind === "carpVips") adoptedVips[s.key] = (outs.adoptedFrom ?? null) as never;
  };
  for (const r of results) {
    const kindItems = items[r.step.kind] as Record<string, unknown>;
    if (r.ok && r.step.op === "delete") {
      delete kindItems[r.step.key];
      if (r.step.kind === "carpVips") delete adoptedVips[r.step.key];
    } else if (r.ok && r.outs) {
      record(r.step, r.outs);
    } else if (!r.ok && isPartial(r.error)) {
      // Written in part: record what the item's own provider would have kept.
      record(r.step, r.error.properties);
    }
    // A step that wrote nothing leaves the record as it was (none for a create).
  }
  return { items, adoptedVips };
}

function isPartial(e: unknown): e is PartialFailure {
  return e instanceof Error && (e as Partial<PartialFailure>).properties !== undefined && "id" in e;
}

/** Drift of the whole resource: every failed item named, so the next `up` runs update again. */
function failedDrift(results: StepResult[]): NodeDrift {
  const d = noDrift();
  for (const r of results) {
    if (!r.ok) d.primary.push(`${r.step.kind}.${r.step.key}: not converged (${r.step.op} failed)`);
  }
  return d;
}

/** The outputs of a run, or the error that says which items failed (partial when any wrote). */
function finish(
  a: ClusterHaInputs,
  id: string,
  before: ClusterHaOutputs | undefined,
  results: StepResult[],
): ClusterHaOutputs {
  const settled = settleItems(before, results);
  const failed = results.filter((r): r is Extract<StepResult, { ok: false }> => !r.ok);
  const outs: ClusterHaOutputs = { ...a, ...settled, drift: failedDrift(results) };
  if (failed.length === 0) return toPlainData(outs);
  const nothingWritten =
    before === undefined &&
    results.every((r) => !r.ok) &&
    failed.every((r) => isPreWriteError(r.error));
  if (nothingWritten) throw failed[0].error;
  const cause = failed[0].error;
  const err = partialFailure({
    resource: label(a),
    id,
    properties: outs,
    step: `${failed[0].step.op} of ${failed[0].step.kind}.${failed[0].step.key}${failed.length > 1 ? ` (and ${failed.length - 1} more items)` : ""}`,
    cause,
  });
  err.properties.drift = outs.drift;
  throw err;
}

/** `create`: every item created at once; one write per node. */
export async function createClusterHa(
  a: ClusterHaInputs,
): Promise<{ id: string; outs: ClusterHaOutputs }> {
  const id = `cluster-ha/${a.name}`;
  const steps: Step[] = (["carpVips", "outboundNat", "dhcpFailover"] as const).flatMap((kind) =>
    Object.keys(a[kind]).map((key) => ({ kind, key, op: "create" as const })),
  );
  return { id, outs: finish(a, id, undefined, await runSteps(steps, a, undefined)) };
}

/** `update`: items added, changed, replaced and removed, all in one write per node. */
export async function updateClusterHa(
  id: string,
  olds: ClusterHaOutputs,
  news: ClusterHaInputs,
): Promise<{ outs: ClusterHaOutputs }> {
  const steps = stepsOf(planItems(olds, news));
  return { outs: finish(news, id, olds, await runSteps(steps, news, olds)) };
}

/** `delete`: every item removed (adopted ones put back) in one write per node. */
export async function deleteClusterHa(id: string, props: ClusterHaOutputs): Promise<void> {
  const steps: Step[] = (["carpVips", "outboundNat", "dhcpFailover"] as const).flatMap((kind) =>
    Object.keys(props.items?.[kind] ?? {}).map((key) => ({ kind, key, op: "delete" as const })),
  );
  // NAT rules and DHCP go before the VIPs they point at (member order is batch order).
  steps.sort((x, y) => Number(x.kind === "carpVips") - Number(y.kind === "carpVips"));
  const results = await runSteps(steps, props, props);
  const failed = results.find((r) => !r.ok);
  if (failed && !failed.ok) {
    throw partialFailure({
      resource: label(props),
      id,
      properties: { ...props, ...settleItems(props, results), drift: failedDrift(results) },
      step: `delete of ${failed.step.kind}.${failed.step.key}`,
      cause: failed.error,
    });
  }
}

/**
 * `read` (refresh): each item read by its kind's own read, all from one shared read per node;
 * an item gone from both nodes is dropped from `items` (the next `up` creates it again). Inputs are
 * handed back as recorded: refresh reports what it found in `items`, it never rewrites inputs.
 */
export async function readClusterHa(
  id: string,
  props: ClusterHaOutputs,
): Promise<{ id: string; props: ClusterHaOutputs; inputs: Partial<ClusterHaInputs> }> {
  const items: ClusterHaItems = { carpVips: {}, outboundNat: {}, dhcpFailover: {} };
  const drift = noDrift();
  // One read per node, at once; the items' own reads share it.
  const pair = openPair(props);
  await Promise.all([pair.primary.read({ now: true }), pair.secondary.read({ now: true })]);
  const reads = (["carpVips", "outboundNat", "dhcpFailover"] as const).flatMap((kind) =>
    Object.keys(props.items?.[kind] ?? {}).map(async (key) => {
      const st = props.items[kind][key] as unknown as Record<string, string>;
      const r =
        kind === "carpVips"
          ? await readCarpVip(st.uniqid, carpVipOlds(props, key))
          : kind === "outboundNat"
            ? await readNatRule(st.ruleId, natOlds(props, key))
            : await readDhcpFailover(dhcpId(st as never), dhcpOlds(props, key));
      if (r.id === "") return;
      const found = r.props as Record<string, unknown>;
      (items[kind] as Record<string, unknown>)[key] = itemState(found, ...SECRET_ITEM_FIELDS[kind]);
      const d = found.drift as NodeDrift | undefined;
      drift.primary.push(...(d?.primary ?? []).map((l) => `${kind}.${key}: ${l}`));
      drift.secondary.push(...(d?.secondary ?? []).map((l) => `${kind}.${key}: ${l}`));
    }),
  );
  await Promise.all(reads);
  const inputs: Partial<ClusterHaInputs> = {};
  for (const k of INPUT_KEYS) (inputs as Record<string, unknown>)[k] = props[k];
  return { id, props: toPlainData({ ...props, items, drift }), inputs: toPlainData(inputs) };
}
