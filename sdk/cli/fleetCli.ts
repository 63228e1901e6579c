/**
 * `pfsense-ha fleet up|preview|destroy`: one Pulumi stack per site from a sites file, run with the
 * Automation API over one per-site project, a bounded number at a time (sdk/fleet). Progress
 * lines per site go to stderr, the summary table to stdout. Passwords are passed as secret stack
 * config and removed from everything printed.
 */
import { parseArgs } from "node:util";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { automation } from "@pulumi/pulumi";
import { formatFleetSummary, readSitesFile, runFleet, type FleetOperation } from "../fleet";
import { isHaError } from "../plan/errors";
import type { CliIo } from "./haCli";

/** Exit codes of `pfsense-ha fleet`. */
export const FLEET_EXIT = { ok: 0, siteFailed: 1, usage: 2 } as const;

/** `pfsense-ha fleet --help`. */
export const FLEET_USAGE = `usage:
  pfsense-ha fleet up|preview|destroy --sites FILE [--project DIR] [--parallel N] [--json]

  --sites FILE     YAML or JSON (.json) listing the sites: per site a name (= stack name), the
                   primary and secondary {url, username, passwordEnv | password,
                   fingerprint256 | caCertFile}, and optional config: / secrets: maps of more
                   stack config (secrets: values may be {env: NAME})
  --project DIR    the per-site Pulumi project (default: project: in the sites file), e.g.
                   examples/two-node-cluster
  --parallel N     sites run at the same time (default 4)
  --json           print the report as JSON instead of the table

The Pulumi CLI on PATH runs each stack, with your backend and passphrase settings
(PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, ...). Node passwords become secret stack config.

exit codes: 0 every site succeeded; 1 at least one site failed (the others still ran);
            2 usage error, unreadable sites file, or no Pulumi CLI.`;

const OPERATIONS: readonly FleetOperation[] = ["up", "preview", "destroy"];

/** Runs `pfsense-ha fleet ...`; resolves to the exit code. */
export async function fleetMain(argv: string[], io: CliIo): Promise<number> {
  const usage = (msg: string) => {
    io.err(`pfsense-ha fleet: ${msg}\n${FLEET_USAGE}\n`);
    return FLEET_EXIT.usage;
  };
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        sites: { type: "string" },
        project: { type: "string" },
        parallel: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (e) {
    return usage((e as Error).message);
  }
  if (values.help) {
    io.out(`${FLEET_USAGE}\n`);
    return FLEET_EXIT.ok;
  }
  const op = positionals[0] as FleetOperation;
  if (positionals.length !== 1 || !OPERATIONS.includes(op))
    return usage(`give one of ${OPERATIONS.join(", ")}`);
  if (typeof values.sites !== "string") return usage("--sites FILE is required");
  const parallel = values.parallel === undefined ? 4 : Number(values.parallel);
  if (!Number.isInteger(parallel) || parallel < 1)
    return usage("--parallel must be a whole number, 1 or more");

  let sites;
  try {
    sites = readSitesFile(values.sites, io.env);
  } catch (e) {
    if (isHaError(e)) return usage(e.message);
    throw e;
  }
  const projectDir =
    typeof values.project === "string" ? path.resolve(values.project) : sites.project;
  if (!projectDir) return usage("no project: give --project DIR or project: in the sites file");
  if (!existsSync(path.join(projectDir, "Pulumi.yaml")))
    return usage(`${projectDir} has no Pulumi.yaml (--project names the per-site project)`);
  let pulumiCommand: automation.PulumiCommand;
  try {
    pulumiCommand = await automation.PulumiCommand.get();
  } catch (e) {
    return usage(
      `no usable Pulumi CLI on PATH (${(e as Error).message.split("\n")[0]}); install Pulumi, or in this repository \`source scripts/pulumi-env.sh\``,
    );
  }

  io.err(
    `fleet ${op}: ${sites.sites.length} site(s), at most ${parallel} at a time, project ${projectDir}\n`,
  );
  const report = await runFleet({
    operation: op,
    sites: sites.sites,
    projectDir,
    parallel,
    workspace: { pulumiCommand, envVars: { PULUMI_SKIP_UPDATE_CHECK: "true" } },
    onProgress: (site, ms, line) =>
      io.err(`[${site} ${(ms / 1000).toFixed(1).padStart(6)} s] ${line}\n`),
  });
  io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatFleetSummary(report)}\n`);
  return report.ok ? FLEET_EXIT.ok : FLEET_EXIT.siteFailed;
}
