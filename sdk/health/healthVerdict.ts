/**
 * Pure evaluation of cluster health from what was read off both nodes: VHID rows, sync state and
 * the list of problems. Kept free of I/O so every rule is testable on plain data.
 */
import {
  deriveSecondary,
  secondaryDrift,
  type DriftItem,
  type NodeHaConfig,
  type VirtualIp,
} from "../plan";
import type { CarpRuntimeStatus, RevisionInfo } from "../pfsense";
import type {
  ClusterHealth,
  GateVerdict,
  HealthProblem,
  MasterHolder,
  NodeHealth,
  SyncHealth,
  VhidHealth,
  VipState,
} from "./types";
import { serviceFindings } from "./serviceFindings";

/** What was read from one node (undefined parts could not be read). */
export interface NodeReading {
  /** The node's health summary (always set; `reachable` false when reading failed). */
  health: NodeHealth;
  /** The node's HA configuration, when read. */
  config?: NodeHaConfig;
  /** CARP runtime state (exec_php, §8.1). */
  carp?: CarpRuntimeStatus;
  /** Sync failure notices (read on the primary only). */
  notices?: string[];
}

/** The secondary's revision description after an XML-RPC restore wrote it (§5.1 step 10). */
const XMLRPC_REVISION = /from XMLRPC client/i;

/**
 * Did the primary's own sync write the secondary's latest revision? The description alone cannot
 * tell (the library's direct writes use restore_config_section too), so the caller recorded in the
 * revision (`(system)@<caller ip>`, §10.6) must also be one of the primary's interface addresses.
 */
function writtenByPrimarySync(
  rev: RevisionInfo | undefined,
  primaryConfig?: NodeHaConfig,
): boolean {
  if (!rev || !XMLRPC_REVISION.test(rev.description)) return false;
  const caller = /@(\S+)$/.exec(rev.username.trim())?.[1];
  if (!caller || !primaryConfig) return false;
  return Object.values(primaryConfig.interfaces).some(
    (i) => i.ipaddr === caller || i.ipaddrv6 === caller,
  );
}

const carpVips = (c?: NodeHaConfig): VirtualIp[] =>
  (c?.virtualIps ?? []).filter((v) => v.mode === "carp");

function stateOf(r: NodeReading, vip: VirtualIp | undefined): VipState {
  if (!r.carp) return "UNKNOWN";
  if (!vip?.uniqid) return "";
  return r.carp.vips[vip.uniqid] ?? "";
}

function holder(p: VipState, s: VipState): MasterHolder {
  if (p === "MASTER" && s === "MASTER") return "both";
  if (p === "MASTER") return "primary";
  if (s === "MASTER") return "secondary";
  return "none";
}

/** Builds one row per CARP VIP: primary's VIPs in order, then VIPs only the secondary has. */
export function vhidRows(primary: NodeReading, secondary: NodeReading): VhidHealth[] {
  const pv = carpVips(primary.config);
  const sv = carpVips(secondary.config);
  const match = (v: VirtualIp, list: VirtualIp[]) =>
    list.find((x) => v.uniqid && x.uniqid === v.uniqid) ??
    list.find((x) => x.interface === v.interface && x.vhid === v.vhid);
  const rows: VhidHealth[] = [];
  const row = (p: VirtualIp | undefined, s: VirtualIp | undefined): VhidHealth => {
    const v = (p ?? s) as VirtualIp;
    const ps = p || !primary.carp ? stateOf(primary, p) : "";
    const ss = s || !secondary.carp ? stateOf(secondary, s) : "";
    const master = holder(ps, ss);
    return {
      interface: v.interface,
      vhid: v.vhid ?? 0,
      uniqid: v.uniqid ?? "",
      address: `${v.subnet}/${v.subnetBits}`,
      ...(v.descr ? { descr: v.descr } : {}),
      advbase: v.advbase ?? 1,
      ...(p ? { primarySkew: p.advskew ?? 0 } : {}),
      ...(s ? { secondarySkew: s.advskew ?? 0 } : {}),
      primary: ps,
      secondary: ss,
      master,
      ok: master === "primary" && ss === "BACKUP",
    };
  };
  const used = new Set<VirtualIp>();
  for (const p of pv) {
    const s = match(p, sv);
    if (s) used.add(s);
    rows.push(row(p, s));
  }
  for (const s of sv) if (!used.has(s)) rows.push(row(undefined, s));
  return rows;
}

/** Paths of {@link secondaryDrift} that matter for the given synced areas. */
function relevantDrift(drift: DriftItem[], areas: string[], autoSync: boolean): DriftItem[] {
  return drift.filter((d) => {
    if (d.path.startsWith("virtualIps")) return true; // CARP correctness depends on them always
    if (d.path.startsWith("hasync")) return false; // per node by design (pfsync peer, host id)
    if (!autoSync) return false; // nothing else is expected to match without pfSense's sync
    if (d.path.startsWith("nat")) return areas.includes("nat");
    if (d.path.startsWith("dhcpd")) return areas.includes("dhcpd");
    return false;
  });
}

/** Sync state: the secondary's config against what the primary's sync derives (§6.4). */
export function syncHealth(primary: NodeReading, secondary: NodeReading): SyncHealth {
  const hasync = primary.config?.hasync;
  const autoSync = Boolean(hasync?.synchronizeToIp);
  const areas = autoSync ? [...(hasync?.areas ?? [])] : [];
  const secondaryRevision: RevisionInfo | undefined = secondary.health.revision;
  const base: SyncHealth = {
    status: "unknown",
    autoSync,
    areas,
    secondaryLastWriteWasSync: writtenByPrimarySync(secondaryRevision, primary.config),
    ...(primary.health.revision ? { primaryRevision: primary.health.revision } : {}),
    ...(secondaryRevision ? { secondaryRevision } : {}),
    drift: [],
    notices: primary.notices ?? [],
  };
  if (!primary.config || !secondary.config) return base;
  const expected = deriveSecondary(primary.config, {
    secondaryInterfaces: secondary.config.interfaces,
  });
  base.drift = relevantDrift(secondaryDrift(expected, secondary.config), areas, autoSync);
  base.status =
    base.notices.length > 0 ? "failing" : base.drift.length > 0 ? "out-of-sync" : "in-sync";
  return base;
}

function nodeProblems(n: NodeHealth, out: HealthProblem[]): void {
  if (!n.reachable) {
    out.push({
      code: "unreachable",
      message: `${n.role} could not be read: ${n.error?.message ?? "unknown error"}`,
    });
    return;
  }
  if (n.carpAllowed === false)
    out.push({
      code: "carp-disabled",
      message: `${n.role}: CARP is disabled (net.inet.carp.allow=0)`,
    });
  if (n.maintenance)
    out.push({ code: "maintenance", message: `${n.role} is in persistent CARP maintenance mode` });
  if (n.demotion)
    out.push({
      code: "demoted",
      message: `${n.role}: CARP demotion counter is ${n.demotion} (an interface went down, or pfsync/send errors)`,
    });
}

function vhidProblem(r: VhidHealth): HealthProblem | undefined {
  const where = `${r.interface} vhid ${r.vhid} (${r.address})`;
  if (r.primary === "UNKNOWN" || r.secondary === "UNKNOWN")
    return { code: "vhid", message: `${where}: state unknown (a node could not be read)` };
  if (r.primarySkew === undefined)
    return { code: "vip-missing", message: `${where} exists only on the secondary` };
  if (r.secondarySkew === undefined)
    return { code: "vip-missing", message: `${where} is missing on the secondary` };
  if (r.ok) return undefined;
  const states = `primary ${r.primary || "(none)"}, secondary ${r.secondary || "(none)"}`;
  const what =
    r.master === "both"
      ? "split brain: both nodes are MASTER (check the VHID and password match)"
      : r.master === "secondary"
        ? "the secondary is MASTER"
        : r.master === "none"
          ? "no node is MASTER"
          : "the secondary is not BACKUP";
  return { code: "vhid", message: `${where}: ${what} (${states})` };
}

/** Assembles a {@link ClusterHealth} from both readings. */
export function evaluateHealth(
  primary: NodeReading,
  secondary: NodeReading,
  checkedAt = new Date(),
): ClusterHealth {
  const vhids = primary.config || secondary.config ? vhidRows(primary, secondary) : [];
  const sync = syncHealth(primary, secondary);
  const problems: HealthProblem[] = [];
  nodeProblems(primary.health, problems);
  nodeProblems(secondary.health, problems);
  if (primary.health.reachable && secondary.health.reachable && vhids.length === 0)
    problems.push({ code: "no-vips", message: "no CARP VIPs are configured on the cluster" });
  for (const r of vhids) {
    const p = vhidProblem(r);
    if (p) problems.push(p);
  }
  if (sync.status === "failing")
    problems.push({
      code: "sync-failing",
      message: `the primary reports ${sync.notices.length} config sync failure notice(s): ${sync.notices[0]}`,
    });
  if (sync.status === "out-of-sync")
    problems.push({
      code: "sync-drift",
      message: `the secondary differs from the primary's synced config in ${sync.drift.length} place(s), first: ${sync.drift[0].path}`,
    });
  return {
    healthy: problems.length === 0,
    checkedAt: checkedAt.toISOString(),
    primary: primary.health,
    secondary: secondary.health,
    vhids,
    sync,
    problems,
    warnings: serviceFindings(primary.config, secondary.config),
  };
}

/**
 * The deployment gate: both nodes readable, at least one VHID, and on every VHID exactly one
 * MASTER, the primary (with the secondary BACKUP). Sync and maintenance are reported by
 * {@link ClusterHealth} but do not fail the gate on their own: a primary in maintenance fails it
 * anyway because it is no longer MASTER.
 */
export function gateVerdict(h: ClusterHealth): GateVerdict {
  const reasons: string[] = [];
  for (const n of [h.primary, h.secondary])
    if (!n.reachable)
      reasons.push(`${n.role} could not be read: ${n.error?.message ?? "unknown error"}`);
  if (reasons.length === 0 && h.vhids.length === 0) reasons.push("no CARP VIPs are configured");
  for (const r of h.vhids) {
    const p = vhidProblem(r);
    if (p) reasons.push(p.message);
  }
  return { ok: reasons.length === 0, reasons };
}
