/**
 * Address planning for IP aliases stacked on a CARP VIP (pfSense `virtualip/vip` entries with
 * `mode` `ipalias` and `interface` `_vip<uniqid of the CARP VIP>`): extra addresses of the VIP's
 * segment that move between the nodes with the VIP (interfaces.inc
 * `interface_ipalias_configure()` adds each one with the parent's `vhid`).
 */
import { haError } from "./errors";
import {
  familyName,
  formatAddress,
  formatNetwork,
  parseAddress,
  parseNetwork,
  requireHostOf,
  usableRange,
  type Network,
} from "./ipNet";
import type { Family } from "./model";

/** Most aliases one component plans on a VIP (pfSense has no limit; a guard against typos). */
export const MAX_STACKED_ADDRESSES = 1024;

/** Input of {@link planStackedAddresses}. */
export interface StackedAddressInput {
  /** The CARP VIP's network, CIDR (`10.0.100.0/24`); a host address with prefix is accepted. */
  network: string;
  /** The CARP VIP address the aliases are stacked on. */
  vip: string;
  /** The primary's own address on the interface. */
  primary: string;
  /** The secondary's own address on the interface. */
  secondary: string;
  /** Explicit alias addresses, in order (bare, or with the network's own prefix). */
  addresses?: string[];
  /**
   * How many aliases in all: the explicit ones first, the rest planned. Default: the number of
   * explicit addresses.
   */
  count?: number;
  /**
   * Planned addresses recorded earlier (state), kept while still valid so that an address once
   * planned never moves; new ones are planned only to fill up to `count`.
   */
  previous?: string[];
  /** Addresses held by other VIPs or interfaces on the nodes: never planned, refused if given. */
  taken?: { address: string; owner: string }[];
  /** Addresses the planner must leave free (DHCP pools, static hosts, a WAN gateway). */
  exclude?: string[];
  /** Field prefix for errors, e.g. `CarpIpAliases[vlan100-extra]`. Default `aliases`. */
  field?: string;
}

/** Result of {@link planStackedAddresses}: canonical addresses, explicit first. */
export interface StackedAddressPlan {
  family: Family;
  /** Network address and prefix of the segment (the aliases' `subnet_bits`). */
  network: string;
  prefix: number;
  addresses: string[];
  /** Which of `addresses` were planned (not given). */
  planned: boolean[];
}

/**
 * Plans the aliases. Explicit addresses are checked (parsable, the VIP's family, inside its
 * network and a usable host address, written with the network's prefix if with any, not a node
 * address, not the VIP, not taken, not twice). The others take, in order, the lowest free usable
 * addresses above the highest of VIP, primary and secondary, then the free ones between the
 * lowest and the highest of those three; never below the lowest of them, where a WAN block keeps
 * its upstream gateway (the "wan" layout: gateway .1, nodes .2 and .3, VIP .4, aliases .5, .6).
 *
 * Rejects: `E_INVALID_INPUT` (count not an integer 1-1024 or smaller than the explicit list),
 * `E_INVALID_ADDRESS`, `E_FAMILY_MISMATCH` (pfSense: "An IPv4 Virtual IP cannot have an IPv6 CARP
 * parent"), `E_ADDRESS_OUTSIDE_SUBNET`, `E_ADDRESS_RESERVED` (pfSense: "The network address
 * cannot be used for this VIP"), `E_MASK_MISMATCH`, `E_ADDRESS_CONFLICT` (a node address, the VIP,
 * another VIP's address, twice in the list) and `E_PREFIX_TOO_SMALL` (not enough free addresses).
 */
export function planStackedAddresses(input: StackedAddressInput): StackedAddressPlan {
  const base = input.field ?? "aliases";
  const net = parseNetwork(input.network, `${base}.network`);
  const explicit = input.addresses ?? [];
  if (!Array.isArray(explicit)) {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${base}.addresses`,
      value: String(explicit),
      message: "addresses must be a list of IP addresses",
      fix: 'give a list such as ["10.0.100.10", "10.0.100.11"], or only count',
    });
  }
  const count = input.count ?? explicit.length;
  if (!Number.isInteger(count) || count < 1 || count > MAX_STACKED_ADDRESSES) {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${base}.count`,
      value: String(input.count ?? explicit.length),
      message:
        input.count === undefined
          ? "no alias addresses were asked for"
          : `count must be a whole number from 1 to ${MAX_STACKED_ADDRESSES}`,
      fix: "give addresses, or count (how many addresses to plan), or both",
    });
  }
  if (count < explicit.length) {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${base}.count`,
      value: String(count),
      message: `count is smaller than the ${explicit.length} addresses given`,
      fix: `set count to at least ${explicit.length}, or leave it unset`,
    });
  }
  const host = (text: string, role: string): bigint => {
    const a = parseAddress(text, `${base}.${role}`);
    if (a.family !== net.family) {
      throw haError({
        code: "E_FAMILY_MISMATCH",
        field: `${base}.${role}`,
        value: text,
        message: `is ${familyName(a.family)} but the CARP VIP's network ${formatNetwork(net)} is ${familyName(net.family)}`,
        fix: `give ${familyName(net.family)} addresses of ${formatNetwork(net)}`,
      });
    }
    return a.value;
  };
  const vip = host(input.vip, "vip");
  const primary = host(input.primary, "primaryAddress");
  const secondary = host(input.secondary, "secondaryAddress");
  const roles = new Map<bigint, string>([
    [primary, "the primary's own address"],
    [secondary, "the secondary's own address"],
    [vip, "the CARP VIP it is stacked on"],
  ]);
  const taken = new Map<bigint, string>();
  for (const t of input.taken ?? []) {
    try {
      const a = parseAddress(t.address, `${base}.taken`);
      if (a.family === net.family && !taken.has(a.value)) taken.set(a.value, t.owner);
    } catch {
      // An address a node holds that does not parse cannot collide with one of ours.
    }
  }
  const excluded = new Set<bigint>();
  for (const [i, e] of (input.exclude ?? []).entries()) {
    const field = `${base}.exclude[${i}]`;
    const a = parseAddress(e, field);
    if (a.family === net.family) excluded.add(a.value);
  }

  const used = new Set<bigint>();
  const out: bigint[] = [];
  for (const [i, text] of explicit.entries()) {
    const field = `${base}.addresses[${i}]`;
    const a = parseAddress(text, field);
    const value = host(text, `addresses[${i}]`);
    if (a.prefix !== undefined && a.prefix !== net.prefix) {
      throw haError({
        code: "E_MASK_MISMATCH",
        field,
        value: text,
        message: `is written with /${a.prefix} but the CARP VIP's network is /${net.prefix} (pfSense stores an alias with the network's mask)`,
        fix: `write the bare address, or use /${net.prefix}`,
      });
    }
    requireHostOf(net, value, text, field);
    const conflict = roles.get(value) ?? taken.get(value);
    if (conflict !== undefined || used.has(value)) {
      throw haError({
        code: "E_ADDRESS_CONFLICT",
        field,
        value: text,
        message: `is already ${conflict ?? "in the list"}`,
        fix: "give each alias a free address of the VIP's network, or leave it out and set count to plan one",
      });
    }
    used.add(value);
    out.push(value);
  }
  const free = (v: bigint): boolean =>
    !roles.has(v) && !taken.has(v) && !used.has(v) && !excluded.has(v);
  const planned = out.map(() => false);
  // Kept from state first: an address once planned stays while it is still free.
  for (const text of input.previous ?? []) {
    if (out.length >= count) break;
    let v: bigint;
    try {
      v = host(text, "previous");
    } catch {
      continue;
    }
    if (!inside(net, v) || !free(v)) continue;
    used.add(v);
    out.push(v);
    planned.push(true);
  }
  const low = [vip, primary, secondary].reduce((a, b) => (b < a ? b : a));
  const high = [vip, primary, secondary].reduce((a, b) => (b > a ? b : a));
  const usable = usableRange(net);
  const candidates = function* (): Generator<bigint> {
    for (let v = high + 1n; v <= usable.last; v++) yield v;
    for (let v = low + 1n; v < high; v++) yield v;
  };
  if (out.length < count) {
    for (const v of candidates()) {
      if (out.length >= count) break;
      if (v < usable.first || !free(v)) continue;
      used.add(v);
      out.push(v);
      planned.push(true);
    }
  }
  if (out.length < count) {
    throw haError({
      code: "E_PREFIX_TOO_SMALL",
      field: `${base}.count`,
      value: String(count),
      message: `${formatNetwork(net)} has only ${out.length - explicit.length} free address(es) above ${formatAddress(net.family, low)} for planned aliases, ${count - explicit.length} asked for`,
      fix: "lower count, give the addresses explicitly, or shorten exclude",
    });
  }
  return {
    family: net.family,
    network: formatAddress(net.family, net.network),
    prefix: net.prefix,
    addresses: out.map((v) => formatAddress(net.family, v)),
    planned,
  };
}

function inside(net: Network, v: bigint): boolean {
  const u = usableRange(net);
  return v >= u.first && v <= u.last;
}
