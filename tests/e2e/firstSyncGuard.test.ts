/**
 * Through the real engine: HaSyncSettings switching on NAT and rule sync while the secondary
 * holds its own copy of a `nosync` port forward and a rule of its own. Preview and up fail
 * naming both items and write nothing; acknowledged, the preview lists them, up passes and
 * pfSense's first push deletes them.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { automation } from "@pulumi/pulumi";
import * as ha from "../../sdk";
import { leaf, toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { startPair, type EmulatedNode, type EmulatedPair } from "../../sdk/emulator";
import { pairConfig, stackNodes } from "./clusterProgram";
import { inlineStack, OutputLog, scratch, skipUnlessEngine } from "./engineHarness";
import { editConfig } from "./nodeConfig";

const FORWARD: PhpStruct = {
  interface: "wan",
  protocol: "tcp",
  source: { any: "" },
  destination: { network: "wanip", port: "8443" },
  target: "192.168.99.10",
  "local-port": "443",
  descr: "admin ui",
  nosync: "",
};
const RULE: PhpStruct = {
  type: "pass",
  interface: "lan",
  tracker: "1700000042",
  source: { any: "" },
  destination: { any: "" },
  descr: "secondary own rule",
};

function append(n: EmulatedNode, section: string, list: string, item: PhpStruct): void {
  editConfig(n, (tree) => {
    const s = toStruct(tree[section]);
    s[list] = [...toList(s[list]), item];
    tree[section] = s;
  });
}

const snapshot = (p: EmulatedPair) =>
  JSON.stringify([p.primary.config(), p.secondary.config(), p.secondary.revisions.length]);

describe("HaSyncSettings first-sync guard through the engine", { skip: skipUnlessEngine() }, () => {
  const s = scratch("e2e-first-sync");
  let pair: EmulatedPair;
  let stack: automation.Stack;
  let acknowledge = false;

  before(async () => {
    pair = await startPair({ dir: s.dir });
    append(pair.primary, "nat", "rule", FORWARD);
    append(pair.secondary, "nat", "rule", FORWARD);
    append(pair.secondary, "filter", "rule", RULE);
    stack = await inlineStack(s, "first-sync", async () => {
      const cluster = new ha.Cluster({ ...stackNodes(), syncWaitSeconds: 3 });
      new ha.HaSyncSettings("sync", {
        cluster,
        syncInterface: "opt1",
        username: pair.secondary.username,
        password: pair.secondary.password,
        areas: ["nat", "rules"],
        acknowledgeSecondaryDeletions: acknowledge,
      });
    });
    await stack.setAllConfig(pairConfig(pair.describe()));
  });
  after(async () => {
    await pair?.stop();
    s.cleanup();
  });

  it("preview and up fail naming the secondary's items, and nothing is written", async () => {
    const before = snapshot(pair);
    for (const op of ["preview", "up"] as const) {
      const out = new OutputLog();
      await assert.rejects(stack[op]({ onOutput: out.onOutput }), (e: Error) => {
        const text = `${e.message}\n${out.text}`;
        assert.match(text, /E_FIRST_SYNC_LOSS/);
        assert.match(
          text,
          /nat: port forward wan tcp wanip:8443 -> 192\.168\.99\.10:443 "admin ui" \(deleted\)/,
        );
        assert.match(
          text,
          /filter: firewall rule tracker 1700000042 "secondary own rule" \(deleted\)/,
        );
        assert.ok(!text.includes(pair.secondary.password), "no password in the output");
        return true;
      });
    }
    await pair.primary.syncIdle();
    assert.equal(snapshot(pair), before, "neither node written");
  });

  it("acknowledged: the preview lists the items, up passes and pfSense's first push deletes them", async () => {
    acknowledge = true;
    const out = new OutputLog();
    await stack.preview({ onOutput: out.onOutput, diff: true });
    // The planned property names what the first push takes away.
    assert.match(out.text, /secondaryItemsLostAtFirstSync/);
    assert.match(out.text, /firewall rule tracker 1700000042 \\"secondary own rule\\" \(deleted\)/);
    const up = await stack.up({ onOutput: out.onOutput });
    assert.equal(up.summary.result, "succeeded");
    await pair.primary.syncIdle();
    const sec = pair.secondary.config();
    assert.equal(toList(toStruct(sec.nat).rule).length, 0, "the nosync copy is gone");
    const rules = toList(toStruct(sec.filter).rule).map((r) => leaf(toStruct(r).descr));
    assert.ok(!rules.includes("secondary own rule"));
    await stack.destroy();
  });
});
