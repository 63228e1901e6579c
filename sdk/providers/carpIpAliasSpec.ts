/**
 * CarpIpAliases: IP aliases stacked on one CARP VIP. Inputs, outputs and the pure parts of the
 * provider (planning, the records both nodes hold, check, diff). The I/O half is
 * carpIpAliasCrud.ts.
 *
 * What pfSense stores (RELENG_2_7_2 src/usr/local/pfSense/include/www/firewall_virtual_ip.inc
 * `saveVIP()`, the GUI's save path): for `mode` `ipalias` the entry holds `mode`, `interface`,
 * `uniqid` (its own `uniqid()`), `descr`, `type` (`single`: the GUI forces it for ipalias),
 * `subnet_bits` (the network's mask: "The mask must be the network's subnet mask") and `subnet`;
 * no vhid, advskew, advbase or password. Stacked on a CARP VIP, `interface` is
 * `_vip<uniqid of the CARP VIP>`, and interfaces.inc `interface_ipalias_configure()` adds the
 * address to the CARP VIP's real interface with the CARP VIP's `vhid`, so the alias is MASTER
 * or BACKUP with its CARP VIP.
 *
 * The secondary's view: rc.filter_synchronize `backup_vip_config_section()` sends an ipalias
 * whose interface contains `_vip` (it omits plain ones), and changes only advskew/advbase, which
 * an alias has none of: the secondary holds the very same entries, uniqids included
 * (design/pfsense-xmlrpc.md §6.4 step 3; the receiver does not keep its own stacked aliases, §5.1
 * step 7, so sync replaces them). {@link deriveSecondary} does exactly that.
 */
import { randomBytes } from "node:crypto";
import {
  haError,
  isHaError,
  MAX_STACKED_ADDRESSES,
  planStackedAddresses,
  type StackedAddressPlan,
  type VirtualIp,
} from "../plan";
import type { CheckFailure } from "./checkFailures";
import { endpointProblems, type EndpointInput } from "./endpointInputs";
import { diffFieldPairs, type FieldDiffResult, type FieldPair } from "./fieldDiff";
import { hasDrift, type NodeDrift } from "./nodeDrift";
import { resourceLabel } from "./resourceLabel";
import type { SyncedBy } from "./secondaryConvergence";
import { containsUnknown, isUnknown } from "./unknowns";
import { newUniqid } from "./vipIdentity";

/** Inputs of the CarpIpAliasesConfig resource (plain data; see the component for documentation). */
export interface CarpIpAliasInputs {
  primary: EndpointInput;
  secondary: EndpointInput;
  /** The component's name, for messages. */
  name: string;
  /** uniqid of the CARP VIP the aliases are stacked on. */
  vipUniqid: string;
  /** The CARP VIP's interface assignment name (`lan`, `opt2`). */
  vipInterface: string;
  /** The CARP VIP address. */
  vipAddress: string;
  /** The CARP VIP's prefix length (the aliases' `subnet_bits`). */
  subnetBits: number;
  /** The nodes' own addresses on the interface (the CarpVip's outputs). */
  primaryAddress: string;
  secondaryAddress: string;
  /** Explicit alias addresses, in order. */
  addresses?: string[];
  /** How many aliases in all (explicit first, the rest planned). Default: `addresses.length`. */
  count?: number;
  /** Addresses never to plan. */
  exclude?: string[];
  /** Description of every alias in pfSense's GUI. */
  description?: string;
  /** Bound on waiting for pfSense's own sync, ms. */
  syncWaitMs?: number;
  /** `project/stack` of the program, for Config History. */
  stack?: string;
}

/** Outputs (state): the inputs plus the aliases as the nodes hold them. */
export interface CarpIpAliasOutputs extends CarpIpAliasInputs {
  /** `_vip<vipUniqid>`: the `interface` of every alias. */
  parentInterface: string;
  /** The alias addresses, explicit first, then planned. */
  aliasAddresses: string[];
  /** pfSense's uniqid of each alias, in the order of `aliasAddresses`. */
  aliasUniqids: string[];
  /** Which of `aliasAddresses` were planned (kept across runs while free). */
  planned: boolean[];
  drift: NodeDrift;
  syncedBy: SyncedBy;
}

/** One alias of the set: its address and its own uniqid. */
export interface StackedAlias {
  address: string;
  uniqid: string;
}

const PROPERTIES = [
  "vipUniqid",
  "vipInterface",
  "vipAddress",
  "subnetBits",
  "primaryAddress",
  "secondaryAddress",
  "addresses",
  "count",
  "exclude",
  "description",
] as const;

export function aliasLabel(inp: { name?: string }): string {
  return resourceLabel("CarpIpAliases", inp);
}

/** The interface string of an alias stacked on the CARP VIP with this uniqid. */
export function parentInterfaceOf(vipUniqid: string): string {
  return `_vip${vipUniqid}`;
}

/** A fresh resource id (not stored on the nodes; each alias carries its own uniqid). */
export function newAliasSetId(): string {
  return `ipalias-${randomBytes(6).toString("hex")}`;
}

/**
 * Plans the addresses from the inputs: `previous` are the planned addresses in state, `taken`
 * what the nodes (and the program's other VIPs) hold. Throws the planner's errors.
 */
export function planAliases(
  inp: CarpIpAliasInputs,
  previous: string[] = [],
  taken: { address: string; owner: string }[] = [],
): StackedAddressPlan {
  const f = aliasLabel(inp);
  if (typeof inp.vipUniqid !== "string" || !/^[0-9a-f]{13}$/i.test(inp.vipUniqid)) {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${f}.vipUniqid`,
      value: String(inp.vipUniqid),
      message: "is not a CARP VIP uniqid (13 hexadecimal digits, as PHP's uniqid() makes it)",
      fix: "pass the CarpVip itself as vip (its uniqid output)",
    });
  }
  return planStackedAddresses({
    network: `${inp.vipAddress}/${inp.subnetBits}`,
    vip: inp.vipAddress,
    primary: inp.primaryAddress,
    secondary: inp.secondaryAddress,
    addresses: inp.addresses,
    count: inp.count,
    exclude: inp.exclude,
    previous,
    taken,
    field: f,
  });
}

/**
 * Pairs the planned addresses with uniqids: an address already in state keeps its uniqid, a new
 * one gets a fresh uniqid.
 */
export function assignUniqids(addresses: string[], prior: StackedAlias[] = []): StackedAlias[] {
  const byAddress = new Map(prior.map((a) => [a.address, a.uniqid]));
  return addresses.map((address) => ({ address, uniqid: byAddress.get(address) ?? newUniqid() }));
}

/** The alias record the primary holds (`existing` keeps members the library does not model). */
export function aliasRecord(
  inp: Pick<CarpIpAliasInputs, "vipUniqid" | "subnetBits" | "description">,
  a: StackedAlias,
  existing?: VirtualIp,
): VirtualIp {
  const v: VirtualIp = {
    mode: "ipalias",
    interface: parentInterfaceOf(inp.vipUniqid),
    uniqid: a.uniqid,
    descr: inp.description ?? existing?.descr ?? "",
    type: "single",
    subnet: a.address,
    subnetBits: inp.subnetBits,
  };
  if (existing?.extra !== undefined) v.extra = existing.extra;
  return v;
}

/** The aliases recorded in state. */
export function aliasesOf(o: Partial<CarpIpAliasOutputs>): StackedAlias[] {
  const addrs = o.aliasAddresses ?? [];
  const ids = o.aliasUniqids ?? [];
  return addrs.map((address, i) => ({ address, uniqid: ids[i] ?? "" })).filter((a) => a.uniqid);
}

/** The planned addresses recorded in state (kept across runs). */
export function plannedOf(o: Partial<CarpIpAliasOutputs>): string[] {
  const p = o.planned ?? [];
  return (o.aliasAddresses ?? []).filter((_, i) => p[i] === true);
}

function failureOf(e: unknown): CheckFailure {
  if (!isHaError(e)) throw e;
  const raw = ((e.field ?? "").split(".").pop() ?? "").replace(/\[\d+\]$/, "");
  const rename: Record<string, string> = { vip: "vipAddress", network: "vipAddress" };
  const last = rename[raw] ?? raw;
  return {
    property: (PROPERTIES as readonly string[]).includes(last) ? last : "",
    reason: e.message,
  };
}

/** Runs `validate`, turning a planner error into a check failure on its input property. */
export function collectAliasFailure(validate: () => void, out: CheckFailure[]): void {
  try {
    validate();
  } catch (e) {
    out.push(failureOf(e));
  }
}

/**
 * `check` without the nodes: endpoints; the list and count on their own (shape, duplicates,
 * range), even while the CARP VIP's outputs are unknown at a first preview; with them known,
 * the whole plan (family, network, node addresses, the VIP, room for `count`).
 */
export function checkCarpIpAliases(news: CarpIpAliasInputs): {
  inputs: CarpIpAliasInputs;
  failures: CheckFailure[];
} {
  const failures: CheckFailure[] = [
    ...endpointProblems(news.primary, "primary"),
    ...endpointProblems(news.secondary, "secondary"),
  ];
  const f = aliasLabel(news);
  const listKnown = !containsUnknown([news.addresses, news.count, news.exclude]);
  if (listKnown) {
    collectAliasFailure(() => {
      if (news.addresses !== undefined && !Array.isArray(news.addresses)) {
        throw haError({
          code: "E_INVALID_INPUT",
          field: `${f}.addresses`,
          value: String(news.addresses),
          message: "addresses must be a list of IP addresses",
          fix: 'give a list such as ["10.0.100.10"], or only count',
        });
      }
      const seen = new Set<string>();
      for (const [i, a] of (news.addresses ?? []).entries()) {
        if (isUnknown(a)) continue;
        if (seen.has(a)) {
          throw haError({
            code: "E_ADDRESS_CONFLICT",
            field: `${f}.addresses[${i}]`,
            value: a,
            message: "is in the list twice",
            fix: "give each alias its own address",
          });
        }
        seen.add(a);
      }
      // The count rules hold whatever the VIP's network is.
      countRules(news, f);
    }, failures);
  }
  const planKnown = !containsUnknown([
    news.vipUniqid,
    news.vipAddress,
    news.subnetBits,
    news.primaryAddress,
    news.secondaryAddress,
  ]);
  if (listKnown && planKnown && failures.length === 0) {
    collectAliasFailure(() => planAliases(news), failures);
  }
  return { inputs: news, failures };
}

/** The count/list rules alone (no network known yet). */
function countRules(news: CarpIpAliasInputs, f: string): void {
  const count = news.count ?? news.addresses?.length ?? 0;
  if (news.count === undefined && (news.addresses ?? []).length === 0) {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${f}.count`,
      value: "0",
      message: "no alias addresses were asked for",
      fix: "give addresses, or count (how many addresses to plan), or both",
    });
  }
  if (!Number.isInteger(count) || count < 1 || count > MAX_STACKED_ADDRESSES) {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${f}.count`,
      value: String(news.count),
      message: `count must be a whole number from 1 to ${MAX_STACKED_ADDRESSES}`,
      fix: "give how many addresses to stack on the VIP, e.g. 4",
    });
  }
  if (count < (news.addresses ?? []).length) {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${f}.count`,
      value: String(count),
      message: `count is smaller than the ${(news.addresses ?? []).length} addresses given`,
      fix: `set count to at least ${(news.addresses ?? []).length}, or leave it unset`,
    });
  }
}

/**
 * `diff`: the parent CARP VIP is the set's identity (its uniqid is in every alias's interface):
 * a new parent replaces the set, deleting first (the same addresses on two parents would
 * collide). Everything else updates in place: kept addresses keep their uniqid.
 */
export function diffCarpIpAliases(
  olds: CarpIpAliasOutputs,
  news: CarpIpAliasInputs,
): FieldDiffResult {
  const pairs: FieldPair[] = [
    { field: "vipUniqid", old: olds.vipUniqid, new: news.vipUniqid, identity: true },
    { field: "vipInterface", old: olds.vipInterface, new: news.vipInterface },
    { field: "vipAddress", old: olds.vipAddress, new: news.vipAddress },
    { field: "subnetBits", old: olds.subnetBits, new: news.subnetBits },
    { field: "primaryAddress", old: olds.primaryAddress, new: news.primaryAddress },
    { field: "secondaryAddress", old: olds.secondaryAddress, new: news.secondaryAddress },
    { field: "addresses", old: olds.addresses ?? [], new: news.addresses ?? [] },
    {
      field: "count",
      old: olds.count ?? olds.aliasAddresses.length,
      new: news.count ?? (Array.isArray(news.addresses) ? news.addresses.length : news.addresses),
    },
    { field: "exclude", old: olds.exclude ?? [], new: news.exclude ?? [] },
    { field: "description", old: olds.description ?? "", new: news.description ?? "" },
    { field: "primary", old: olds.primary, new: news.primary },
    { field: "secondary", old: olds.secondary, new: news.secondary },
    { field: "drift", old: hasDrift(olds.drift), new: false },
  ];
  return diffFieldPairs(pairs);
}
