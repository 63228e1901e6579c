/**
 * SyncInterfaceRules: inputs, outputs, the rules derived for the sync interface, their identity
 * marker and the pure parts of the provider (check, diff).
 *
 * The rules (Netgate's HA guide: "rules to only pass traffic to the firewall GUI port and for
 * pfsync"), all on the sync interface, `pass`, one address family:
 *
 * | key               | protocol | source                 | destination                            |
 * | ----------------- | -------- | ---------------------- | -------------------------------------- |
 * | pfsync-primary    | pfsync   | secondary sync address | primary sync address                   |
 * | gui-primary       | tcp      | secondary sync address | primary sync address, primary GUI port |
 * | pfsync-secondary  | pfsync   | primary sync address   | secondary sync address                 |
 * | gui-secondary     | tcp      | primary sync address   | secondary sync address, its GUI port   |
 *
 * Both nodes hold all four, identical. pfSense's sync with the `rules` area sends the primary's
 * whole `filter` (minus `nosync` rules) and the secondary's receiver replaces its own with it
 * (rc.filter_synchronize; xmlrpc.php `restore_config_section`, `$sync_full_sections`), so
 * whatever the primary holds is what the secondary holds. Rules written for the primary alone
 * ("from the peer") would, copied, let the secondary pass only traffic from itself. With the
 * four, each node passes exactly pfsync and its GUI port from its peer's sync address: the two
 * rules whose destination is the *other* node's address never match there (that traffic is not
 * addressed to it). The rules are never `nosync`: a nosync rule is not sent, and the secondary's
 * copy is then deleted by the full replace.
 *
 * Identity: `created/username = "pulumi-pfsense-ha:<rulesetId>/<key>"`, as for NAT rules
 * (natRuleSpec.ts): pfSense keeps `created` when the rule is edited or moved in the GUI and
 * writes a new `updated` (firewall_rules_edit.php at RELENG_2_7_2: `$filterent['created'] =
 * $a_filter[$id]['created']`, `$filterent['updated'] = make_config_revision_entry()`), gives a
 * copied rule a fresh `created`, and the sync copies it unchanged. `tracker` is pfSense's own id
 * (`(int)microtime(true)` when the GUI creates a rule): the library allocates unused ones and the
 * secondary gets the same (the sync copies them too).
 */
import { randomBytes } from "node:crypto";
import { haError, type FilterRule } from "../plan";
import { addressFamily, sameAddress } from "./addressText";
import { collectFailure, type CheckFailure } from "./checkFailures";
import { endpointProblems, type EndpointInput } from "./endpointInputs";
import { diffFieldPairs, type FieldDiffResult } from "./fieldDiff";
import { NAT_MARKER_PREFIX } from "./natRuleSpec";
import { hasDrift, type NodeDrift } from "./nodeDrift";
import { resourceLabel } from "./resourceLabel";
import type { SyncedBy } from "./secondaryConvergence";
import { containsUnknown } from "./unknowns";
import { canonicalJson } from "../pfsense/sections/canonicalJson";

/** Inputs of the SyncInterfaceRules resource. */
export interface SyncRulesInputs {
  primary: EndpointInput;
  secondary: EndpointInput;
  name: string;
  /** Assignment name of the sync interface (`opt1`). */
  syncInterface: string;
  /** The primary's sync address. Default: the primary's address on `syncInterface`. */
  primarySyncAddress?: string;
  /** The secondary's sync address. Default: the secondary's address on `syncInterface`. */
  secondarySyncAddress?: string;
  syncWaitMs?: number;
  /** `project/stack` of the program, for Config History. */
  stack?: string;
  /** Derived by `check` from the primary's `system/webgui` (shown at preview). */
  primaryGuiPort?: string;
  /** Derived by `check` from the secondary's `system/webgui` (shown at preview). */
  secondaryGuiPort?: string;
  /** Derived by `check`: one line per rule, as both nodes will hold it (shown at preview). */
  rules?: string[];
}

/** Outputs (state) of the SyncInterfaceRules resource. */
export interface SyncRulesOutputs extends SyncRulesInputs {
  /** The rule set's id, in every owned rule's marker. */
  rulesetId: string;
  primarySyncAddress: string;
  secondarySyncAddress: string;
  primaryGuiPort: string;
  secondaryGuiPort: string;
  rules: string[];
  /** pfSense trackers of the owned rules, by key (equal on both nodes). */
  trackers: Record<string, string>;
  drift: NodeDrift;
  syncedBy: SyncedBy;
}

/** The resolved values the rules derive from. */
export interface SyncRulesDesired {
  syncInterface: string;
  primarySyncAddress: string;
  secondarySyncAddress: string;
  primaryGuiPort: string;
  secondaryGuiPort: string;
}

/** The rule keys, in the order the rules are appended. */
export const SYNC_RULE_KEYS = [
  "pfsync-primary",
  "gui-primary",
  "pfsync-secondary",
  "gui-secondary",
] as const;
export type SyncRuleKey = (typeof SYNC_RULE_KEYS)[number];

/** One derived rule, before it has a tracker or a marker. */
export interface PlannedSyncRule {
  key: SyncRuleKey;
  interface: string;
  ipProtocol: "inet" | "inet6";
  protocol: "pfsync" | "tcp";
  from: string;
  to: string;
  port?: string;
  descr: string;
}

/** A fresh rule-set id. */
export function newRulesetId(): string {
  return `sync-${randomBytes(8).toString("hex")}`;
}

/** The marker of rule `key` of rule set `id`. */
export function syncRuleMarker(id: string, key: SyncRuleKey): string {
  return `${NAT_MARKER_PREFIX}${id}/${key}`;
}

/** `<id>/<key>` of a filter rule the library owns, or undefined for anyone else's rule. */
export function filterRuleIdOf(r: FilterRule): string | undefined {
  const created = r.extra?.created as { username?: unknown } | undefined;
  const u = created && typeof created === "object" ? created.username : undefined;
  return typeof u === "string" && u.startsWith(NAT_MARKER_PREFIX)
    ? u.slice(NAT_MARKER_PREFIX.length)
    : undefined;
}

/** The key of rule `r` when it belongs to rule set `id`. */
export function ownedKey(r: FilterRule, id: string): SyncRuleKey | undefined {
  const owned = filterRuleIdOf(r);
  if (owned === undefined || !owned.startsWith(`${id}/`)) return undefined;
  const key = owned.slice(id.length + 1);
  return (SYNC_RULE_KEYS as readonly string[]).includes(key) ? (key as SyncRuleKey) : undefined;
}

/**
 * A node's GUI port as nginx listens on it and pfSense's sync client dials it: `system/webgui/
 * port`, else 443 for https and 80 for http (pfSense 2.7.2 system.inc `system_webgui_start()`:
 * `config_get_path('system/webgui/port', '80')`, `'443'` when the protocol is https;
 * xmlrpc_client.inc treats an empty port the same way).
 */
export function guiPortOf(system: unknown): string {
  const sys =
    system !== null && typeof system === "object" ? (system as Record<string, unknown>) : {};
  const web = (sys.webgui !== null && typeof sys.webgui === "object" ? sys.webgui : {}) as Record<
    string,
    unknown
  >;
  const port = typeof web.port === "string" ? web.port.trim() : "";
  if (port !== "") return port;
  return web.protocol === "http" ? "80" : "443";
}

/** The four rules both nodes hold (see the module comment). */
export function deriveSyncRules(d: SyncRulesDesired): PlannedSyncRule[] {
  const ipProtocol = addressFamily(d.primarySyncAddress) === 6 ? "inet6" : "inet";
  const P = d.primarySyncAddress;
  const S = d.secondarySyncAddress;
  const base = { interface: d.syncInterface, ipProtocol } as const;
  return [
    {
      ...base,
      key: "pfsync-primary",
      protocol: "pfsync",
      from: S,
      to: P,
      descr: "HA sync: pfsync from the secondary to the primary",
    },
    {
      ...base,
      key: "gui-primary",
      protocol: "tcp",
      from: S,
      to: P,
      port: d.primaryGuiPort,
      descr: "HA sync: GUI/XML-RPC from the secondary to the primary",
    },
    {
      ...base,
      key: "pfsync-secondary",
      protocol: "pfsync",
      from: P,
      to: S,
      descr: "HA sync: pfsync from the primary to the secondary",
    },
    {
      ...base,
      key: "gui-secondary",
      protocol: "tcp",
      from: P,
      to: S,
      port: d.secondaryGuiPort,
      descr: "HA sync: GUI/XML-RPC (config sync) from the primary to the secondary",
    },
  ];
}

/** One line of the preview per rule: `opt1 pass inet pfsync 172.16.1.2 -> 172.16.1.1`. */
export function ruleLine(p: PlannedSyncRule): string {
  const to = p.port === undefined ? p.to : `${p.to} port ${p.port}`;
  return `${p.interface} pass ${p.ipProtocol} ${p.protocol} from ${p.from} to ${to} (${p.key})`;
}

/** The members whose change is a change of the rule (not `updated`, not unknown extras). */
function signature(r: FilterRule): string {
  const extra = { ...(r.extra ?? {}) };
  delete extra.updated;
  return canonicalJson({ ...r, extra });
}

/**
 * The rule as a node should hold it. `existing` (the owned rule found by its marker) keeps its
 * tracker, `created`, position and every member the library does not model (a log flag set in
 * the GUI); `disabled` and `nosync` are cleared (see the module comment). An edit gets a new
 * `updated` record, as a GUI save does; an unchanged rule comes back as it was.
 */
export function desiredFilterRule(
  p: PlannedSyncRule,
  id: string,
  tracker: string,
  existing?: FilterRule,
  now: () => number = () => Math.floor(Date.now() / 1000),
): FilterRule {
  const marker = syncRuleMarker(id, p.key);
  const created = (existing?.extra?.created as Record<string, unknown> | undefined) ?? {
    time: String(now()),
  };
  const destination: FilterRule["destination"] = { address: p.to };
  if (p.port !== undefined) destination.port = p.port;
  const r: FilterRule = {
    tracker: existing?.tracker ?? tracker,
    type: "pass",
    interface: p.interface,
    ipProtocol: p.ipProtocol,
    protocol: p.protocol,
    source: { address: p.from },
    destination,
    descr: p.descr,
    extra: { ...(existing?.extra ?? {}), created: { ...created, username: marker } },
  };
  if (existing === undefined) return r;
  if (signature(r) === signature(existing)) return existing;
  (r.extra as Record<string, unknown>).updated = { time: String(now()), username: marker };
  return r;
}

/** A tracker no rule in `rules` carries, from `start` up (pfSense uses the epoch second). */
export function freeTracker(rules: FilterRule[], taken: Set<string>, start: number): string {
  const used = new Set([...taken, ...rules.map((r) => r.tracker ?? "")]);
  let t = start;
  while (used.has(String(t))) t++;
  return String(t);
}

const PROPERTIES = ["syncInterface", "primarySyncAddress", "secondarySyncAddress"];

function label(inp: { name?: string }): string {
  return resourceLabel("SyncInterfaceRules", inp);
}

/** Validates what needs no node (throws the first problem). */
export function validateSyncRules(inp: SyncRulesInputs): void {
  const base = label(inp);
  if (typeof inp.syncInterface !== "string" || inp.syncInterface === "") {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${base}.syncInterface`,
      message: "syncInterface is required",
      fix: 'pass the HaSyncSettings (hasync), or the sync interface\'s assignment name, e.g. "opt1"',
    });
  }
  for (const k of ["primarySyncAddress", "secondarySyncAddress"] as const) {
    const v = inp[k];
    if (v !== undefined && addressFamily(v) === undefined) {
      throw haError({
        code: "E_INVALID_ADDRESS",
        field: `${base}.${k}`,
        value: v,
        message: "not an IP address",
        fix: "give the node's address on the sync interface",
      });
    }
  }
  const { primarySyncAddress: p, secondarySyncAddress: s } = inp;
  if (p !== undefined && s !== undefined) {
    if (sameAddress(p, s)) {
      throw haError({
        code: "E_INVALID_INPUT",
        field: `${base}.secondarySyncAddress`,
        value: s,
        message: "both nodes would have the same sync address",
        fix: "give each node's own address on the sync interface",
      });
    }
    if (addressFamily(p) !== addressFamily(s)) {
      throw haError({
        code: "E_INVALID_INPUT",
        field: `${base}.secondarySyncAddress`,
        value: s,
        message: `the sync addresses are of different families (${p}, ${s})`,
        fix: "give both nodes' IPv4 (or both IPv6) sync addresses",
      });
    }
  }
}

/** `check` without network (unknowns skipped). */
export function checkSyncRulesStatic(news: SyncRulesInputs): CheckFailure[] {
  const failures: CheckFailure[] = [
    ...endpointProblems(news.primary, "primary"),
    ...endpointProblems(news.secondary, "secondary"),
  ];
  const known = {
    ...news,
    primarySyncAddress: containsUnknown(news.primarySyncAddress)
      ? undefined
      : news.primarySyncAddress,
    secondarySyncAddress: containsUnknown(news.secondarySyncAddress)
      ? undefined
      : news.secondarySyncAddress,
  };
  if (!containsUnknown(news.syncInterface)) {
    collectFailure(() => validateSyncRules(known), PROPERTIES, failures);
  }
  return failures;
}

/** `diff`: everything in place (the rules keep their trackers and positions). */
export function diffSyncRules(olds: SyncRulesOutputs, news: SyncRulesInputs): FieldDiffResult {
  return diffFieldPairs([
    { field: "primary", old: olds.primary, new: news.primary },
    { field: "secondary", old: olds.secondary, new: news.secondary },
    { field: "syncInterface", old: olds.syncInterface, new: news.syncInterface },
    {
      field: "primarySyncAddress",
      old: olds.primarySyncAddress,
      new: news.primarySyncAddress ?? olds.primarySyncAddress,
    },
    {
      field: "secondarySyncAddress",
      old: olds.secondarySyncAddress,
      new: news.secondarySyncAddress ?? olds.secondarySyncAddress,
    },
    {
      field: "primaryGuiPort",
      old: olds.primaryGuiPort,
      new: news.primaryGuiPort ?? olds.primaryGuiPort,
    },
    {
      field: "secondaryGuiPort",
      old: olds.secondaryGuiPort,
      new: news.secondaryGuiPort ?? olds.secondaryGuiPort,
    },
    { field: "rules", old: olds.rules, new: news.rules ?? olds.rules },
    { field: "drift", old: hasDrift(olds.drift), new: false },
  ]);
}
