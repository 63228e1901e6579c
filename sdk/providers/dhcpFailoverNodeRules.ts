/**
 * What DhcpFailover must satisfy against the nodes' config, shared by `check` (preview, nothing
 * written) and the reconcile: static IPv4 addresses on both nodes, the CARP VIP it hands out,
 * the planner's range and peer rules, and the interface's static mappings on either node.
 */
import { haError, planDhcpFailover, type DhcpdInterface, type VirtualIp } from "../plan";
import { leaf, toList, toStruct, type PhpValue } from "../codec/phpValue";
import type { NodeState } from "../pfsense/types";
import { sameAddress } from "./addressText";
import type { DhcpFailoverInputs } from "./dhcpFailoverSpec";
import { resourceLabel } from "./resourceLabel";

/** The interface's static mappings (`staticmap`, kept as read among the entry's extras). */
export function staticMaps(d: DhcpdInterface | undefined): { address: string; name?: string }[] {
  return toList(d?.extra?.staticmap as PhpValue | undefined).flatMap((m) => {
    const s = toStruct(m);
    const address = leaf(s.ipaddr);
    if (address === "") return [];
    const name = leaf(s.hostname) || leaf(s.descr) || leaf(s.mac);
    return [name ? { address, name } : { address }];
  });
}

/**
 * Plans both nodes' entries from the inputs and what the nodes hold (addresses, VIP skew). On the
 * Kea backend the ISC failover peer is not written (Kea ignores and hides it, §8.6) and the VIP's
 * skew does not matter (Kea HA's role is set per node, keaHaRules.ts).
 */
export function planDhcpOnNodes(
  inp: DhcpFailoverInputs,
  p: NodeState,
  s: NodeState,
  plannedVips: VirtualIp[] = [],
  backend: "isc" | "kea" = "isc",
): { primary: DhcpdInterface; secondary: DhcpdInterface } {
  const lbl = resourceLabel("DhcpFailover", inp);
  const pi = p.config.interfaces[inp.interface];
  const si = s.config.interfaces[inp.interface];
  if (!pi?.ipaddr || pi.subnet === undefined || !si?.ipaddr) {
    throw haError({
      code: "E_DHCP_PEER",
      field: `${lbl}.interface`,
      value: inp.interface,
      message: "the interface needs a static IPv4 address on both nodes for DHCP failover",
      fix: "assign static addresses on both nodes",
    });
  }
  const vip = [...plannedVips, ...p.config.virtualIps].find(
    (v) => v.mode === "carp" && v.interface === inp.interface && sameAddress(v.subnet, inp.vip),
  );
  if (!vip) {
    throw haError({
      code: "E_DHCP_PEER",
      field: `${lbl}.vip`,
      value: inp.vip,
      message: `no CARP VIP with this address on ${inp.interface} on the primary; dhcpd picks its failover role from that VIP's skew`,
      fix: "create the CarpVip first (pass the CarpVip object as vip)",
    });
  }
  const plan = planDhcpFailover({
    interface: inp.interface,
    subnet: `${pi.ipaddr}/${pi.subnet}`,
    primaryAddress: pi.ipaddr,
    secondaryAddress: si.ipaddr,
    vip: inp.vip,
    rangeFrom: inp.rangeFrom,
    rangeTo: inp.rangeTo,
    gateway: inp.gateway,
    dnsServers: inp.dnsServers,
    primarySkew: backend === "kea" ? 0 : (vip.advskew ?? 0),
    staticMaps: [
      ...staticMaps(p.config.dhcpd[inp.interface]),
      ...staticMaps(s.config.dhcpd[inp.interface]),
    ],
    field: lbl,
  });
  if (backend === "kea") {
    delete plan.primary.failoverPeerIp;
    delete plan.secondary.failoverPeerIp;
  }
  return plan;
}
