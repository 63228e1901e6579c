/**
 * The library through the real Pulumi engine against an emulated pfSense pair: the whole
 * two-node-cluster topology on one pair and one stack, run by run (issue 5's list). Each step
 * builds on the previous one; ground truth is always the nodes' own config.xml.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { automation } from "@pulumi/pulumi";
import * as ha from "../../sdk";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import { generateCarpPassword, isHaError, planCarpTiming } from "../../sdk/plan";
import type { PhpStruct } from "../../sdk/codec/phpValue";
import { formatClusterSummary, snapshotNode } from "../../scripts/clusterSummary";
import {
  clusterProgram,
  defaultSpec,
  pairConfig,
  stackNodes,
  type ClusterSpec,
} from "./clusterProgram";
import {
  inlineStack,
  OutputLog,
  scratch,
  skipUnlessEngine,
  stackExportText,
} from "./engineHarness";
import { carpVips, comparableConfig, dhcpRange, outboundNat, setAdvskew } from "./nodeConfig";

/** Counts of non-"same" operations in an engine summary. */
function changed(summary: automation.UpdateSummary): Record<string, number> {
  return Object.fromEntries(
    Object.entries(summary.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && n > 0),
  );
}

describe(
  "two-node cluster through the engine (emulated pair)",
  { skip: skipUnlessEngine() },
  () => {
    const s = scratch("e2e-cluster");
    const log = new OutputLog();
    let pair: EmulatedPair;
    let stack: automation.Stack;
    let spec: ClusterSpec;
    let before_: { primary: PhpStruct; secondary: PhpStruct };

    before(async () => {
      pair = await startPair({ dir: s.dir });
      before_ = {
        primary: comparableConfig(pair.primary),
        secondary: comparableConfig(pair.secondary),
      };
      spec = defaultSpec(generateCarpPassword());
      stack = await inlineStack(
        s,
        "cluster",
        clusterProgram(() => spec),
      );
      await stack.setAllConfig(pairConfig(pair.describe()));
    });
    after(async () => {
      await pair?.stop();
      s.cleanup();
    });

    it("previews every resource as a create and writes nothing to the nodes", async () => {
      const preview = await stack.preview({ diff: true, onOutput: log.onOutput });
      assert.ok((preview.changeSummary.create ?? 0) >= 6, JSON.stringify(preview.changeSummary));
      assert.deepEqual(comparableConfig(pair.primary), before_.primary);
      assert.deepEqual(comparableConfig(pair.secondary), before_.secondary);
    });

    it("applies the cluster: VIPs on both nodes with skew 0 / 100, NAT to the WAN VIP, DHCP", async () => {
      const up = await stack.up({ onOutput: log.onOutput });
      assert.equal(up.summary.result, "succeeded");
      const wanVhid = up.outputs.wanVhid.value as number;
      for (const [node, skew] of [
        [pair.primary, 0],
        [pair.secondary, 100],
      ] as const) {
        const vips = carpVips(node);
        const wan = vips.find((v) => v.address === spec.wanVip);
        const lan = vips.find((v) => v.address === spec.lanVip);
        assert.ok(wan && lan, `${node.name}: ${JSON.stringify(vips)}`);
        assert.equal(wan.vhid, wanVhid);
        assert.equal(wan.advskew, skew, node.name);
        assert.equal(lan.advskew, skew, node.name);
        assert.equal(dhcpRange(node, "lan").to, spec.dhcpRangeTo);
        const nat = outboundNat(node);
        assert.equal(nat.mode, "hybrid");
        assert.ok(nat.targets.includes(spec.wanVip), JSON.stringify(nat));
      }
    });

    it("the demo's summary reads back each VIP's VHID, advskew and CARP role per node", async () => {
      const d = pair.describe();
      const nodes = await Promise.all(
        (["primary", "secondary"] as const).map((role) =>
          snapshotNode({
            name: role,
            url: d[role].url,
            username: d[role].username,
            password: d[role].password,
            tls: { fingerprint256: d[role].fingerprint256 },
          }),
        ),
      );
      const text = formatClusterSummary(nodes);
      const [primaryPart, secondaryPart] = text.split(/^secondary /m);
      for (const [part, skew, role] of [
        [primaryPart, 0, "MASTER"],
        [secondaryPart, 100, "BACKUP"],
      ] as const) {
        for (const vip of [spec.wanVip, spec.lanVip]) {
          assert.match(part, new RegExp(`${vip}/24 .*vhid \\d+ .*advskew ${skew} +${role}`), text);
        }
        assert.match(part, /mode hybrid/);
        assert.match(part, new RegExp(`192\\.168\\.99\\.10 - ${spec.dhcpRangeTo}`));
      }
      assert.match(primaryPart, /config sync to 172\.16\.1\.2/);
      for (const secret of [pair.primary.password, spec.carpPassword]) {
        assert.equal(text.includes(secret), false, "no secrets in the summary");
      }
    });

    it("previews no changes right after up", async () => {
      const preview = await stack.preview({ expectNoChanges: true, onOutput: log.onOutput });
      assert.deepEqual(changed({ resourceChanges: preview.changeSummary } as never), {});
    });

    it("updates in place when one input changes", async () => {
      spec.dhcpRangeTo = "192.168.99.120";
      const up = await stack.up({ onOutput: log.onOutput });
      assert.deepEqual(changed(up.summary), { update: 1 });
      assert.equal(dhcpRange(pair.primary, "lan").to, "192.168.99.120");
      assert.equal(dhcpRange(pair.secondary, "lan").to, "192.168.99.120");
    });

    it("replaces the VIP when an identity field (its VHID) changes", async () => {
      const oldVhid = carpVips(pair.primary).find((v) => v.address === spec.wanVip)!.vhid;
      spec.wanVhid = oldVhid + 10;
      const ops: Record<string, string[]> = {};
      const up = await stack.up({
        onOutput: log.onOutput,
        onEvent: (e) => {
          const m = e.resourcePreEvent?.metadata;
          if (m?.type.endsWith(":CarpVipConfig")) {
            (ops[m.urn.split("::").pop()!] ??= []).push(m.op);
          }
        },
      });
      assert.equal(up.summary.result, "succeeded");
      assert.ok(
        ops.wan.some((op) => op === "replace" || op === "create-replacement"),
        `the WAN VIP is replaced: ${JSON.stringify(ops)}`,
      );
      assert.deepEqual(ops.lan, ["same"], "the LAN VIP is untouched");
      for (const node of [pair.primary, pair.secondary]) {
        const wans = carpVips(node).filter((v) => v.address === spec.wanVip);
        assert.deepEqual(
          wans.map((v) => v.vhid),
          [oldVhid + 10],
          `${node.name}: exactly one WAN VIP, with the new VHID`,
        );
      }
    });

    it("refresh reports no drift when nobody touched the nodes", async () => {
      const refresh = await stack.refresh({ onOutput: log.onOutput });
      assert.deepEqual(changed(refresh.summary), {});
    });

    for (const role of ["secondary", "primary"] as const) {
      it(`an edit made directly on the ${role} shows as drift on refresh and the next up repairs it`, async () => {
        const node = pair[role];
        setAdvskew(node, spec.lanVip, 150);
        await pair.primary.syncIdle();
        const refresh = await stack.refresh({ onOutput: log.onOutput });
        const drift = changed(refresh.summary);
        assert.ok((drift.update ?? 0) >= 1, JSON.stringify(drift));
        const up = await stack.up({ onOutput: log.onOutput });
        assert.equal(up.summary.result, "succeeded");
        await pair.primary.syncIdle();
        for (const [n, skew] of [
          [pair.primary, 0],
          [pair.secondary, 100],
        ] as const) {
          const lan = carpVips(n).find((v) => v.address === spec.lanVip);
          assert.equal(lan?.advskew, skew, `${n.name} after repairing the ${role}`);
        }
        await stack.preview({ expectNoChanges: true, onOutput: log.onOutput });
      });
    }

    it("keeps secrets out of `pulumi stack export` and out of the engine's output", async () => {
      const exported = await stackExportText(s, stack);
      const secrets = {
        "node admin password": pair.primary.password,
        "secondary admin password (sync password)": pair.secondary.password,
        "CARP password": spec.carpPassword,
      };
      for (const [what, secret] of Object.entries(secrets)) {
        assert.equal(exported.includes(secret), false, `${what} in plaintext in the state`);
        assert.equal(log.text.includes(secret), false, `${what} in the engine output`);
      }
      assert.ok(exported.includes("4dabf18193072939515e22adb298388d"), "secrets are ciphertext");
    });

    it("rejects bad input at preview with the planner's message", async () => {
      let expected = "";
      try {
        planCarpTiming({ primarySkew: 300, field: "CarpVip[bad]" });
      } catch (e) {
        assert.ok(isHaError(e));
        expected = e.message;
      }
      assert.notEqual(expected, "", "the planner rejects skew 300");
      const bad = await inlineStack(s, "bad-input", async () => {
        const cluster = new ha.Cluster(stackNodes());
        new ha.CarpVip("bad", {
          cluster,
          interface: "lan",
          subnet: "192.168.99.0/24",
          primaryAddress: "192.168.99.1",
          secondaryAddress: "192.168.99.2",
          address: "192.168.99.250",
          skew: 300,
          password: pulumi.secret(spec.carpPassword),
        });
      });
      await bad.setAllConfig(pairConfig(pair.describe()));
      const out = new OutputLog();
      await assert.rejects(bad.preview({ onOutput: out.onOutput }), (e: Error) => {
        assert.ok(
          `${e.message}\n${out.text}`.includes(expected),
          `expected the planner's message:\n${expected}\ngot:\n${e.message}`,
        );
        return true;
      });
      await bad.workspace.removeStack("bad-input", { force: true });
    });

    it("fails with a clear message after one attempt when a node's credentials are wrong", async () => {
      // One VIP, so exactly one resource talks to the nodes.
      const wrong = await inlineStack(s, "wrong-credentials", async () => {
        const config = new pulumi.Config();
        const node = (role: "primary" | "secondary") => ({
          url: config.require(`${role}Url`),
          username: config.require(`${role}Username`),
          password: config.requireSecret(`${role}Password`),
          tls: { fingerprint256: config.require(`${role}Fingerprint`) },
        });
        const cluster = new ha.Cluster({ primary: node("primary"), secondary: node("secondary") });
        new ha.CarpVip("lonely", {
          cluster,
          interface: "lan",
          subnet: "192.168.99.0/24",
          primaryAddress: "192.168.99.1",
          secondaryAddress: "192.168.99.2",
          address: "192.168.99.253",
          password: pulumi.secret(spec.carpPassword),
        });
      });
      await wrong.setAllConfig({
        ...pairConfig(pair.describe()),
        secondaryPassword: { value: "not-the-password", secret: true },
      });
      const attemptsBefore = pair.secondary.authLog.length;
      const out = new OutputLog();
      await assert.rejects(wrong.up({ onOutput: out.onOutput }), (e: Error) => {
        const text = `${e.message}\n${out.text}`;
        assert.match(text, /secondary/i);
        assert.match(text, /authenticat|credential|password/i);
        assert.equal(text.includes("not-the-password"), false, "the wrong password is not echoed");
        return true;
      });
      // Exactly one failed login: no retry loop that would trip pfSense's login protection.
      assert.equal(
        pair.secondary.authLog.length - attemptsBefore,
        1,
        pair.secondary.authLog.join("\n"),
      );
      // Whatever the failed run recorded is cleaned up with the right password (the final test
      // checks that nothing is left on the nodes).
      await wrong.setConfig("secondaryPassword", { value: pair.secondary.password, secret: true });
      await wrong.destroy({ onOutput: out.onOutput });
      await wrong.workspace.removeStack("wrong-credentials", { force: true });
    });

    it("destroy leaves both nodes' config.xml as they were before, item for item", async () => {
      const d = await stack.destroy({ onOutput: log.onOutput });
      assert.equal(d.summary.result, "succeeded");
      await pair.primary.syncIdle();
      assert.deepEqual(comparableConfig(pair.primary), before_.primary);
      assert.deepEqual(comparableConfig(pair.secondary), before_.secondary);
    });
  },
);
