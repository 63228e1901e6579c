/**
 * DhcpFailover: inputs, outputs and the pure parts of its provider. The I/O half is
 * dhcpFailoverCrud.ts (the node addresses come from the nodes' interface settings, which is what
 * pfSense's own sync uses for the failover peer, §6.4 step 4).
 */
import { haError, type DhcpdInterface } from "../plan";
import { addressFamily } from "./addressText";
import type { CheckFailure } from "./checkFailures";
import { endpointProblems, type EndpointInput } from "./endpointInputs";
import { diffFieldPairs, type FieldDiffResult } from "./fieldDiff";
import { hasDrift, type NodeDrift } from "./nodeDrift";
import type { SyncedBy } from "./secondaryConvergence";
import { containsUnknown } from "./unknowns";

/** Inputs of the DhcpFailover dynamic resource. */
export interface DhcpFailoverInputs {
  primary: EndpointInput;
  secondary: EndpointInput;
  name: string;
  interface: string;
  /** The interface's CARP VIP address. */
  vip: string;
  rangeFrom: string;
  rangeTo: string;
  dnsServers?: string[];
  gateway?: string;
  syncWaitMs?: number;
  /** `project/stack` of the program, for Config History (absent in state written before). */
  stack?: string;
}

/** Outputs (state) of the DhcpFailover dynamic resource. */
export interface DhcpFailoverOutputs extends DhcpFailoverInputs {
  gateway: string;
  dnsServers: string[];
  /** failover peer configured on the primary (= the secondary's interface address). */
  primaryPeer: string;
  /** failover peer configured on the secondary (= the primary's interface address). */
  secondaryPeer: string;
  /** Each node's dhcpd settings on the interface before the resource took them over. */
  priorPrimary: DhcpdInterface | null;
  priorSecondary: DhcpdInterface | null;
  drift: NodeDrift;
  syncedBy: SyncedBy;
}

/** `check`: shapes only (the planner's range/peer/skew rules need the nodes; they run at apply). */
export function checkDhcpFailover(news: DhcpFailoverInputs): {
  inputs: DhcpFailoverInputs;
  failures: CheckFailure[];
} {
  const failures: CheckFailure[] = [
    ...endpointProblems(news.primary, "primary"),
    ...endpointProblems(news.secondary, "secondary"),
  ];
  const base = `DhcpFailover[${news.name}]`;
  for (const k of ["vip", "rangeFrom", "rangeTo", "gateway"] as const) {
    const v = news[k];
    if (v === undefined || containsUnknown(v)) continue;
    if (addressFamily(v) !== 4) {
      failures.push({
        property: k,
        reason: haError({
          code: addressFamily(v) === 6 ? "E_FAMILY_MISMATCH" : "E_INVALID_ADDRESS",
          field: `${base}.${k}`,
          value: String(v),
          message: "not an IPv4 address (ISC DHCP failover is IPv4 only)",
          fix: "give an IPv4 address in the interface's subnet",
        }).message,
      });
    }
  }
  if (
    news.dnsServers !== undefined &&
    !containsUnknown(news.dnsServers) &&
    news.dnsServers.length > 4
  ) {
    failures.push({
      property: "dnsServers",
      reason: haError({
        code: "E_INVALID_INPUT",
        field: `${base}.dnsServers`,
        value: String(news.dnsServers.length),
        message: "pfSense hands out at most 4 DNS servers",
        fix: "list at most 4",
      }).message,
    });
  }
  return { inputs: news, failures };
}

/** `diff`: the interface is identity (a replace, deleting first); the rest in place. */
export function diffDhcpFailover(
  olds: DhcpFailoverOutputs,
  news: DhcpFailoverInputs,
): FieldDiffResult {
  return diffFieldPairs([
    { field: "interface", old: olds.interface, new: news.interface, identity: true },
    { field: "primary", old: olds.primary, new: news.primary },
    { field: "secondary", old: olds.secondary, new: news.secondary },
    { field: "vip", old: olds.vip, new: news.vip },
    { field: "rangeFrom", old: olds.rangeFrom, new: news.rangeFrom },
    { field: "rangeTo", old: olds.rangeTo, new: news.rangeTo },
    { field: "gateway", old: olds.gateway, new: news.gateway ?? news.vip },
    {
      field: "dnsServers",
      old: olds.dnsServers,
      new: news.dnsServers ?? (containsUnknown(news.vip) ? news.vip : [news.vip]),
    },
    { field: "drift", old: hasDrift(olds.drift), new: false },
  ]);
}
