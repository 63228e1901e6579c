/**
 * CarpVip `check` reads both nodes (read-only, once per node for the whole program) and refuses
 * at preview what the reconcile would refuse at `up`: clashes with hand-made VIPs (naming them
 * and both ways out), VHIDs held on either node, a family the interface lacks, wrong node
 * addresses, and two resources of one program asking for one address or one VHID. `adopt: true`
 * shows the VIP it takes over in the checked inputs, without its password.
 */
import { createServer, type AddressInfo } from "node:net";
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { toStruct } from "../../sdk/codec/phpValue";
import { getNodeSession } from "../../sdk/pfsense";
import { toNodeEndpoint } from "../../sdk/providers/endpointInputs";
import { providers } from "../../sdk/providers/runtime";
import type { CarpVipInputs } from "../../sdk/providers/carpVipSpec";
import { addRawVip, rawVips } from "./nodeView";
import { newProviderProcess, startFixture, type PairFixture } from "./pairFixture";

let fx: PairFixture;
const HAND_MADE = "5f0000000001a";

function vipIn(over: Partial<CarpVipInputs> = {}): CarpVipInputs {
  return {
    primary: fx.primary,
    secondary: fx.secondary,
    name: "wan-vip",
    interface: "wan",
    address: "192.168.1.100",
    password: "Carp0Pass1",
    ...over,
  };
}

function revisions(): [number, number] {
  return [fx.pair.primary.revisions.length, fx.pair.secondary.revisions.length];
}

before(async () => {
  fx = await startFixture();
  for (const n of [fx.pair.primary, fx.pair.secondary]) {
    addRawVip(n, {
      mode: "carp",
      interface: "wan",
      vhid: "7",
      advskew: n === fx.pair.primary ? "0" : "100",
      advbase: "1",
      password: "HandMadePw1",
      uniqid: HAND_MADE,
      descr: "made in the GUI",
      type: "single",
      subnet: "192.168.1.50",
      subnet_bits: "24",
    });
  }
  // A VHID only the secondary holds (a leftover of an earlier setup).
  addRawVip(fx.pair.secondary, {
    mode: "carp",
    interface: "wan",
    vhid: "9",
    advskew: "100",
    advbase: "1",
    password: "OnlySecPw1",
    uniqid: "5f0000000002b",
    type: "single",
    subnet: "192.168.1.60",
    subnet_bits: "24",
  });
});
after(() => fx.close());
beforeEach(() => newProviderProcess());

test("a clash with a hand-made VIP fails at check, naming it and both ways out, with nothing written", async () => {
  const revs = revisions();
  const r = await providers.carpVip.check({}, vipIn({ address: "192.168.1.50" }));
  assert.equal(r.failures.length, 1);
  assert.equal(r.failures[0].property, "address");
  assert.match(r.failures[0].reason, /E_ADDRESS_CONFLICT/);
  assert.match(r.failures[0].reason, /made in the GUI/);
  assert.match(r.failures[0].reason, /adopt: true.*or choose another address/);
  assert.deepEqual(revisions(), revs);
});

test("adopt: true shows the VIP it takes over in the checked inputs, without its password", async () => {
  const r = await providers.carpVip.check({}, vipIn({ address: "192.168.1.50", adopt: true }));
  assert.deepEqual(r.failures, []);
  const adopting = (r.inputs as { adopting?: Record<string, unknown> }).adopting;
  assert.deepEqual(adopting, {
    uniqid: HAND_MADE,
    vhid: 7,
    advskew: 0,
    advbase: 1,
    description: "made in the GUI",
  });
  assert.ok(!JSON.stringify(r.inputs).includes("HandMadePw1"));
});

test("an explicit VHID held on either node fails at check, naming the holder", async () => {
  const onPrimary = await providers.carpVip.check({}, vipIn({ vhid: 7 }));
  assert.match(onPrimary.failures[0]?.reason ?? "", /E_VHID_CONFLICT.*made in the GUI/);
  const onSecondary = await providers.carpVip.check({}, vipIn({ vhid: 9 }));
  assert.match(onSecondary.failures[0]?.reason ?? "", /E_VHID_CONFLICT.*192\.168\.1\.60/);
  assert.deepEqual((await providers.carpVip.check({}, vipIn({ vhid: 8 }))).failures, []);
});

test("two resources of one program asking for one address or one explicit VHID: the second fails at check", async () => {
  assert.deepEqual(
    (await providers.carpVip.check({}, vipIn({ name: "a", vhid: 20 }))).failures,
    [],
  );
  const sameAddress = await providers.carpVip.check({}, vipIn({ name: "b" }));
  assert.match(sameAddress.failures[0]?.reason ?? "", /E_ADDRESS_CONFLICT.*CarpVip\[a\] declares/);
  const sameVhid = await providers.carpVip.check(
    {},
    vipIn({ name: "c", address: "192.168.1.101", vhid: 20 }),
  );
  assert.match(sameVhid.failures[0]?.reason ?? "", /E_VHID_CONFLICT.*CarpVip\[a\] declares/);
  const again = await providers.carpVip.check({}, vipIn({ name: "a", vhid: 20 }));
  assert.deepEqual(again.failures, [], "a resource checked again is not its own rival");
});

test("what only the nodes reveal: unknown interface, missing family, wrong node address", async () => {
  const noIf = await providers.carpVip.check({}, vipIn({ interface: "opt9" }));
  assert.match(noIf.failures[0]?.reason ?? "", /no interface assigned as "opt9".*wan, lan, opt1/);
  const v6 = await providers.carpVip.check(
    {},
    vipIn({ interface: "lan", address: "2001:db8:99::100", subnet: "2001:db8:99::/64" }),
  );
  assert.match(v6.failures[0]?.reason ?? "", /E_FAMILY_MISMATCH.*no static IPv6 address/);
  const wrongNode = await providers.carpVip.check({}, vipIn({ secondaryAddress: "192.168.1.9" }));
  assert.equal(wrongNode.failures[0]?.property, "");
  assert.match(
    wrongNode.failures[0]?.reason ?? "",
    /secondaryAddress.*own address on wan is 192\.168\.1\.2/,
  );
});

test("an existing resource is checked against others only where it changes", async () => {
  const olds = vipIn({ address: "192.168.1.100", vhid: 7 });
  // Its own VIP holds VHID 7 on the node: unchanged, so no conflict with itself.
  assert.deepEqual(
    (await providers.carpVip.check(olds, vipIn({ name: "x", vhid: 7 }))).failures,
    [],
  );
  const moved = await providers.carpVip.check(
    olds,
    vipIn({ name: "x", address: "192.168.1.50", vhid: 7 }),
  );
  assert.match(moved.failures[0]?.reason ?? "", /E_ADDRESS_CONFLICT/);
});

test("a whole program's checks read each node once", async () => {
  const primary = getNodeSession(toNodeEndpoint(fx.primary, "primary"));
  const calls = primary.client.stats.calls;
  const results = await Promise.all(
    Array.from({ length: 32 }, (_, i) =>
      providers.carpVip.check({}, vipIn({ name: `v${i}`, address: `192.168.1.${110 + i}` })),
    ),
  );
  assert.deepEqual(
    results.flatMap((r) => r.failures),
    [],
  );
  assert.ok(primary.client.stats.calls - calls <= 2, `${primary.client.stats.calls - calls} calls`);
  assert.equal(toStruct(fx.pair.primary.config().virtualip) !== undefined, true);
  assert.equal(rawVips(fx.pair.primary).length, 1, "check writes nothing");
});

test("a replacement (checked again as a create while its old VIP is still on the node) does not clash with that VIP", async () => {
  const created = await providers.carpVip.create(vipIn({ name: "r", address: "192.168.1.120" }));
  const news = vipIn({ name: "r", address: "192.168.1.120", vhid: created.outs.vhid + 5 });
  const d = await providers.carpVip.diff(created.id, created.outs, news);
  assert.deepEqual(d.replaces, ["vhid"]);
  assert.deepEqual((await providers.carpVip.check({}, news)).failures, []);
  await providers.carpVip.delete(created.id, created.outs);
});

test("a node that cannot be read fails every check of the program with its error, read once", async (t) => {
  // A listener that hangs up on every connection, counting them.
  let connections = 0;
  const server = createServer((sock) => {
    connections++;
    sock.destroy();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const gone = { ...fx.primary, url: `https://127.0.0.1:${port}` };
  const first = await providers.carpVip.check({}, vipIn({ primary: gone, name: "u0" }));
  assert.match(first.failures[0]?.reason ?? "", new RegExp(`127\\.0\\.0\\.1:${port}`));
  assert.equal(first.failures[0].property, "");
  const tried = connections;
  assert.ok(tried >= 1);
  const rest = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      providers.carpVip.check(
        {},
        vipIn({ primary: gone, name: `u${i + 1}`, address: `192.168.1.${130 + i}` }),
      ),
    ),
  );
  for (const r of rest) assert.equal(r.failures[0]?.reason, first.failures[0].reason);
  assert.equal(connections, tried, "the other checks reuse the failed read");
});
