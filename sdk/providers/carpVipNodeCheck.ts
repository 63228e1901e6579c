/**
 * CarpVip's `check` against the nodes: the interface, its subnet and family, the nodes' own
 * addresses, other VIPs' addresses and VHIDs on both nodes, the other CarpVips of the program,
 * and — with `adopt: true` — the hand-made VIP it would take over, shown in preview as the
 * `adopting` input (its current values, never its password).
 */
import type { VirtualIp } from "../plan";
import type { NodeState } from "../pfsense/types";
import { collectFailure, type CheckFailure } from "./checkFailures";
import type { CarpVipInputs } from "./carpVipSpec";
import {
  adoptableVip,
  assertAddressFree,
  claimedVipAt,
  assertVhidFree,
  vhidsInUse,
  planOnNodes,
} from "./carpVipNodeRules";
import { declareVip } from "./declaredVips";
import { isCreateCheck, readNodesForCheck } from "./nodeChecks";
import { resourceLabel } from "./resourceLabel";

/** What preview shows of a hand-made VIP that `adopt: true` takes over. */
export interface AdoptedVipPreview {
  uniqid: string;
  vhid?: number;
  advskew?: number;
  advbase?: number;
  description?: string;
}

const PROPERTIES = ["interface", "subnet", "address", "vhid", "skew", "unicast"];

function preview(v: VirtualIp): AdoptedVipPreview {
  const out: AdoptedVipPreview = { uniqid: v.uniqid as string };
  if (v.vhid !== undefined) out.vhid = v.vhid;
  if (v.advskew !== undefined) out.advskew = v.advskew;
  if (v.advbase !== undefined) out.advbase = v.advbase;
  if (v.descr !== undefined) out.description = v.descr;
  return out;
}

/** The rules; returns the VIP `adopt` would take over, if any. */
function rules(
  olds: Partial<CarpVipInputs>,
  news: CarpVipInputs,
  [p, s]: [NodeState, NodeState],
): VirtualIp | undefined {
  const lbl = resourceLabel("CarpVip", news);
  const { d } = planOnNodes(news, p, s, lbl);
  declareVip(lbl, {
    cluster: news.primary.url,
    interface: d.interface,
    address: d.address,
    vhid: news.vhid,
    skew: d.primaryAdvskew,
  });
  const creating = isCreateCheck(olds);
  const match =
    creating && news.adopt ? adoptableVip(p.config.virtualIps, d, news.vhid) : undefined;
  // A replacement is checked again as a create while the VIP it replaces is still on the node,
  // owned (claimed at diff) by this resource.
  const own = match ?? (creating ? claimedVipAt(p.config.virtualIps, d) : undefined);
  // An existing resource's own VIP sits at its old address with its old VHID: only a new
  // address or VHID can clash with someone else's.
  if (creating || (olds.address !== undefined && olds.address !== news.address)) {
    assertAddressFree(p.config.virtualIps, own, d, lbl);
  }
  if (news.vhid !== undefined && (creating || olds.vhid !== news.vhid)) {
    const inUse = vhidsInUse([p.config, s.config], d.interface, own?.uniqid);
    assertVhidFree(news.vhid, inUse, news, lbl);
  }
  return match;
}

/**
 * Runs the node rules for a CarpVip whose inputs are all known. Returns the check failures and
 * the inputs to record: with `adopting` set when a create takes over a hand-made VIP.
 */
export async function checkCarpVipOnNodes(
  olds: Partial<CarpVipInputs> & { adopting?: AdoptedVipPreview },
  news: CarpVipInputs,
): Promise<{ inputs: CarpVipInputs & { adopting?: AdoptedVipPreview }; failures: CheckFailure[] }> {
  const read = await readNodesForCheck(news);
  if (!read.nodes) return { inputs: news, failures: read.failures };
  const nodes = read.nodes;
  const failures: CheckFailure[] = [];
  let match: VirtualIp | undefined;
  collectFailure(() => (match = rules(olds, news, nodes)), PROPERTIES, failures, {
    vip: "address",
    advskew: "skew",
  });
  const adopting = match ? preview(match) : olds.adopting;
  return { inputs: adopting ? { ...news, adopting } : news, failures };
}
