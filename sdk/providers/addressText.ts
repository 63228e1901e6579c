/**
 * Address comparisons the providers make against what a node holds (canonical forms, subnet
 * membership). Built on `ip-address`; the planner owns address *planning*.
 */
import { Address4, Address6 } from "ip-address";

type Parsed = { family: 4 | 6; canonical: string; v4?: Address4; v6?: Address6 };

/**
 * Parses are remembered: each write checks the desired address against every VIP on the node,
 * so without it N VIPs cost N² parses of the same few hundred texts. Bounded, as a long-lived
 * plugin process may see many addresses.
 */
const parsed = new Map<string, Parsed | undefined>();
const PARSE_CACHE_LIMIT = 10_000;

function parse(text: string): Parsed | undefined {
  if (parsed.has(text)) return parsed.get(text);
  const p = parseText(text);
  if (parsed.size >= PARSE_CACHE_LIMIT) parsed.clear();
  parsed.set(text, p);
  return p;
}

function parseText(text: string): Parsed | undefined {
  const bare = text.split("/")[0];
  if (Address4.isValid(bare) && !bare.includes(":")) {
    const v4 = new Address4(bare);
    return { family: 4, canonical: v4.correctForm(), v4 };
  }
  if (Address6.isValid(bare)) {
    const v6 = new Address6(bare);
    return { family: 6, canonical: v6.correctForm(), v6 };
  }
  return undefined;
}

/** Canonical text of an address (prefix dropped), or undefined when it is not an address. */
export function canonicalAddress(text: string | undefined): string | undefined {
  return text === undefined ? undefined : parse(text)?.canonical;
}

/** Family of an address (prefix allowed), or undefined. */
export function addressFamily(text: string | undefined): 4 | 6 | undefined {
  return text === undefined ? undefined : parse(text)?.family;
}

/** True when both texts are the same address (any notation). */
export function sameAddress(a: string | undefined, b: string | undefined): boolean {
  const x = canonicalAddress(a);
  return x !== undefined && x === canonicalAddress(b);
}

/** True when `address` lies in `network`/`prefix` (both of one family). */
export function addressInNetwork(address: string, network: string, prefix: number): boolean {
  const a = parse(address);
  const n = parse(network);
  if (!a || !n || a.family !== n.family) return false;
  if (a.family === 4) return a.v4!.isInSubnet(new Address4(`${n.canonical}/${prefix}`));
  return a.v6!.isInSubnet(new Address6(`${n.canonical}/${prefix}`));
}
