/**
 * OutboundNatRule: inputs, outputs, identity marker and the pure parts of its provider.
 *
 * Identity: a rule owned by a resource carries `created/username = "pulumi-pfsense-ha:<ruleId>"`.
 * pfSense keeps a rule's `created` record when the rule is edited in the GUI (only `updated` is
 * rewritten) and when rules are reordered, and gives a copied rule a new one; the sync sender
 * copies it to the secondary unchanged (§6.4: nat is sent whole). So the marker survives
 * reordering and description edits, which position- or description-based identity would not,
 * and a duplicate made in the GUI is never mistaken for ours. (A tuple of interface/source/
 * target would break on any edit of those fields and collide for two identical rules.)
 */
import { randomBytes } from "node:crypto";
import { checkOutboundNatRule, haError, type OutboundNatRule } from "../plan";
import { addressFamily } from "./addressText";
import { collectFailure, type CheckFailure } from "./checkFailures";
import { endpointProblems, type EndpointInput } from "./endpointInputs";
import { diffFieldPairs, type FieldDiffResult } from "./fieldDiff";
import { hasDrift, type NodeDrift } from "./nodeDrift";
import type { SyncedBy } from "./secondaryConvergence";
import { containsUnknown } from "./unknowns";

/** Inputs of the OutboundNatRule dynamic resource. */
export interface NatRuleInputs {
  primary: EndpointInput;
  secondary: EndpointInput;
  name: string;
  interface: string;
  source: string;
  /** Translation address: a CARP VIP address on `interface`. */
  target: string;
  mode?: "hybrid" | "advanced";
  description?: string;
  destination?: string;
  protocol?: string;
  sourcePort?: string;
  destinationPort?: string;
  syncWaitMs?: number;
  /** Take over a matching hand-made outbound rule at create (default false: refuse it). */
  adopt?: boolean;
  /** `project/stack` of the program, for Config History (absent in state written before). */
  stack?: string;
}

/** Outputs (state) of the OutboundNatRule dynamic resource. */
export interface NatRuleOutputs extends NatRuleInputs {
  ruleId: string;
  mode: "hybrid" | "advanced";
  /** Outbound mode the primary had before this resource set it (restored on delete). */
  priorMode: string;
  drift: NodeDrift;
  syncedBy: SyncedBy;
  /** The unmanaged rule this resource adopted, as it was (restored on delete); null if created. */
  adoptedFrom?: OutboundNatRule | null;
}

/** Prefix of the ownership marker in `created/username`. */
export const NAT_MARKER_PREFIX = "pulumi-pfsense-ha:";

/** A fresh rule id. */
export function newRuleId(): string {
  return `nat-${randomBytes(8).toString("hex")}`;
}

/** The rule id a rule carries, or undefined for rules the library does not own. */
export function ruleIdOf(r: OutboundNatRule): string | undefined {
  const created = r.extra?.created as { username?: unknown } | undefined;
  const u = created && typeof created === "object" ? created.username : undefined;
  return typeof u === "string" && u.startsWith(NAT_MARKER_PREFIX)
    ? u.slice(NAT_MARKER_PREFIX.length)
    : undefined;
}

/** The rule as the primary should hold it (`existing` keeps its unmodelled members). */
export function desiredRule(
  inp: NatRuleInputs,
  ruleId: string,
  existing?: OutboundNatRule,
): OutboundNatRule {
  const fam = addressFamily(inp.target);
  const created = (existing?.extra?.created as Record<string, unknown> | undefined) ?? {
    time: String(Math.floor(Date.now() / 1000)),
  };
  const r: OutboundNatRule = {
    interface: inp.interface,
    source: inp.source,
    destination:
      inp.destination === undefined || inp.destination === "any"
        ? { any: true }
        : inp.destination.startsWith("!")
          ? { network: inp.destination.slice(1), not: true }
          : { network: inp.destination },
    target: inp.target,
    descr: inp.description ?? existing?.descr,
    extra: {
      ...(existing?.extra ?? {}),
      created: { ...created, username: `${NAT_MARKER_PREFIX}${ruleId}` },
    },
  };
  if (fam !== undefined) r.ipProtocol = fam === 4 ? "inet" : "inet6";
  if (inp.protocol !== undefined) r.protocol = inp.protocol;
  if (inp.sourcePort !== undefined) r.sourcePort = inp.sourcePort;
  if (inp.destinationPort !== undefined) r.destinationPort = inp.destinationPort;
  if (r.descr === undefined) delete r.descr;
  return r;
}

const PROPERTIES = ["primary", "secondary", "interface", "source", "target", "mode", "destination"];

/**
 * `check`: the planner's NAT safety rules that need no node (source any / This Firewall / the
 * interface's own network; target an address). The checks needing the nodes' addresses and VIPs
 * run again at apply with the real values.
 */
export function checkNatRule(news: NatRuleInputs): {
  inputs: NatRuleInputs;
  failures: CheckFailure[];
} {
  const failures: CheckFailure[] = [
    ...endpointProblems(news.primary, "primary"),
    ...endpointProblems(news.secondary, "secondary"),
  ];
  const base = `OutboundNatRule[${news.name}]`;
  if (
    news.mode !== undefined &&
    !containsUnknown(news.mode) &&
    news.mode !== "hybrid" &&
    news.mode !== "advanced"
  ) {
    failures.push({
      property: "mode",
      reason: haError({
        code: "E_INVALID_INPUT",
        field: `${base}.mode`,
        value: String(news.mode),
        message: "unknown outbound NAT mode",
        fix: 'use "hybrid" (default) or "advanced" (manual)',
      }).message,
    });
  }
  if (!containsUnknown([news.interface, news.source, news.target, news.destination])) {
    collectFailure(
      () => {
        if (addressFamily(news.target) === undefined) {
          throw haError({
            code: "E_NAT_TARGET",
            field: `${base}.target`,
            value: news.target,
            message: "the translation target is not an address",
            fix: "translate to a CarpVip (pass the CarpVip or its address)",
          });
        }
        checkOutboundNatRule(desiredRule(news, "check"), {
          wanNodeAddresses: [],
          carpVips: [
            {
              mode: "carp",
              interface: news.interface,
              type: "single",
              subnet: news.target,
              subnetBits: addressFamily(news.target) === 6 ? 64 : 24,
            },
          ],
          field: base,
        });
      },
      PROPERTIES,
      failures,
    );
  } else if (!containsUnknown([news.interface, news.source])) {
    // target unknown at preview (a CarpVip being created): check the source alone
    collectFailure(
      () =>
        checkOutboundNatRule(desiredRule({ ...news, target: "192.0.2.1" }, "check"), {
          wanNodeAddresses: [],
          carpVips: [
            {
              mode: "carp",
              interface: news.interface,
              type: "single",
              subnet: "192.0.2.1",
              subnetBits: 24,
            },
          ],
          field: base,
        }),
      PROPERTIES,
      failures,
    );
  }
  return { inputs: news, failures };
}

/**
 * The rule's address family from what is known: the translation address, else (it is unknown
 * at preview while its CarpVip is replaced, e.g. for a new VHID) the source or destination
 * network, else `fallback` (treated as unchanged: an unknown is not known to differ).
 */
function ruleFamily(inp: NatRuleInputs, fallback: 4 | 6 | undefined): 4 | 6 | undefined {
  for (const t of [inp.target, inp.source, inp.destination?.replace(/^!/, "")]) {
    if (t === undefined || containsUnknown(t)) continue;
    const f = addressFamily(t);
    if (f !== undefined) return f;
  }
  return fallback;
}

/** `diff`: interface and address family are identity (replace, delete first); the rest in place. */
export function diffNatRule(olds: NatRuleOutputs, news: NatRuleInputs): FieldDiffResult {
  const oldFamily = addressFamily(olds.target);
  return diffFieldPairs([
    { field: "interface", old: olds.interface, new: news.interface, identity: true },
    { field: "family", old: oldFamily, new: ruleFamily(news, oldFamily), identity: true },
    { field: "primary", old: olds.primary, new: news.primary },
    { field: "secondary", old: olds.secondary, new: news.secondary },
    { field: "source", old: olds.source, new: news.source },
    { field: "target", old: olds.target, new: news.target },
    { field: "mode", old: olds.mode, new: news.mode ?? "hybrid" },
    { field: "description", old: olds.description, new: news.description },
    { field: "destination", old: olds.destination ?? "any", new: news.destination ?? "any" },
    { field: "protocol", old: olds.protocol, new: news.protocol },
    { field: "sourcePort", old: olds.sourcePort, new: news.sourcePort },
    { field: "destinationPort", old: olds.destinationPort, new: news.destinationPort },
    { field: "drift", old: hasDrift(olds.drift), new: false },
  ]);
}
