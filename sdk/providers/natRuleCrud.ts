/**
 * OutboundNatRule provider runtime. The resource owns one outbound rule (found by its marker,
 * natRuleSpec.ts) and sets the outbound mode; every other outbound rule, port forward and 1:1
 * entry stays as it is, in order (the client rewrites `nat` from the read section, §5.2).
 */
import {
  deriveSecondary,
  secondaryDrift,
  type NodeHaConfig,
  type OutboundNatMode,
  type OutboundNatRule,
} from "../plan";
import { driftLines, noDrift } from "./nodeDrift";
import { openPair, readBoth } from "./nodePair";
import { firstReadOptions, pairFor, type ItemContext } from "./itemContext";
import { isPreWriteError, orPartial, primaryReadBackFailure } from "./partialFailure";
import { toPlainData } from "./plainData";
import { refreshedInputs } from "./refreshInputs";
import { convergeSecondary, pfSenseSyncs } from "./secondaryConvergence";
import {
  desiredRule,
  newRuleId,
  ruleIdOf,
  type NatRuleInputs,
  type NatRuleOutputs,
} from "./natRuleSpec";
import { resourceLabel } from "./resourceLabel";
import { checkNatOnNodes, twinClash, unmanagedTwin } from "./natRuleNodeRules";

/** The members of the state that are inputs (handed back by `read`). */
const INPUT_KEYS: readonly (keyof NatRuleInputs)[] = [
  "primary",
  "secondary",
  "name",
  "interface",
  "source",
  "target",
  "mode",
  "description",
  "destination",
  "protocol",
  "sourcePort",
  "destinationPort",
  "syncWaitMs",
  "stack",
  "adopt",
];

function label(inp: { name?: string }): string {
  return resourceLabel("OutboundNatRule", inp);
}

function only(rules: OutboundNatRule[], mode: OutboundNatMode | undefined): NodeHaConfig {
  const c: NodeHaConfig = { virtualIps: [], natRules: rules, dhcpd: {}, interfaces: {} };
  if (mode !== undefined) c.natMode = mode;
  return c;
}

function ours(cfg: NodeHaConfig, ruleId: string): OutboundNatRule | undefined {
  return cfg.natRules.find((r) => ruleIdOf(r) === ruleId);
}

async function reconcile(
  inp: NatRuleInputs,
  ruleId: string,
  adopt: boolean,
  priorModeIn: string | undefined,
  adoptedIn: OutboundNatRule | null = null,
  ctx?: ItemContext,
): Promise<{ id: string; outs: NatRuleOutputs }> {
  const lbl = label(inp);
  const mode = inp.mode ?? "hybrid";
  const pair = pairFor(ctx, () => openPair(inp));
  const first = firstReadOptions(ctx);
  const [p0, s0] = await Promise.all([pair.primary.read(first), pair.secondary.read(first)]);
  checkNatOnNodes(inp, p0, s0, ctx?.plannedVips);
  const id = ruleId;
  // Only create passes no prior mode (update has the one recorded at create).
  const creating = priorModeIn === undefined;
  let priorMode = priorModeIn;
  let adoptedFrom = adoptedIn;
  const change = (draft: NodeHaConfig): void => {
    priorMode ??= draft.natMode ?? "automatic";
    let i = draft.natRules.findIndex((r) => ruleIdOf(r) === id);
    // An unmanaged rule translating the same source on the same interface to the same VIP.
    const twin = unmanagedTwin(draft.natRules, inp);
    if (i < 0 && adopt) {
      i = twin;
      adoptedFrom = i >= 0 ? structuredClone(draft.natRules[i]) : null;
    } else if (i < 0 && creating && twin >= 0) {
      throw twinClash(inp, draft.natRules[twin]);
    }
    const rule = desiredRule(inp, id, i >= 0 ? draft.natRules[i] : undefined);
    if (i >= 0) draft.natRules[i] = rule;
    else draft.natRules.push(rule);
    draft.natMode = mode;
  };
  const record = () => ({
    resource: lbl,
    id,
    properties: { ...inp, ruleId: id, mode, priorMode: priorMode ?? "automatic", adoptedFrom },
  });
  const pAfter = await orPartial(
    "primary write",
    record,
    () => pair.primary.edit(change, lbl),
    isPreWriteError,
  );
  const pr = ours(pAfter.config, id);
  if (!pr || pAfter.config.natMode !== mode) {
    throw primaryReadBackFailure(
      record(),
      "the primary does not hold the rule as written",
      "check for concurrent edits",
    );
  }
  const expected = deriveSecondary(only([pr], mode)).natRules;
  const { syncedBy } = await orPartial("secondary write", record, () =>
    convergeSecondary({
      primary: pAfter,
      pair,
      area: "nat",
      label: lbl,
      waitMs: inp.syncWaitMs,
      inPlace: (cfg) => {
        const r = ours(cfg, id);
        return secondaryDrift(only(expected, mode), only(r ? [r] : [], cfg.natMode)).length === 0;
      },
      apply: (draft) => {
        const i = draft.natRules.findIndex((r) => ruleIdOf(r) === id);
        if (expected.length === 0) {
          if (i >= 0) draft.natRules.splice(i, 1);
        } else if (i >= 0) draft.natRules[i] = expected[0];
        else draft.natRules.push(expected[0]);
        draft.natMode = mode;
      },
    }),
  );
  const outs: NatRuleOutputs = {
    adoptedFrom,
    ...inp,
    ruleId: id,
    mode,
    priorMode: priorMode ?? "automatic",
    drift: noDrift(),
    syncedBy,
  };
  return { id, outs: toPlainData(outs) };
}

/** `create`: adds (or adopts) the rule on the primary, sets the mode, converges the secondary. */
export function createNatRule(
  inputs: NatRuleInputs,
  ctx?: ItemContext,
): Promise<{ id: string; outs: NatRuleOutputs }> {
  return reconcile(inputs, newRuleId(), inputs.adopt === true, undefined, null, ctx);
}

/** `update`: rewrites the owned rule in place (position kept). */
export async function updateNatRule(
  id: string,
  olds: NatRuleOutputs,
  news: NatRuleInputs,
  ctx?: ItemContext,
): Promise<{ outs: NatRuleOutputs }> {
  return {
    outs: (await reconcile(news, id, false, olds.priorMode, olds.adoptedFrom ?? null, ctx)).outs,
  };
}

/** `delete`: removes the owned rule; restores the prior mode when no owned rule remains. */
export async function deleteNatRule(
  id: string,
  props: NatRuleOutputs,
  ctx?: ItemContext,
): Promise<void> {
  const lbl = label(props);
  const pair = pairFor(ctx, () => openPair(props));
  const prior = props.adoptedFrom ?? null;
  const pAfter = await pair.primary.edit((draft) => {
    // An adopted rule goes back to what it was (in place); one the resource created goes away.
    const i = draft.natRules.findIndex((r) => ruleIdOf(r) === id);
    if (i >= 0 && prior) draft.natRules[i] = prior;
    else draft.natRules = draft.natRules.filter((r) => ruleIdOf(r) !== id);
    const stillOwned = draft.natRules.some((r) => ruleIdOf(r) !== undefined);
    if (!stillOwned && draft.natMode === props.mode && props.priorMode) {
      draft.natMode = props.priorMode as OutboundNatMode;
    }
  });
  const mode = pAfter.config.natMode;
  const syncs = pfSenseSyncs(pAfter.config.hasync, "nat");
  await convergeSecondary({
    primary: pAfter,
    pair,
    area: "nat",
    label: lbl,
    waitMs: props.syncWaitMs,
    inPlace: (cfg) =>
      !cfg.natRules.some((r) => ruleIdOf(r) === id) && (!syncs || cfg.natMode === mode),
    apply: (draft) => {
      const i = draft.natRules.findIndex((r) => ruleIdOf(r) === id);
      if (i >= 0 && prior && !prior.nosync) draft.natRules[i] = prior;
      else draft.natRules = draft.natRules.filter((r) => ruleIdOf(r) !== id);
      if (
        !draft.natRules.some((r) => ruleIdOf(r) !== undefined) &&
        draft.natMode === props.mode &&
        props.priorMode
      ) {
        draft.natMode = props.priorMode as OutboundNatMode;
      }
    },
  });
}

/** `read` (refresh): finds the rule by its marker on both nodes and reports drift per node. */
export async function readNatRule(
  id: string,
  props: NatRuleOutputs,
): Promise<{ id: string; props: Partial<NatRuleOutputs>; inputs?: Partial<NatRuleInputs> }> {
  const pair = openPair(props);
  const [p, s] = await readBoth(pair);
  const pr = ours(p.config, id);
  const sr = ours(s.config, id);
  if (!pr && !sr) return { id: "", props: {} };
  const want = desiredRule(props, id, pr);
  const expectedSecondary = deriveSecondary(only([want], props.mode));
  const drift = {
    primary: driftLines(
      secondaryDrift(only([want], props.mode), only(pr ? [pr] : [], p.config.natMode)),
    ),
    secondary: driftLines(
      secondaryDrift(expectedSecondary, only(sr ? [sr] : [], s.config.natMode)),
    ),
  };
  const observed: Partial<NatRuleOutputs> = pr
    ? { source: pr.source, target: pr.target, description: pr.descr }
    : {};
  const outs = { ...props, ...observed, drift };
  const inputs = refreshedInputs<NatRuleInputs>(outs, INPUT_KEYS);
  return { id, props: toPlainData(outs), inputs: toPlainData(inputs) };
}
