/**
 * ClusterHaConfig through the real engine: a whole cluster's VIPs, outbound NAT and DHCP
 * failover declared at once. Every `up` that changes anything leaves exactly one config revision
 * on each node, with and without pfSense's own sync; refresh writes nothing; destroy leaves
 * both nodes' config as it was before the first `up`, a hand-made VIP included.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { automation } from "@pulumi/pulumi";
import * as ha from "../../sdk";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import { pairConfig, stackNodes } from "./clusterProgram";
import { inlineStack, OutputLog, scratch, skipUnlessEngine } from "./engineHarness";
import { carpVips, comparableConfig, outboundNat } from "./nodeConfig";
import { configureHaSyncByHand, guiAddCarpVip, LAN, settle } from "./safeWritesHelpers";

/** What the program declares; read on every run. */
interface Spec {
  lanVips: number;
  withNat: boolean;
}

function program(spec: () => Spec): automation.PulumiFn {
  return async () => {
    const s = spec();
    const cluster = new ha.Cluster(stackNodes());
    const password = pulumi.secret("AggCarpPw1");
    const carpVips: Record<string, ha.ClusterHaVipArgs> = {
      "wan-vip": { interface: "wan", subnet: "192.168.1.0/24", address: "192.168.1.100", password },
    };
    for (let i = 0; i < s.lanVips; i++) {
      carpVips[`lan-${i}`] = {
        interface: "lan",
        subnet: "192.168.99.0/24",
        address: `192.168.99.${100 + i}`,
        password,
      };
    }
    const config_ = new ha.ClusterHaConfig("site", {
      cluster,
      carpVips,
      outboundNat: s.withNat
        ? { lan: { interface: "wan", source: "192.168.99.0/24", translation: "wan-vip" } }
        : {},
      dhcpFailover: {
        lan: {
          interface: "lan",
          vip: "lan-0",
          rangeFrom: "192.168.99.150",
          rangeTo: "192.168.99.199",
        },
      },
    });
    return { vips: config_.carpVips };
  };
}

const revisions = (pair: EmulatedPair) => [
  pair.primary.revisions.length,
  pair.secondary.revisions.length,
];

for (const synced of [false, true]) {
  describe(
    `ClusterHaConfig through the engine, ${synced ? "with" : "without"} pfSense's own sync`,
    {
      skip: skipUnlessEngine(),
    },
    () => {
      const s = scratch(`cluster-ha-${synced ? "sync" : "nosync"}`);
      let pair: EmulatedPair;
      let stack: automation.Stack;
      const spec: Spec = { lanVips: 8, withNat: true };
      const log = new OutputLog();

      before(async () => {
        pair = await startPair({ dir: s.dir, syncTiming: "realistic" });
        if (synced) await configureHaSyncByHand(pair, ["virtualip", "nat", "dhcpd"]);
        guiAddCarpVip(pair.primary, LAN, "192.168.99.60", "made by hand");
        await settle(pair);
        stack = await inlineStack(
          s,
          synced ? "sync" : "nosync",
          program(() => spec),
        );
        await stack.setAllConfig(pairConfig(pair.describe()));
      });
      after(async () => {
        await pair?.stop();
        s.cleanup();
      });

      /** Runs `op` and returns the config revisions each node gained (pushes settled). */
      async function revisionsOf(op: () => Promise<unknown>): Promise<number[]> {
        const before = revisions(pair);
        await op();
        await settle(pair);
        return revisions(pair).map((n, i) => n - before[i]);
      }

      let baseline: ReturnType<typeof comparableConfig>[];

      it("up creates 9 VIPs, a NAT rule and DHCP failover with one revision per node", async () => {
        baseline = [comparableConfig(pair.primary), comparableConfig(pair.secondary)];
        const gained = await revisionsOf(() => stack.up({ onOutput: log.onOutput }));
        assert.deepEqual(gained, [1, 1]);
        for (const n of [pair.primary, pair.secondary]) {
          const ours = carpVips(n).filter((v) => v.address !== "192.168.99.60");
          assert.equal(ours.length, 9, n.name);
          assert.deepEqual(outboundNat(n).targets, ["192.168.1.100"], n.name);
        }
        assert.ok(carpVips(pair.primary).some((v) => v.address === "192.168.99.60"));
        const vips = (await stack.outputs()).vips.value as Record<string, ha.ClusterHaVipState>;
        assert.equal(vips["lan-3"].address, "192.168.99.103");
        assert.equal(vips["lan-3"].secondaryAdvskew, 100);
        assert.equal(vips["lan-3"].syncedBy, synced ? "pfsense" : "library");
        const last = pair.primary.revisions[pair.primary.revisions.length - 1];
        assert.match(
          last.description,
          new RegExp(`: pulumi-pfsense-ha pfsense-ha-e2e/${stack.name}: CarpVip\\[site/`),
          "Config History names the stack and the items",
        );
      });

      it("a no-change preview shows nothing to do, refresh writes nothing", async () => {
        const p = await stack.preview();
        assert.equal(p.changeSummary.update ?? 0, 0);
        assert.deepEqual(await revisionsOf(() => stack.refresh()), [0, 0]);
      });

      it("an up that adds VIPs and removes the NAT rule is again one revision per node", async () => {
        spec.lanVips = 12;
        spec.withNat = false;
        const gained = await revisionsOf(() => stack.up({ onOutput: log.onOutput }));
        assert.deepEqual(gained, [1, 1]);
        for (const n of [pair.primary, pair.secondary]) {
          const ours = carpVips(n).filter((v) => v.address !== "192.168.99.60");
          assert.equal(ours.length, 13, n.name);
          assert.deepEqual(outboundNat(n).targets, [], n.name);
        }
      });

      it("destroy is one revision per node and leaves both configs as before", async () => {
        const gained = await revisionsOf(() => stack.destroy({ onOutput: log.onOutput }));
        assert.deepEqual(gained, [1, 1]);
        const now = [comparableConfig(pair.primary), comparableConfig(pair.secondary)];
        assert.deepEqual(now[0], baseline[0], "primary as before");
        assert.deepEqual(now[1], baseline[1], "secondary as before");
      });
    },
  );
}
