/**
 * A fleet run: the same operation on every site's stack, at most `parallel` sites at a time, each
 * site independent of the others (one failing does not stop the rest). Pulumi's engine does the
 * work per stack; this only schedules them and reports.
 */
import { performance } from "node:perf_hooks";
import type { automation } from "@pulumi/pulumi";
import { haError } from "../plan/errors";
import { runSite, type FleetOperation, type SiteResult } from "./runSite";
import { siteSecrets, type FleetSite } from "./sites";

/** Options of {@link runFleet}. */
export interface FleetOptions {
  operation: FleetOperation;
  sites: FleetSite[];
  /** The per-site Pulumi project directory (e.g. examples/two-node-cluster). */
  projectDir: string;
  /** Sites run at the same time, ≥ 1. Default 4. */
  parallel?: number;
  /** LocalWorkspace options for every site (engine, environment). Default: `pulumi` on PATH. */
  workspace?: automation.LocalWorkspaceOptions;
  /** Progress of one site: its name, seconds since it started, and a line. */
  onProgress?: (site: string, elapsedMs: number, line: string) => void;
}

/** Outcome of {@link runFleet}. */
export interface FleetReport {
  operation: FleetOperation;
  /** One result per site, in the sites file's order. */
  results: SiteResult[];
  /** Every site succeeded. */
  ok: boolean;
  /** Most sites that ran at the same time. */
  peakParallel: number;
  durationMs: number;
}

/** Replaces every secret of the sites with `[secret]`. */
export function secretScrubber(sites: FleetSite[]): (text: string) => string {
  const secrets = [...new Set(siteSecrets(sites))].filter((s) => s.length > 0);
  secrets.sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((t, s) => t.split(s).join("[secret]"), text);
}

/**
 * Runs `operation` on every site with bounded parallelism and resolves when all are done.
 *
 * @example
 * const report = await runFleet({ operation: "up", sites: readSitesFile("sites.yaml").sites,
 *   projectDir: "examples/two-node-cluster", parallel: 2 });
 * console.log(formatFleetSummary(report));
 */
export async function runFleet(opts: FleetOptions): Promise<FleetReport> {
  const parallel = opts.parallel ?? 4;
  if (!Number.isInteger(parallel) || parallel < 1)
    throw haError({
      code: "E_INVALID_INPUT",
      field: "parallel",
      message: "must be a whole number of sites, 1 or more",
      value: String(parallel),
      fix: "pass --parallel 1 or more",
    });
  const t0 = performance.now();
  const scrub = secretScrubber(opts.sites);
  const results: SiteResult[] = new Array<SiteResult>(opts.sites.length);
  let next = 0;
  let running = 0;
  let peakParallel = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= opts.sites.length) return;
      const site = opts.sites[i];
      running++;
      peakParallel = Math.max(peakParallel, running);
      const started = performance.now();
      try {
        results[i] = await runSite(site, {
          operation: opts.operation,
          projectDir: opts.projectDir,
          workspace: opts.workspace,
          scrub,
          onProgress: (line) => opts.onProgress?.(site.name, performance.now() - started, line),
        });
      } finally {
        running--;
      }
      const r = results[i];
      opts.onProgress?.(
        site.name,
        r.durationMs,
        r.result === "succeeded"
          ? `${opts.operation} succeeded, ${r.changes} resource(s) ${opts.operation === "preview" ? "to change" : "changed"}`
          : `${opts.operation} FAILED: ${r.error}`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, opts.sites.length) }, worker));
  return {
    operation: opts.operation,
    results,
    ok: results.every((r) => r.result === "succeeded"),
    peakParallel,
    durationMs: performance.now() - t0,
  };
}
