/**
 * The pure halves of the providers: `check` runs the planner and skips preview unknowns; `diff`
 * names exactly the changed fields and replaces (deleting first) only on identity changes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { providers } from "../../sdk/providers/runtime";
import { UNKNOWN } from "../../sdk/providers/unknowns";
import {
  checkCarpVip,
  type CarpVipInputs,
  type CarpVipOutputs,
} from "../../sdk/providers/carpVipSpec";
import type { HaSyncInputs, HaSyncOutputs } from "../../sdk/providers/haSyncSpec";
import type { DhcpFailoverInputs, DhcpFailoverOutputs } from "../../sdk/providers/dhcpFailoverSpec";
import type { NatRuleInputs, NatRuleOutputs } from "../../sdk/providers/natRuleSpec";
import { ALL_SYNC_AREAS } from "../../sdk/plan/model";

const ep = (port: number) => ({
  url: `https://127.0.0.1:${port}`,
  username: "admin",
  password: "pw",
});

const vipIn = (over: Partial<CarpVipInputs> = {}): CarpVipInputs => ({
  primary: ep(1),
  secondary: ep(2),
  name: "v",
  interface: "wan",
  subnet: "192.168.1.0/24",
  address: "192.168.1.100",
  password: "CarpPw1",
  ...over,
});

const vipOuts = (): CarpVipOutputs => ({
  ...vipIn(),
  uniqid: "abcdef0123456",
  vhid: 5,
  address: "192.168.1.100",
  network: "192.168.1.0/24",
  subnetBits: 24,
  family: 4,
  advbase: 1,
  primaryAdvskew: 0,
  secondaryAdvskew: 100,
  primaryAddress: "192.168.1.1",
  secondaryAddress: "192.168.1.2",
  drift: { primary: [], secondary: [] },
  syncedBy: "library",
});

test("CarpVip check: the planner's messages on the right properties", async () => {
  const cases: [Partial<CarpVipInputs>, string, RegExp][] = [
    [{ address: "10.0.0.5" }, "address", /E_ADDRESS_OUTSIDE_SUBNET/],
    [{ skew: 240 }, "skew", /E_SKEW_ORDER/],
    [{ advbase: 0 }, "advbase", /E_ADVBASE_RANGE/],
    // No property: the engine would print the rejected password's value beside it.
    [{ password: "has space" }, "", /E_CARP_PASSWORD.*password/],
    [{ password: "x".repeat(20) }, "", /E_CARP_PASSWORD.*password/],
    [{ vhid: 3, reservedVhids: [3] }, "vhid", /E_VHID_CONFLICT/],
    [{ subnet: "192.168.1.0/31", address: undefined }, "subnet", /E_PREFIX_TOO_SMALL/],
  ];
  for (const [over, property, reason] of cases) {
    const r = await providers.carpVip.check({}, vipIn(over));
    assert.equal(r.failures.length, 1, JSON.stringify(over));
    assert.equal(r.failures[0].property, property, JSON.stringify(over));
    assert.match(r.failures[0].reason, reason);
  }
  assert.deepEqual(checkCarpVip(vipIn()).failures, [], "valid without the nodes");
});

test("CarpVip check never echoes the password it rejects", async () => {
  const r = await providers.carpVip.check({}, vipIn({ password: "Secret With Space" }));
  assert.ok(!r.failures[0].reason.includes("Secret With Space"));
  assert.equal(r.failures[0].property, "", "no property whose value the engine would print");
});

test("check skips the unknown sentinel wherever it appears (string, number or array inputs)", async () => {
  for (const over of [
    { address: UNKNOWN },
    { skew: UNKNOWN as unknown as number },
    { subnet: UNKNOWN },
    { password: UNKNOWN },
    { reservedVhids: UNKNOWN as unknown as number[] },
  ]) {
    assert.deepEqual(
      (await providers.carpVip.check({}, vipIn(over))).failures,
      [],
      JSON.stringify(over),
    );
  }
  const dhcp = await providers.dhcpFailover.check(
    {},
    {
      primary: ep(1),
      secondary: ep(2),
      name: "d",
      interface: "lan",
      vip: UNKNOWN,
      rangeFrom: "192.168.99.10",
      rangeTo: "192.168.99.20",
      dnsServers: UNKNOWN as unknown as string[],
    },
  );
  assert.deepEqual(dhcp.failures, []);
});

test("CarpVip diff: nothing changed → no changes; one field → exactly that field (and what it derives), in place", async () => {
  assert.equal((await providers.carpVip.diff("x", vipOuts(), vipIn())).changes, false);
  const d = await providers.carpVip.diff("x", vipOuts(), vipIn({ skew: 10, description: "new" }));
  assert.equal(d.changes, true);
  assert.deepEqual(d.replaces, []);
  // The secondary's advskew follows the skew (+100): shown as its own change.
  assert.deepEqual((d as unknown as { changed: string[] }).changed.sort(), [
    "description",
    "secondaryAdvskew",
    "skew",
  ]);
});

test("CarpVip diff: interface, VHID and address family are identity → replace with delete-before-replace", async () => {
  const byIf = await providers.carpVip.diff(
    "x",
    vipOuts(),
    vipIn({ interface: "lan", subnet: "192.168.99.0/24", address: "192.168.99.100" }),
  );
  assert.ok(byIf.replaces.includes("interface"));
  assert.equal(byIf.deleteBeforeReplace, true);
  const byVhid = await providers.carpVip.diff("x", vipOuts(), vipIn({ vhid: 9 }));
  assert.deepEqual(byVhid.replaces, ["vhid"]);
  const byFamily = await providers.carpVip.diff(
    "x",
    vipOuts(),
    vipIn({ subnet: "2001:db8:1::/64", address: "2001:db8:1::100" }),
  );
  assert.ok(byFamily.replaces.includes("family"));
  const addrOnly = await providers.carpVip.diff(
    "x",
    vipOuts(),
    vipIn({ address: "192.168.1.101" }),
  );
  assert.deepEqual(
    addrOnly.replaces,
    [],
    "a new address in the same family is an in-place reconfigure",
  );
});

test("CarpVip diff: an omitted VHID keeps the allocated one; an unknown value counts as a change", async () => {
  assert.equal(
    (await providers.carpVip.diff("x", vipOuts(), vipIn({ vhid: undefined }))).changes,
    false,
  );
  const u = await providers.carpVip.diff("x", vipOuts(), vipIn({ address: UNKNOWN }));
  assert.equal(u.changes, true);
});

test("CarpVip diff: recorded drift forces an update even when the inputs are unchanged", async () => {
  const olds = {
    ...vipOuts(),
    drift: { primary: ["virtualIps[x].advskew: expected 0, found 5"], secondary: [] },
  };
  const d = await providers.carpVip.diff("x", olds, vipIn());
  assert.equal(d.changes, true);
  assert.deepEqual(d.replaces, []);
});

test("HaSyncSettings diff: omitted areas mean all; a changed password is an in-place change", async () => {
  const inp: HaSyncInputs = {
    primary: ep(1),
    secondary: ep(2),
    name: "s",
    syncInterface: "opt1",
    username: "admin",
    password: "a",
  };
  const olds: HaSyncOutputs = {
    ...inp,
    primarySyncAddress: "172.16.1.1",
    secondarySyncAddress: "172.16.1.2",
    areas: [...ALL_SYNC_AREAS],
    primaryHostId: "1",
    secondaryHostId: "2",
    productVersion: "2.7.2-RELEASE",
    configVersion: "23.3",
    priorPrimary: null,
    priorSecondary: null,
    drift: { primary: [], secondary: [] },
  };
  assert.equal((await providers.haSync.diff("s", olds, inp)).changes, false);
  const pw = await providers.haSync.diff("s", olds, { ...inp, password: "b" });
  assert.equal(pw.changes, true);
  assert.deepEqual(pw.replaces, []);
  assert.equal((await providers.haSync.diff("s", olds, { ...inp, areas: ["nat"] })).changes, true);
});

test("DhcpFailover diff: gateway and DNS default to the VIP; moving interfaces replaces", async () => {
  const inp: DhcpFailoverInputs = {
    primary: ep(1),
    secondary: ep(2),
    name: "d",
    interface: "lan",
    vip: "192.168.99.254",
    rangeFrom: "192.168.99.10",
    rangeTo: "192.168.99.99",
  };
  const olds: DhcpFailoverOutputs = {
    ...inp,
    gateway: "192.168.99.254",
    dnsServers: ["192.168.99.254"],
    primaryPeer: "192.168.99.2",
    secondaryPeer: "192.168.99.1",
    priorPrimary: null,
    priorSecondary: null,
    drift: { primary: [], secondary: [] },
    syncedBy: "library",
  };
  assert.equal((await providers.dhcpFailover.diff("d", olds, inp)).changes, false);
  const moved = await providers.dhcpFailover.diff("d", olds, { ...inp, interface: "opt2" });
  assert.deepEqual(moved.replaces, ["interface"]);
  assert.equal(moved.deleteBeforeReplace, true);
});

const natIn = (over: Partial<NatRuleInputs> = {}): NatRuleInputs => ({
  primary: ep(1),
  secondary: ep(2),
  name: "lan-out",
  interface: "wan",
  source: "192.168.99.0/24",
  target: "192.168.1.100",
  ...over,
});

const natOuts = (): NatRuleOutputs => ({
  ...natIn(),
  ruleId: "nat-0123456789abcdef",
  mode: "hybrid",
  priorMode: "automatic",
  drift: { primary: [], secondary: [] },
  syncedBy: "library",
});

test("OutboundNatRule diff: a translation CarpVip whose VHID changes (address unknown at preview) is an in-place change, not a replace", async () => {
  const d = await providers.outboundNat.diff("n", natOuts(), natIn({ target: UNKNOWN }));
  assert.equal(d.changes, true);
  assert.ok((d as unknown as { changed: string[] }).changed.includes("target"));
  assert.deepEqual(d.replaces, [], "the family follows from the known IPv4 source network");
  assert.equal(d.deleteBeforeReplace, false);
});

test("OutboundNatRule diff: with nothing known about the family it counts as unchanged; a source of the other family still replaces", async () => {
  const blind = await providers.outboundNat.diff(
    "n",
    natOuts(),
    natIn({ target: UNKNOWN, source: UNKNOWN }),
  );
  assert.equal(blind.changes, true);
  assert.deepEqual(blind.replaces, []);
  const v6 = await providers.outboundNat.diff(
    "n",
    natOuts(),
    natIn({ target: UNKNOWN, source: "2001:db8:99::/64" }),
  );
  assert.deepEqual(v6.replaces, ["family"], "the family is known to change");
  assert.equal(v6.deleteBeforeReplace, true);
});

test("diff: an identity field unknown at preview is a change, not a replace (unknown is not known to differ)", async () => {
  const nat = await providers.outboundNat.diff("n", natOuts(), natIn({ interface: UNKNOWN }));
  assert.equal(nat.changes, true);
  assert.deepEqual(nat.replaces, []);
  const vip = await providers.carpVip.diff(
    "x",
    vipOuts(),
    vipIn({ vhid: UNKNOWN as unknown as number }),
  );
  assert.equal(vip.changes, true);
  assert.deepEqual(vip.replaces, []);
});

test("check refuses at preview a node URL with credentials (never echoing it), plain http, and a pin beside insecureSkipTlsVerify", async () => {
  // The static half: these endpoints are never dialled (the node half needs a reachable pair).
  const check = async (primary: CarpVipInputs["primary"]) => checkCarpVip(vipIn({ primary }));
  const withCreds = await check({ ...ep(1), url: "https://admin:Hunter2x@127.0.0.1:1" });
  assert.equal(withCreds.failures.length, 1);
  assert.match(withCreds.failures[0].reason, /primary\.url.*user name or password/);
  assert.equal(withCreds.failures[0].property, "", "no property whose value the engine prints");
  assert.ok(!withCreds.failures[0].reason.includes("Hunter2x"));

  const http = await check({ ...ep(1), url: "http://127.0.0.1:1" });
  assert.deepEqual(
    http.failures.map((f) => f.property),
    ["primary.url"],
  );
  assert.match(http.failures[0].reason, /E_TLS.*insecureSkipTlsVerify/);
  const lab = await check({
    ...ep(1),
    url: "http://127.0.0.1:1",
    tls: { insecureSkipTlsVerify: true },
  });
  assert.deepEqual(lab.failures, [], "http is allowed in a lab, with a warning at connect");

  const both = await check({
    ...ep(1),
    tls: { insecureSkipTlsVerify: true, fingerprint256: "AB:CD" },
  });
  assert.deepEqual(
    both.failures.map((f) => f.property),
    ["primary.tls"],
  );
  assert.match(both.failures[0].reason, /fingerprint256 given beside it would be ignored/);
});
