/**
 * CarpIpAliases and SyncInterfaceRules in the provider plugin's other paths, through the real
 * engine against the emulated pair:
 * - `pulumi import` takes over IP aliases stacked by hand on a hand-made CARP VIP (id: the VIP's
 *   `<interface>/<vhid>`): the state holds every alias by its own uniqid, the generated code
 *   declares their addresses, nothing is written at import, and (owned) a program without them
 *   deletes them from both nodes while the CARP VIP stays; an id that names no VIP is refused
 *   with E_IMPORT;
 * - `pulumi import` finds a SyncInterfaceRules rule set again by its sync interface after its
 *   state was lost;
 * - a Pulumi YAML program stacks aliases on a CarpVip through the plugin's `construct`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as ha from "../../sdk";
import { toList, toStruct } from "../../sdk/codec/phpValue";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import { pairConfig, stackNodes } from "./clusterProgram";
import { inlineStack, scratch, skipUnlessEngine, stackCli } from "./engineHarness";
import {
  skipUnlessYaml,
  YAML_PROVIDER_OPTIONS,
  yamlClusterHeader,
  yamlStack,
  type YamlStack,
} from "./yamlStack";
import { carpVips, editConfig, ipAliases } from "./nodeConfig";
import { configureHaSyncByHand, guiAddCarpVip, LAN, settle } from "./safeWritesHelpers";

const PROVIDER = (stack: string) =>
  `urn:pulumi:${stack}::pfsense-ha-e2e::pulumi:providers:pfsense-ha::cluster`;

/** Filter rules of a node on `ifName` (tracker, description). */
function filterRules(pair: EmulatedPair, role: "primary" | "secondary", ifName: string) {
  return toList(toStruct(pair[role].config().filter).rule)
    .map((r) => toStruct(r))
    .filter((r) => r.interface === ifName)
    .map((r) => String(r.descr));
}

describe(
  "pulumi import of stacked IP aliases and sync-interface rules (real engine, emulated pair)",
  { skip: skipUnlessEngine() },
  () => {
    const s = scratch("e2e-alias-import");
    let pair: EmulatedPair;

    before(async () => {
      pair = await startPair({ dir: s.dir });
      await configureHaSyncByHand(pair, ["virtualip"]);
    });
    after(async () => {
      await pair?.stop();
      s.cleanup();
    });

    it("imports the aliases stacked on a hand-made CARP VIP by its interface/vhid; owned, they go with the program", async () => {
      const vip = guiAddCarpVip(pair.primary, LAN, "192.168.99.80", "hand-made LAN VIP");
      const handIds = ["5f1a2b3c4d5e0", "5f1a2b3c4d5e1"];
      editConfig(pair.primary, (tree) => {
        const section = toStruct(tree.virtualip);
        section.vip = [
          ...toList(section.vip),
          ...["192.168.99.81", "192.168.99.82"].map((a, i) => ({
            mode: "ipalias",
            interface: `_vip${vip.uniqid}`,
            uniqid: handIds[i],
            descr: "stacked by hand",
            type: "single",
            subnet_bits: "24",
            subnet: a,
          })),
        ];
      });
      await settle(pair);
      assert.equal(ipAliases(pair.secondary).length, 2, "pfSense's sync copied the aliases");
      const stack = await inlineStack(s, "imports", async () => {
        new ha.Cluster(stackNodes());
      });
      await stack.setAllConfig(pairConfig(pair));
      await stack.up({ onOutput: () => undefined });
      const revisions = pair.primary.revisions.length + pair.secondary.revisions.length;
      const r = await stack.import({
        resources: [
          {
            type: "pfsense-ha:index:CarpIpAliasesConfig",
            name: "hand-aliases",
            id: `lan/${vip.vhid}`,
            provider: "cluster",
          },
        ],
        nameTable: { cluster: PROVIDER("imports") },
        protect: false,
        generateCode: true,
        onOutput: () => undefined,
      });
      assert.match(r.generatedCode, /CarpIpAliasesConfig\("hand-aliases"/);
      assert.match(r.generatedCode, /"192\.168\.99\.81",\s*"192\.168\.99\.82"/);
      assert.match(r.generatedCode, new RegExp(`vipUniqid: "${vip.uniqid}"`));
      assert.equal(
        pair.primary.revisions.length + pair.secondary.revisions.length,
        revisions,
        "an import writes nothing",
      );
      const state = await stack.exportStack();
      const res = (state.deployment.resources ?? []) as {
        type: string;
        outputs?: Record<string, unknown>;
      }[];
      const aliases = res.find((x) => x.type === "pfsense-ha:index:CarpIpAliasesConfig");
      assert.deepEqual(aliases?.outputs?.aliasUniqids, handIds);
      assert.deepEqual(aliases?.outputs?.drift, { primary: [], secondary: [] });
      // An id that names no CARP VIP is refused with what to give instead.
      await assert.rejects(
        stack.import({
          resources: [
            {
              type: "pfsense-ha:index:CarpIpAliasesConfig",
              name: "bad",
              id: "192.168.99.81",
              provider: "cluster",
            },
          ],
          nameTable: { cluster: PROVIDER("imports") },
          protect: false,
          onOutput: () => undefined,
        }),
        /E_IMPORT.*192\.168\.99\.81.*uniqid.*lan\/5/s,
      );
      // Imported means owned: the program does not declare them, so up deletes them from both
      // nodes; the CARP VIP (not imported) stays.
      await stack.up({ onOutput: () => undefined });
      await settle(pair);
      for (const role of ["primary", "secondary"] as const) {
        assert.deepEqual(ipAliases(pair[role]), [], role);
        assert.ok(
          carpVips(pair[role]).some((v) => v.address === "192.168.99.80"),
          role,
        );
      }
    });

    it("finds a SyncInterfaceRules rule set by its sync interface after the state was lost", async () => {
      const stack = await inlineStack(s, "rules", async () => {
        const cluster = new ha.Cluster({ ...stackNodes(), syncWaitSeconds: 3 });
        const rules = new ha.SyncInterfaceRules("sync-rules", { cluster, syncInterface: "opt1" });
        return { rulesetId: rules.rulesetId };
      });
      await stack.setAllConfig(pairConfig(pair));
      const up = await stack.up({ onOutput: () => undefined });
      const rulesetId = up.outputs.rulesetId?.value as string;
      const urn = (t: string) => `urn:pulumi:rules::pfsense-ha-e2e::${t}::sync-rules`;
      await stackCli(s, stack, [
        "state",
        "delete",
        "--force",
        urn("pfsense-ha:index:SyncInterfaceRules$pfsense-ha:index:SyncInterfaceRulesConfig"),
      ]);
      await stackCli(s, stack, [
        "state",
        "delete",
        "--force",
        urn("pfsense-ha:index:SyncInterfaceRules"),
      ]);
      const r = await stack.import({
        resources: [
          {
            type: "pfsense-ha:index:SyncInterfaceRulesConfig",
            name: "rules-again",
            id: "opt1",
            provider: "cluster",
          },
        ],
        nameTable: { cluster: PROVIDER("rules") },
        protect: false,
        generateCode: true,
        onOutput: () => undefined,
      });
      assert.match(r.generatedCode, /SyncInterfaceRulesConfig\("rules-again"/);
      assert.match(r.generatedCode, /syncInterface: "opt1"/);
      assert.match(r.generatedCode, /primarySyncAddress: "172\.16\.1\.1"/);
      const state = await stack.exportStack();
      const imported = ((state.deployment.resources ?? []) as { type: string; id?: string }[]).find(
        (x) => x.type === "pfsense-ha:index:SyncInterfaceRulesConfig",
      );
      assert.equal(imported?.id, rulesetId);
      // Owned again: destroy removes the four rules from both nodes.
      assert.equal(filterRules(pair, "primary", "opt1").length, 4);
      await stack.destroy({ onOutput: () => undefined });
      assert.deepEqual(filterRules(pair, "primary", "opt1"), []);
      assert.deepEqual(filterRules(pair, "secondary", "opt1"), []);
    });
  },
);

/** A YAML program: a LAN CARP VIP and three aliases stacked on it (one given, two planned). */
function yamlProgram(pluginDir: string): string {
  const opts = YAML_PROVIDER_OPTIONS;
  return `${yamlClusterHeader("pfsense-ha-yaml-aliases", pluginDir)}
  lan:
    type: pfsense-ha:index:CarpVip
    properties:
      interface: lan
      subnet: 192.168.99.0/24
      address: 192.168.99.254
      password: \${carpPassword}
      description: LAN CARP VIP${opts}
  lanExtra:
    type: pfsense-ha:index:CarpIpAliases
    properties:
      vipUniqid: \${lan.uniqid}
      vipInterface: \${lan.interface}
      vipAddress: \${lan.address}
      subnetBits: \${lan.subnetBits}
      primaryAddress: \${lan.primaryAddress}
      secondaryAddress: \${lan.secondaryAddress}
      addresses:
        - 192.168.99.240
      count: 3
      description: stacked from YAML${opts}
outputs:
  vipUniqid: \${lan.uniqid}
  extraAddresses: \${lanExtra.addresses}
  extraUniqids: \${lanExtra.uniqids}
  extraParent: \${lanExtra.parentInterface}
`;
}

describe("CarpIpAliases from Pulumi YAML (plugin construct)", { skip: skipUnlessYaml() }, () => {
  const s = scratch("e2e-yaml-aliases");
  let pair: EmulatedPair;
  let run: YamlStack["run"];

  before(async () => {
    pair = await startPair({ dir: s.dir });
    ({ run } = await yamlStack(s, pair, yamlProgram));
  });
  after(async () => {
    await pair?.stop();
    s.cleanup();
  });

  it("up stacks the given and planned aliases on the CarpVip on both nodes", async () => {
    await run(["up", "--yes", "--skip-preview"]);
    const out = JSON.parse(await run(["stack", "output", "--json"])) as {
      vipUniqid: string;
      extraAddresses: string[];
      extraUniqids: string[];
      extraParent: string;
    };
    // The given one first, then planned: nothing is free above the VIP (.254) in a /24, so the
    // free ones between the node addresses and the VIP, lowest first.
    assert.deepEqual(out.extraAddresses, ["192.168.99.240", "192.168.99.3", "192.168.99.4"]);
    assert.equal(out.extraParent, `_vip${out.vipUniqid}`);
    const expected = out.extraAddresses.map((address, i) => ({
      interface: out.extraParent,
      address,
      subnetBits: 24,
      uniqid: out.extraUniqids[i],
      descr: "stacked from YAML",
    }));
    assert.deepEqual(ipAliases(pair.primary), expected);
    assert.deepEqual(ipAliases(pair.secondary), expected);
  });

  it("a second preview has no changes, and destroy removes the aliases before the VIP", async () => {
    const preview = await run(["preview", "--expect-no-changes"]);
    assert.match(preview, /unchanged/);
    await run(["destroy", "--yes", "--skip-preview"]);
    for (const role of ["primary", "secondary"] as const) {
      assert.deepEqual(ipAliases(pair[role]), [], role);
      assert.deepEqual(carpVips(pair[role]), [], role);
    }
  });
});
