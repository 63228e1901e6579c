/**
 * CarpVip provider CRUD against a real emulated pair: both nodes' records, VHID allocation around
 * unmanaged VIPs, adoption, drift per node on refresh, deletes that leave everything else alone,
 * pfSense's own sync path, and 64 parallel creates landing with bounded calls.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { leaf } from "../../sdk/codec/phpValue";
import { getNodeSession } from "../../sdk/pfsense";
import { toNodeEndpoint } from "../../sdk/providers/endpointInputs";
import { providers } from "../../sdk/providers/runtime";
import type { CarpVipInputs, CarpVipOutputs } from "../../sdk/providers/carpVipSpec";
import {
  enablePrimarySync,
  startFixture,
  type PairFixture,
  newProviderProcess,
} from "./pairFixture";
import { addRawVip, guiEdit, rawVip, rawVips, setRawVipField } from "./nodeView";
import { toStruct } from "../../sdk/codec/phpValue";

const carp = providers.carpVip;
let fx: PairFixture;

function vipInputs(over: Partial<CarpVipInputs> = {}): CarpVipInputs {
  return {
    primary: fx.primary,
    secondary: fx.secondary,
    name: "wan-vip",
    interface: "wan",
    subnet: "192.168.1.0/24",
    address: "192.168.1.100",
    password: "Carp0Pass1",
    description: "wan vip",
    ...over,
  };
}

before(async () => {
  fx = await startFixture();
});
after(async () => {
  await fx.close();
});

test("create writes the primary (skew 0) and the secondary's derived view (skew 100) with one uniqid, VHID and password", async () => {
  // An empty reservation, what the component sent before it left empty ones out.
  const { id, outs } = await carp.create(vipInputs({ reservedVhids: [] }));
  const p = rawVip(fx.pair.primary, id);
  const s = rawVip(fx.pair.secondary, id);
  assert.ok(p && s, "the VIP is on both nodes under the same uniqid");
  assert.equal(leaf(p.mode), "carp");
  assert.equal(leaf(p.subnet), "192.168.1.100");
  assert.equal(leaf(p.advskew), "0");
  assert.equal(leaf(s.advskew), "100");
  assert.equal(leaf(p.vhid), leaf(s.vhid));
  assert.equal(leaf(p.password), leaf(s.password));
  assert.equal(outs.uniqid, id);
  assert.equal(outs.vhid, Number(leaf(p.vhid)));
  assert.equal(outs.primaryAdvskew, 0);
  assert.equal(outs.secondaryAdvskew, 100);
  assert.equal(outs.subnetBits, 24);
  assert.equal(outs.syncedBy, "library");
  // State keeps no empty values: no drift, no adoption, no multicast peers, no reservation.
  for (const k of ["drift", "adoptedFrom", "primaryPeer", "secondaryPeer", "reservedVhids"]) {
    assert.ok(!(k in outs), `${k} is not stored when empty`);
  }
  assert.ok(!JSON.stringify(outs).includes("undefined"));
  await carp.delete(id, outs);
  assert.equal(rawVip(fx.pair.primary, id), undefined);
  assert.equal(rawVip(fx.pair.secondary, id), undefined);
});

test("VHIDs skip those of unmanaged VIPs on either node and the reserved list, and stay stable on update", async () => {
  addRawVip(fx.pair.primary, {
    mode: "carp",
    interface: "wan",
    vhid: "1",
    advskew: "0",
    advbase: "1",
    password: "x",
    uniqid: "aaaa00000001",
    descr: "unmanaged",
    type: "single",
    subnet: "192.168.1.201",
    subnet_bits: "24",
  });
  addRawVip(fx.pair.secondary, {
    mode: "carp",
    interface: "wan",
    vhid: "2",
    advskew: "100",
    advbase: "1",
    password: "x",
    uniqid: "aaaa00000002",
    descr: "secondary only",
    type: "single",
    subnet: "192.168.1.202",
    subnet_bits: "24",
  });
  const { id, outs } = await carp.create(
    vipInputs({ address: "192.168.1.110", reservedVhids: [3] }),
  );
  assert.equal(outs.vhid, 4, "1 and 2 are in use on the nodes, 3 is reserved");
  const { outs: again } = await carp.update(
    id,
    outs,
    vipInputs({ address: "192.168.1.111", reservedVhids: [3] }),
  );
  assert.equal(again.vhid, 4, "an update keeps the allocated VHID");
  assert.equal(leaf(rawVip(fx.pair.secondary, id)?.subnet), "192.168.1.111");
  await carp.delete(id, again);
  assert.ok(rawVip(fx.pair.primary, "aaaa00000001"), "the unmanaged primary VIP is left alone");
  assert.ok(rawVip(fx.pair.secondary, "aaaa00000002"), "the secondary-only VIP is left alone");
});

test("an explicit VHID held by an unmanaged VIP on another address is refused naming the holder", async () => {
  const err = await carp
    .create(vipInputs({ address: "192.168.1.120", vhid: 1 }))
    .catch((e: unknown) => e);
  assert.match(String(err), /E_VHID_CONFLICT/);
  assert.match(String(err), /unmanaged/);
  assert.match(String(err), /CarpVip\[[^\]]+\]\.vhid/, "names the resource, not its uniqid");
});

test("a hand-made CARP VIP with the same address is refused unless adopt is set, and nothing is written", async () => {
  const before = JSON.stringify(rawVips(fx.pair.primary));
  const err = await carp
    .create(vipInputs({ address: "192.168.1.201", vhid: 1, skew: 0, description: "adopted" }))
    .catch((e: unknown) => e);
  assert.match(String(err), /E_ADDRESS_CONFLICT/);
  assert.match(String(err), /adopt: true/);
  assert.equal(JSON.stringify(rawVips(fx.pair.primary)), before, "the hand-made VIP untouched");
});

test("with adopt, an existing CARP VIP with the same interface, address and VHID is adopted, not duplicated, and given back as it was on delete", async () => {
  const before = rawVips(fx.pair.primary).length;
  const { id, outs } = await carp.create(
    vipInputs({ address: "192.168.1.201", vhid: 1, skew: 0, description: "adopted", adopt: true }),
  );
  assert.equal(id, "aaaa00000001", "the resource id is the adopted VIP's uniqid");
  assert.equal(rawVips(fx.pair.primary).length, before, "no duplicate on the primary");
  assert.equal(leaf(rawVip(fx.pair.primary, id)?.descr), "adopted");
  assert.equal(leaf(rawVip(fx.pair.primary, id)?.password), "Carp0Pass1");
  assert.equal(leaf(rawVip(fx.pair.secondary, id)?.advskew), "100");
  await carp.delete(id, outs);
  const back = rawVip(fx.pair.primary, id);
  assert.ok(back, "deleting an adopted VIP gives it back rather than removing it");
  assert.equal(leaf(back.descr), "unmanaged");
  assert.equal(leaf(back.password), "x");
  assert.equal(rawVips(fx.pair.primary).length, before);
});

test("refresh reports drift per node, never the expected +100 skew; diff then shows a change and update repairs it", async () => {
  const inputs = vipInputs({ address: "192.168.1.130" });
  const { id, outs } = await carp.create(inputs);
  const clean = await carp.read(id, outs);
  assert.equal(clean.props.drift, undefined, "no drift right after create");
  assert.equal(clean.id, id);

  setRawVipField(fx.pair.secondary, id, "advskew", "150");
  newProviderProcess();
  const sDrift = await carp.read(id, outs);
  assert.deepEqual(sDrift.props.drift?.primary, []);
  assert.equal(sDrift.props.drift?.secondary.length, 1);
  assert.match(sDrift.props.drift?.secondary[0] ?? "", /advskew: expected 100, found 150/);

  setRawVipField(fx.pair.primary, id, "advskew", "7");
  newProviderProcess();
  const both = await carp.read(id, outs);
  assert.match(both.props.drift?.primary.join() ?? "", /advskew: expected 0, found 7/);
  assert.equal(both.inputs?.skew, 7, "refreshed inputs reflect what the primary holds");

  const d = await carp.diff(id, both.props as CarpVipOutputs, inputs);
  assert.equal(d.changes, true);
  assert.deepEqual(d.replaces, []);
  const { outs: repaired } = await carp.update(id, both.props as CarpVipOutputs, inputs);
  assert.equal(leaf(rawVip(fx.pair.primary, id)?.advskew), "0");
  assert.equal(leaf(rawVip(fx.pair.secondary, id)?.advskew), "100");
  assert.equal((await carp.read(id, repaired)).props.drift, undefined, "in sync again");
  await carp.delete(id, repaired);
});

test("password drift is reported without revealing either password", async () => {
  const { id, outs } = await carp.create(vipInputs({ address: "192.168.1.131" }));
  setRawVipField(fx.pair.primary, id, "password", "SomethingElse9");
  const r = await carp.read(id, outs);
  const text = JSON.stringify(r.props.drift);
  assert.match(text, /password/);
  assert.ok(!text.includes("SomethingElse9") && !text.includes("Carp0Pass1"));
  await carp.delete(id, outs);
});

test("a VIP deleted on both nodes out of band refreshes to an empty id", async () => {
  const { id, outs } = await carp.create(vipInputs({ address: "192.168.1.132" }));
  for (const n of [fx.pair.primary, fx.pair.secondary]) {
    guiEdit(n, (tree) => {
      const s = toStruct(tree.virtualip);
      s.vip = rawVips(n).filter((v) => leaf(v.uniqid) !== id);
      tree.virtualip = s;
    });
  }
  assert.equal((await carp.read(id, outs)).id, "");
});

test("delete removes only its own VIP: unmanaged VIPs and a plain IP alias stay, in order", async () => {
  addRawVip(fx.pair.primary, {
    mode: "ipalias",
    interface: "lan",
    uniqid: "bbbb00000001",
    descr: "alias",
    type: "single",
    subnet: "192.168.99.50",
    subnet_bits: "24",
  });
  const { id, outs } = await carp.create(vipInputs({ address: "192.168.1.140" }));
  const others = (n: typeof fx.pair.primary) =>
    rawVips(n)
      .filter((v) => leaf(v.uniqid) !== id)
      .map((v) => leaf(v.uniqid));
  const pBefore = others(fx.pair.primary);
  const sBefore = others(fx.pair.secondary);
  await carp.delete(id, outs);
  assert.deepEqual(others(fx.pair.primary), pBefore);
  assert.deepEqual(others(fx.pair.secondary), sBefore);
  await carp.delete(id, outs); // idempotent
});

test("64 CarpVips created in parallel all land on both nodes with distinct VHIDs and bounded XML-RPC calls", async () => {
  const session = getNodeSession(toNodeEndpoint(fx.primary, "primary"));
  const calls0 = session.client.stats.calls;
  const n = 64;
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      carp.create(
        vipInputs({
          name: `lan-${i}`,
          interface: "lan",
          subnet: "192.168.99.0/24",
          address: `192.168.99.${150 + i}`,
        }),
      ),
    ),
  );
  const calls = session.client.stats.calls - calls0;
  const vhids = new Set(results.map((r) => r.outs.vhid));
  assert.equal(vhids.size, n, "every VIP got its own VHID");
  for (const r of results) {
    assert.ok(rawVip(fx.pair.primary, r.id), `${r.id} on the primary`);
    assert.equal(leaf(rawVip(fx.pair.secondary, r.id)?.advskew), "100");
  }
  assert.ok(calls < n, `coalesced: ${calls} calls to the primary for ${n} creates`);
  await Promise.all(results.map((r) => carp.delete(r.id, r.outs)));
  for (const r of results) assert.equal(rawVip(fx.pair.primary, r.id), undefined);
});

test("with pfSense's own sync configured for virtualip, the secondary's view arrives through it", async () => {
  enablePrimarySync(fx);
  await fx.pair.primary.syncIdle();
  const { id, outs } = await carp.create(vipInputs({ address: "192.168.1.150" }));
  assert.equal(outs.syncedBy, "pfsense");
  assert.equal(leaf(rawVip(fx.pair.secondary, id)?.advskew), "100");
  await carp.delete(id, outs);
  await fx.pair.primary.syncIdle();
  assert.equal(rawVip(fx.pair.secondary, id), undefined);
  guiEdit(
    fx.pair.primary,
    (tree) => {
      delete tree.hasync;
    },
    "disable HA sync",
  );
  await fx.pair.primary.syncIdle();
});

function setLanIpv6(prefix: string | undefined): void {
  for (const [n, host] of [
    [fx.pair.primary, "1"],
    [fx.pair.secondary, "2"],
  ] as const) {
    guiEdit(n, (tree) => {
      const lan = toStruct(toStruct(tree.interfaces).lan);
      if (prefix === undefined) {
        delete lan.ipaddrv6;
        delete lan.subnetv6;
      } else {
        lan.ipaddrv6 = `${prefix}${host}`;
        lan.subnetv6 = "64";
      }
    });
  }
}

test("an IPv6 VIP on an interface without a static IPv6 address is refused before anything is written", async () => {
  setLanIpv6(undefined);
  const counts = [rawVips(fx.pair.primary).length, rawVips(fx.pair.secondary).length];
  await assert.rejects(
    carp.create(
      vipInputs({
        name: "lan6",
        interface: "lan",
        subnet: "2001:db8:99::/64",
        address: "2001:db8:99::100",
      }),
    ),
    /E_FAMILY_MISMATCH.*lan has no static IPv6 address/,
  );
  assert.deepEqual([rawVips(fx.pair.primary).length, rawVips(fx.pair.secondary).length], counts);
});

test("an IPv6 VIP: planned in its /64, written with subnet_bits 64, skews derived like IPv4", async (t) => {
  setLanIpv6("2001:db8:99::");
  t.after(() => setLanIpv6(undefined));
  const { id, outs } = await carp.create(
    vipInputs({
      name: "lan6",
      interface: "lan",
      subnet: "2001:db8:99::/64",
      address: "2001:db8:99::100",
    }),
  );
  assert.equal(outs.family, 6);
  assert.equal(outs.subnetBits, 64);
  assert.equal(leaf(rawVip(fx.pair.primary, id)?.subnet), "2001:db8:99::100");
  assert.equal(leaf(rawVip(fx.pair.primary, id)?.subnet_bits), "64");
  assert.equal(leaf(rawVip(fx.pair.secondary, id)?.advskew), "100");
  const d = await carp.diff(
    id,
    outs,
    vipInputs({
      name: "lan6",
      interface: "lan",
      subnet: "192.168.99.0/24",
      address: "192.168.99.100",
    }),
  );
  assert.ok(d.replaces.includes("family"), "switching the family is a replace");
  await carp.delete(id, outs);
});

test("64 parallel creates with pfSense's own sync: all delivered by pfSense, the secondary only polled a few times", async () => {
  enablePrimarySync(fx);
  await fx.pair.primary.syncIdle();
  const secondary = getNodeSession(toNodeEndpoint(fx.secondary, "secondary"));
  const calls0 = secondary.client.stats.calls;
  const results = await Promise.all(
    Array.from({ length: 64 }, (_, i) =>
      carp.create(
        vipInputs({
          name: `sync-${i}`,
          interface: "lan",
          subnet: "192.168.99.0/24",
          address: `192.168.99.${60 + i}`,
        }),
      ),
    ),
  );
  assert.deepEqual([...new Set(results.map((r) => r.outs.syncedBy))], ["pfsense"]);
  for (const r of results) assert.equal(leaf(rawVip(fx.pair.secondary, r.id)?.advskew), "100");
  const polls = secondary.client.stats.calls - calls0;
  assert.ok(
    polls <= 16,
    `the library read the secondary ${polls} times for 64 VIPs and wrote it never`,
  );
  await Promise.all(results.map((r) => carp.delete(r.id, r.outs)));
  await fx.pair.primary.syncIdle();
  for (const r of results) assert.equal(rawVip(fx.pair.secondary, r.id), undefined);
  guiEdit(
    fx.pair.primary,
    (tree) => {
      delete tree.hasync;
    },
    "disable HA sync",
  );
  await fx.pair.primary.syncIdle();
});

test("two resources declaring the same VIP in parallel: one creates it, the other is refused (no shared adoption)", async () => {
  const results = await Promise.allSettled([
    carp.create(vipInputs({ name: "twin-a", address: "192.168.1.160" })),
    carp.create(vipInputs({ name: "twin-b", address: "192.168.1.160" })),
  ]);
  const ok = results.filter((r) => r.status === "fulfilled");
  const failed = results.filter((r) => r.status === "rejected");
  assert.equal(ok.length, 1);
  assert.equal(failed.length, 1);
  assert.match(String((failed[0] as PromiseRejectedResult).reason), /E_ADDRESS_CONFLICT/);
  assert.equal(
    rawVips(fx.pair.primary).filter((v) => leaf(v.subnet) === "192.168.1.160").length,
    1,
  );
  const created = (ok[0] as PromiseFulfilledResult<{ id: string; outs: CarpVipOutputs }>).value;
  await carp.delete(created.id, created.outs);
});
