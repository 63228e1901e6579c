/**
 * A Pulumi YAML project on the offline engine, run with the real CLI against an emulated pair:
 * the shared setup of the suites whose programs are YAML (the plugin's `construct`).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { pulumiEnv } from "../../scripts/pulumiEngine";
import type { EmulatedPair } from "../../sdk/emulator";
import { execCli, setPairStackConfig, type PulumiRun } from "./cliExec";
import { engine, skipUnlessEngine, type Scratch } from "./engineHarness";

/** Why a YAML suite cannot run here, or false. */
export function skipUnlessYaml(): string | false {
  const noEngine = skipUnlessEngine();
  if (noEngine) return noEngine;
  return existsSync(path.join(engine().layout.binDir, "pulumi-language-yaml"))
    ? false
    : "pulumi-language-yaml not built; run `bash scripts/setup.sh`";
}

/** The options that hand a YAML resource the cluster's provider (append to its properties). */
export const YAML_PROVIDER_OPTIONS = "\n    options:\n      providers:\n        - ${cluster}";

/**
 * The start of a YAML program: project `name`, the plugin at `pluginDir`, the stack config
 * {@link yamlStack} sets, and the `cluster` provider with both nodes from that config; the
 * caller appends its resources (two-space indent) and outputs.
 */
export function yamlClusterHeader(name: string, pluginDir: string): string {
  const node = (role: string) => `
        url: \${${role}Url}
        username: admin
        password: \${${role}Password}
        tls:
          fingerprint256: \${${role}Fingerprint}`;
  return `name: ${name}
runtime: yaml
plugins:
  providers:
    - name: pfsense-ha
      path: ${pluginDir}
config:
  primaryUrl: { type: string }
  primaryPassword: { type: string }
  primaryFingerprint: { type: string }
  secondaryUrl: { type: string }
  secondaryPassword: { type: string }
  secondaryFingerprint: { type: string }
  carpPassword: { type: string }
resources:
  cluster:
    type: pulumi:providers:pfsense-ha
    properties:
      primary:${node("primary")}
      secondary:${node("secondary")}
      syncWaitSeconds: 3`;
}

/** A YAML project's directory and a runner of the pulumi CLI in it. */
export interface YamlStack {
  dir: string;
  /** Runs `pulumi <args> --non-interactive` in the project; resolves to stdout. */
  run: PulumiRun;
}

/**
 * Writes `program` (given the directory of the plugin binary) as Pulumi.yaml under `s.dir`,
 * makes the stack `dev`, and sets both nodes' URL, fingerprint and password and a CARP
 * password as stack config (`<role>Url`, `<role>Fingerprint`, `<role>Password`, `carpPassword`).
 */
export async function yamlStack(
  s: Scratch,
  pair: EmulatedPair,
  program: (pluginDir: string) => string,
): Promise<YamlStack> {
  const dir = path.join(s.dir, "yaml");
  const run: PulumiRun = (args, input) => {
    const st = engine();
    if (!st.installed) throw new Error(st.reason);
    const env = { ...process.env, ...pulumiEnv({ stateDir: s.stateDir }) };
    return execCli(st.cli, [...args, "--non-interactive"], {
      cwd: dir,
      env,
      timeoutMs: 300_000,
      input,
    });
  };
  mkdirSync(dir);
  writeFileSync(path.join(dir, "Pulumi.yaml"), program(path.join(engine().layout.repoRoot, "bin")));
  await run(["stack", "init", "dev"]);
  await setPairStackConfig(run, pair);
  return { dir, run };
}
