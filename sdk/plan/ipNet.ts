/**
 * Address arithmetic shared by the planners: parsing with `ip-address`, and addresses as bigints
 * so IPv4 and IPv6 share one code path. Internal to sdk/plan (not re-exported).
 */
import { Address4, Address6 } from "ip-address";
import { haError, isHaError } from "./errors";
import type { Family } from "./model";

/** A parsed address (host bits kept) with the prefix it was written with, if any. */
export interface ParsedAddress {
  family: Family;
  value: bigint;
  /** Prefix length written after `/`, or undefined when the text had none. */
  prefix?: number;
}

/** A network: address with host bits cleared, and its prefix. */
export interface Network {
  family: Family;
  network: bigint;
  prefix: number;
}

/** Address width in bits for a family. */
export function familyBits(family: Family): number {
  return family === 4 ? 32 : 128;
}

/**
 * Parses `text` (IPv4 dotted quad or IPv6, optional `/prefix`) or throws `E_INVALID_ADDRESS`.
 * IPv6 zone ids (`%eth0`) are refused: pfSense config fields never carry them.
 */
export function parseAddress(text: string, field: string): ParsedAddress {
  const bad = (why: string) =>
    haError({
      code: "E_INVALID_ADDRESS",
      field,
      value: String(text),
      message: `is not a valid IP address (${why})`,
      fix: "give an IPv4 address such as 192.168.1.10 or an IPv6 address such as 2001:db8::10",
    });
  if (typeof text !== "string" || text.trim() !== text || text === "") throw bad("empty or padded");
  const hasPrefix = text.includes("/");
  try {
    if (text.includes(":")) {
      const a = new Address6(text);
      if (a.zone) throw bad("zone ids are not allowed");
      return { family: 6, value: a.bigInt(), prefix: hasPrefix ? a.subnetMask : undefined };
    }
    const a = new Address4(text);
    return { family: 4, value: a.bigInt(), prefix: hasPrefix ? a.subnetMask : undefined };
  } catch (e) {
    if (isHaError(e)) throw e;
    throw bad(e instanceof Error ? e.message.replace(/\.$/, "") : "unparsable");
  }
}

/** Parses a CIDR (`192.168.1.0/24`; a host address with prefix is normalised to its network). */
export function parseNetwork(text: string, field: string): Network {
  const a = parseAddress(text, field);
  if (a.prefix === undefined) {
    throw haError({
      code: "E_INVALID_INPUT",
      field,
      value: text,
      message: "a subnet needs a prefix length",
      fix: `write it in CIDR form, e.g. ${a.family === 4 ? "192.168.1.0/24" : "2001:db8:1::/64"}`,
    });
  }
  const width = familyBits(a.family);
  const hostBits = BigInt(width - a.prefix);
  const network = (a.value >> hostBits) << hostBits;
  return { family: a.family, network, prefix: a.prefix };
}

/** Number of addresses in the network (2^host bits). */
export function networkSize(net: Network): bigint {
  return 1n << BigInt(familyBits(net.family) - net.prefix);
}

/** Last address of the network (the IPv4 broadcast address). */
export function lastAddress(net: Network): bigint {
  return net.network + networkSize(net) - 1n;
}

/** True when `value` lies inside `net`. */
export function contains(net: Network, value: bigint): boolean {
  return value >= net.network && value <= lastAddress(net);
}

/**
 * The range of host addresses a node or VIP may use. IPv4: everything but the network and the
 * broadcast address (for /31 and /32 the range is empty: too small for any HA layout anyway).
 * IPv6: everything but the subnet-router anycast address (all-zero host part, RFC 4291 §2.6.1);
 * IPv6 has no broadcast.
 */
export function usableRange(net: Network): { first: bigint; last: bigint; count: bigint } {
  const first = net.network + 1n;
  const last = net.family === 4 ? lastAddress(net) - 1n : lastAddress(net);
  const count = last >= first ? last - first + 1n : 0n;
  return { first, last, count };
}

/** Why `value` (inside `net`) cannot be a host address, or undefined when it can. */
export function reservedRole(net: Network, value: bigint): string | undefined {
  if (value === net.network) {
    return net.family === 4 ? "the network address" : "the subnet-router anycast address";
  }
  if (net.family === 4 && value === lastAddress(net)) return "the broadcast address";
  return undefined;
}

/** Canonical text of an address: dotted quad, or RFC 5952 compressed IPv6. */
export function formatAddress(family: Family, value: bigint): string {
  return family === 4
    ? Address4.fromBigInt(value).correctForm()
    : Address6.fromBigInt(value).correctForm();
}

/** Canonical `network/prefix` text. */
export function formatNetwork(net: Network): string {
  return `${formatAddress(net.family, net.network)}/${net.prefix}`;
}

/** Family name for messages. */
export function familyName(family: Family): string {
  return family === 4 ? "IPv4" : "IPv6";
}

/**
 * Throws unless `value` (written as `text`, reported as `field`) is a usable host address of
 * `net`: `E_ADDRESS_OUTSIDE_SUBNET` outside it, `E_ADDRESS_RESERVED` on its network (or IPv4
 * broadcast) address.
 */
export function requireHostOf(net: Network, value: bigint, text: string, field: string): void {
  if (!contains(net, value)) {
    throw haError({
      code: "E_ADDRESS_OUTSIDE_SUBNET",
      field,
      value: text,
      message: `lies outside the interface subnet ${formatNetwork(net)}`,
      fix: `pick an address inside ${formatNetwork(net)}`,
    });
  }
  const reserved = reservedRole(net, value);
  if (reserved !== undefined) {
    throw haError({
      code: "E_ADDRESS_RESERVED",
      field,
      value: text,
      message: `is ${reserved} of ${formatNetwork(net)} and cannot be assigned to a host`,
      fix: "pick a usable host address of the subnet",
    });
  }
}
