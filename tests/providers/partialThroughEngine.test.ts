/**
 * A failure between the nodes through the real Pulumi engine (skipped without the engine): the
 * engine records the partial state (id + properties from the E_PARTIAL error), keeps every secret
 * encrypted in it, and the next `up` runs an update — not a create, not a replace — that converges.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as ha from "../../sdk";
import { startPair, type EmulatedNode } from "../../sdk/emulator";
import { leaf, toList, toStruct } from "../../sdk/codec/phpValue";
import { inlineStack, scratch, skipUnlessEngine, stackExportText } from "../e2e/engineHarness";
import { ensureSelfLink, REPO_ROOT } from "./pairFixture";

const ADDRESS = "192.168.1.100";
const vipOn = (n: EmulatedNode) =>
  toList(toStruct(n.config().virtualip).vip)
    .map((v) => toStruct(v))
    .filter((v) => leaf(v.subnet) === ADDRESS);

test(
  "secondary down right after the primary write: partial state recorded with secrets encrypted; the rerun updates and converges",
  { skip: skipUnlessEngine() },
  async () => {
    ensureSelfLink();
    process.chdir(REPO_ROOT);
    const pair = await startPair({ dir: mkdtempSync(join(tmpdir(), "pfsense-ha-partial-")) });
    const d = pair.describe();
    const s = scratch("providers-partial");
    const node = (x: typeof d.primary) => ({
      url: x.url,
      username: x.username,
      password: pulumi.secret(x.password),
      tls: { fingerprint256: x.fingerprint256 },
    });
    const stack = await inlineStack(s, "dev", async () => {
      const cluster = new ha.Cluster({ primary: node(d.primary), secondary: node(d.secondary) });
      new ha.CarpVip("wan", {
        cluster,
        interface: "wan",
        subnet: "192.168.1.0/24",
        address: ADDRESS,
        password: pulumi.secret("CarpPwXyz1"),
      });
    });
    try {
      // The secondary goes away the moment the primary holds the VIP (before the secondary write).
      const watch = setInterval(() => {
        if (vipOn(pair.primary).length > 0) {
          clearInterval(watch);
          void pair.secondary.stop();
        }
      }, 1);
      await assert.rejects(stack.up(), /E_PARTIAL|secondary write/);
      clearInterval(watch);
      const text = await stackExportText(s, stack);
      for (const secret of [d.primary.password, d.secondary.password, "CarpPwXyz1"]) {
        assert.ok(!text.includes(secret), "no plaintext secret in the partial state");
      }
      const state = JSON.parse(text) as {
        deployment: { resources: { type: string; id?: string }[] };
      };
      const leafRes = state.deployment.resources.find((r) => r.type.endsWith(":CarpVipConfig"));
      assert.ok(leafRes?.id, "the engine kept the partially applied resource, with its id");
      assert.equal(vipOn(pair.primary).length, 1);

      await pair.secondary.restart();
      const up = await stack.up();
      assert.equal(up.summary.result, "succeeded");
      assert.deepEqual(
        Object.fromEntries(
          Object.entries(up.summary.resourceChanges ?? {}).filter(([op]) => op !== "same"),
        ),
        { update: 1 },
        "the rerun updates the recorded resource",
      );
      assert.equal(vipOn(pair.primary).length, 1);
      assert.equal(vipOn(pair.secondary).length, 1);
      assert.equal(leaf(vipOn(pair.secondary)[0].advskew), "100");
      await stack.destroy();
      assert.equal(vipOn(pair.primary).length, 0);
    } finally {
      await pair.stop();
    }
  },
);
