/**
 * Plain-text rendering of health and drill reports, for the CLI and for program logs. Output is
 * aligned columns, no colours, nothing secret (the inputs contain no secrets).
 */
import type { DrillReport } from "./drill";
import type { ClusterHealth, NodeHealth } from "./types";

/** Aligns rows under headers with two spaces between columns. */
export function formatColumns(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

const onOff = (v: boolean | undefined, on: string, off: string) =>
  v === undefined ? "-" : v ? on : off;

function nodeRow(n: NodeHealth): string[] {
  if (!n.reachable) return [n.role, n.url, "UNREACHABLE", "-", "-", "-", n.error?.message ?? ""];
  const rev = n.revision ? truncate(n.revision.description, 60) : "-";
  return [
    n.role,
    n.url,
    n.version ?? "-",
    onOff(n.carpAllowed, "enabled", "DISABLED"),
    String(n.demotion ?? "-"),
    onOff(n.maintenance, "ON", "off"),
    rev,
  ];
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Renders a {@link ClusterHealth} as the `pfsense-ha status` table. */
export function formatHealthTable(h: ClusterHealth): string {
  const out: string[] = [];
  out.push(
    formatColumns(
      ["NODE", "URL", "VERSION", "CARP", "DEMOTION", "MAINTENANCE", "LAST CONFIG CHANGE"],
      [nodeRow(h.primary), nodeRow(h.secondary)],
    ),
  );
  out.push("");
  if (h.vhids.length > 0) {
    out.push(
      formatColumns(
        ["INTERFACE", "VHID", "ADDRESS", "ADVBASE", "SKEW P/S", "PRIMARY", "SECONDARY", "RESULT"],
        h.vhids.map((v) => [
          v.interface,
          String(v.vhid),
          v.address,
          String(v.advbase),
          `${v.primarySkew ?? "-"}/${v.secondarySkew ?? "-"}`,
          v.primary || "-",
          v.secondary || "-",
          v.ok ? "ok" : v.master === "both" ? "SPLIT BRAIN" : "FAIL",
        ]),
      ),
    );
  } else {
    out.push("no CARP VIPs");
  }
  out.push("");
  const s = h.sync;
  const syncLine =
    s.status === "in-sync"
      ? "in sync"
      : s.status === "out-of-sync"
        ? `OUT OF SYNC (${s.drift.length} difference(s): ${s.drift
            .slice(0, 3)
            .map((d) => d.path)
            .join(", ")})`
        : s.status === "failing"
          ? `FAILING (${s.notices.length} notice(s) on the primary)`
          : "unknown (a node could not be read)";
  out.push(
    `SYNC: ${syncLine}; ${s.autoSync ? `primary pushes ${s.areas.length} area(s)` : "primary does not push config (no sync target)"}`,
  );
  if (s.secondaryRevision) {
    out.push(
      `      secondary's last write: ${s.secondaryLastWriteWasSync ? "a sync from the primary" : "a local change"} ("${truncate(s.secondaryRevision.description, 70)}")`,
    );
  }
  for (const n of s.notices.slice(0, 3)) out.push(`      notice: ${truncate(n, 100)}`);
  out.push("");
  const warnings = h.warnings ?? [];
  if (warnings.length > 0) {
    out.push(
      `SERVICES ON NODE ADDRESSES (${warnings.length} warning(s); failover does not move them):`,
    );
    out.push(
      formatColumns(
        ["NODE", "SECTION", "ITEM", "FIELD", "VALUE"],
        warnings.map((w) => [
          w.node,
          w.section,
          w.item,
          w.field,
          w.value === "" ? "(none)" : w.value,
        ]),
      )
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n"),
    );
    for (const w of warnings) out.push(`  - ${w.message}. Fix: ${w.fix}`);
    out.push("");
  }
  if (h.healthy) out.push("HEALTHY");
  else {
    out.push(`UNHEALTHY (${h.problems.length} problem(s)):`);
    for (const p of h.problems) out.push(`  - ${p.message}`);
  }
  return out.join("\n");
}

const secs = (ms: number | undefined) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(2)} s`);

/**
 * Renders a {@link DrillReport}: one row per VHID with the MASTER before / during / after the
 * drill and the handover and failback times.
 */
export function formatDrillReport(r: DrillReport): string {
  const out: string[] = [];
  if (r.vhids.length > 0) {
    out.push(`DRILL ${r.kind}`);
    out.push(
      formatColumns(
        [
          "INTERFACE",
          "VHID",
          "ADDRESS",
          "MASTER BEFORE/DURING/AFTER",
          "HANDOVER",
          "BOUND",
          "FAILBACK",
          "BOUND",
          "RESULT",
        ],
        r.vhids.map((v) => [
          v.interface,
          String(v.vhid),
          v.address,
          [v.masters.before, v.masters.during ?? "-", v.masters.after ?? "-"].join(" / "),
          secs(v.handoverMs),
          secs(v.handoverBoundMs),
          secs(v.failbackMs),
          secs(v.failbackBoundMs),
          v.ok ? "ok" : "FAIL",
        ]),
      ),
    );
    out.push("");
  }
  if (r.restoreMs !== undefined && r.kind !== "maintenance")
    out.push(`primary restored in ${secs(r.restoreMs)} (failback timed from then)`);
  if (r.ok) out.push(`DRILL PASSED in ${secs(r.durationMs)}`);
  else {
    out.push(`DRILL FAILED (${r.problems.length} problem(s)):`);
    for (const p of r.problems) out.push(`  - ${p}`);
  }
  return out.join("\n");
}
