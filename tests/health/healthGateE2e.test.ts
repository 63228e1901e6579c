/**
 * The opt-in health gate through the real Pulumi engine against an emulated pair: `pulumi up`
 * succeeds when every VHID converges to MASTER on the primary, fails with E_HEALTH_GATE while the
 * primary is in maintenance mode (checked on every up), and succeeds again once it is left.
 * Skips where the offline engine is not installed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { automation } from "@pulumi/pulumi";
import * as ha from "../../sdk";
import { ClusterHealthGate, clusterHealthOutput } from "../../sdk/components/clusterHealthGate";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import { enterMaintenance, leaveMaintenance } from "../../sdk/health";
import { generateCarpPassword } from "../../sdk/plan";
import { pairConfig, stackNodes } from "../e2e/clusterProgram";
import { inlineStack, OutputLog, scratch, skipUnlessEngine } from "../e2e/engineHarness";

const program =
  (carpPassword: string): automation.PulumiFn =>
  async () => {
    const cluster = new ha.Cluster({ ...stackNodes(), syncWaitSeconds: 3 });
    const password = pulumi.secret(carpPassword);
    const wan = new ha.CarpVip("wan", {
      cluster,
      interface: "wan",
      subnet: "192.168.1.0/24",
      address: "192.168.1.100",
      password,
    });
    const lan = new ha.CarpVip("lan", {
      cluster,
      interface: "lan",
      subnet: "192.168.99.0/24",
      address: "192.168.99.254",
      password,
    });
    const gate = new ClusterHealthGate(
      "gate",
      { cluster, timeoutSeconds: 4, pollSeconds: 0.2 },
      { dependsOn: [wan, lan] },
    );
    return {
      gateOk: gate.ok,
      gateVhids: gate.vhids,
      healthy: clusterHealthOutput(cluster).apply((h) => h.healthy),
    };
  };

describe(
  "ClusterHealthGate through the engine (emulated pair)",
  { skip: skipUnlessEngine() },
  () => {
    const s = scratch("e2e-health-gate");
    const log = new OutputLog();
    let pair: EmulatedPair;
    let stack: automation.Stack;

    before(async () => {
      pair = await startPair({ dir: s.dir });
      stack = await inlineStack(s, "gate", program(generateCarpPassword()), "pfsense-ha-gate");
      await stack.setAllConfig(pairConfig(pair.describe()));
    });
    after(async () => {
      await stack?.destroy({ onOutput: log.onOutput }).catch(() => undefined);
      await pair?.stop();
      s.cleanup();
      assert.ok(
        !log.text.includes(pair.describe().primary.password),
        "no node password in engine output",
      );
    });

    it("up succeeds once every VHID is MASTER on the primary", async () => {
      const up = await stack.up({ onOutput: log.onOutput });
      assert.equal(up.summary.result, "succeeded");
      assert.equal(up.outputs.gateOk.value, true);
      const vhids = up.outputs.gateVhids.value as { primary: string; secondary: string }[];
      assert.equal(vhids.length, 2);
      assert.ok(vhids.every((v) => v.primary === "MASTER" && v.secondary === "BACKUP"));
    });

    it("up fails with E_HEALTH_GATE while the primary is in maintenance mode", async () => {
      const endpoints = pair.describe();
      const primary = {
        name: "primary",
        ...endpoints.primary,
        tls: { fingerprint256: endpoints.primary.fingerprint256 },
      };
      await enterMaintenance(primary);
      try {
        await assert.rejects(stack.up({ onOutput: log.onOutput }), (e: unknown) => {
          const text = String(e);
          assert.match(text, /E_HEALTH_GATE/);
          assert.match(text, /the secondary is MASTER/);
          assert.ok(!text.includes(endpoints.primary.password));
          return true;
        });
      } finally {
        await leaveMaintenance(primary);
      }
    });

    it("the next up checks again and succeeds", async () => {
      const up = await stack.up({ onOutput: log.onOutput });
      assert.equal(up.summary.result, "succeeded");
      assert.equal(up.outputs.gateOk.value, true);
      assert.equal(up.outputs.healthy.value, true);
    });
  },
);
