/**
 * The tutorial cluster from Go: `pulumi package gen-sdk --language go` generates the Go SDK from
 * the checkout's plugin (bin/pulumi-resource-pfsense-ha) into a temporary directory (a build
 * output, never committed), the program tests/fixtures/go-cluster points its `replace` at it, and
 * the real CLI runs it (`runtime: go`, pulumi-language-go builds it) against an emulated pair. The
 * node state checked is yamlProgram.test.ts's.
 *
 * Offline: GOPROXY=off. The program's modules are tests/fixtures/go-program's (warmed by
 * scripts/setup.d/14-pulumi-language-go.sh) plus the few its go.sum adds, which the same setup
 * part downloads; the generated SDK needs nothing more (it requires only sdk/v3, which the
 * program's go.mod raises to v3.259.0).
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { pulumiEnv } from "../../scripts/pulumiEngine";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import { execCli, setPairStackConfig, type PulumiRun } from "./cliExec";
import { engine, scratch, skipUnlessEngine } from "./engineHarness";
import { carpVips } from "./nodeConfig";
import { assertTutorialCluster } from "./tutorialCluster";

/** The SDK's Go module (schema `language.go.importBasePath` minus the package). */
const SDK_MODULE = "example.com/pulumi-pfsense-ha/sdk/go";

/** The Go toolchain the setup parts use: `go` on PATH, else /usr/local/go/bin/go. */
function goBinDir(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/local/go/bin"];
  return dirs.find((d) => d && existsSync(path.join(d, "go")));
}

function skip(): string | false {
  const noEngine = skipUnlessEngine();
  if (noEngine) return noEngine;
  if (!existsSync(path.join(engine().layout.binDir, "pulumi-language-go"))) {
    return "pulumi-language-go not built; run `bash scripts/setup.sh`";
  }
  return goBinDir() ? false : "no Go toolchain (`go` on PATH or /usr/local/go/bin)";
}

describe("the tutorial cluster from Go (generated SDK, plugin construct)", { skip: skip() }, () => {
  const s = scratch("e2e-go");
  let pair: EmulatedPair;
  let dir: string;
  const repoRoot = () => engine().layout.repoRoot;
  // The settings of languageHosts.test.ts's Go run (the ones setup warmed the caches with).
  const env = () => ({
    ...process.env,
    ...pulumiEnv({ stateDir: s.stateDir }),
    PATH: [pulumiEnv({ stateDir: s.stateDir }).PATH, goBinDir()].join(path.delimiter),
    CGO_ENABLED: "0",
    GOFLAGS: "-mod=readonly -buildvcs=false",
    GOTOOLCHAIN: "local",
    GOPROXY: "off",
  });
  const exec = (file: string, args: string[], cwd: string, input?: string): Promise<string> =>
    execCli(file, args, { cwd, env: env(), timeoutMs: 600_000, input });
  const run: PulumiRun = (args, input) => {
    const st = engine();
    if (!st.installed) throw new Error(st.reason);
    return exec(st.cli, [...args, "--non-interactive"], dir, input);
  };
  const timed = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    const r = await f();
    console.log(`# go-cluster: ${what} ${((Date.now() - start) / 1000).toFixed(1)}s`);
    return r;
  };

  before(async () => {
    pair = await startPair({ dir: s.dir });
    const st = engine();
    if (!st.installed) throw new Error(st.reason);
    const pluginDir = path.join(repoRoot(), "bin");
    const sdkOut = path.join(s.dir, "sdk");
    await timed("gen-sdk", () =>
      exec(
        st.cli,
        [
          "package",
          "gen-sdk",
          path.join(pluginDir, "pulumi-resource-pfsense-ha"),
          "--language",
          "go",
          "--out",
          sdkOut,
        ],
        s.dir,
      ),
    );
    const sdkDir = path.join(sdkOut, "go");
    assert.match(
      readFileSync(path.join(sdkDir, "go.mod"), "utf8"),
      new RegExp(`^module ${SDK_MODULE}$`, "m"),
    );

    dir = path.join(s.dir, "go-cluster");
    cpSync(path.join(repoRoot(), "tests", "fixtures", "go-cluster"), dir, { recursive: true });
    await exec(
      path.join(goBinDir()!, "go"),
      ["mod", "edit", `-replace=${SDK_MODULE}=${sdkDir}`],
      dir,
    );
    // The checkout's plugin, as yamlProgram.test.ts names it.
    writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      `${readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")}plugins:\n  providers:\n    - name: pfsense-ha\n      path: ${pluginDir}\n`,
    );
    await run(["stack", "init", "dev"]);
    await setPairStackConfig(run, pair);
  });
  after(async () => {
    await pair?.stop();
    s.cleanup();
  });

  it("up builds the Go program offline and every component through construct", async () => {
    await timed("up (go build + deploy)", () => run(["up", "--yes", "--skip-preview"]));
    const out = JSON.parse(await run(["stack", "output", "--json"])) as Record<string, unknown>;
    assertTutorialCluster(pair, out);
    // The schema's required outputs, typed non-pointer in Go, all arrive.
    assert.equal(out.natTarget, "192.168.1.100");
    assert.equal(out.natMode, "hybrid");
    assert.equal(out.dhcpGateway, "192.168.99.254");
    assert.deepEqual(out.syncAddresses, ["172.16.1.1", "172.16.1.2"]);
    assert.ok(typeof out.natRuleId === "string" && out.natRuleId !== "", "nat rule id");
    assert.ok(typeof out.wanUniqid === "string" && out.wanUniqid !== "", "wan uniqid");
    assert.ok(Array.isArray(out.syncAreas) && out.syncAreas.length > 0, "sync areas");
    assert.ok(
      Array.isArray(out.dhcpPeers) && out.dhcpPeers.every((p) => typeof p === "string" && p),
      `dhcp peers ${JSON.stringify(out.dhcpPeers)}`,
    );
  });

  it("a second preview has no changes, and destroy removes what it made", async () => {
    const preview = await timed("preview", () => run(["preview", "--expect-no-changes"]));
    assert.match(preview, /unchanged/);
    await timed("destroy", () => run(["destroy", "--yes", "--skip-preview"]));
    assert.deepEqual(carpVips(pair.primary), []);
  });
});
