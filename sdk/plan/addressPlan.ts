/**
 * Address planning for one HA interface: which addresses the primary, the secondary and the
 * CARP VIP (and, on a WAN block, the upstream gateway) take inside the interface's subnet.
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

/** Input of {@link planAddresses}. */
export interface AddressPlanInput {
  /** Interface network in CIDR form, IPv4 or IPv6 (`192.168.1.0/24`, `2001:db8:1::/64`). A host
   * address with a prefix (`192.168.1.7/24`) is accepted and normalised to its network. */
  subnet: string;
  /** `"wan"` (gateway + primary + secondary + VIP) or `"lan"` (primary + secondary + VIP).
   * Default `"lan"`. */
  layout?: "wan" | "lan";
  /** Explicit primary node address (bare, or with the subnet's own prefix). */
  primary?: string;
  /** Explicit secondary node address. */
  secondary?: string;
  /** Explicit CARP VIP address. */
  vip?: string;
  /** Explicit upstream gateway (wan layout only). */
  gateway?: string;
  /** Field prefix for error messages, e.g. `CarpVip[wan]`. Default `addresses`. */
  field?: string;
  /**
   * The caller's names for the slots in error fields (a CarpVip's VIP is its `address` input).
   * Default: the slot names `gateway`, `primary`, `secondary`, `vip`.
   */
  fieldNames?: Partial<Record<"gateway" | "primary" | "secondary" | "vip", string>>;
}

/** Result of {@link planAddresses}. Addresses are canonical text (RFC 5952 for IPv6). */
export interface AddressPlan {
  family: Family;
  /** Network address of the subnet. */
  network: string;
  /** Prefix length of the subnet; also the `subnet_bits` of the CARP VIP. */
  prefix: number;
  primary: string;
  secondary: string;
  vip: string;
  /** Upstream gateway (wan layout only). */
  gateway?: string;
}

type Slot = "gateway" | "primary" | "secondary" | "vip";

/**
 * Slot order per layout: slots without an explicit address take the lowest free usable
 * addresses in this order.
 *
 * - `wan`: gateway = first usable, primary = second, secondary = third, VIP = fourth
 *   (a /29 `203.0.113.0/29`: gateway .1, primary .2, secondary .3, VIP .4; .5-.6 stay free for
 *   extra IP aliases). The ISP's router conventionally holds the first address of a block.
 * - `lan`: VIP = first usable, primary = second, secondary = third (`192.168.1.0/24`: VIP .1,
 *   primary .2, secondary .3). This is the layout of the common pfSense HA guides: clients keep
 *   the familiar ".1" default gateway and DNS server, which after the move to HA is the address
 *   that survives a failover, while the nodes step aside to the next addresses.
 */
export const LAYOUT_SLOTS: Readonly<Record<"wan" | "lan", readonly Slot[]>> = {
  wan: ["gateway", "primary", "secondary", "vip"],
  lan: ["vip", "primary", "secondary"],
};

const ROLE_NAMES: Record<Slot, string> = {
  gateway: "gateway",
  primary: "primary node address",
  secondary: "secondary node address",
  vip: "CARP VIP",
};

/**
 * Plans the primary, secondary and VIP addresses (and the gateway for `layout: "wan"`) of one
 * interface. Explicit addresses take their slot; the other slots take the lowest usable
 * addresses not already taken, in the layout's order ({@link LAYOUT_SLOTS}).
 *
 * Rejects (all {@link PfSenseHaError}): `E_INVALID_ADDRESS` (unparsable), `E_INVALID_INPUT`
 * (subnet without prefix, gateway on a lan layout), `E_PREFIX_TOO_SMALL` (fewer usable addresses
 * than slots: IPv4 /30-/32 for either layout; IPv6 /126-/128 for wan and /127-/128 for lan,
 * because the all-zero subnet-router anycast address is not usable), `E_FAMILY_MISMATCH`,
 * `E_ADDRESS_OUTSIDE_SUBNET`, `E_ADDRESS_RESERVED` (IPv4 network/broadcast, IPv6 subnet-router
 * anycast), `E_MASK_MISMATCH` (an explicit address written with another prefix) and
 * `E_ADDRESS_CONFLICT` (one address in two roles, including a VIP equal to a node address).
 */
export function planAddresses(input: AddressPlanInput): AddressPlan {
  const base = input.field ?? "addresses";
  const layout = input.layout ?? "lan";
  if (layout !== "wan" && layout !== "lan") {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${base}.layout`,
      value: String(layout),
      message: "unknown address layout",
      fix: 'use "wan" or "lan"',
    });
  }
  const net = parseNetwork(input.subnet, `${base}.subnet`);
  const slots = LAYOUT_SLOTS[layout];
  const usable = usableRange(net);
  if (usable.count < BigInt(slots.length)) {
    throw haError({
      code: "E_PREFIX_TOO_SMALL",
      field: `${base}.subnet`,
      value: input.subnet,
      message:
        `a /${net.prefix} ${familyName(net.family)} subnet has ${usable.count} usable ` +
        `address(es) but the ${layout} layout needs ${slots.length} (${slots.join(", ")})`,
      fix:
        net.family === 4
          ? "use a /29 or larger subnet"
          : `use a /${layout === "wan" ? 125 : 126} or larger subnet`,
    });
  }
  if (layout === "lan" && input.gateway !== undefined) {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${base}.gateway`,
      value: input.gateway,
      message: "a gateway is planned only for the wan layout",
      fix: 'drop gateway, or set layout: "wan"',
    });
  }

  const taken = new Map<bigint, Slot>();
  const chosen: Partial<Record<Slot, bigint>> = {};
  for (const slot of slots) {
    const text = input[slot];
    if (text === undefined) continue;
    const field = `${base}.${input.fieldNames?.[slot] ?? slot}`;
    const value = checkExplicit(text, net, field);
    const other = taken.get(value);
    if (other !== undefined) throw conflict(field, slot, other, text);
    taken.set(value, slot);
    chosen[slot] = value;
  }
  let cursor = usable.first;
  for (const slot of slots) {
    if (chosen[slot] !== undefined) continue;
    while (taken.has(cursor)) cursor++;
    // Enough usable addresses exist (checked above), so the cursor never passes usable.last.
    taken.set(cursor, slot);
    chosen[slot] = cursor;
  }

  const fmt = (v: bigint | undefined) => formatAddress(net.family, v as bigint);
  const plan: AddressPlan = {
    family: net.family,
    network: fmt(net.network),
    prefix: net.prefix,
    primary: fmt(chosen.primary),
    secondary: fmt(chosen.secondary),
    vip: fmt(chosen.vip),
  };
  if (layout === "wan") plan.gateway = fmt(chosen.gateway);
  return plan;
}

/**
 * Checks that a CARP VIP's `subnet_bits` equals its interface's prefix length. pfSense binds the
 * VIP with that mask; a different mask installs a second, conflicting route for the segment and
 * the VIP may answer for the wrong network. Throws `E_MASK_MISMATCH`.
 */
export function checkVipMask(
  vipSubnetBits: number,
  interfaceSubnetBits: number,
  field = "CarpVip.subnetBits",
): void {
  if (vipSubnetBits !== interfaceSubnetBits) {
    throw haError({
      code: "E_MASK_MISMATCH",
      field,
      value: `/${vipSubnetBits}`,
      message: `the CARP VIP mask differs from the interface's subnet /${interfaceSubnetBits}`,
      fix: `use subnetBits ${interfaceSubnetBits}, the interface's own prefix length`,
    });
  }
}

/** Parses one explicit address and checks it can be a host address of `net`. */
function checkExplicit(text: string, net: Network, field: string): bigint {
  const a = parseAddress(text, field);
  if (a.family !== net.family) {
    throw haError({
      code: "E_FAMILY_MISMATCH",
      field,
      value: text,
      message: `is ${familyName(a.family)} but the subnet ${formatNetwork(net)} is ${familyName(net.family)}`,
      fix: `give an ${familyName(net.family)} address inside ${formatNetwork(net)}`,
    });
  }
  if (a.prefix !== undefined && a.prefix !== net.prefix) {
    throw haError({
      code: "E_MASK_MISMATCH",
      field,
      value: text,
      message: `is written with /${a.prefix} but the interface subnet is /${net.prefix}`,
      fix: `write the bare address, or use /${net.prefix}`,
    });
  }
  requireHostOf(net, a.value, text, field);
  return a.value;
}

function conflict(field: string, slot: Slot, other: Slot, text: string) {
  const vipVsNode =
    (slot === "vip" || other === "vip") && slot !== "gateway" && other !== "gateway";
  return haError({
    code: "E_ADDRESS_CONFLICT",
    field,
    value: text,
    message: vipVsNode
      ? `the CARP VIP equals the ${ROLE_NAMES[slot === "vip" ? other : slot]}; the VIP must be an address of its own that moves between the nodes`
      : `is already used as the ${ROLE_NAMES[other]}`,
    fix: `give the ${ROLE_NAMES[slot]} an address different from the ${ROLE_NAMES[other]}`,
  });
}
