/**
 * SyncInterfaceRules provider runtime. The resource owns four `filter/rule`s (found by their
 * markers, syncRulesSpec.ts) on both nodes; every other rule and member of `filter` stays as it
 * is, in order (the session rewrites the whole section from the read, filter.ts).
 */
import { haError, type FilterRule, type NodeHaConfig } from "../plan";
import type { NodeSession, NodeState } from "../pfsense/types";
import type { PhpStruct } from "../codec/phpValue";
import { canonicalJson } from "../pfsense/sections/canonicalJson";
import { encodeFilterRule } from "../pfsense/sections/filter";
import { addressFamily } from "./addressText";
import type { CheckFailure } from "./checkFailures";
import { collectFailure } from "./checkFailures";
import { noDrift } from "./nodeDrift";
import { readNodesForCheck } from "./nodeChecks";
import { openPair, readBoth } from "./nodePair";
import { isPreWriteError, orPartial, primaryReadBackFailure } from "./partialFailure";
import { toPlainData } from "./plainData";
import { refreshedInputs } from "./refreshInputs";
import { resourceLabel } from "./resourceLabel";
import { convergeSecondary } from "./secondaryConvergence";
import {
  checkSyncRulesStatic,
  deriveSyncRules,
  desiredFilterRule,
  filterRuleIdOf,
  freeTracker,
  guiPortOf,
  newRulesetId,
  ownedKey,
  ruleLine,
  SYNC_RULE_KEYS,
  type SyncRuleKey,
  type SyncRulesDesired,
  type SyncRulesInputs,
  type SyncRulesOutputs,
} from "./syncRulesSpec";
import { containsUnknown } from "./unknowns";

const INPUT_KEYS: readonly (keyof SyncRulesInputs)[] = [
  "primary",
  "secondary",
  "name",
  "syncInterface",
  "primarySyncAddress",
  "secondarySyncAddress",
  "syncWaitMs",
  "stack",
];

function label(inp: { name?: string }): string {
  return resourceLabel("SyncInterfaceRules", inp);
}

/** The node's `system` section (for `system/webgui`), read apart from the session's sections. */
async function systemOf(session: NodeSession): Promise<PhpStruct> {
  return (await session.client.backupSections(["system"])).system as PhpStruct;
}

function nodeAddress(
  cfg: NodeHaConfig,
  ifName: string,
  like: string | undefined,
): string | undefined {
  const i = cfg.interfaces[ifName];
  if (!i) return undefined;
  if (like !== undefined) return like;
  return i.ipaddr !== undefined && addressFamily(i.ipaddr) !== undefined
    ? i.ipaddr
    : i.ipaddrv6 !== undefined && addressFamily(i.ipaddrv6) !== undefined
      ? i.ipaddrv6
      : undefined;
}

/**
 * The values the rules derive from: the given sync addresses (else each node's own address on
 * the sync interface) and each node's GUI port. Throws when the interface is missing on a node
 * or has no address.
 */
export function resolveSyncRules(
  inp: SyncRulesInputs,
  p: NodeHaConfig,
  s: NodeHaConfig,
  primarySystem: unknown,
  secondarySystem: unknown,
): SyncRulesDesired {
  const base = label(inp);
  const addr = (role: "primary" | "secondary", cfg: NodeHaConfig, given: string | undefined) => {
    if (!cfg.interfaces[inp.syncInterface]) {
      throw haError({
        code: "E_INVALID_INPUT",
        field: `${base}.syncInterface`,
        value: inp.syncInterface,
        message: `no such interface on the ${role}`,
        fix: `use one of ${Object.keys(cfg.interfaces).join(", ")}`,
      });
    }
    const a = nodeAddress(cfg, inp.syncInterface, given);
    if (a === undefined) {
      throw haError({
        code: "E_INVALID_INPUT",
        field: `${base}.${role}SyncAddress`,
        value: inp.syncInterface,
        message: `the ${role}'s ${inp.syncInterface} has no static address`,
        fix: `give the ${role}'s sync address, or a static address to its sync interface`,
      });
    }
    return a;
  };
  return {
    syncInterface: inp.syncInterface,
    primarySyncAddress: addr("primary", p, inp.primarySyncAddress),
    secondarySyncAddress: addr("secondary", s, inp.secondarySyncAddress),
    primaryGuiPort: guiPortOf(primarySystem),
    secondaryGuiPort: guiPortOf(secondarySystem),
  };
}

/**
 * `check`: the static rules, then (when the endpoints and the interface are known) the nodes'
 * interface, addresses and GUI ports; the checked inputs carry the derived ports and one line per
 * rule, so the preview shows the rules both nodes will hold. A sync address not known yet (the
 * HaSyncSettings is being created and reads it from the node) is shown as the node's own.
 */
export async function checkSyncRules(
  _olds: unknown,
  news: SyncRulesInputs,
): Promise<{ inputs: SyncRulesInputs; failures: CheckFailure[] }> {
  const failures = checkSyncRulesStatic(news);
  if (failures.length > 0 || containsUnknown([news.primary, news.secondary, news.syncInterface])) {
    return { inputs: news, failures };
  }
  const read = await readNodesForCheck(news);
  if (!read.nodes) return { inputs: news, failures: read.failures };
  const [p, s] = read.nodes;
  let derived: SyncRulesDesired | undefined;
  const known: SyncRulesInputs = {
    ...news,
    primarySyncAddress: containsUnknown(news.primarySyncAddress)
      ? undefined
      : news.primarySyncAddress,
    secondarySyncAddress: containsUnknown(news.secondarySyncAddress)
      ? undefined
      : news.secondarySyncAddress,
  };
  const pair = openPair(news);
  let systems: [PhpStruct, PhpStruct];
  try {
    systems = await Promise.all([systemOf(pair.primary), systemOf(pair.secondary)]);
  } catch (e) {
    return { inputs: news, failures: [{ property: "", reason: String((e as Error).message) }] };
  }
  collectFailure(
    () => {
      derived = resolveSyncRules(known, p.config, s.config, systems[0], systems[1]);
    },
    ["syncInterface", "primarySyncAddress", "secondarySyncAddress"],
    failures,
  );
  if (!derived) return { inputs: news, failures };
  return {
    inputs: {
      ...news,
      primaryGuiPort: derived.primaryGuiPort,
      secondaryGuiPort: derived.secondaryGuiPort,
      rules: deriveSyncRules(derived).map(ruleLine),
    },
    failures,
  };
}

/** The rule set's rules on a node, by key. */
function owned(cfg: NodeHaConfig, id: string): Map<SyncRuleKey, FilterRule> {
  const out = new Map<SyncRuleKey, FilterRule>();
  for (const r of cfg.filterRules ?? []) {
    const k = ownedKey(r, id);
    if (k !== undefined && !out.has(k)) out.set(k, r);
  }
  return out;
}

/** A rule as config.xml holds it, for comparing both nodes' copies. */
const stored = (r: FilterRule): string => canonicalJson(encodeFilterRule(r));

/** True when `cfg` holds exactly `expected` of rule set `id` (by key, member for member). */
function holdsExactly(cfg: NodeHaConfig, id: string, expected: FilterRule[]): boolean {
  const mine = (cfg.filterRules ?? []).filter((r) => filterRuleIdOf(r)?.startsWith(`${id}/`));
  if (mine.length !== expected.length) return false;
  const have = owned(cfg, id);
  return expected.every((e) => {
    const k = ownedKey(e, id);
    const h = k && have.get(k);
    return h !== undefined && stored(h) === stored(e);
  });
}

/** Puts `expected` (the primary's copies) into a node's draft: in place, else appended. */
function putRules(draft: NodeHaConfig, id: string, expected: FilterRule[]): void {
  const rules = [...(draft.filterRules ?? [])];
  const keys = new Set(expected.map((e) => ownedKey(e, id)));
  for (const e of expected) {
    const k = ownedKey(e, id);
    const i = rules.findIndex((r) => ownedKey(r, id) === k);
    if (i >= 0) rules[i] = structuredClone(e);
    else rules.push(structuredClone(e));
  }
  // A second copy of an owned rule, or one of a key the set no longer has, goes.
  const seen = new Set<string>();
  draft.filterRules = rules.filter((r) => {
    if (!filterRuleIdOf(r)?.startsWith(`${id}/`)) return true;
    const k = ownedKey(r, id);
    if (k === undefined || !keys.has(k) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function lines(d: SyncRulesDesired): string[] {
  return deriveSyncRules(d).map(ruleLine);
}

async function reconcile(
  inp: SyncRulesInputs,
  id: string,
  trackersIn: Record<string, string>,
): Promise<{ id: string; outs: SyncRulesOutputs }> {
  const lbl = label(inp);
  const pair = openPair(inp);
  const [p0, s0, sysP, sysS] = await Promise.all([
    pair.primary.read(),
    pair.secondary.read(),
    systemOf(pair.primary),
    systemOf(pair.secondary),
  ]);
  const d = resolveSyncRules(inp, p0.config, s0.config, sysP, sysS);
  const planned = deriveSyncRules(d);
  const trackers: Record<string, string> = { ...trackersIn };
  const change = (draft: NodeHaConfig): void => {
    const rules = [...(draft.filterRules ?? [])];
    const taken = new Set<string>();
    const start = Math.floor(Date.now() / 1000);
    const wanted: FilterRule[] = [];
    for (const pl of planned) {
      const existing = rules.find((r) => ownedKey(r, id) === pl.key);
      const prior = trackers[pl.key];
      const priorFree =
        prior !== undefined &&
        !taken.has(prior) &&
        !rules.some((r) => r.tracker === prior && ownedKey(r, id) !== pl.key);
      const tracker = existing?.tracker ?? (priorFree ? prior : freeTracker(rules, taken, start));
      taken.add(tracker);
      wanted.push(desiredFilterRule(pl, id, tracker, existing));
    }
    draft.filterRules = rules;
    putRules(draft, id, wanted);
    for (const w of wanted) trackers[ownedKey(w, id) as string] = w.tracker as string;
  };
  const outsOf = (syncedBy: SyncRulesOutputs["syncedBy"]): SyncRulesOutputs => ({
    ...inp,
    rulesetId: id,
    primarySyncAddress: d.primarySyncAddress,
    secondarySyncAddress: d.secondarySyncAddress,
    primaryGuiPort: d.primaryGuiPort,
    secondaryGuiPort: d.secondaryGuiPort,
    rules: lines(d),
    trackers,
    drift: noDrift(),
    syncedBy,
  });
  const record = () => ({ resource: lbl, id, properties: outsOf("library") });
  const pAfter = await orPartial(
    "primary write",
    record,
    () => pair.primary.edit(change, lbl),
    isPreWriteError,
  );
  const mine = owned(pAfter.config, id);
  const expected = SYNC_RULE_KEYS.map((k) => mine.get(k)).filter(
    (r): r is FilterRule => r !== undefined,
  );
  if (expected.length !== SYNC_RULE_KEYS.length) {
    throw primaryReadBackFailure(
      record(),
      "the primary does not hold the sync-interface rules as written",
      "check for concurrent edits",
    );
  }
  const { syncedBy } = await orPartial("secondary write", record, () =>
    convergeSecondary({
      primary: pAfter,
      pair,
      area: "rules",
      label: lbl,
      waitMs: inp.syncWaitMs,
      inPlace: (cfg) => holdsExactly(cfg, id, expected),
      apply: (draft) => putRules(draft, id, expected),
    }),
  );
  return { id, outs: toPlainData(outsOf(syncedBy)) };
}

/** `create`: appends the four rules on the primary, then makes the secondary hold the same. */
export function createSyncRules(
  inputs: SyncRulesInputs,
): Promise<{ id: string; outs: SyncRulesOutputs }> {
  return reconcile(stripDerived(inputs), newRulesetId(), {});
}

/** `update`: rewrites the owned rules in place (positions and trackers kept). */
export async function updateSyncRules(
  id: string,
  olds: SyncRulesOutputs,
  news: SyncRulesInputs,
): Promise<{ outs: SyncRulesOutputs }> {
  return { outs: (await reconcile(stripDerived(news), id, olds.trackers ?? {})).outs };
}

/** The derived members are recomputed at apply; the program's inputs are the rest. */
function stripDerived(inp: SyncRulesInputs): SyncRulesInputs {
  const out = { ...inp };
  delete out.primaryGuiPort;
  delete out.secondaryGuiPort;
  delete out.rules;
  return out;
}

/** `delete`: removes the owned rules from both nodes; nothing else in `filter` changes. */
export async function deleteSyncRules(id: string, props: SyncRulesOutputs): Promise<void> {
  const lbl = label(props);
  const pair = openPair(props);
  const drop = (draft: NodeHaConfig): void => {
    draft.filterRules = (draft.filterRules ?? []).filter(
      (r) => !filterRuleIdOf(r)?.startsWith(`${id}/`),
    );
  };
  const pAfter = await pair.primary.edit(drop, lbl);
  await convergeSecondary({
    primary: pAfter,
    pair,
    area: "rules",
    label: lbl,
    waitMs: props.syncWaitMs,
    inPlace: (cfg) => holdsExactly(cfg, id, []),
    apply: drop,
  });
}

/** A rule without its `updated` record (content only). */
function content(r: FilterRule): string {
  const extra = { ...(r.extra ?? {}) };
  delete extra.updated;
  return stored({ ...r, extra });
}

function driftOn(state: NodeState, id: string, want: Map<SyncRuleKey, FilterRule>): string[] {
  const have = owned(state.config, id);
  const out: string[] = [];
  for (const k of SYNC_RULE_KEYS) {
    const w = want.get(k);
    const h = have.get(k);
    if (!h) out.push(`filter rule ${k}: missing`);
    else if (w && content(h) !== content(w)) out.push(`filter rule ${k}: changed`);
  }
  return out;
}

/** `read` (refresh): finds the rules by their markers on both nodes and reports drift per node. */
export async function readSyncRules(
  id: string,
  props: SyncRulesOutputs,
): Promise<{
  id: string;
  props: Partial<SyncRulesOutputs>;
  inputs?: Partial<SyncRulesInputs>;
}> {
  const pair = openPair(props);
  const [p, s] = await readBoth(pair);
  const pm = owned(p.config, id);
  if (pm.size === 0 && owned(s.config, id).size === 0) return { id: "", props: {} };
  const d: SyncRulesDesired = {
    syncInterface: props.syncInterface,
    primarySyncAddress: props.primarySyncAddress,
    secondarySyncAddress: props.secondarySyncAddress,
    primaryGuiPort: props.primaryGuiPort,
    secondaryGuiPort: props.secondaryGuiPort,
  };
  const want = new Map<SyncRuleKey, FilterRule>();
  for (const pl of deriveSyncRules(d)) {
    const existing = pm.get(pl.key);
    const tracker = existing?.tracker ?? props.trackers?.[pl.key] ?? "";
    want.set(pl.key, desiredFilterRule(pl, id, tracker, existing));
  }
  const drift = { primary: driftOn(p, id, want), secondary: driftOn(s, id, want) };
  const outs = { ...props, drift };
  const inputs = refreshedInputs<SyncRulesInputs>(outs, INPUT_KEYS);
  return { id, props: toPlainData(outs), inputs: toPlainData(inputs) };
}
