/**
 * Where the offline Pulumi engine lives and the environment it runs in: the one helper the demo
 * and the end-to-end tests share (pulumi-notes A1, A6). scripts/setup.d/10-pulumi-engine.sh
 * builds the engine; scripts/pulumi-env.sh exports the same settings for an interactive shell.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { automation } from "@pulumi/pulumi";

/** Fixed passphrase of the demo/test stacks' secrets (local state only; override via env). */
export const DEMO_PASSPHRASE = "pfsense-ha-demo";

/** Absolute paths of the engine installation inside the repository (all git-ignored). */
export interface EngineLayout {
  /** The repository root (holds package.json named `pulumi-pfsense-ha`). */
  repoRoot: string;
  /** `PulumiCommand.get({ root })` root: `.tools/pulumi` (binaries in its `bin/`). */
  engineRoot: string;
  /** `.tools/pulumi/bin`: `pulumi`, `pulumi-language-{nodejs,yaml,go}`, `pulumi-resource-pulumi-nodejs`. */
  binDir: string;
  /** Isolated `PULUMI_HOME` (plugin cache, workspace settings): `.tools/pulumi-home`. */
  pulumiHome: string;
  /** Default file-backend directory: `.pulumi-state`. */
  stateDir: string;
  /** The pinned `@pulumi/pulumi` version, e.g. `3.259.0` (the CLI must report `v` + this). */
  version: string;
}

/** Finds the repository root from this file's location (source or compiled under dist/). */
export function findRepoRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "pulumi-pfsense-ha") {
      return dir;
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no pulumi-pfsense-ha package.json above ${from}`);
    dir = up;
  }
}

/** The engine's paths and pinned version. */
export function engineLayout(repoRoot: string = findRepoRoot()): EngineLayout {
  const engineRoot = path.join(repoRoot, ".tools", "pulumi");
  const sdkPkg = require.resolve("@pulumi/pulumi/package.json", { paths: [repoRoot] });
  return {
    repoRoot,
    engineRoot,
    binDir: path.join(engineRoot, "bin"),
    pulumiHome: path.join(repoRoot, ".tools", "pulumi-home"),
    stateDir: path.join(repoRoot, ".pulumi-state"),
    version: JSON.parse(readFileSync(sdkPkg, "utf8")).version,
  };
}

/** What is installed: the CLI at the pinned version, and whether local programs can run. */
export type EngineStatus =
  | { installed: true; cli: string; languageHost: boolean; layout: EngineLayout }
  | { installed: false; reason: string; layout: EngineLayout };

/**
 * Checks the installation without building anything. `languageHost` is false when only inline
 * Automation-API programs can run (no `pulumi-language-nodejs`, pulumi-notes finding 4).
 */
export function engineStatus(layout: EngineLayout = engineLayout()): EngineStatus {
  const cli = path.join(layout.binDir, "pulumi");
  const launcher = path.join(layout.binDir, "pulumi-resource-pulumi-nodejs");
  const fix = "run `bash scripts/setup.sh` (builds the engine on first use)";
  if (!existsSync(cli)) return { installed: false, reason: `no ${cli}; ${fix}`, layout };
  if (!existsSync(launcher)) return { installed: false, reason: `no ${launcher}; ${fix}`, layout };
  let reported: string;
  try {
    reported = execFileSync(cli, ["version"], {
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
      encoding: "utf8",
    }).trim();
  } catch (e) {
    return {
      installed: false,
      reason: `${cli} does not run (${(e as Error).message}); ${fix}`,
      layout,
    };
  }
  if (reported !== `v${layout.version}`) {
    return {
      installed: false,
      reason: `${cli} reports ${reported}, @pulumi/pulumi is ${layout.version}; ${fix}`,
      layout,
    };
  }
  const languageHost = existsSync(path.join(layout.binDir, "pulumi-language-nodejs"));
  return { installed: true, cli, languageHost, layout };
}

/** Options of {@link pulumiEnv}. */
export interface PulumiEnvOptions {
  /** File-backend directory (default `.pulumi-state`); tests pass their own. */
  stateDir?: string;
  /** Secrets passphrase (default: `$PULUMI_CONFIG_PASSPHRASE`, else {@link DEMO_PASSPHRASE}). */
  passphrase?: string;
}

/**
 * The offline environment for every engine run (pulumi-notes A6): local file backend, isolated
 * PULUMI_HOME, no update checks, no plugin downloads, and PATH starting with the engine's bin and
 * the running Node (the dynamic-provider launcher and the language host run `node` from PATH, and
 * `@pulumi/pulumi` needs Node >= 22).
 */
export function pulumiEnv(
  opts: PulumiEnvOptions = {},
  layout: EngineLayout = engineLayout(),
): Record<string, string> {
  const stateDir = opts.stateDir ?? layout.stateDir;
  return {
    // The checkout's own provider plugin (bin/pulumi-resource-pfsense-ha) for inline programs,
    // which have no Pulumi.yaml `plugins` block.
    PATH: [
      layout.binDir,
      path.join(layout.repoRoot, "bin"),
      path.dirname(process.execPath),
      process.env.PATH ?? "",
    ].join(path.delimiter),
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_HOME: layout.pulumiHome,
    PULUMI_CONFIG_PASSPHRASE:
      opts.passphrase ?? process.env.PULUMI_CONFIG_PASSPHRASE ?? DEMO_PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}

/**
 * The pinned CLI for the Automation API (`PulumiCommand.get`, never `install`: offline). The exact
 * version is checked by {@link engineStatus}; `get` itself checks only the SDK's minimum.
 */
export async function pulumiCommand(
  layout: EngineLayout = engineLayout(),
): Promise<automation.PulumiCommand> {
  return automation.PulumiCommand.get({ root: layout.engineRoot });
}

/** `LocalWorkspace` options wiring {@link pulumiCommand} and {@link pulumiEnv} together. */
export async function workspaceOptions(
  opts: PulumiEnvOptions & { workDir?: string } = {},
  layout: EngineLayout = engineLayout(),
): Promise<automation.LocalWorkspaceOptions> {
  mkdirSync(opts.stateDir ?? layout.stateDir, { recursive: true }); // the file backend needs it
  return {
    workDir: opts.workDir,
    pulumiHome: layout.pulumiHome,
    envVars: pulumiEnv(opts, layout),
    pulumiCommand: await pulumiCommand(layout),
  };
}
