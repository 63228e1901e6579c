/**
 * CarpIpAliases through the real engine against the emulated pair, with the library writing the
 * secondary and with pfSense's own `virtualip` sync: planned aliases stacked on a CarpVip on both
 * nodes (interface `_vip<uniqid>`, same uniqids), MASTER/BACKUP with their VIP, a second `up`
 * with no changes, bad input refused at preview with nothing written, the VIP's delete refused
 * while a hand-made alias is stacked on it, and destroy removing only what the stack made.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { automation } from "@pulumi/pulumi";
import * as ha from "../../sdk";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import { pairConfig, stackNodes } from "./clusterProgram";
import { inlineStack, OutputLog, scratch, skipUnlessEngine } from "./engineHarness";
import { carpVips, comparableConfig, editConfig, ipAliases } from "./nodeConfig";
import { configureHaSyncByHand, guiAddCarpVip, LAN, settle } from "./safeWritesHelpers";
import { toList, toStruct } from "../../sdk/codec/phpValue";

interface Spec {
  withVip: boolean;
  count: number;
  addresses: string[];
}

function program(spec: () => Spec): automation.PulumiFn {
  return async () => {
    const s = spec();
    const cluster = new ha.Cluster({ ...stackNodes(), syncWaitSeconds: 3 });
    if (!s.withVip) return {};
    const vip = new ha.CarpVip("lan-vip", {
      cluster,
      ...LAN,
      address: "192.168.99.200",
      password: pulumi.secret("AliasCarp1"),
      description: "LAN VIP",
    });
    const extra = new ha.CarpIpAliases("lan-extra", {
      cluster,
      vip,
      addresses: s.addresses,
      count: s.count,
      exclude: ["192.168.99.202"],
      description: "stacked",
    });
    return { uniqid: vip.uniqid, addresses: extra.addresses, parent: extra.parentInterface };
  };
}

for (const synced of [false, true]) {
  describe(
    `CarpIpAliases through the engine, ${synced ? "with" : "without"} pfSense's own sync`,
    { skip: skipUnlessEngine() },
    () => {
      const s = scratch(`ipalias-${synced ? "sync" : "nosync"}`);
      let pair: EmulatedPair;
      let stack: automation.Stack;
      const spec: Spec = { withVip: true, count: 3, addresses: ["192.168.99.201"] };
      const log = new OutputLog();
      let before0: [unknown, unknown];

      before(async () => {
        pair = await startPair({ dir: s.dir });
        if (synced) await configureHaSyncByHand(pair, ["virtualip"]);
        guiAddCarpVip(pair.primary, LAN, "192.168.99.60", "made by hand");
        await settle(pair);
        before0 = [comparableConfig(pair.primary), comparableConfig(pair.secondary)];
        stack = await inlineStack(
          s,
          `ipalias-${process.pid}`,
          program(() => spec),
        );
        await stack.setAllConfig(pairConfig(pair.describe()));
      });
      after(async () => {
        await pair?.stop();
        s.cleanup();
      });

      it("refuses a node's own address at preview, naming field, value and fix; nothing is written", async () => {
        const revs = [pair.primary.revisions.length, pair.secondary.revisions.length];
        spec.addresses = ["192.168.99.1"];
        try {
          await assert.rejects(stack.preview({ onOutput: log.onOutput }), (e: Error) => {
            assert.match(e.message, /CarpIpAliases\[lan-extra\]\.addresses\[0\]/);
            assert.match(e.message, /E_ADDRESS_CONFLICT/);
            assert.match(e.message, /192\.168\.99\.1\b/);
            assert.match(e.message, /primary's address on lan/);
            assert.match(e.message, /Fix: /);
            return true;
          });
        } finally {
          spec.addresses = ["192.168.99.201"];
        }
        assert.deepEqual(revs, [pair.primary.revisions.length, pair.secondary.revisions.length]);
      });

      it("stacks the aliases on the VIP on both nodes, same uniqids, following the VIP's CARP state", async () => {
        const up = await stack.up({ onOutput: log.onOutput });
        assert.equal(up.summary.result, "succeeded", log.text);
        await settle(pair);
        const uniqid = up.outputs.uniqid.value as string;
        const parent = `_vip${uniqid}`;
        assert.equal(up.outputs.parent.value, parent);
        // Planned above the VIP (.200), the highest of VIP and nodes; .202 is excluded.
        assert.deepEqual(up.outputs.addresses.value, [
          "192.168.99.201",
          "192.168.99.203",
          "192.168.99.204",
        ]);
        const p = ipAliases(pair.primary);
        const sec = ipAliases(pair.secondary);
        assert.deepEqual(
          p.map((a) => [a.interface, a.address, a.subnetBits, a.descr]),
          up.outputs.addresses.value.map((a: string) => [parent, a, 24, "stacked"]),
        );
        assert.deepEqual(sec, p, "the secondary holds the very same entries");
        assert.equal(new Set(p.map((a) => a.uniqid)).size, 3);
        assert.ok(p.every((a) => a.uniqid !== uniqid && /^[0-9a-f]{13}$/.test(a.uniqid)));
        const pState = pair.primary.stackedAliasStatus();
        const sState = pair.secondary.stackedAliasStatus();
        for (const a of up.outputs.addresses.value as string[]) {
          assert.equal(pState[a], "MASTER", `primary ${a}`);
          assert.equal(sState[a], "BACKUP", `secondary ${a}`);
        }
        assert.equal(carpVips(pair.primary).length, 2, "the hand-made VIP is still there");
      });

      it("a second up has no changes; one more alias keeps the others' uniqids", async () => {
        await stack.preview({ expectNoChanges: true, onOutput: log.onOutput });
        const up0 = await stack.up({ onOutput: log.onOutput });
        assert.deepEqual(up0.summary.resourceChanges, { same: up0.summary.resourceChanges?.same });
        const ids = ipAliases(pair.primary).map((a) => a.uniqid);
        spec.count = 4;
        const up = await stack.up({ onOutput: log.onOutput });
        assert.equal(up.summary.resourceChanges?.update, 1, log.text);
        await settle(pair);
        const p = ipAliases(pair.primary);
        assert.deepEqual(
          p.slice(0, 3).map((a) => a.uniqid),
          ids,
        );
        assert.equal(p[3].address, "192.168.99.205");
        assert.deepEqual(ipAliases(pair.secondary), p);
      });

      it("the VIP's delete is refused while an alias made by hand is stacked on it, as pfSense's GUI refuses it", async () => {
        const uniqid = (await stack.outputs()).uniqid.value as string;
        editConfig(pair.primary, (tree) => {
          const vips = toList(toStruct(tree.virtualip).vip);
          vips.push({
            mode: "ipalias",
            interface: `_vip${uniqid}`,
            uniqid: "5f0000000000a",
            descr: "by hand",
            type: "single",
            subnet_bits: "24",
            subnet: "192.168.99.230",
          });
          toStruct(tree.virtualip).vip = vips;
        });
        await settle(pair);
        spec.withVip = false;
        await assert.rejects(stack.up({ onOutput: log.onOutput }), (e: Error) => {
          assert.match(e.message + log.text, /still referenced by 1 IP alias entry stacked on it/);
          assert.match(e.message + log.text, /192\.168\.99\.230/);
          return true;
        });
        // The stack's own aliases went first (they depend on the VIP); the VIP stays.
        assert.deepEqual(
          ipAliases(pair.primary).map((a) => a.address),
          ["192.168.99.230"],
        );
        assert.equal(carpVips(pair.primary).length, 2);
        editConfig(pair.primary, (tree) => {
          const v = toStruct(tree.virtualip);
          v.vip = toList(v.vip).filter((x) => toStruct(x).uniqid !== "5f0000000000a");
        });
        await settle(pair);
        spec.withVip = true;
        spec.count = 3;
        const up = await stack.up({ onOutput: log.onOutput });
        assert.equal(up.summary.result, "succeeded");
      });

      it("destroy removes only the stack's aliases and VIP; both nodes are as before", async () => {
        await stack.destroy({ onOutput: log.onOutput });
        await settle(pair);
        assert.deepEqual(ipAliases(pair.primary), []);
        assert.deepEqual(ipAliases(pair.secondary), []);
        assert.deepEqual(
          [comparableConfig(pair.primary), comparableConfig(pair.secondary)],
          before0,
        );
      });
    },
  );
}
