/**
 * examples/vlan-fleet as users run it (a local program via pulumi-language-nodejs): a CARP VIP
 * per VLAN with planned addresses and VHIDs, on an emulated pair whose VLAN interfaces were
 * added beforehand, as an admin would have.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { automation } from "@pulumi/pulumi";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import { generateCarpPassword, planAddresses } from "../../sdk/plan";
import { workspaceOptions } from "../../scripts/pulumiEngine";
import { pairConfig } from "./clusterProgram";
import { engine, OutputLog, scratch, skipUnlessEngine } from "./engineHarness";
import { addVlanInterfaces, carpVips, ipAliases } from "./nodeConfig";

const VLAN_COUNT = 4;
const FIRST_TAG = 100;
/** The example's `aliasesPerVlan` option: addresses stacked on each VLAN's VIP. */
const ALIASES_PER_VLAN = 3;

function skip(): string | false {
  const noEngine = skipUnlessEngine();
  if (noEngine) return noEngine;
  const st = engine();
  return st.installed && !st.languageHost
    ? "pulumi-language-nodejs is not installed, so local programs cannot run " +
        "(rebuild the engine: PULUMI_ENGINE_REBUILD=1 bash scripts/setup.sh)"
    : false;
}

describe("the vlan-fleet example project (pulumi-language-nodejs)", { skip: skip() }, () => {
  const s = scratch("e2e-vlan-fleet");
  const stackName = `e2e-${process.pid}`;
  const log = new OutputLog();
  let pair: EmulatedPair;
  let stack: automation.Stack;

  before(async () => {
    pair = await startPair({ dir: s.dir });
    for (const [node, host] of [
      [pair.primary, 2],
      [pair.secondary, 3],
    ] as const) {
      addVlanInterfaces(
        node,
        Array.from({ length: VLAN_COUNT }, (_, i) => ({
          tag: FIRST_TAG + i,
          interface: `opt${2 + i}`,
          address: `10.0.${FIRST_TAG + i}.${host}`,
          prefix: 24,
        })),
      );
    }
    await pair.primary.syncIdle();
    const workDir = path.join(engine().layout.repoRoot, "examples", "vlan-fleet");
    const ws = await automation.LocalWorkspace.create(
      await workspaceOptions({ workDir, stateDir: s.stateDir }),
    );
    stack = await automation.Stack.create(stackName, ws);
    await stack.setAllConfig({
      ...pairConfig(pair.describe()),
      carpPassword: { value: generateCarpPassword(), secret: true },
      vlanCount: { value: String(VLAN_COUNT) },
      firstVlanTag: { value: String(FIRST_TAG) },
    });
  });
  after(async () => {
    await stack?.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
    await pair?.stop();
    s.cleanup();
  });

  it("puts one VIP per VLAN on both nodes at the planned address", async () => {
    const up = await stack.up({ onOutput: log.onOutput });
    assert.equal(up.summary.result, "succeeded", log.text);
    for (const [node, skew] of [
      [pair.primary, 0],
      [pair.secondary, 100],
    ] as const) {
      const vips = carpVips(node);
      assert.equal(vips.length, VLAN_COUNT, node.name);
      for (let i = 0; i < VLAN_COUNT; i++) {
        const planned = planAddresses({ subnet: `10.0.${FIRST_TAG + i}.0/24` }).vip;
        const vip = vips.find((v) => v.interface === `opt${2 + i}`);
        assert.equal(vip?.address, planned, `${node.name} opt${2 + i}`);
        assert.equal(vip?.advskew, skew);
      }
    }
    await stack.preview({ expectNoChanges: true, onOutput: log.onOutput });
  });

  it(`with aliasesPerVlan: ${ALIASES_PER_VLAN}, stacks that many planned addresses on each VLAN's VIP on both nodes`, async () => {
    await stack.setConfig("aliasesPerVlan", { value: String(ALIASES_PER_VLAN) });
    const up = await stack.up({ onOutput: log.onOutput });
    assert.equal(up.summary.result, "succeeded", log.text);
    assert.equal(
      up.summary.resourceChanges?.create,
      2 * VLAN_COUNT,
      "a component and its resource per VLAN",
    );
    await pair.primary.syncIdle();
    const vips = carpVips(pair.primary);
    for (let i = 0; i < VLAN_COUNT; i++) {
      const vip = vips.find((v) => v.interface === `opt${2 + i}`);
      const net = `10.0.${FIRST_TAG + i}`;
      const want = Array.from({ length: ALIASES_PER_VLAN }, (_, k) => `${net}.${4 + k}`);
      for (const node of [pair.primary, pair.secondary]) {
        const stacked = ipAliases(node).filter((a) => a.interface === `_vip${vip?.uniqid}`);
        assert.deepEqual(
          stacked.map((a) => a.address),
          want,
          `${node.name} VLAN ${FIRST_TAG + i}`,
        );
        assert.ok(stacked.every((a) => a.subnetBits === 24));
      }
      assert.deepEqual((up.outputs.gateways.value as { aliases: string[] }[])[i].aliases, want);
    }
    assert.deepEqual(ipAliases(pair.secondary), ipAliases(pair.primary));
    await stack.preview({ expectNoChanges: true, onOutput: log.onOutput });
  });

  it("destroy removes the aliases and the VIPs from both nodes", async () => {
    await stack.destroy({ onOutput: log.onOutput });
    assert.deepEqual(carpVips(pair.primary), []);
    assert.deepEqual(carpVips(pair.secondary), []);
    assert.deepEqual(ipAliases(pair.primary), []);
    assert.deepEqual(ipAliases(pair.secondary), []);
  });
});
