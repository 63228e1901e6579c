/**
 * OutboundNatRule's `check` against the nodes: the interface, the source against the nodes' own
 * addresses, the target against the CARP VIPs on the nodes and those the program declares, and
 * a hand-made twin a create would clash with (unless `adopt: true`). A target still unknown at
 * preview (its CarpVip is being created) is checked at `up`; the source is checked now.
 */
import { haError, type VirtualIp } from "../plan";
import { collectFailure, type CheckFailure } from "./checkFailures";
import { declaredVipsOn } from "./declaredVips";
import { checkNatOnNodes, unmanagedTwin } from "./natRuleNodeRules";
import type { NatRuleInputs } from "./natRuleSpec";
import { isCreateCheck, readNodesForCheck } from "./nodeChecks";
import { resourceLabel } from "./resourceLabel";
import { containsUnknown } from "./unknowns";

const PROPERTIES = ["interface", "source", "target", "destination"];

/** A documentation address standing in for a target not known yet (only the source is judged). */
const PLACEHOLDER_TARGET = "192.0.2.1";

/** What preview shows of a hand-made rule that `adopt: true` takes over. */
export interface AdoptedRulePreview {
  interface: string;
  source: string;
  target: string;
  description?: string;
}

/**
 * Runs the node rules when the interface and source are known: the failures found, and the
 * hand-made rule a create with `adopt: true` takes over.
 */
export async function checkNatRuleOnNodes(
  olds: Partial<NatRuleInputs>,
  news: NatRuleInputs,
): Promise<{ failures: CheckFailure[]; adopting?: AdoptedRulePreview }> {
  if (containsUnknown([news.primary, news.secondary, news.interface, news.source])) {
    return { failures: [] };
  }
  const read = await readNodesForCheck(news);
  if (!read.nodes) return { failures: read.failures };
  const [p, s] = read.nodes;
  const targetKnown = !containsUnknown(news.target);
  const inp = targetKnown ? news : { ...news, target: PLACEHOLDER_TARGET };
  const declared = declaredVipsOn(news.primary.url, news.interface);
  const stand: VirtualIp = {
    mode: "carp",
    interface: news.interface,
    type: "single",
    subnet: PLACEHOLDER_TARGET,
    subnetBits: 32,
  };
  const planned = targetKnown ? declared : [...declared, stand];
  const failures: CheckFailure[] = [];
  const creating = targetKnown && isCreateCheck(olds);
  collectFailure(
    () => {
      checkNatOnNodes(inp, p, s, planned);
      if (creating && !news.adopt) refuseTwin(news, p.config.natRules);
    },
    PROPERTIES,
    failures,
  );
  const twin =
    creating && news.adopt ? p.config.natRules[unmanagedTwin(p.config.natRules, news)] : undefined;
  if (!twin) return { failures };
  const adopting: AdoptedRulePreview = {
    interface: twin.interface,
    source: twin.source,
    target: twin.target,
  };
  if (twin.descr !== undefined) adopting.description = twin.descr;
  return { failures, adopting };
}

function refuseTwin(news: NatRuleInputs, rules: Parameters<typeof unmanagedTwin>[0]): void {
  const i = unmanagedTwin(rules, news);
  if (i < 0) return;
  throw haError({
    code: "E_INVALID_INPUT",
    field: resourceLabel("OutboundNatRule", news),
    value: `${news.source} → ${news.target}`,
    message: `an outbound rule made outside this stack already translates this source on ${news.interface}${rules[i].descr ? ` ("${rules[i].descr}")` : ""}`,
    fix: "set adopt: true to take it over (it is given back as it was on delete), or remove that rule",
  });
}
