/**
 * DhcpFailover: inputs, outputs and the pure parts of its provider. The I/O half is
 * dhcpFailoverCrud.ts (the node addresses come from the nodes' interface settings, which is what
 * pfSense's own sync uses for the failover peer, §6.4 step 4).
 */
import { haError, isHaError, type DhcpdInterface, type KeaHa } from "../plan";
import { bothOrNeither, refuseNodeLocal } from "./keaHaRules";
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
  /** Kea HA: the primary's HA listener address (default: its address on the interface). */
  keaPrimaryAddress?: string;
  /** Kea HA: the secondary's HA listener address (default: its address on the interface). */
  keaSecondaryAddress?: string;
  /** Kea HA: the primary's HA listener port (default 8765). */
  keaPrimaryPort?: number;
  /** Kea HA: the secondary's HA listener port (default 8765). */
  keaSecondaryPort?: number;
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
  /** `isc` or `kea`: the DHCP backend both nodes run (absent in state written before). */
  dhcpBackend?: "isc" | "kea";
  /** Kea HA role on the primary (`primary`) and the secondary (`standby`); "" on ISC. */
  primaryRole?: string;
  secondaryRole?: string;
  /** Kea: each node's `kea/ha` before the resource took it over (null = none). */
  priorKeaPrimary?: KeaHa | null;
  priorKeaSecondary?: KeaHa | null;
  /** Kea: the HA settings planned for each node (drift is measured against them). */
  keaHa?: { primary: KeaHa; secondary: KeaHa };
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
  for (const [prop, rule] of [
    ["", () => refuseNodeLocal(news as unknown as Record<string, unknown>, base)],
    [
      "keaSecondaryAddress",
      () =>
        bothOrNeither(
          ["keaPrimaryAddress", news.keaPrimaryAddress],
          ["keaSecondaryAddress", news.keaSecondaryAddress],
          base,
        ),
    ],
    [
      "keaSecondaryPort",
      () =>
        bothOrNeither(
          ["keaPrimaryPort", news.keaPrimaryPort],
          ["keaSecondaryPort", news.keaSecondaryPort],
          base,
        ),
    ],
  ] as const) {
    try {
      rule();
    } catch (e) {
      if (!isHaError(e)) throw e;
      failures.push({ property: prop, reason: e.message });
    }
  }
  for (const k of ["keaPrimaryPort", "keaSecondaryPort"] as const) {
    const v = news[k];
    if (v === undefined || containsUnknown(v)) continue;
    if (!Number.isInteger(v) || v < 1 || v > 65535) {
      failures.push({
        property: k,
        reason: haError({
          code: "E_KEA_HA",
          field: `${base}.${k}`,
          value: String(v),
          message: "not a TCP port",
          fix: "give a port 1-65535 (default 8765)",
        }).message,
      });
    }
  }
  for (const k of ["keaPrimaryAddress", "keaSecondaryAddress"] as const) {
    const v = news[k];
    if (v === undefined || containsUnknown(v) || addressFamily(v) !== undefined) continue;
    failures.push({
      property: k,
      reason: haError({
        code: "E_INVALID_ADDRESS",
        field: `${base}.${k}`,
        value: String(v),
        message: "not an IP address (Kea HA peers are addressed by IP)",
        fix: "give the node's own address, never the CARP VIP",
      }).message,
    });
  }
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
    { field: "keaPrimaryAddress", old: olds.keaPrimaryAddress, new: news.keaPrimaryAddress },
    { field: "keaSecondaryAddress", old: olds.keaSecondaryAddress, new: news.keaSecondaryAddress },
    { field: "keaPrimaryPort", old: olds.keaPrimaryPort, new: news.keaPrimaryPort },
    { field: "keaSecondaryPort", old: olds.keaSecondaryPort, new: news.keaSecondaryPort },
    {
      field: "dnsServers",
      old: olds.dnsServers,
      new: news.dnsServers ?? (containsUnknown(news.vip) ? news.vip : [news.vip]),
    },
    { field: "drift", old: hasDrift(olds.drift), new: false },
  ]);
}
