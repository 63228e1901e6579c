/**
 * Shared pieces of the end-to-end suites: whether the engine is installed (suites skip with the
 * reason otherwise), a throwaway file backend per suite, and inline-program stacks wired to the
 * repository's offline engine (scripts/pulumiEngine.ts).
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { automation } from "@pulumi/pulumi";
import {
  engineStatus,
  pulumiEnv,
  workspaceOptions,
  type EngineStatus,
} from "../../scripts/pulumiEngine";

let cached: EngineStatus | undefined;

/** The engine installation, checked once per process. */
export function engine(): EngineStatus {
  cached ??= engineStatus();
  return cached;
}

/**
 * `node:test` skip value: false when the engine is installed, else a message saying why and how
 * to install it (the suites run in CI, where setup builds the engine).
 */
export function skipUnlessEngine(): string | false {
  const s = engine();
  return s.installed ? false : `Pulumi engine not installed: ${s.reason}`;
}

/** A scratch directory (state backend, emulator files) removed by `cleanup()`. */
export interface Scratch {
  dir: string;
  stateDir: string;
  cleanup(): void;
}

/** Creates a fresh scratch directory with an empty file backend. */
export function scratch(prefix: string): Scratch {
  const dir = mkdtempSync(path.join(os.tmpdir(), `pfsense-ha-${prefix}-`));
  const stateDir = path.join(dir, "state");
  mkdirSync(stateDir);
  return {
    dir,
    stateDir,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * An inline-program stack on the offline engine. The default project LocalWorkspace writes has
 * `main: process.cwd()` (the repository root under `npm test`), so the dynamic-provider process
 * resolves `@pulumi/pulumi` and `pulumi-pfsense-ha/runtime` from the repository's node_modules
 * (pulumi-notes C3).
 */
export async function inlineStack(
  s: Scratch,
  stackName: string,
  program: automation.PulumiFn,
  projectName = "pfsense-ha-e2e",
): Promise<automation.Stack> {
  const opts = await workspaceOptions({ stateDir: s.stateDir });
  return automation.LocalWorkspace.createOrSelectStack(
    { stackName, projectName, program },
    { ...opts, workDir: undefined },
  );
}

/** Collects everything the engine printed, to assert on (and to search for leaked secrets). */
export class OutputLog {
  readonly lines: string[] = [];
  readonly onOutput = (chunk: string): void => {
    this.lines.push(chunk);
  };
  get text(): string {
    return this.lines.join("");
  }
}

/**
 * `pulumi stack export` exactly as a user runs it (the Automation API's `exportStack()` adds
 * `--show-secrets`, which would defeat the point of checking for plaintext).
 */
export async function stackExportText(s: Scratch, stack: automation.Stack): Promise<string> {
  return stackCli(s, stack, ["stack", "export"]);
}

/** Runs `pulumi <args> --stack <stack>` in the stack's workspace, as a user would; resolves stdout. */
export async function stackCli(
  s: Scratch,
  stack: automation.Stack,
  args: string[],
): Promise<string> {
  const st = engine();
  if (!st.installed) throw new Error(st.reason);
  return new Promise((resolve, reject) => {
    execFile(
      st.cli,
      [...args, "--stack", stack.name, "--non-interactive"],
      {
        cwd: stack.workspace.workDir,
        env: { ...process.env, ...pulumiEnv({ stateDir: s.stateDir }) },
        maxBuffer: 64 << 20,
      },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}
