/**
 * What an OutboundNatRule must satisfy against the nodes' config, shared by `check` (preview,
 * nothing written) and the reconcile: the interface exists, the source excludes the nodes' own
 * addresses there, the target is a CARP VIP on it; and the hand-made rule a create would clash
 * with (or adopt).
 */
import { checkOutboundNatRule, haError, type OutboundNatRule, type VirtualIp } from "../plan";
import type { NodeState } from "../pfsense/types";
import { addressFamily, sameAddress } from "./addressText";
import { desiredRule, ruleIdOf, type NatRuleInputs } from "./natRuleSpec";
import { resourceLabel } from "./resourceLabel";

/** Full NAT safety check with the nodes' real addresses and VIPs (planner rules). */
export function checkNatOnNodes(
  inp: NatRuleInputs,
  p: NodeState,
  s: NodeState,
  plannedVips: VirtualIp[] = [],
): void {
  const addrs = [p, s]
    .map((n) => n.config.interfaces[inp.interface])
    .flatMap((i) => (i ? [i.ipaddr, i.ipaddrv6] : []))
    .filter((a): a is string => a !== undefined && addressFamily(a) !== undefined);
  if (!p.config.interfaces[inp.interface]) {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${resourceLabel("OutboundNatRule", inp)}.interface`,
      value: inp.interface,
      message: "no such interface on the primary",
      fix: `use one of ${Object.keys(p.config.interfaces).join(", ")}`,
    });
  }
  checkOutboundNatRule(desiredRule(inp, "check"), {
    wanNodeAddresses: addrs,
    carpVips: [...p.config.virtualIps, ...plannedVips],
    field: resourceLabel("OutboundNatRule", inp),
  });
}

/** The index of an unmanaged rule translating the same source on the interface to the same VIP. */
export function unmanagedTwin(rules: OutboundNatRule[], inp: NatRuleInputs): number {
  return rules.findIndex(
    (r) =>
      ruleIdOf(r) === undefined &&
      r.interface === inp.interface &&
      r.source === inp.source &&
      sameAddress(r.target, inp.target),
  );
}

/** The refusal of a create whose rule a hand-made one already is (without `adopt: true`). */
export function twinClash(inp: NatRuleInputs, twin: OutboundNatRule) {
  return haError({
    code: "E_INVALID_INPUT",
    field: resourceLabel("OutboundNatRule", inp),
    value: `${inp.source} → ${inp.target}`,
    message: `an outbound rule made outside this stack already translates this source on ${inp.interface}${twin.descr ? ` ("${twin.descr}")` : ""}`,
    fix: "set adopt: true to take it over (it is given back as it was on delete), or remove that rule",
  });
}
