/**
 * Each provider exactly as the engine sees it: serialized with Pulumi's closure serializer
 * (`serializeFunction(() => provider, { allowSecrets: true })`, what `dynamic.Resource` does),
 * loaded back with require-from-string (what the dynamic-provider host does), and its CRUD run
 * against an emulated pair. Catches capture errors before the engine does (pulumi-notes C2).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import {
  carpVipProvider,
  dhcpFailoverProvider,
  haSyncProvider,
  outboundNatProvider,
} from "../../sdk/providers/providerObjects";
import { ensureSelfLink, REPO_ROOT, startFixture, type PairFixture } from "./pairFixture";

type Provider = Required<pulumi.dynamic.ResourceProvider>;

// require-from-string is a dependency of @pulumi/pulumi: resolve it from there.
const requireFromString = createRequire(require.resolve("@pulumi/pulumi"))(
  "require-from-string",
) as (code: string) => { handler: () => Provider };

const PROVIDERS = {
  carpVip: carpVipProvider,
  haSync: haSyncProvider,
  outboundNat: outboundNatProvider,
  dhcpFailover: dhcpFailoverProvider,
};

let fx: PairFixture;
const texts: Record<string, string> = {};
const loaded: Record<string, Provider> = {};

before(async () => {
  ensureSelfLink();
  process.chdir(REPO_ROOT); // the dynamic-provider host runs in the program directory
  fx = await startFixture();
  for (const [kind, p] of Object.entries(PROVIDERS)) {
    const s = await pulumi.runtime.serializeFunction(() => p, { allowSecrets: true });
    assert.equal(s.containsSecrets, false, `${kind}: nothing secret captured`);
    texts[kind] = s.text;
    loaded[kind] = requireFromString(s.text).handler();
  }
});
after(async () => {
  await fx.close();
});

test("each serialized provider requires only the package's runtime entry and captures no secret", () => {
  for (const [kind, text] of Object.entries(texts)) {
    const requires = new Set([...text.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]));
    assert.deepEqual([...requires], ["pulumi-pfsense-ha/runtime"], `${kind} requires`);
    assert.ok(text.includes(JSON.stringify(kind)), `${kind}: the captured kind is plain data`);
    for (const secret of [fx.primary.password, fx.secondary.password])
      assert.ok(!text.includes(secret));
    assert.ok(
      text.length < 4096,
      `${kind}: small (${text.length} bytes) — only the delegate is stored in state`,
    );
  }
});

test("serialization is byte-stable (the __provider text in state does not change between runs)", async () => {
  for (const [kind, p] of Object.entries(PROVIDERS)) {
    const again = await pulumi.runtime.serializeFunction(() => p, { allowSecrets: true });
    assert.equal(again.text, texts[kind], kind);
  }
});

test("the deserialized providers run full CRUD on both nodes: CarpVip, HaSyncSettings, OutboundNatRule, DhcpFailover", async () => {
  const ep = { primary: fx.primary, secondary: fx.secondary };
  const c = loaded.carpVip;
  const vipIn = {
    ...ep,
    name: "lan-vip",
    interface: "lan",
    subnet: "192.168.99.0/24",
    address: "192.168.99.254",
    password: "SerialPw1",
  };
  assert.deepEqual((await c.check({}, vipIn)).failures, []);
  const vip = await c.create(vipIn);
  assert.equal((await c.diff(vip.id, vip.outs, vipIn)).changes, false);
  assert.equal((await c.read(vip.id, vip.outs)).id, vip.id);
  const vipUpd = await c.update(vip.id, vip.outs, { ...vipIn, description: "updated" });

  const s = loaded.haSync;
  const syncIn = {
    ...ep,
    name: "sync",
    syncInterface: "opt1",
    username: fx.secondary.username,
    password: fx.secondary.password,
    areas: ["nat"],
  };
  assert.deepEqual((await s.check({}, syncIn)).failures, []);
  const sync = await s.create(syncIn);
  assert.equal((await s.read(sync.id, sync.outs)).props.drift.primary.length, 0);

  const n = loaded.outboundNat;
  const wanVip = await c.create({
    ...ep,
    name: "wan-vip",
    interface: "wan",
    subnet: "192.168.1.0/24",
    address: "192.168.1.100",
    password: "SerialPw2",
  });
  const natIn = {
    ...ep,
    name: "lan-out",
    interface: "wan",
    source: "192.168.99.0/24",
    target: "192.168.1.100",
  };
  const rule = await n.create(natIn);
  assert.equal(rule.outs.syncedBy, "pfsense", "nat is in the synced areas: pfSense delivered it");
  assert.equal((await n.diff(rule.id, rule.outs, natIn)).changes, false);

  const d = loaded.dhcpFailover;
  const dhcpIn = {
    ...ep,
    name: "lan-dhcp",
    interface: "lan",
    vip: "192.168.99.254",
    rangeFrom: "192.168.99.10",
    rangeTo: "192.168.99.99",
  };
  const lease = await d.create(dhcpIn);
  assert.equal(lease.outs.secondaryPeer, "192.168.99.1");

  await d.delete(lease.id, lease.outs);
  await n.delete(rule.id, rule.outs);
  await c.delete(wanVip.id, wanVip.outs);
  await s.delete(sync.id, sync.outs);
  await c.delete(vip.id, vipUpd.outs ?? vip.outs);
  assert.equal((await c.read(vip.id, vip.outs)).id, "");
});
