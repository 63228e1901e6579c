/**
 * HaSyncSettings refusing to switch on sync of an area whose first push would delete or replace
 * the secondary's own items (a secondary-only CARP VIP, its copy of a `nosync` port forward, a
 * rule): at check and again at create, nothing written when refused; narrowing `areas` or
 * acknowledging passes, and the acknowledged items are then gone as pfSense's receiver does it.
 * An item this process is writing to both nodes while the guard reads them is not a loss.
 */
import { afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { leaf, toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import type { EmulatedNode } from "../../sdk/emulator";
import { providers } from "../../sdk/providers/runtime";
import type { HaSyncInputs } from "../../sdk/providers/haSyncSpec";
import { getNodeSession } from "../../sdk/pfsense";
import type { VirtualIp } from "../../sdk/plan/model";
import { toNodeEndpoint } from "../../sdk/providers/endpointInputs";
import { firstSyncImpact, type FirstSyncImpact } from "../../sdk/providers/firstSyncGuard";
import { armAtNextWrite } from "./faultAtStep";
import { addRawVip, guiEdit, rawVips } from "./nodeView";
import { enablePrimarySync, startFixture, type PairFixture } from "./pairFixture";

const sync = providers.haSync;
let fx: PairFixture;
beforeEach(async () => {
  fx = await startFixture();
});
afterEach(async () => {
  await fx.close();
});

function inputs(over: Partial<HaSyncInputs> = {}): HaSyncInputs {
  return {
    primary: fx.primary,
    secondary: fx.secondary,
    name: "sync",
    syncInterface: "opt1",
    username: fx.secondary.username,
    password: fx.secondary.password,
    areas: ["virtualip", "nat", "rules"],
    ...over,
  };
}

const SECONDARY_VIP: PhpStruct = {
  mode: "carp",
  interface: "wan",
  vhid: "7",
  advskew: "100",
  advbase: "1",
  password: "Vip-Secret-77",
  subnet: "192.168.1.50",
  subnet_bits: "24",
  type: "single",
  uniqid: "5ec0001",
  descr: "secondary only",
};

const ADMIN_FORWARD: PhpStruct = {
  interface: "wan",
  protocol: "tcp",
  source: { any: "" },
  destination: { network: "wanip", port: "8443" },
  target: "192.168.99.10",
  "local-port": "443",
  descr: "admin ui",
  nosync: "",
};

const RULE = (descr: string): PhpStruct => ({
  type: "pass",
  interface: "lan",
  tracker: "1700000001",
  source: { any: "" },
  destination: { any: "" },
  descr,
});

function addToList(n: EmulatedNode, section: string, list: string, item: PhpStruct): void {
  guiEdit(n, (tree) => {
    const s = toStruct(tree[section]);
    s[list] = [...toList(s[list]), item];
    tree[section] = s;
  });
}

const forwards = (n: EmulatedNode) => toList(toStruct(n.config().nat).rule).map(toStruct);
const rules = (n: EmulatedNode) => toList(toStruct(n.config().filter).rule).map(toStruct);
const reasons = (r: { failures: { reason: string }[] }) => r.failures.map((f) => f.reason).join();

/** The secondary holds a VIP, its copy of a nosync port forward (also on the primary) and a rule. */
function secondaryOwnItems(): void {
  addRawVip(fx.pair.secondary, SECONDARY_VIP);
  addToList(fx.pair.primary, "nat", "rule", ADMIN_FORWARD);
  addToList(fx.pair.secondary, "nat", "rule", ADMIN_FORWARD);
  addToList(fx.pair.secondary, "filter", "rule", RULE("secondary rule"));
}

/** Both nodes' config trees and revision counts, to prove nothing was written. */
function snapshot(): string {
  const n = (x: EmulatedNode) => JSON.stringify([x.config(), x.revisions.length]);
  return n(fx.pair.primary) + n(fx.pair.secondary);
}

async function settled(): Promise<void> {
  await fx.pair.primary.syncIdle();
  await fx.pair.secondary.syncIdle();
}

test("check and create refuse newly enabling areas whose first push deletes the secondary's own VIP, nosync port forward and rule, naming each; nothing is written", async () => {
  secondaryOwnItems();
  await settled();
  const before = snapshot();
  const r = await sync.check({}, inputs());
  const text = reasons(r);
  assert.match(text, /E_FIRST_SYNC_LOSS/);
  assert.match(text, /virtualip: carp VIP wan_vip7 192\.168\.1\.50 "secondary only" \(deleted\)/);
  assert.match(
    text,
    /nat: port forward wan tcp wanip:8443 -> 192\.168\.99\.10:443 "admin ui" \(deleted\)/,
  );
  assert.match(text, /filter: firewall rule tracker 1700000001 "secondary rule" \(deleted\)/);
  assert.match(text, /acknowledgeSecondaryDeletions/);
  assert.ok(!text.includes("Vip-Secret-77"), "no CARP password in the message");
  assert.deepEqual(
    r.failures.map((f) => f.property),
    ["areas"],
  );

  const create = await sync.create(inputs()).catch((e: unknown) => e);
  assert.match(String(create), /E_FIRST_SYNC_LOSS/);
  await settled();
  assert.equal(snapshot(), before, "neither node written");
});

test("create re-checks right before enabling: an item added on the secondary after preview is refused", async () => {
  assert.deepEqual((await sync.check({}, inputs())).failures, []);
  addToList(fx.pair.secondary, "filter", "rule", RULE("added after preview"));
  const before = snapshot();
  const create = await sync.create(inputs()).catch((e: unknown) => e);
  assert.match(String(create), /E_FIRST_SYNC_LOSS.*"added after preview" \(deleted\)/);
  await settled();
  assert.equal(snapshot(), before);
});

test("a rule with the primary's tracker but other content is reported as replaced", async () => {
  addToList(fx.pair.primary, "filter", "rule", RULE("primary version"));
  addToList(fx.pair.secondary, "filter", "rule", RULE("secondary version"));
  const text = reasons(await sync.check({}, inputs({ areas: ["rules"] })));
  assert.match(text, /filter: firewall rule tracker 1700000001 "secondary version" \(replaced\)/);
  assert.ok(!text.includes("primary version"));
});

test("narrowing areas passes, and the secondary keeps what those areas do not cover", async () => {
  addToList(fx.pair.primary, "nat", "rule", ADMIN_FORWARD);
  addToList(fx.pair.secondary, "nat", "rule", ADMIN_FORWARD);
  addToList(fx.pair.secondary, "filter", "rule", RULE("secondary rule"));
  const narrow = inputs({ areas: ["virtualip", "users"] });
  assert.deepEqual((await sync.check({}, narrow)).failures, []);
  const { outs } = await sync.create(narrow);
  assert.deepEqual(outs.secondaryItemsLostAtFirstSync, []);
  await settled();
  assert.equal(forwards(fx.pair.secondary).length, 1, "the nosync forward survives");
  assert.ok(rules(fx.pair.secondary).some((x) => leaf(x.descr) === "secondary rule"));
});

test("acknowledging an area lets only that area through; acknowledging all passes, lists the items, and they are then gone as pfSense does it", async () => {
  secondaryOwnItems();
  await settled();
  const partly = reasons(await sync.check({}, inputs({ acknowledgeSecondaryDeletions: ["nat"] })));
  assert.match(partly, /virtualip: carp VIP wan_vip7/);
  assert.match(partly, /filter: firewall rule/);
  assert.ok(!partly.includes("port forward"), "the acknowledged area is not named");

  const all = inputs({ acknowledgeSecondaryDeletions: true });
  const r = await sync.check({}, all);
  assert.deepEqual(r.failures, []);
  const planned = (r.inputs as { secondaryItemsLostAtFirstSync?: string[] })
    .secondaryItemsLostAtFirstSync;
  assert.equal(planned?.length, 3, "preview shows the three items");
  const { outs } = await sync.create(all);
  assert.deepEqual(outs.secondaryItemsLostAtFirstSync, planned);
  await settled();
  assert.ok(!rawVips(fx.pair.secondary).some((v) => leaf(v.vhid) === "7"), "VIP gone");
  assert.equal(forwards(fx.pair.secondary).length, 0, "its nosync forward copy gone");
  assert.equal(forwards(fx.pair.primary).length, 1, "the primary keeps its nosync forward");
  assert.ok(!rules(fx.pair.secondary).some((x) => leaf(x.descr) === "secondary rule"));
});

test("areas the primary already syncs are not checked again; a newly added one still is", async () => {
  enablePrimarySync(fx, ["nat"]);
  await settled();
  // Added after the primary's last push: the next push (any primary write) will delete it.
  addToList(fx.pair.secondary, "nat", "rule", { ...ADMIN_FORWARD, descr: "later" });
  const natOnly = await sync.check({}, inputs({ areas: ["nat"] }));
  assert.deepEqual(natOnly.failures, []);
  addToList(fx.pair.secondary, "filter", "rule", RULE("secondary rule"));
  const text = reasons(await sync.check({}, inputs({ areas: ["nat", "rules"] })));
  assert.match(text, /switching on sync of rules /);
  assert.match(text, /filter: firewall rule/);
  assert.ok(!text.includes("port forward"));
});

test("a secondary identical to the primary (its VIP as pfSense's sync derives it) is not refused", async () => {
  addRawVip(fx.pair.primary, { ...SECONDARY_VIP, advskew: "0", descr: "shared" });
  addRawVip(fx.pair.secondary, { ...SECONDARY_VIP, advskew: "100", descr: "shared" });
  // A plain IP alias on a real interface is the receiver's own and kept (xmlrpc.php $vipbackup).
  addRawVip(fx.pair.secondary, {
    mode: "ipalias",
    interface: "lan",
    subnet: "192.168.99.77",
    subnet_bits: "24",
    uniqid: "5ec0002",
  });
  const forward = { ...ADMIN_FORWARD };
  delete forward.nosync;
  for (const n of [fx.pair.primary, fx.pair.secondary]) {
    addToList(n, "nat", "rule", forward);
    addToList(n, "filter", "rule", RULE("shared"));
  }
  const r = await sync.check({}, inputs());
  assert.deepEqual(r.failures, []);
  assert.equal(
    (r.inputs as { secondaryItemsLostAtFirstSync?: string[] }).secondaryItemsLostAtFirstSync,
    undefined,
  );
});

test("a VIP this process writes to both nodes between the guard's reads of the primary and the secondary is not taken for the secondary's own", async () => {
  const vip = (advskew: number): VirtualIp => ({
    mode: "carp",
    interface: "wan",
    vhid: 7,
    advskew,
    advbase: 1,
    password: "Vip-Secret-77",
    subnet: "192.168.1.50",
    subnetBits: 24,
    type: "single",
    uniqid: "5ec0001",
    descr: "written by this run",
  });
  const primary = getNodeSession(toNodeEndpoint(fx.primary, "primary"));
  const secondary = getNodeSession(toNodeEndpoint(fx.secondary, "secondary"));
  // The secondary's copy lands first; the guard starts while the primary's write is held back.
  await secondary.edit((d) => void d.virtualIps.push(vip(100)), "test");
  let guard: Promise<FirstSyncImpact> | undefined;
  armAtNextWrite(fx.primary, "primary", fx.pair.primary, "before-write", async () => {
    guard = firstSyncImpact(inputs({ areas: ["virtualip"] }), { primary, secondary });
    await new Promise((r) => setTimeout(r, 400));
  });
  await primary.edit((d) => void d.virtualIps.push(vip(0)), "test");
  assert.ok(guard, "the guard ran while the primary's write was held");
  const impact = await guard;
  assert.deepEqual(impact.newAreas, ["virtualip"]);
  assert.deepEqual(impact.losses, [], "no loss once both writes have landed");
  assert.equal(rawVips(fx.pair.primary).filter((v) => leaf(v.uniqid) === "5ec0001").length, 1);
});
