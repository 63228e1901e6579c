/**
 * ClusterHaConfig's `check` against the nodes: every item through its own kind's node rules
 * (carpVipNodeCheck, natRuleNodeCheck, dhcpFailoverNodeCheck), so an aggregate's bad item fails
 * at preview like a standalone resource's. The items' VIPs are declared like CarpVips', so they
 * clash with the program's other VIPs too; a reference to a VIP not planned yet is judged by
 * what is known (the NAT source; the interface's one declared VIP for DHCP).
 */
import { checkCarpVipOnNodes } from "./carpVipNodeCheck";
import type { CheckFailure } from "./checkFailures";
import {
  carpVipInputs,
  checkedRef,
  dhcpInputs,
  itemFailures,
  natInputs,
  type ClusterHaInputs,
} from "./clusterHaSpec";
import { checkDhcpFailoverOnNodes } from "./dhcpFailoverNodeCheck";
import { checkNatRuleOnNodes } from "./natRuleNodeCheck";
import { UNKNOWN } from "./unknowns";

/** The node rules of every item; `olds` are the aggregate's previous inputs (empty on create). */
export async function checkClusterHaOnNodes(
  olds: Partial<ClusterHaInputs>,
  a: ClusterHaInputs,
): Promise<CheckFailure[]> {
  const failures: CheckFailure[] = [];
  for (const key of Object.keys(a.carpVips)) {
    const had = olds.carpVips?.[key] !== undefined;
    const old = had ? carpVipInputs({ ...a, ...olds } as ClusterHaInputs, key) : {};
    const r = await checkCarpVipOnNodes(old, carpVipInputs(a, key));
    failures.push(...itemFailures("carpVips", key, r.failures));
  }
  for (const key of Object.keys(a.outboundNat)) {
    const target = checkedRef(a, a.outboundNat[key].target) ?? UNKNOWN;
    const old =
      olds.outboundNat?.[key] !== undefined ? { interface: a.outboundNat[key].interface } : {};
    const found = await checkNatRuleOnNodes(old, natInputs(a, key, target));
    failures.push(...itemFailures("outboundNat", key, found.failures));
  }
  for (const key of Object.keys(a.dhcpFailover)) {
    const vip = checkedRef(a, a.dhcpFailover[key].vip) ?? UNKNOWN;
    const found = await checkDhcpFailoverOnNodes(dhcpInputs(a, key, vip));
    failures.push(...itemFailures("dhcpFailover", key, found));
  }
  return failures;
}
