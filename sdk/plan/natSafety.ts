/**
 * Outbound NAT safety for a CARP pair. A rule that translates the firewall's own traffic, or
 * translates to anything but a CARP VIP, breaks the node that is BACKUP: its own outbound
 * packets (updates, NTP, DNS, the sync itself) get the VIP as source, which only the MASTER
 * holds, so replies never come back (§9.3; Netgate's HA guide).
 */
import { haError } from "./errors";
import {
  contains,
  familyBits,
  formatAddress,
  parseAddress,
  parseNetwork,
  type Network,
} from "./ipNet";
import type { OutboundNatRule, VirtualIp } from "./model";

/** Context of {@link checkOutboundNatRule}. */
export interface NatSafetyContext {
  /** Both nodes' own addresses on the WAN side(s), e.g. `["192.168.1.1", "192.168.1.2"]`. */
  wanNodeAddresses: string[];
  /** The cluster's VIPs (CARP VIPs and IP aliases stacked on them). */
  carpVips: VirtualIp[];
  /** Field prefix for errors. Default `OutboundNatRule`. */
  field?: string;
}

/** Source values meaning "the firewall itself" (GUI "This Firewall" is stored as `(self)`). */
const SELF_SOURCES = new Set(["(self)", "self", "this firewall", "thisfirewall"]);

/**
 * Rejects an outbound NAT rule that is unsafe on a CARP pair:
 * - `E_NAT_SOURCE_UNSAFE`: source `any`, `(self)` / "This Firewall", the rule interface's own
 *   network (`wan`, `wanip`), or a CIDR containing one of the nodes' WAN addresses;
 * - `E_NAT_TARGET`: a translation target that is not the address of a CARP VIP on the rule's
 *   interface (or of an IP alias stacked on such a VIP), or that carries a network size.
 *
 * `nonat` rules translate nothing and are accepted. Aliases and other named networks cannot be
 * resolved here and are accepted as sources.
 */
export function checkOutboundNatRule(rule: OutboundNatRule, ctx: NatSafetyContext): void {
  const base = ctx.field ?? "OutboundNatRule";
  if (rule.nonat) return;
  checkSource(rule, ctx, `${base}.source`);
  checkTarget(rule, ctx, base);
}

function checkSource(rule: OutboundNatRule, ctx: NatSafetyContext, field: string): void {
  const src = rule.source.trim();
  const lower = src.toLowerCase();
  const unsafe = (why: string) =>
    haError({
      code: "E_NAT_SOURCE_UNSAFE",
      field,
      value: src,
      message: `${why}; the node that is BACKUP would send its own traffic from the CARP VIP it does not hold and lose connectivity`,
      fix: "restrict the source to the internal networks behind the cluster, e.g. the LAN subnet",
    });
  if (lower === "any" || lower === "") throw unsafe("source any includes the firewalls themselves");
  if (SELF_SOURCES.has(lower)) throw unsafe("source This Firewall is the nodes' own traffic");
  if (lower === rule.interface.toLowerCase() || lower === `${rule.interface.toLowerCase()}ip`) {
    throw unsafe(`source ${src} is the ${rule.interface} network the nodes' own addresses live in`);
  }
  const negated = src.startsWith("!");
  if (negated) return; // "everything but X": cannot be shown safe here; pfSense rarely sees it
  if (!/^[0-9a-f:.]+(\/\d+)?$/i.test(src)) return; // an alias or special network name
  const parsed = parseAddress(src, field);
  const net: Network = src.includes("/")
    ? parseNetwork(src, field)
    : { family: parsed.family, network: parsed.value, prefix: familyBits(parsed.family) };
  for (const a of ctx.wanNodeAddresses) {
    const p = parseAddress(a, `${field} (wanNodeAddresses)`);
    if (p.family === net.family && contains(net, p.value)) {
      throw unsafe(`source ${src} contains the node address ${formatAddress(p.family, p.value)}`);
    }
  }
}

function checkTarget(rule: OutboundNatRule, ctx: NatSafetyContext, base: string): void {
  const field = `${base}.target`;
  const carpOnIf = ctx.carpVips.filter((v) => v.mode === "carp" && v.interface === rule.interface);
  const parents = new Set(carpOnIf.map((v) => v.uniqid).filter((u): u is string => !!u));
  const allowed = [
    ...carpOnIf,
    ...ctx.carpVips.filter(
      (v) =>
        v.mode === "ipalias" && v.interface.startsWith("_vip") && parents.has(v.interface.slice(4)),
    ),
  ];
  const reject = (message: string) =>
    haError({
      code: "E_NAT_TARGET",
      field,
      value: rule.target,
      message,
      fix:
        allowed.length > 0
          ? `translate to a CARP VIP on ${rule.interface}: ${allowed.map((v) => v.subnet).join(", ")}`
          : `create a CARP VIP on ${rule.interface} and translate to its address`,
    });
  if (rule.targetSubnet !== undefined && rule.targetSubnet !== "") {
    const bits = Number(rule.targetSubnet);
    if (!(bits === 32 || bits === 128)) {
      throw reject("the translation target must be a single CARP VIP address, not a network");
    }
  }
  let t: { family: 4 | 6; value: bigint };
  try {
    t = parseAddress(rule.target.trim(), field);
  } catch {
    throw reject(
      `the translation target is not an address (interface address, alias or network), so the BACKUP node's traffic would leave with an address the MASTER's replies never reach`,
    );
  }
  const match = allowed.some((v) => {
    try {
      const a = parseAddress(v.subnet, field);
      return a.family === t.family && a.value === t.value;
    } catch {
      return false;
    }
  });
  if (!match) {
    throw reject(`the translation target is not a CARP VIP on interface ${rule.interface}`);
  }
}
