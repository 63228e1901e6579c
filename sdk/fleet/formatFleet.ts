/** The summary table a fleet run ends with (plain text, no secrets: results carry none). */
import { formatColumns } from "../health/formatHealth";
import type { FleetReport } from "./runFleet";

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Renders a {@link FleetReport}: one row per site, then a verdict and each failure's reason. */
export function formatFleetSummary(r: FleetReport): string {
  const changed = r.operation === "preview" ? "TO CHANGE" : "CHANGED";
  const table = formatColumns(
    ["SITE", "RESULT", changed, "DURATION"],
    r.results.map((s) => [
      s.site,
      s.result,
      s.changes === 0
        ? "0"
        : `${s.changes} (${Object.entries(s.changeSummary)
            .map(([op, n]) => `${op} ${n}`)
            .join(", ")})`,
      secs(s.durationMs),
    ]),
  );
  const ok = r.results.filter((s) => s.result === "succeeded").length;
  const out = [
    table,
    "",
    `fleet ${r.operation}: ${ok} of ${r.results.length} site(s) succeeded in ${secs(r.durationMs)} (at most ${r.peakParallel} at a time)`,
  ];
  for (const s of r.results) if (s.error) out.push(`  ${s.site}: ${s.error}`);
  return out.join("\n");
}
