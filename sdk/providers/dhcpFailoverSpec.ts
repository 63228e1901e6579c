/**
 * DhcpFailover: inputs, outputs and the pure parts of its provider. The I/O half is
 * dhcpFailoverCrud.ts (the node addresses come from the nodes' interface settings, which is what
 * pfSense's own sync uses for the failover peer, §6.4 step 4).
 */
import { haError, isHaError, type DhcpdInterface, type KeaHa } from "../plan";
import {
  bothOrNeither,
  KEA6_HA_DEFAULT_PORT,
  KEA_HA_DEFAULT_PORT,
  refuseNodeLocal,
} from "./keaHaRules";
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
  /** Kea HA for DHCPv6 too (`kea6/ha`), on the same listener addresses. Default false. */
  keaDhcpv6?: boolean;
  /** Kea DHCPv6 HA: the primary's listener port (default 8766). */
  keaDhcpv6PrimaryPort?: number;
  /** Kea DHCPv6 HA: the secondary's listener port (default 8766). */
  keaDhcpv6SecondaryPort?: number;
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
  /** Kea DHCPv6 HA role on each node; "" when DHCPv6 HA is off. */
  dhcpv6PrimaryRole?: string;
  dhcpv6SecondaryRole?: string;
  /** Kea: each node's `kea6/ha` before DHCPv6 HA took it over (null = none). */
  priorKea6Primary?: KeaHa | null;
  priorKea6Secondary?: KeaHa | null;
  /** Kea: the DHCPv6 HA settings planned for each node (absent when off). */
  kea6Ha?: { primary: KeaHa; secondary: KeaHa };
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
    [
      "keaDhcpv6SecondaryPort",
      () =>
        bothOrNeither(
          ["keaDhcpv6PrimaryPort", news.keaDhcpv6PrimaryPort],
          ["keaDhcpv6SecondaryPort", news.keaDhcpv6SecondaryPort],
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
  for (const k of [
    "keaPrimaryPort",
    "keaSecondaryPort",
    "keaDhcpv6PrimaryPort",
    "keaDhcpv6SecondaryPort",
  ] as const) {
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
          fix: `give a port 1-65535 (default ${k.startsWith("keaDhcpv6") ? KEA6_HA_DEFAULT_PORT : KEA_HA_DEFAULT_PORT})`,
        }).message,
      });
    }
  }
  failures.push(...dhcpv6Problems(news, base));
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

/**
 * DHCPv6 HA's own rules: a boolean; its ports only with it; and a node's DHCPv6 listener never on
 * the DHCPv4 one's port (both listen on the same address: Kea's dhcp4 and dhcp6 servers each
 * open their own HA listener, services.inc `services_kea4_configure()` / `services_kea6_configure()`).
 */
function dhcpv6Problems(news: DhcpFailoverInputs, base: string): CheckFailure[] {
  const out: CheckFailure[] = [];
  const v6 = news.keaDhcpv6;
  if (containsUnknown(v6)) return out;
  if (v6 !== undefined && typeof v6 !== "boolean") {
    out.push({
      property: "keaDhcpv6",
      reason: haError({
        code: "E_INVALID_INPUT",
        field: `${base}.keaDhcpv6`,
        value: String(v6),
        message: "must be true or false",
        fix: "set keaDhcpv6: true for DHCPv6 HA, or leave it out",
      }).message,
    });
    return out;
  }
  for (const k of ["keaDhcpv6PrimaryPort", "keaDhcpv6SecondaryPort"] as const) {
    if (news[k] === undefined || v6 === true) continue;
    out.push({
      property: k,
      reason: haError({
        code: "E_KEA_HA",
        field: `${base}.${k}`,
        value: String(news[k]),
        message: "is a DHCPv6 HA port, but keaDhcpv6 is not set",
        fix: "set keaDhcpv6: true, or remove the port",
      }).message,
    });
  }
  if (v6 !== true) return out;
  for (const [node, p4, p6] of [
    ["primary", news.keaPrimaryPort, news.keaDhcpv6PrimaryPort],
    ["secondary", news.keaSecondaryPort, news.keaDhcpv6SecondaryPort],
  ] as const) {
    if (containsUnknown([p4, p6])) continue;
    const four = p4 ?? KEA_HA_DEFAULT_PORT;
    const six = p6 ?? KEA6_HA_DEFAULT_PORT;
    if (four !== six) continue;
    const k = node === "primary" ? "keaDhcpv6PrimaryPort" : "keaDhcpv6SecondaryPort";
    out.push({
      property: k,
      reason: haError({
        code: "E_KEA_HA",
        field: `${base}.${k}`,
        value: String(six),
        message: `the ${node}'s DHCPv6 HA listener would take the DHCPv4 one's port ${four} on the same address`,
        fix: `give the DHCPv6 listener its own port (default ${KEA6_HA_DEFAULT_PORT})`,
      }).message,
    });
  }
  return out;
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
    { field: "keaDhcpv6", old: olds.keaDhcpv6 ?? false, new: news.keaDhcpv6 ?? false },
    {
      field: "keaDhcpv6PrimaryPort",
      old: olds.keaDhcpv6PrimaryPort,
      new: news.keaDhcpv6PrimaryPort,
    },
    {
      field: "keaDhcpv6SecondaryPort",
      old: olds.keaDhcpv6SecondaryPort,
      new: news.keaDhcpv6SecondaryPort,
    },
    {
      field: "dnsServers",
      old: olds.dnsServers,
      new: news.dnsServers ?? (containsUnknown(news.vip) ? news.vip : [news.vip]),
    },
    { field: "drift", old: hasDrift(olds.drift), new: false },
  ]);
}
