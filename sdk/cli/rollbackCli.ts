/**
 * `pfsense-ha rollback --stack NAME [--cwd DIR] [--yes] [--expect TEXT]`: puts back, on both
 * nodes, the sections the stack's last `up` could have changed, from the record the stack keeps
 * (sdk/backup). Without `--yes` it prints what it would change and writes nothing. The stack is
 * read with the Automation API (`pulumi stack export --show-secrets`) in DIR, with the Pulumi
 * CLI's usual settings (PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, ...). Nothing secret is
 * printed: passwords in the record and the provider's settings never reach the output.
 */
import { parseArgs } from "node:util";
import * as path from "node:path";
import { automation } from "@pulumi/pulumi";
import { isHaError } from "../plan/errors";
import { applyRollback, formatOutcome, formatPreview, previewRollback } from "../backup/rollback";
import { backupsOfDeployment, type StackBackup } from "../backup/stackRecord";
import type { CliIo } from "./haCli";

/** Exit codes of `pfsense-ha rollback`. */
export const ROLLBACK_EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** `pfsense-ha rollback --help`. */
export const ROLLBACK_USAGE = `usage:
  pfsense-ha rollback --stack NAME [--cwd DIR] [--yes [--expect TEXT]]

  --stack NAME   the stack whose last up to roll back (as \`pulumi stack select\` names it)
  --cwd DIR      the Pulumi project directory (default: the current directory)
  --yes          write: put the recorded sections back on both nodes (primary first)
  --expect TEXT  with --yes: apply only if the nodes still hold what the preview read (the
                 preview prints the exact command); a node changed since is refused

Without --yes it prints, per node and section, what the rollback would change, and writes
nothing. The Pulumi CLI on PATH reads the stack, with your backend and passphrase settings.

exit codes: 0 previewed / rolled back; 1 refused (a node changed) or a write failed;
            2 usage error, no such stack or no backup record in it.`;

/** Options of {@link rollbackMain} beyond the command line (tests). */
export interface RollbackCliOptions {
  /** Workspace settings (Pulumi command, environment) for LocalWorkspace.create. */
  workspace?: Omit<automation.LocalWorkspaceOptions, "workDir">;
}

/** Reads the stack's backup records through the Automation API. */
export async function readStackBackups(
  stackName: string,
  workDir: string,
  workspace: RollbackCliOptions["workspace"] = {},
): Promise<StackBackup[]> {
  const ws = await automation.LocalWorkspace.create({ ...workspace, workDir });
  const exported = await ws.exportStack(stackName);
  return backupsOfDeployment(exported.deployment, stackName);
}

/** Runs `pfsense-ha rollback ...`; resolves to the exit code. */
export async function rollbackMain(
  argv: string[],
  io: CliIo,
  options: RollbackCliOptions = {},
): Promise<number> {
  const usage = (msg: string) => {
    io.err(`pfsense-ha rollback: ${msg}\n${ROLLBACK_USAGE}\n`);
    return ROLLBACK_EXIT.usage;
  };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stack: { type: "string" },
        cwd: { type: "string" },
        yes: { type: "boolean" },
        expect: { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (e) {
    return usage((e as Error).message);
  }
  if (values.help) {
    io.out(`${ROLLBACK_USAGE}\n`);
    return ROLLBACK_EXIT.ok;
  }
  const stack = values.stack;
  if (typeof stack !== "string" || stack === "") return usage("--stack NAME is required");
  if (values.expect !== undefined && values.yes !== true) return usage("--expect goes with --yes");
  const workDir = path.resolve(typeof values.cwd === "string" ? values.cwd : process.cwd());

  let backups: StackBackup[];
  try {
    backups = await readStackBackups(stack, workDir, options.workspace);
  } catch (e) {
    if (isHaError(e)) return usage(e.message);
    return usage(`cannot read stack "${stack}" in ${workDir}: ${firstLine(e)}`);
  }
  try {
    for (const b of backups) {
      if (values.yes !== true) {
        const p = await previewRollback(stack, b);
        io.out(`${formatPreview(p)}\n\n`);
        io.out(
          `Nothing was written. To apply exactly this preview:\n  pfsense-ha rollback --stack ${stack}${values.cwd ? ` --cwd ${values.cwd}` : ""} --yes --expect ${p.expect}\n`,
        );
        continue;
      }
      const r = await applyRollback(stack, b, {
        expect: typeof values.expect === "string" ? values.expect : undefined,
        onProgress: (line) => io.err(`[rollback] ${line}\n`),
      });
      io.out(`${formatPreview(r.preview)}\n\n${formatOutcome(stack, r.outcome)}\n`);
    }
  } catch (e) {
    io.err(`pfsense-ha rollback: ${e instanceof Error ? e.message : String(e)}\n`);
    return ROLLBACK_EXIT.failed;
  }
  return ROLLBACK_EXIT.ok;
}

/** The Pulumi CLI's own complaint from an Automation API error (its stderr), else the message. */
function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const stderr = /stderr: ([^\n]*(?:\n(?! err\?:)[^\n]*)*)/.exec(text)?.[1]?.trim();
  const lines = (stderr || text).split("\n").filter((l) => l.trim() !== "");
  return lines.find((l) => /error/i.test(l))?.trim() ?? lines[0]?.trim() ?? "";
}
