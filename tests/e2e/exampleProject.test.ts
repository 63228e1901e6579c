/**
 * examples/two-node-cluster as users run it: a local TypeScript program started by
 * `pulumi-language-nodejs` (not an inline program), importing the package by name, against an
 * emulated pair whose endpoints arrive as stack config. (The examples' types are checked by the
 * lint step: `tsc -p examples/tsconfig.json`.)
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { automation } from "@pulumi/pulumi";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import { generateCarpPassword } from "../../sdk/plan";
import { workspaceOptions } from "../../scripts/pulumiEngine";
import { pairConfig } from "./clusterProgram";
import { engine, OutputLog, scratch, skipUnlessEngine } from "./engineHarness";
import { carpVips, comparableConfig } from "./nodeConfig";

function skip(): string | false {
  const noEngine = skipUnlessEngine();
  if (noEngine) return noEngine;
  const st = engine();
  return st.installed && !st.languageHost
    ? "pulumi-language-nodejs is not installed, so local programs cannot run " +
        "(rebuild the engine: PULUMI_ENGINE_REBUILD=1 bash scripts/setup.sh)"
    : false;
}

describe("the two-node-cluster example project (pulumi-language-nodejs)", { skip: skip() }, () => {
  const s = scratch("e2e-example");
  const stackName = `e2e-${process.pid}`;
  const log = new OutputLog();
  let pair: EmulatedPair;
  let stack: automation.Stack;

  before(async () => {
    pair = await startPair({ dir: s.dir });
    const workDir = path.join(engine().layout.repoRoot, "examples", "two-node-cluster");
    const ws = await automation.LocalWorkspace.create(
      await workspaceOptions({ workDir, stateDir: s.stateDir }),
    );
    stack = await automation.Stack.create(stackName, ws);
    await stack.setAllConfig({
      ...pairConfig(pair.describe()),
      carpPassword: { value: generateCarpPassword(), secret: true },
    });
  });
  after(async () => {
    await stack?.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
    await pair?.stop();
    s.cleanup();
  });

  it("applies, then previews no changes, then destroys back to the factory config", async () => {
    const before_ = [comparableConfig(pair.primary), comparableConfig(pair.secondary)];
    const up = await stack.up({ onOutput: log.onOutput });
    assert.equal(up.summary.result, "succeeded", log.text);
    assert.equal(carpVips(pair.primary).length, 2);
    assert.equal(carpVips(pair.secondary).length, 2);
    await stack.preview({ expectNoChanges: true, onOutput: log.onOutput });
    await stack.destroy({ onOutput: log.onOutput });
    await pair.primary.syncIdle();
    assert.deepEqual([comparableConfig(pair.primary), comparableConfig(pair.secondary)], before_);
  });
});
