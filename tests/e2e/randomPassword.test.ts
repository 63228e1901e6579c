/**
 * The default CARP password path: a CarpVip without `password` generates one with @pulumi/random's
 * RandomPassword. Its engine plugin cannot be built from the Go module proxy (pulumi-notes A7; the
 * proxy refuses pulumi-random/provider/v4 at every version tried, tools/pulumi-engine/README.md),
 * so this runs only where `pulumi-resource-random` is installed; the wiring is covered under mocks.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { automation } from "@pulumi/pulumi";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import { leaf, toList, toStruct } from "../../sdk/codec/phpValue";
import { clusterProgram, defaultSpec, pairConfig } from "./clusterProgram";
import { engine, inlineStack, scratch, skipUnlessEngine } from "./engineHarness";

/** Where the engine would find the plugin: PATH, the engine's bin, or PULUMI_HOME's cache. */
function randomPluginInstalled(): boolean {
  const st = engine();
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), st.layout.binDir];
  if (dirs.some((d) => d && existsSync(path.join(d, "pulumi-resource-random")))) return true;
  const cache = path.join(st.layout.pulumiHome, "plugins");
  return existsSync(cache) && readdirSync(cache).some((n) => n.startsWith("resource-random-"));
}

function skip(): string | false {
  const noEngine = skipUnlessEngine();
  if (noEngine) return noEngine;
  return randomPluginInstalled()
    ? false
    : "the @pulumi/random engine plugin (pulumi-resource-random) is not installed: it cannot be " +
        "built from the Go module proxy (pulumi-notes A7). Put it on PATH or in .tools/pulumi/bin " +
        "to run this test; the RandomPassword wiring is covered by the mocked component tests";
}

describe("generated CARP password (RandomPassword) through the engine", { skip: skip() }, () => {
  const s = scratch("e2e-random");
  let pair: EmulatedPair;
  let stack: automation.Stack;

  before(async () => {
    pair = await startPair({ dir: s.dir });
    const spec = { ...defaultSpec("unused"), generatedCarpPassword: true };
    stack = await inlineStack(
      s,
      "random",
      clusterProgram(() => spec),
    );
    await stack.setAllConfig(pairConfig(pair.describe()));
  });
  after(async () => {
    await pair?.stop();
    s.cleanup();
  });

  it("gives both nodes the same generated password, kept secret in state", async () => {
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
    const passwords = [pair.primary, pair.secondary].map((n) =>
      toList(toStruct(n.config().virtualip).vip)
        .map((v) => toStruct(v))
        .filter((v) => leaf(v.mode) === "carp")
        .map((v) => leaf(v.password)),
    );
    assert.ok(passwords[0].length >= 2 && passwords[0].every((p) => p.length > 0));
    assert.deepEqual(passwords[1], passwords[0], "both nodes carry the same CARP passwords");
    const exported = JSON.stringify((await stack.exportStack()).deployment);
    for (const p of passwords[0]) assert.equal(exported.includes(p), false, "plaintext in state");
    await stack.destroy();
  });
});
