/**
 * The extra plugins the setup parts build from the Go module proxy (tools/pulumi-engine/README.md):
 * each runs a tiny local project through the real CLI (`pulumi up`, `stack output`, `destroy`) on
 * a file backend. A suite is skipped when its binary is not in .tools/pulumi/bin.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { pulumiEnv } from "../../scripts/pulumiEngine";
import { execCli } from "./cliExec";
import { engine, scratch, skipUnlessEngine, type Scratch } from "./engineHarness";

/** Skip value: the engine and these binaries in its bin directory. */
function skipUnless(...binaries: string[]): string | false {
  const noEngine = skipUnlessEngine();
  if (noEngine) return noEngine;
  const missing = binaries.filter((b) => !existsSync(path.join(engine().layout.binDir, b)));
  return missing.length === 0
    ? false
    : `${missing.join(", ")} not in ${engine().layout.binDir}; run \`bash scripts/setup.sh\``;
}

/** The Go toolchain the setup parts use: `go` on PATH, else /usr/local/go/bin/go. */
function goBinDir(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/local/go/bin"];
  return dirs.find((d) => d && existsSync(path.join(d, "go")));
}

/** Runs the CLI in `cwd` with the offline environment; resolves with stdout. */
function pulumi(s: Scratch, cwd: string, args: string[], extraEnv = {}): Promise<string> {
  const st = engine();
  if (!st.installed) throw new Error(st.reason);
  const env = { ...process.env, ...pulumiEnv({ stateDir: s.stateDir }), ...extraEnv };
  return execCli(st.cli, [...args, "--non-interactive"], { cwd, env, timeoutMs: 300_000 });
}

/** Writes `files` into a new project directory and returns it. */
function project(s: Scratch, name: string, files: Record<string, string>): string {
  const dir = path.join(s.dir, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
  return dir;
}

/** up, stack output --json, destroy: returns the outputs. */
async function upAndDestroy(
  s: Scratch,
  dir: string,
  extraEnv = {},
): Promise<Record<string, unknown>> {
  await pulumi(s, dir, ["stack", "init", "dev"], extraEnv);
  await pulumi(s, dir, ["up", "--yes", "--skip-preview"], extraEnv);
  const outputs = JSON.parse(
    await pulumi(s, dir, ["stack", "output", "--json", "--show-secrets"], extraEnv),
  );
  await pulumi(s, dir, ["destroy", "--yes", "--skip-preview"], extraEnv);
  return outputs;
}

describe(
  "pulumi-language-yaml (runtime: yaml)",
  { skip: skipUnless("pulumi-language-yaml") },
  () => {
    const s = scratch("lang-yaml");
    after(() => s.cleanup());

    it("runs a YAML program through the CLI", async () => {
      const dir = project(s, "yaml", {
        "Pulumi.yaml": "name: yaml-proof\nruntime: yaml\noutputs:\n  greeting: hello\n",
      });
      assert.deepEqual(await upAndDestroy(s, dir), { greeting: "hello" });
    });
  },
);

describe(
  "pulumi-language-go (runtime: go)",
  { skip: skipUnless("pulumi-language-go") || (goBinDir() ? false : "no Go toolchain") },
  () => {
    const s = scratch("lang-go");
    after(() => s.cleanup());

    it("builds and runs a Go program offline, from the module and build caches", async () => {
      // tests/fixtures/go-program, readied by scripts/setup.d/14-pulumi-language-go.sh with the
      // same Go settings; GOPROXY=off proves the host's `go build` needs no network.
      const dir = path.join(s.dir, "go");
      cpSync(path.join(engine().layout.repoRoot, "tests", "fixtures", "go-program"), dir, {
        recursive: true,
      });
      const goEnv = {
        PATH: [engine().layout.binDir, goBinDir(), process.env.PATH].join(path.delimiter),
        CGO_ENABLED: "0",
        GOFLAGS: "-mod=readonly -buildvcs=false",
        GOTOOLCHAIN: "local",
        GOPROXY: "off",
      };
      assert.deepEqual(await upAndDestroy(s, dir, goEnv), { x: "y" });
    });
  },
);
