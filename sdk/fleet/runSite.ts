/**
 * One site of a fleet run: select (or create) the site's stack of the per-site project with the
 * Automation API (LocalWorkspace over the project directory), set its config (passwords as
 * secrets), run `up`, `preview` or `destroy`, and report the outcome. It only runs the project:
 * how the project's components are implemented (dynamic providers, a provider plugin named in its
 * Pulumi.yaml) is the engine's business.
 */
import { performance } from "node:perf_hooks";
import { automation } from "@pulumi/pulumi";
import { siteStackConfig } from "./siteConfig";
import type { FleetSite } from "./sites";

/** What a fleet run does to every site's stack. */
export type FleetOperation = "up" | "preview" | "destroy";

/** The outcome of one site. */
export interface SiteResult {
  /** The site (= stack) name. */
  site: string;
  /** `succeeded`, or `failed` with `error`. */
  result: "succeeded" | "failed";
  /** Resources created, updated, replaced or deleted (planned ones for `preview`). */
  changes: number;
  /** The engine's count per operation, `same` left out. */
  changeSummary: Record<string, number>;
  /** Wall-clock time of this site, ms. */
  durationMs: number;
  /** Why it failed: the engine's first error line, secrets removed. */
  error?: string;
}

/** Options of {@link runSite}. */
export interface RunSiteOptions {
  operation: FleetOperation;
  /** The per-site Pulumi project (directory holding Pulumi.yaml). */
  projectDir: string;
  /** LocalWorkspace options (engine, environment); `workDir` is set to `projectDir`. */
  workspace?: automation.LocalWorkspaceOptions;
  /** One line per resource step, error and phase of this site. */
  onProgress?: (line: string) => void;
  /** Replaces every secret in text meant for people. */
  scrub: (text: string) => string;
}

const resourceName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** Changed resources in an engine op map (`same` is not a change). */
export function countChanges(ops: Record<string, number | undefined> | undefined): {
  changes: number;
  changeSummary: Record<string, number>;
} {
  const changeSummary: Record<string, number> = {};
  for (const [op, n] of Object.entries(ops ?? {})) if (op !== "same" && n) changeSummary[op] = n;
  return { changes: Object.values(changeSummary).reduce((a, b) => a + b, 0), changeSummary };
}

/** Runs `operation` on one site's stack. Never throws: a failure is a `failed` result. */
export async function runSite(site: FleetSite, opts: RunSiteOptions): Promise<SiteResult> {
  const t0 = performance.now();
  const say = (line: string) => opts.onProgress?.(opts.scrub(line));
  const errors: string[] = [];
  const onEvent = (e: automation.EngineEvent) => {
    const out = e.resOutputsEvent;
    if (out && out.metadata.op !== "same" && out.metadata.type !== "pulumi:pulumi:Stack")
      say(`${out.metadata.op} ${out.metadata.type} "${resourceName(out.metadata.urn)}"`);
    const failed = e.resOpFailedEvent;
    if (failed)
      say(
        `failed ${failed.metadata.op} ${failed.metadata.type} "${resourceName(failed.metadata.urn)}"`,
      );
    const d = e.diagnosticEvent;
    if (d && d.severity === "error") {
      const first = d.message.trim().split("\n")[0];
      if (first && !errors.includes(first)) {
        errors.push(first);
        say(`error: ${first}`);
      }
    }
  };
  try {
    say(`${opts.operation} starts`);
    const stack = await automation.LocalWorkspace.createOrSelectStack(
      { stackName: site.name, workDir: opts.projectDir },
      { ...opts.workspace, workDir: opts.projectDir },
    );
    await stack.setAllConfig(siteStackConfig(site));
    const common = { onEvent, color: "never" as const };
    const ops =
      opts.operation === "up"
        ? (await stack.up(common)).summary.resourceChanges
        : opts.operation === "preview"
          ? (await stack.preview(common)).changeSummary
          : (await stack.destroy(common)).summary.resourceChanges;
    const counted = countChanges(ops);
    return {
      site: site.name,
      result: "succeeded",
      ...counted,
      durationMs: performance.now() - t0,
    };
  } catch (e) {
    const fallback = (e instanceof Error ? e.message : String(e))
      .split("\n")
      .map((l) => l.trim())
      .find((l) => /error/i.test(l) && !/^code:/.test(l));
    return {
      site: site.name,
      result: "failed",
      changes: 0,
      changeSummary: {},
      durationMs: performance.now() - t0,
      error: opts.scrub(errors[0] ?? fallback ?? "the engine failed without an error message"),
    };
  }
}
