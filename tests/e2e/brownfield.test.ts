/**
 * A stack on a brownfield pair (configured by hand, started from its own config files): up, up
 * again, refresh and destroy through the real engine leave every item the stack does not own
 * exactly as it was on both nodes, item by item — VIPs of every mode, port forwards (a `nosync`
 * one), 1:1, a hand-made hybrid outbound rule, static mappings, DHCP failover on another
 * interface, an extra user and group, the GUI port — and destroy leaves both configs as before.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { automation } from "@pulumi/pulumi";
import * as ha from "../../sdk";
import type { EmulatedNode, EmulatedPair } from "../../sdk/emulator";
import { leaf, toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { startBrownfieldPair, unownedItems } from "./brownfieldPair";
import { pairConfig, stackNodes } from "./clusterProgram";
import { inlineStack, OutputLog, scratch, skipUnlessEngine } from "./engineHarness";
import { carpVips, comparableConfig, outboundNat } from "./nodeConfig";

function program(): automation.PulumiFn {
  return async () => {
    const cluster = new ha.Cluster({ ...stackNodes(), syncWaitSeconds: 3 });
    const password = pulumi.secret("BrownCarpPw1");
    const wan = new ha.CarpVip("wan", {
      cluster,
      interface: "wan",
      address: "192.168.1.100",
      password,
    });
    const lan = new ha.CarpVip("lan", {
      cluster,
      interface: "lan",
      address: "192.168.99.254",
      password,
    });
    new ha.OutboundNatRule("lan-out", {
      cluster,
      interface: "wan",
      source: "192.168.99.0/24",
      translation: wan,
    });
    new ha.DhcpFailover("lan-dhcp", {
      cluster,
      interface: "lan",
      vip: lan,
      rangeFrom: "192.168.99.10",
      rangeTo: "192.168.99.99",
    });
    return { wanVhid: wan.vhid };
  };
}

/**
 * The tree with its VIP list in uniqid order. pfSense's own restore of `virtualip` puts the
 * node's IP alias and proxy ARP VIPs back with array_unshift (xmlrpc.php,
 * restore_config_section), so every write of that section moves them to the front, reversed:
 * their order is pfSense's doing, their content is compared item by item.
 */
function vipsByUniqid(tree: PhpStruct): PhpStruct {
  const section = toStruct(tree.virtualip);
  const list = toList(section.vip).map(toStruct);
  section.vip = list.sort((a, b) => leaf(a.uniqid).localeCompare(leaf(b.uniqid)));
  return { ...tree, virtualip: section };
}

function assertUnowned(nodes: EmulatedNode[], before: Map<string, string>[], when: string): void {
  nodes.forEach((n, i) => {
    const now = unownedItems(n);
    assert.ok(before[i].size >= 15, `${n.name}: the brownfield items are all there to compare`);
    for (const [name, value] of before[i]) {
      assert.equal(now.get(name), value, `${when}: ${n.name} ${name} is as it was`);
    }
  });
}

describe(
  "a stack on a brownfield pair leaves every unowned item as it was",
  { skip: skipUnlessEngine() },
  () => {
    const s = scratch("brownfield");
    let pair: EmulatedPair;
    let stack: automation.Stack;
    let nodes: EmulatedNode[];
    let items: Map<string, string>[];
    let configs: unknown[];
    const log = new OutputLog();

    before(async () => {
      pair = await startBrownfieldPair(s.dir);
      nodes = [pair.primary, pair.secondary];
      items = nodes.map(unownedItems);
      configs = nodes.map((n) => vipsByUniqid(comparableConfig(n)));
      stack = await inlineStack(s, "brownfield", program());
      await stack.setAllConfig(pairConfig(pair.describe()));
    });
    after(async () => {
      await pair?.stop();
      s.cleanup();
    });

    it("up writes the stack's items beside the hand-made ones", async () => {
      const up = await stack.up({ onOutput: log.onOutput });
      assert.equal(up.summary.result, "succeeded");
      // The hand-made CARP VIP holds VHID 1 on wan: the stack's takes the next free one.
      assert.equal(up.outputs.wanVhid.value, 2);
      for (const n of nodes) {
        assert.ok(
          carpVips(n).some((v) => v.address === "192.168.1.100"),
          n.name,
        );
        assert.ok(outboundNat(n).targets.includes("192.168.1.100"), n.name);
      }
      assertUnowned(nodes, items, "after up");
    });

    it("up again changes nothing, and still leaves the hand-made items", async () => {
      const revs = nodes.map((n) => n.revisions.length);
      const up = await stack.up({ onOutput: log.onOutput });
      assert.deepEqual(
        Object.keys(up.summary.resourceChanges ?? {}).filter((k) => k !== "same"),
        [],
      );
      assert.deepEqual(
        nodes.map((n) => n.revisions.length),
        revs,
        "no revision on either node",
      );
      assertUnowned(nodes, items, "after the second up");
    });

    it("refresh finds no drift and writes nothing", async () => {
      const revs = nodes.map((n) => n.revisions.length);
      const refresh = await stack.refresh({ onOutput: log.onOutput });
      assert.deepEqual(
        Object.keys(refresh.summary.resourceChanges ?? {}).filter((k) => k !== "same"),
        [],
      );
      assert.deepEqual(
        nodes.map((n) => n.revisions.length),
        revs,
      );
      assertUnowned(nodes, items, "after refresh");
    });

    it("destroy leaves both nodes' config as it was before the first up", async () => {
      await stack.destroy({ onOutput: log.onOutput });
      assertUnowned(nodes, items, "after destroy");
      nodes.forEach((n, i) =>
        assert.deepEqual(vipsByUniqid(comparableConfig(n)), configs[i], n.name),
      );
    });
  },
);

describe("adopting on a brownfield pair is shown in preview", { skip: skipUnlessEngine() }, () => {
  const s = scratch("brownfield-adopt");
  let pair: EmulatedPair;
  before(async () => {
    pair = await startBrownfieldPair(s.dir);
  });
  after(async () => {
    await pair?.stop();
    s.cleanup();
  });

  it("preview --diff lists the hand-made VIP and rule that adopt: true takes over, never the VIP's password", async () => {
    const stack = await inlineStack(s, "adopt", async () => {
      const cluster = new ha.Cluster(stackNodes());
      new ha.CarpVip("hand", {
        cluster,
        interface: "wan",
        address: "192.168.1.50",
        password: pulumi.secret("AdoptCarpPw1"),
        adopt: true,
      });
      new ha.OutboundNatRule("vpn", {
        cluster,
        interface: "wan",
        source: "10.8.0.0/24",
        translation: "192.168.1.50",
        adopt: true,
      });
    });
    await stack.setAllConfig(pairConfig(pair.describe()));
    const revs = [pair.primary.revisions.length, pair.secondary.revisions.length];
    const log = new OutputLog();
    await stack.preview({ diff: true, onOutput: log.onOutput });
    assert.match(log.text, /adopting\s*:[\s\S]*uniqid\s*:\s*"5f1a2b3c4d5e6"/);
    assert.match(log.text, /description\s*:\s*"hand CARP"/);
    assert.match(log.text, /description\s*:\s*"hand VPN outbound"/);
    assert.ok(!log.text.includes("HandCarpPw1"), "the adopted VIP's password is not shown");
    assert.deepEqual([pair.primary.revisions.length, pair.secondary.revisions.length], revs);
  });
});
