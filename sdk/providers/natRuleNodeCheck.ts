/**
 * OutboundNatRule's `check` against the nodes: the interface, the source against the nodes' own
 * addresses, the target against the CARP VIPs on the nodes and those the program declares, and
 * a hand-made twin a create would clash with (unless `adopt: true`). A target still unknown at
 * preview (its CarpVip is being created) is checked at `up`; the source is checked now.
 */
import type { VirtualIp } from "../plan";
import { collectFailure, type CheckFailure } from "./checkFailures";
import { declaredVipsOn } from "./declaredVips";
import { checkNatOnNodes, twinClash, unmanagedTwin } from "./natRuleNodeRules";
import type { NatRuleInputs } from "./natRuleSpec";
import { isCreateCheck, readNodesForCheck } from "./nodeChecks";
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
  const twin = creating ? p.config.natRules[unmanagedTwin(p.config.natRules, news)] : undefined;
  collectFailure(
    () => {
      checkNatOnNodes(inp, p, s, planned);
      if (twin && !news.adopt) throw twinClash(news, twin);
    },
    PROPERTIES,
    failures,
  );
  if (!twin || !news.adopt) return { failures };
  const adopting: AdoptedRulePreview = {
    interface: twin.interface,
    source: twin.source,
    target: twin.target,
  };
  if (twin.descr !== undefined) adopting.description = twin.descr;
  return { failures, adopting };
}
