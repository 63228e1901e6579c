/**
 * The pfsense-ha provider plugin through the real engine (issue 10's "done when"): the node
 * credentials are provider configuration, so the preview shows only each resource's own fields;
 * derived values and replacements are shown precisely; refresh leaves the inputs alone; a
 * password rotation is one provider update; the most verbose engine log holds no secret; and
 * `destroy --run-program` works after the rotation.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { automation } from "@pulumi/pulumi";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import { generateCarpPassword } from "../../sdk/plan";
import * as ha from "../../sdk";
import {
  clusterProgram,
  defaultSpec,
  pairConfig,
  stackNodes,
  type ClusterSpec,
} from "./clusterProgram";
import { configureHaSyncByHand, guiAddCarpVip, LAN, settle, WAN } from "./safeWritesHelpers";
import {
  inlineStack,
  OutputLog,
  scratch,
  skipUnlessEngine,
  stackCli,
  stackExportText,
} from "./engineHarness";
import { carpVips, outboundNat } from "./nodeConfig";
import { leaf, toStruct } from "../../sdk/codec/phpValue";

/** Counts of non-"same" operations in an engine summary. */
function changed(summary: automation.UpdateSummary | undefined): Record<string, number> {
  return Object.fromEntries(
    Object.entries(summary?.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && n > 0),
  );
}

/** The steps of a preview, per resource URN suffix (`Type::name`). */
function stepsOf(events: automation.EngineEvent[]): { urn: string; op: string; diff: string[] }[] {
  return events.flatMap((e) => {
    const m = e.resourcePreEvent?.metadata;
    if (!m) return [];
    return [{ urn: m.urn, op: m.op, diff: Object.keys(m.detailedDiff ?? {}).sort() }];
  });
}

/** Revisions the library wrote on the nodes (XML-RPC from loopback; pfSense's own sync comes from the peer's sync address). */
function clientWrites(pair: EmulatedPair): number {
  return [pair.primary, pair.secondary]
    .flatMap((n) => n.revisions)
    .filter((r) => r.username.startsWith("(system)@127.0.0.1")).length;
}

describe(
  "the pfsense-ha provider plugin (real engine, emulated pair)",
  { skip: skipUnlessEngine() },
  () => {
    const s = scratch("e2e-plugin");
    let pair: EmulatedPair;
    let stack: automation.Stack;
    let spec: ClusterSpec;
    const secrets: string[] = [];

    before(async () => {
      pair = await startPair({ dir: s.dir });
      spec = defaultSpec(generateCarpPassword());
      secrets.push(pair.primary.password, pair.secondary.password, spec.carpPassword);
      stack = await inlineStack(
        s,
        "plugin",
        clusterProgram(() => spec),
      );
      await stack.setAllConfig(pairConfig(pair));
      await stack.up({ onOutput: () => undefined });
    });
    after(async () => {
      await pair?.stop();
      s.cleanup();
    });

    it("a change previews only the resource's own fields: no endpoint, user or password", async () => {
      spec.lanDescription = "LAN VIP (renamed)";
      const events: automation.EngineEvent[] = [];
      const log = new OutputLog();
      const r = await stack.preview({
        diff: true,
        onEvent: (e) => events.push(e),
        onOutput: log.onOutput,
      });
      const updates = stepsOf(events).filter((x) => x.op === "update");
      assert.deepEqual(
        updates.map((u) => [u.urn.split("::").pop(), u.diff]),
        [["lan", ["description"]]],
      );
      assert.equal(r.changeSummary.update, 1);
      assert.doesNotMatch(log.text, /url|username|fingerprint/i, log.text);
      spec.lanDescription = "LAN CARP VIP";
    });

    it("a skew change previews the secondary's derived advskew too", async () => {
      spec.lanSkew = 10;
      const events: automation.EngineEvent[] = [];
      const log = new OutputLog();
      await stack.preview({ diff: true, onEvent: (e) => events.push(e), onOutput: log.onOutput });
      const lan = stepsOf(events).find(
        (x) => x.op === "update" && x.urn.endsWith("CarpVipConfig::lan"),
      );
      assert.deepEqual(lan?.diff, ["secondaryAdvskew", "skew"]);
      assert.match(log.text, /secondaryAdvskew: 100 => 110/);
      spec.lanSkew = undefined;
    });

    it("a VHID change previews a replacement that deletes the old VIP first", async () => {
      spec.wanVhid = 7;
      const events: automation.EngineEvent[] = [];
      await stack.preview({ onEvent: (e) => events.push(e), onOutput: () => undefined });
      const wan = stepsOf(events).filter((x) => x.urn.endsWith("CarpVipConfig::wan"));
      const ops = wan.map((x) => x.op);
      assert.ok(ops.includes("delete-replaced") && ops.includes("create-replacement"), ops.join());
      assert.ok(ops.indexOf("delete-replaced") < ops.indexOf("create-replacement"), ops.join());
      assert.deepEqual(wan.find((x) => x.op === "replace")?.diff, ["vhid"]);
      spec.wanVhid = undefined;
    });

    it("refresh keeps the program's inputs: the next preview has no changes", async () => {
      await stack.refresh({ onOutput: () => undefined });
      const r = await stack.preview({ onOutput: () => undefined });
      assert.deepEqual(
        Object.entries(r.changeSummary).filter(([op, n]) => op !== "same" && (n ?? 0) > 0),
        [],
      );
    });

    it("ignoreChanges on a component reaches its resource", async () => {
      spec.lanIgnoreChanges = ["description"];
      spec.lanDescription = "ignored";
      const r = await stack.preview({ onOutput: () => undefined });
      assert.equal(r.changeSummary.update ?? 0, 0);
      spec.lanIgnoreChanges = undefined;
      spec.lanDescription = "LAN CARP VIP";
    });

    it("--target of a component takes its resource with --target-dependents (Pulumi targets URNs only)", async () => {
      spec.lanDescription = "targeted";
      const lan = "urn:pulumi:plugin::pfsense-ha-e2e::pfsense-ha:index:CarpVip::lan";
      const alone = await stack.preview({ target: [lan], onOutput: () => undefined });
      assert.equal(alone.changeSummary.update ?? 0, 0);
      const events: automation.EngineEvent[] = [];
      const withDependents = await stack.preview({
        target: [lan],
        targetDependents: true,
        onEvent: (e) => events.push(e),
        onOutput: () => undefined,
      });
      assert.equal(withDependents.changeSummary.update, 1);
      assert.ok(
        stepsOf(events).some((x) => x.op === "update" && x.urn.endsWith("CarpVipConfig::lan")),
      );
      spec.lanDescription = "LAN CARP VIP";
    });

    it("rotating the primary's password is one provider update and no write to the nodes", async () => {
      const writes = clientWrites(pair);
      pair.primary.changeAdminPassword(generateCarpPassword());
      secrets.push(pair.primary.password);
      await stack.setAllConfig(pairConfig(pair));
      const events: automation.EngineEvent[] = [];
      const r = await stack.up({ onEvent: (e) => events.push(e), onOutput: () => undefined });
      assert.deepEqual(changed(r.summary), { update: 1 });
      const updated = stepsOf(events).filter((x) => x.op === "update");
      assert.deepEqual(
        updated.map((u) => [u.urn.split("::").slice(-2).join("::"), u.diff]),
        [["pulumi:providers:pfsense-ha::cluster", ["primary.password"]]],
      );
      assert.equal(clientWrites(pair), writes, "the rotation wrote to a node");
    });

    it("rotating the secondary's password also updates the sync password that uses it", async () => {
      pair.secondary.changeAdminPassword(generateCarpPassword());
      secrets.push(pair.secondary.password);
      await stack.setAllConfig(pairConfig(pair));
      const events: automation.EngineEvent[] = [];
      const r = await stack.up({ onEvent: (e) => events.push(e), onOutput: () => undefined });
      assert.deepEqual(changed(r.summary), { update: 2 });
      const updated = stepsOf(events).filter((x) => x.op === "update");
      assert.deepEqual(
        updated.map((u) => [u.urn.split("::").slice(-2).join("::"), u.diff]).sort(),
        [
          ["pfsense-ha:index:HaSyncSettings$pfsense-ha:index:HaSyncConfig::sync", ["password"]],
          ["pulumi:providers:pfsense-ha::cluster", ["secondary.password"]],
        ],
      );
      assert.equal(leaf(toStruct(pair.primary.config().hasync).password), pair.secondary.password);
    });

    it("at -v=9 --logtostderr no password appears except in the engine's own RPC property trace", async () => {
      spec.lanDescription = "LAN VIP (v9)";
      const log = new OutputLog();
      const errs: string[] = [];
      await stack.up({
        logVerbosity: 9,
        logToStdErr: true,
        onOutput: log.onOutput,
        onError: (e) => errs.push(e),
      });
      const lines = (log.text + errs.join("")).split("\n");
      assert.ok(lines.length > 1000, `expected a verbose log, got ${lines.length} lines`);
      const leaking = lines.filter((l) => secrets.some((x) => l.includes(x)));
      // Pulumi 3.259 formats "(Un)Marshaling property for RPC[...]: key=value" after its secret
      // filter has run (sdk/go/common/util/logging/log.go rebuildLogger), so each secret crossing an
      // RPC is traced in plain text at -v=9 whatever the provider does; the Node.js SDK's debug line
      // "RegisterResource RPC finished" prints each response whole. Nothing else may hold one.
      const engineTrace =
        /"msg":"((Un)?[Mm]arshaling property for RPC\[|(eventSink::Debug\(<\{%reset%\}>)?RegisterResource RPC finished: )/;
      assert.deepEqual(
        leaking.filter((l) => !engineTrace.test(l)),
        [],
      );
      const exported = await stackExportText(s, stack);
      for (const secret of secrets)
        assert.ok(!exported.includes(secret), "a password is in plain state");
    });

    it("destroy --run-program after the rotation removes everything it made", async () => {
      await stack.destroy({ runProgram: true, onOutput: () => undefined });
      assert.deepEqual(
        carpVips(pair.primary).filter(
          (v) => v.descr?.includes("CARP VIP") || v.descr?.includes("LAN VIP"),
        ),
        [],
      );
    });

    it("pulumi import takes over a hand-made CARP VIP (id interface/vhid) and the HA sync setting (id hasync)", async () => {
      await configureHaSyncByHand(pair, ["virtualip"]);
      const vip = guiAddCarpVip(pair.primary, WAN, "192.168.1.60", "hand-made WAN VIP");
      await settle(pair);
      const imports = await inlineStack(s, "imports", async () => {
        new ha.Cluster(stackNodes());
      });
      await imports.setAllConfig(pairConfig(pair));
      await imports.up({ onOutput: () => undefined });
      const providerUrn = `urn:pulumi:imports::pfsense-ha-e2e::pulumi:providers:pfsense-ha::cluster`;
      const r = await imports.import({
        resources: [
          {
            type: "pfsense-ha:index:CarpVipConfig",
            name: "hand-vip",
            id: `wan/${vip.vhid}`,
            provider: "cluster",
          },
          {
            type: "pfsense-ha:index:HaSyncConfig",
            name: "hand-sync",
            id: "hasync",
            provider: "cluster",
          },
        ],
        nameTable: { cluster: providerUrn },
        protect: false,
        generateCode: true,
        onOutput: () => undefined,
      });
      assert.match(r.generatedCode, /CarpVipConfig\("hand-vip"/);
      assert.match(r.generatedCode, new RegExp(`vhid: ${vip.vhid}`));
      assert.match(r.generatedCode, /HaSyncConfig\("hand-sync"/);
      const state = JSON.parse(await stackExportText(s, imports)) as {
        deployment: { resources: { type: string; id?: string }[] };
      };
      const vipState = state.deployment.resources.find(
        (x) => x.type === "pfsense-ha:index:CarpVipConfig",
      );
      assert.equal(vipState?.id, vip.uniqid);
      // Imported means owned: a program without them deletes them from both nodes.
      await imports.up({ onOutput: () => undefined });
      for (const n of [pair.primary, pair.secondary]) {
        assert.deepEqual(
          carpVips(n).filter((v) => v.uniqid === vip.uniqid),
          [],
        );
      }
    });

    it("pulumi import finds a NAT rule this library made by its rule id, after its state was lost", async () => {
      const imports = await inlineStack(s, "imports", async () => {
        const cluster = new ha.Cluster(stackNodes());
        const wan = new ha.CarpVip("wan", {
          cluster,
          interface: "wan",
          subnet: "192.168.1.0/24",
          address: "192.168.1.70",
          password: pulumi.secret(spec.carpPassword),
        });
        const nat = new ha.OutboundNatRule("nat", {
          cluster,
          interface: "wan",
          source: "192.168.99.0/24",
          translation: wan,
          description: "imported NAT",
        });
        return { ruleId: nat.ruleId };
      });
      await imports.setAllConfig(pairConfig(pair));
      const up = await imports.up({ onOutput: () => undefined });
      const ruleId = up.outputs.ruleId?.value as string;
      const natUrn = (t: string) => `urn:pulumi:imports::pfsense-ha-e2e::${t}::nat`;
      await stackCli(s, imports, [
        "state",
        "delete",
        "--force",
        natUrn("pfsense-ha:index:OutboundNatRule$pfsense-ha:index:OutboundNatConfig"),
      ]);
      await stackCli(s, imports, [
        "state",
        "delete",
        "--force",
        natUrn("pfsense-ha:index:OutboundNatRule"),
      ]);
      const r = await imports.import({
        resources: [
          {
            type: "pfsense-ha:index:OutboundNatConfig",
            name: "nat-again",
            id: ruleId,
            provider: "cluster",
          },
        ],
        nameTable: {
          cluster: `urn:pulumi:imports::pfsense-ha-e2e::pulumi:providers:pfsense-ha::cluster`,
        },
        protect: false,
        generateCode: true,
        onOutput: () => undefined,
      });
      assert.match(r.generatedCode, /source: "192\.168\.99\.0\/24"/);
      assert.match(r.generatedCode, /target: "192\.168\.1\.70"/);
      // Owned again: destroy removes the rule from the nodes.
      await imports.destroy({ onOutput: () => undefined });
      assert.deepEqual(outboundNat(pair.primary).targets, []);
    });

    it("pulumi import takes hand-made items into the aggregate by <kind>:<key>=<id>, and the gate by any name", async () => {
      const vip = guiAddCarpVip(pair.primary, LAN, "192.168.99.77", "aggregate VIP");
      const imports = await inlineStack(s, "imports", async () => {
        new ha.Cluster(stackNodes());
      });
      await imports.setAllConfig(pairConfig(pair));
      await imports.up({ onOutput: () => undefined });
      const nameTable = {
        cluster: `urn:pulumi:imports::pfsense-ha-e2e::pulumi:providers:pfsense-ha::cluster`,
      };
      const r = await imports.import({
        resources: [
          {
            type: "pfsense-ha:index:ClusterHaConfigState",
            name: "all",
            id: `carpVips:lan=lan/${vip.vhid}`,
            provider: "cluster",
          },
          {
            type: "pfsense-ha:index:ClusterHealthCheck",
            name: "gate",
            id: "gate",
            provider: "cluster",
          },
        ],
        nameTable,
        protect: false,
        generateCode: true,
        onOutput: () => undefined,
      });
      assert.match(r.generatedCode, /ClusterHaConfigState\("all"/);
      assert.match(r.generatedCode, /192\.168\.99\.77/);
      assert.match(r.generatedCode, /ClusterHealthCheck\("gate"/);
      await assert.rejects(
        imports.import({
          resources: [
            {
              type: "pfsense-ha:index:ClusterHaConfigState",
              name: "bad",
              id: "wan/1",
              provider: "cluster",
            },
          ],
          nameTable,
          protect: false,
          onOutput: () => undefined,
        }),
        /E_IMPORT.*<kind>:<key>=<item id> \(got "wan\/1"\)/s,
      );
      // Owned: destroy removes the imported VIP.
      await imports.destroy({ onOutput: () => undefined });
      assert.deepEqual(
        carpVips(pair.primary).filter((v) => v.uniqid === vip.uniqid),
        [],
      );
    });
  },
);
