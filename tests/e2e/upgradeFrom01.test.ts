/**
 * Upgrading a stack made with release 0.1 (dynamic providers, commit 113da81) to the provider
 * plugin: the first up with this release creates the provider and nothing else, replaces
 * nothing and writes nothing to the nodes; the aliases carry every resource over.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, symlinkSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { automation } from "@pulumi/pulumi";
import { workspaceOptions } from "../../scripts/pulumiEngine";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import { generateCarpPassword } from "../../sdk/plan";
import { clusterProgram, defaultSpec, pairConfig, type ClusterSpec } from "./clusterProgram";
import { engine, scratch, skipUnlessEngine } from "./engineHarness";
import { carpVips } from "./nodeConfig";

/** The last commit of release 0.1 (the dynamic-provider form). */
const RELEASE_01 = "113da81";

function skip(): string | false {
  const noEngine = skipUnlessEngine();
  if (noEngine) return noEngine;
  try {
    execFileSync("git", ["cat-file", "-e", `${RELEASE_01}^{commit}`], {
      cwd: engine().layout.repoRoot,
    });
    return false;
  } catch {
    return `commit ${RELEASE_01} (release 0.1) is not in this clone; clone with full history to run it`;
  }
}

/**
 * Release 0.1 built in `dir`: its sources from git, this checkout's node_modules linked in
 * (all but the package itself, which resolves to the old release, as its serialized dynamic
 * providers require it by name).
 */
function buildRelease01(dir: string): string {
  const root = engine().layout.repoRoot;
  mkdirSync(dir, { recursive: true });
  execFileSync("sh", ["-c", `git archive ${RELEASE_01} | tar -x -C "${dir}"`], { cwd: root });
  const nm = path.join(dir, "node_modules");
  mkdirSync(nm);
  for (const e of readdirSync(path.join(root, "node_modules"))) {
    if (e === "pulumi-pfsense-ha") continue;
    symlinkSync(path.join(root, "node_modules", e), path.join(nm, e));
  }
  symlinkSync("..", path.join(nm, "pulumi-pfsense-ha"));
  execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", dir], {
    cwd: dir,
  });
  return dir;
}

/** A stack of project `pfsense-ha-upgrade` whose program's modules resolve from `main`. */
async function stackAt(stateDir: string, main: string, program: automation.PulumiFn) {
  const opts = await workspaceOptions({ stateDir });
  return automation.LocalWorkspace.createOrSelectStack(
    { stackName: "upgrade", projectName: "pfsense-ha-upgrade", program },
    {
      ...opts,
      workDir: undefined,
      projectSettings: { name: "pfsense-ha-upgrade", runtime: "nodejs", main },
    },
  );
}

/** Revisions the library wrote (XML-RPC from loopback). */
function libraryWrites(pair: EmulatedPair): number {
  return [pair.primary, pair.secondary]
    .flatMap((n) => n.revisions)
    .filter((r) => r.username.startsWith("(system)@127.0.0.1")).length;
}

describe("upgrading a 0.1 stack to the provider plugin", { skip: skip() }, () => {
  const s = scratch("e2e-upgrade");
  let pair: EmulatedPair;
  let spec: ClusterSpec;

  before(async () => {
    pair = await startPair({ dir: s.dir });
    spec = defaultSpec(generateCarpPassword());
  });
  after(async () => {
    await pair?.stop();
    s.cleanup();
  });

  it("the first up creates only the provider: no replacement, no write to the nodes", async () => {
    const old = buildRelease01(path.join(s.dir, "release-0.1"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const oldLib = require(path.join(old, "dist", "sdk")) as typeof import("../../sdk");
    const before01 = await stackAt(
      s.stateDir,
      old,
      clusterProgram(() => spec, oldLib),
    );
    await before01.setAllConfig(pairConfig(pair));
    const made = await before01.up({ onOutput: () => undefined });
    assert.equal(made.summary.resourceChanges?.create, 11);
    const vips = carpVips(pair.primary);
    const writes = libraryWrites(pair);

    const upgraded = await stackAt(
      s.stateDir,
      engine().layout.repoRoot,
      clusterProgram(() => spec),
    );
    await upgraded.setAllConfig(pairConfig(pair));
    const preview = await upgraded.preview({ onOutput: () => undefined });
    const ops = Object.entries(preview.changeSummary).filter(
      ([op, n]) => op !== "same" && (n ?? 0) > 0,
    );
    // The cluster's provider and its backup record (ClusterBackupConfig, which writes nothing).
    assert.deepEqual(ops, [["create", 2]]);
    const up = await upgraded.up({ onOutput: () => undefined });
    assert.deepEqual(
      Object.entries(up.summary.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && n > 0),
      [["create", 2]],
    );
    assert.equal(libraryWrites(pair), writes, "the upgrade wrote to a node");
    assert.deepEqual(carpVips(pair.primary), vips);

    const again = await upgraded.preview({ onOutput: () => undefined });
    assert.deepEqual(
      Object.entries(again.changeSummary).filter(([op, n]) => op !== "same" && (n ?? 0) > 0),
      [],
    );
    await upgraded.destroy({ onOutput: () => undefined });
    assert.deepEqual(carpVips(pair.primary), []);
  });
});
