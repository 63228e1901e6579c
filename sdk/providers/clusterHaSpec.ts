/**
 * ClusterHaConfig: a whole cluster's CARP VIPs, outbound NAT rules and DHCP failover in one
 * resource (inline items, as cloud providers offer inline rules beside rule resources). Inputs,
 * outputs and the pure parts of its provider: item inputs for the item reconciles, check, diff.
 * The I/O half is clusterHaCrud.ts.
 */
import { haError } from "../plan";
import type { CarpVipInputs, CarpVipOutputs } from "./carpVipSpec";
import { checkCarpVip, diffCarpVip, resolveCarpVip } from "./carpVipSpec";
import type { CheckFailure } from "./checkFailures";
import { checkDhcpFailover, diffDhcpFailover } from "./dhcpFailoverSpec";
import type { DhcpFailoverInputs, DhcpFailoverOutputs } from "./dhcpFailoverSpec";
import { endpointProblems, type EndpointInput } from "./endpointInputs";
import type { FieldDiffResult } from "./fieldDiff";
import { checkNatRule, diffNatRule, type NatRuleInputs, type NatRuleOutputs } from "./natRuleSpec";
import { hasDrift, type NodeDrift } from "./nodeDrift";
import { containsUnknown } from "./unknowns";

/** Fields an item takes from the aggregate rather than from its own entry. */
type FromAggregate = "primary" | "secondary" | "name" | "syncWaitMs";

/** One inline CARP VIP (its password lives in `carpPasswords`, a secret input). */
export type CarpVipItem = Omit<CarpVipInputs, FromAggregate | "password">;
/** One inline outbound NAT rule; `target` may name a `carpVips` entry. */
export type NatItem = Omit<NatRuleInputs, FromAggregate>;
/** One inline DHCP failover; `vip` may name a `carpVips` entry. */
export type DhcpItem = Omit<DhcpFailoverInputs, FromAggregate>;

/** Inputs of the ClusterHaConfig dynamic resource (plain data; see the component). */
export interface ClusterHaInputs {
  primary: EndpointInput;
  secondary: EndpointInput;
  name: string;
  carpVips: Record<string, CarpVipItem>;
  carpPasswords: Record<string, string>;
  outboundNat: Record<string, NatItem>;
  dhcpFailover: Record<string, DhcpItem>;
  syncWaitMs?: number;
  /** `project/stack` of the program, for Config History (absent in state written before). */
  stack?: string;
}

/** An item's state as recorded: its provider's outputs without endpoints and secrets. */
export type CarpVipState = Omit<CarpVipOutputs, FromAggregate | "password" | "adoptedFrom">;
export type NatState = Omit<NatRuleOutputs, FromAggregate>;
export type DhcpState = Omit<DhcpFailoverOutputs, FromAggregate>;

/** Every item's recorded state, by kind and key. */
export interface ClusterHaItems {
  carpVips: Record<string, CarpVipState>;
  outboundNat: Record<string, NatState>;
  dhcpFailover: Record<string, DhcpState>;
}

export interface ClusterHaOutputs extends ClusterHaInputs {
  items: ClusterHaItems;
  /** Adopted VIPs as they were, by key (secret: they hold CARP passwords). */
  adoptedVips: Record<string, CarpVipOutputs["adoptedFrom"]>;
  /** Drift of the whole resource: not empty while an item is not converged (pitfall 16). */
  drift: NodeDrift;
}

/** The three item kinds, as the keys of {@link ClusterHaItems}. */
export type ItemKind = keyof ClusterHaItems;

const common = (a: ClusterHaInputs, key: string) => ({
  primary: a.primary,
  secondary: a.secondary,
  name: `${a.name}/${key}`,
  syncWaitMs: a.syncWaitMs,
});

export function carpVipInputs(a: ClusterHaInputs, key: string): CarpVipInputs {
  return { ...a.carpVips[key], ...common(a, key), password: a.carpPasswords[key] };
}

export function natInputs(a: ClusterHaInputs, key: string, target: string): NatRuleInputs {
  return { ...a.outboundNat[key], ...common(a, key), target };
}

export function dhcpInputs(a: ClusterHaInputs, key: string, vip: string): DhcpFailoverInputs {
  return { ...a.dhcpFailover[key], ...common(a, key), vip };
}

/** The item provider's view of a recorded item (what its update/delete/diff take as olds). */
export function carpVipOlds(o: ClusterHaOutputs, key: string): CarpVipOutputs {
  return {
    ...o.items.carpVips[key],
    ...common(o, key),
    password: o.carpPasswords[key],
    adoptedFrom: o.adoptedVips?.[key] ?? null,
  };
}

export function natOlds(o: ClusterHaOutputs, key: string): NatRuleOutputs {
  return { ...o.items.outboundNat[key], ...common(o, key) };
}

export function dhcpOlds(o: ClusterHaOutputs, key: string): DhcpFailoverOutputs {
  return { ...o.items.dhcpFailover[key], ...common(o, key) };
}

/** `{a: 1, primary: …}` → `{a: 1}`: the state an item records inside the aggregate. */
export function itemState<T extends object>(outs: T, ...drop: string[]): never {
  const copy = { ...outs } as Record<string, unknown>;
  for (const k of ["primary", "secondary", "name", "syncWaitMs", ...drop]) delete copy[k];
  return copy as never;
}

/** Prefixes an item's check failures with where the item sits in the aggregate. */
export function itemFailures(kind: string, key: string, failures: CheckFailure[]): CheckFailure[] {
  return failures
    .filter((f) => !f.property.startsWith("primary") && !f.property.startsWith("secondary"))
    .map((f) => ({
      // A property-less failure (a CARP password, see checkCarpVip) stays property-less.
      property: f.property === "" ? "" : `${kind}.${key}.${f.property}`,
      reason: f.reason,
    }));
}

/**
 * The VIP address a `target`/`vip` names, without a node: a `carpVips` key's planned address,
 * else the address itself; undefined while the key's VIP cannot be planned without a node.
 */
export function checkedRef(a: ClusterHaInputs, ref: string): string | undefined {
  if (a.carpVips[ref] === undefined) return ref;
  try {
    return resolveCarpVip(carpVipInputs(a, ref)).address;
  } catch {
    return undefined;
  }
}

/** Two DHCP failover entries for one interface would overwrite each other. */
function dhcpInterfaceClash(a: ClusterHaInputs): CheckFailure[] {
  const seen = new Map<string, string>();
  const out: CheckFailure[] = [];
  for (const [key, d] of Object.entries(a.dhcpFailover)) {
    if (containsUnknown(d.interface)) continue;
    const other = seen.get(d.interface);
    if (other !== undefined) {
      out.push({
        property: `dhcpFailover.${key}.interface`,
        reason: haError({
          code: "E_INVALID_INPUT",
          field: `ClusterHaConfig[${a.name}].dhcpFailover.${key}.interface`,
          value: d.interface,
          message: `dhcpFailover.${other} already configures this interface`,
          fix: "keep one DHCP failover entry per interface",
        }).message,
      });
    }
    seen.set(d.interface, key);
  }
  return out;
}

/** `check`: every item's own check, under the item's place in the aggregate. */
export function checkClusterHa(news: ClusterHaInputs): {
  inputs: ClusterHaInputs;
  failures: CheckFailure[];
} {
  const a: ClusterHaInputs = {
    ...news,
    carpVips: news.carpVips ?? {},
    carpPasswords: news.carpPasswords ?? {},
    outboundNat: news.outboundNat ?? {},
    dhcpFailover: news.dhcpFailover ?? {},
  };
  const failures: CheckFailure[] = [
    ...endpointProblems(a.primary, "primary"),
    ...endpointProblems(a.secondary, "secondary"),
  ];
  for (const key of Object.keys(a.carpVips)) {
    failures.push(...itemFailures("carpVips", key, checkCarpVip(carpVipInputs(a, key)).failures));
  }
  for (const [key, n] of Object.entries(a.outboundNat)) {
    const target = checkedRef(a, n.target);
    const found = checkNatRule(natInputs(a, key, target ?? n.target)).failures;
    const kept = target === undefined ? found.filter((f) => f.property !== "target") : found;
    failures.push(...itemFailures("outboundNat", key, kept));
  }
  for (const [key, d] of Object.entries(a.dhcpFailover)) {
    const vip = checkedRef(a, d.vip);
    const found = checkDhcpFailover(dhcpInputs(a, key, vip ?? d.vip)).failures;
    const kept = vip === undefined ? found.filter((f) => f.property !== "vip") : found;
    failures.push(...itemFailures("dhcpFailover", key, kept));
  }
  failures.push(...dhcpInterfaceClash(a));
  return { inputs: a, failures };
}

/** What `update` does with each item. */
export interface ItemPlan {
  kind: ItemKind;
  key: string;
  action: "create" | "update" | "delete" | "replace" | "keep";
}

function actionOf(d: FieldDiffResult): ItemPlan["action"] {
  return d.replaces.length > 0 ? "replace" : d.changes ? "update" : "keep";
}

/** The item diff of one kind: each key's action comparing recorded state with the program. */
function planKind(
  kind: ItemKind,
  olds: ClusterHaOutputs,
  news: ClusterHaInputs,
  diffItem: (key: string) => FieldDiffResult,
): ItemPlan[] {
  const before = Object.keys(olds.items?.[kind] ?? {});
  const after = Object.keys(news[kind] ?? {});
  return [
    ...before.filter((k) => !after.includes(k)).map((key) => ({ kind, key, action: "delete" })),
    ...after.map((key) => ({
      kind,
      key,
      action: before.includes(key) ? actionOf(diffItem(key)) : "create",
    })),
  ] as ItemPlan[];
}

/** Per item: create, update, replace (delete then create, one write), delete or keep. */
export function planItems(olds: ClusterHaOutputs, news: ClusterHaInputs): ItemPlan[] {
  const vipAddr = (ref: string) =>
    checkedRef(news, ref) ?? olds.items?.carpVips?.[ref]?.address ?? ref;
  return [
    ...planKind("carpVips", olds, news, (k) =>
      diffCarpVip(carpVipOlds(olds, k), carpVipInputs(news, k)),
    ),
    ...planKind("outboundNat", olds, news, (k) =>
      diffNatRule(natOlds(olds, k), natInputs(news, k, vipAddr(news.outboundNat[k].target))),
    ),
    ...planKind("dhcpFailover", olds, news, (k) =>
      diffDhcpFailover(dhcpOlds(olds, k), dhcpInputs(news, k, vipAddr(news.dhcpFailover[k].vip))),
    ),
  ];
}

/** `diff`: a change when any item changes or the recorded state has drift; never a replace. */
export function diffClusterHa(
  olds: ClusterHaOutputs,
  news: ClusterHaInputs,
): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const changed = planItems(olds, news).some((p) => p.action !== "keep");
  return { changes: changed || hasDrift(olds.drift), replaces: [], deleteBeforeReplace: false };
}
