/**
 * The stable runtime entry (`pulumi-pfsense-ha/runtime`) that every serialized dynamic provider
 * requires by package name. Its shape — `providers[kind].{check,diff,create,read,update,delete}`
 * taking and returning the dynamic-provider SDK's plain shapes — is a compatibility promise:
 * stacks hold provider text that calls it, so members may be added but never renamed.
 * No Pulumi import here: the runtime is plain code over the node client and the planner.
 */
import { checkCarpVip, diffCarpVip, type CarpVipInputs, type CarpVipOutputs } from "./carpVipSpec";
import { createCarpVip, deleteCarpVip, readCarpVip, updateCarpVip } from "./carpVipCrud";
import type { CheckFailure } from "./checkFailures";
import type { ProviderKind } from "./delegatingProvider";
import { claimVip } from "./vipClaims";
import { planCarpTiming } from "../plan";
import { checkCarpVipOnNodes } from "./carpVipNodeCheck";
import { readyForNodeCheck } from "./nodeChecks";
import { checkNatRuleOnNodes } from "./natRuleNodeCheck";
import { checkDhcpFailoverOnNodes } from "./dhcpFailoverNodeCheck";
import { checkClusterHaOnNodes } from "./clusterHaNodeCheck";
import { setHistoryOrigin } from "../pfsense/session";
import { noteCheck, runOperation } from "../pfsense/operationTracker";
import {
  checkDhcpFailover,
  diffDhcpFailover,
  type DhcpFailoverInputs,
  type DhcpFailoverOutputs,
} from "./dhcpFailoverSpec";
import {
  createDhcpFailover,
  deleteDhcpFailover,
  readDhcpFailover,
  updateDhcpFailover,
} from "./dhcpFailoverCrud";
import { diffHaSync, type HaSyncInputs, type HaSyncOutputs } from "./haSyncSpec";
import { checkHaSync, createHaSync, deleteHaSync, readHaSync, updateHaSync } from "./haSyncCrud";
import { checkNatRule, diffNatRule, type NatRuleInputs, type NatRuleOutputs } from "./natRuleSpec";
import { createNatRule, deleteNatRule, readNatRule, updateNatRule } from "./natRuleCrud";
import {
  checkClusterHa,
  diffClusterHa,
  type ClusterHaInputs,
  type ClusterHaOutputs,
} from "./clusterHaSpec";
import { createClusterHa, deleteClusterHa, readClusterHa, updateClusterHa } from "./clusterHaCrud";
import { diffSyncRules, type SyncRulesInputs, type SyncRulesOutputs } from "./syncRulesSpec";
import {
  checkSyncRules,
  createSyncRules,
  deleteSyncRules,
  readSyncRules,
  updateSyncRules,
} from "./syncRulesCrud";
import { carpIpAliases } from "./carpIpAliasRuntime";
import { vipServiceBinding } from "./vipServiceCrud";

/**
 * The checked inputs plus the secondary's advskew the skew gives (`secondaryAdvskew`), so that a
 * preview shows both nodes' values of a skew change.
 */
function withPlannedSkew<T extends { inputs: CarpVipInputs; failures: CheckFailure[] }>(r: T): T {
  const skew = r.inputs.skew ?? 0;
  if (r.failures.length > 0 || typeof skew !== "number") return r;
  try {
    const t = planCarpTiming({ advbase: r.inputs.advbase, primarySkew: skew });
    return { ...r, inputs: { ...r.inputs, secondaryAdvskew: t.secondarySkew } };
  } catch {
    return r;
  }
}

/** Version of the runtime entry's calling convention. */
export const RUNTIME_API_VERSION = 1;

/** The methods one kind implements (the SDK's ResourceProvider shapes, plain data). */
export interface RuntimeProvider<I, O> {
  check(olds: unknown, news: I): Promise<{ inputs: I; failures: CheckFailure[] }>;
  diff(
    id: string,
    olds: O,
    news: I,
  ): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }>;
  create(inputs: I): Promise<{ id: string; outs: O }>;
  read(id: string, props: O): Promise<{ id: string; props: Partial<O>; inputs?: Partial<I> }>;
  update(id: string, olds: O, news: I): Promise<{ outs: O }>;
  delete(id: string, props: O): Promise<void>;
}

const carpVip: RuntimeProvider<CarpVipInputs, CarpVipOutputs> = {
  check: async (olds, news) => {
    const own = checkCarpVip(news);
    if (!readyForNodeCheck(own.failures, news)) return withPlannedSkew(own);
    return withPlannedSkew(await checkCarpVipOnNodes(olds as Partial<CarpVipInputs>, news));
  },
  diff: async (id, olds, news) => {
    claimVip(id); // an existing resource's VIP is never adopted by another one
    return diffCarpVip(olds, news);
  },
  create: createCarpVip,
  read: readCarpVip,
  update: updateCarpVip,
  delete: deleteCarpVip,
};

const haSync: RuntimeProvider<HaSyncInputs, HaSyncOutputs> = {
  check: checkHaSync,
  diff: async (_id, olds, news) => diffHaSync(olds, news),
  create: createHaSync,
  read: readHaSync,
  update: updateHaSync,
  delete: deleteHaSync,
};

const outboundNat: RuntimeProvider<NatRuleInputs, NatRuleOutputs> = {
  check: async (olds, news) => {
    const own = checkNatRule(news);
    if (own.failures.length > 0) return own;
    const r = await checkNatRuleOnNodes(olds as Partial<NatRuleInputs>, news);
    return { inputs: r.adopting ? { ...news, adopting: r.adopting } : news, failures: r.failures };
  },
  diff: async (_id, olds, news) => diffNatRule(olds, news),
  create: createNatRule,
  read: readNatRule,
  update: updateNatRule,
  delete: deleteNatRule,
};

const dhcpFailover: RuntimeProvider<DhcpFailoverInputs, DhcpFailoverOutputs> = {
  check: async (_olds, news) => {
    const own = checkDhcpFailover(news);
    if (own.failures.length > 0) return own;
    return { inputs: news, failures: await checkDhcpFailoverOnNodes(news) };
  },
  diff: async (_id, olds, news) => diffDhcpFailover(olds, news),
  create: createDhcpFailover,
  read: readDhcpFailover,
  update: updateDhcpFailover,
  delete: deleteDhcpFailover,
};

const clusterHa: RuntimeProvider<ClusterHaInputs, ClusterHaOutputs> = {
  check: async (olds, news) => {
    const own = checkClusterHa(news);
    if (!readyForNodeCheck(own.failures, own.inputs)) return own;
    const found = await checkClusterHaOnNodes(olds as Partial<ClusterHaInputs>, own.inputs);
    return { inputs: own.inputs, failures: found };
  },
  diff: async (_id, olds, news) => diffClusterHa(olds, news),
  create: createClusterHa,
  read: readClusterHa,
  update: updateClusterHa,
  delete: deleteClusterHa,
};

const syncRules: RuntimeProvider<SyncRulesInputs, SyncRulesOutputs> = {
  check: checkSyncRules,
  diff: async (_id, olds, news) => diffSyncRules(olds, news),
  create: createSyncRules,
  read: readSyncRules,
  update: updateSyncRules,
  delete: deleteSyncRules,
};

/**
 * A kind as the engine calls it: each operation tracked (so node sessions know when every
 * operation in flight waits on them), and its writes naming the program's stack in pfSense's
 * Config History.
 */
function asOperations<I, O>(p: RuntimeProvider<I, O>): RuntimeProvider<I, O> {
  const origin = (v: unknown): void => setHistoryOrigin((v as { stack?: string }).stack);
  return {
    ...p,
    check: (olds, news) => (noteCheck(), p.check(olds, news)),
    create: (inputs) => runOperation(() => (origin(inputs), p.create(inputs))),
    read: (id, props) => runOperation(() => p.read(id, props)),
    update: (id, olds, news) => runOperation(() => (origin(news), p.update(id, olds, news))),
    delete: (id, props) => runOperation(() => (origin(props), p.delete(id, props))),
  };
}

/** Every kind's runtime, keyed like {@link ProviderKind}. */
export const providers = {
  carpVip: asOperations(carpVip),
  haSync: asOperations(haSync),
  outboundNat: asOperations(outboundNat),
  dhcpFailover: asOperations(dhcpFailover),
  clusterHa: asOperations(clusterHa),
  syncRules: asOperations(syncRules),
  carpIpAliases: asOperations(carpIpAliases),
  vipServiceBinding: asOperations(vipServiceBinding),
} satisfies Record<ProviderKind, unknown>;
