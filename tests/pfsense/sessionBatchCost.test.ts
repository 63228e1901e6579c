/**
 * The cost and isolation rules of one coalesced batch: the session's own work per batch grows
 * linearly with the number of queued edits (256 queued edits cost about as much as one edit
 * making the same change), while a change that throws, returns a promise or fails read-back
 * verification still fails alone.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { isHaError } from "../../sdk/plan/errors";
import type { VirtualIp } from "../../sdk/plan/model";
import { cloneValue, toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { getNodeSession, type NodeSessionImpl } from "../../sdk/pfsense";
import { startHarness, type Harness } from "./emulatorHarness";

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

const session = (): NodeSessionImpl => getNodeSession(h.endpoint()) as NodeSessionImpl;

const SEGMENTS = [
  { iface: "wan", prefix: "192.168.1" },
  { iface: "lan", prefix: "192.168.99" },
  { iface: "opt1", prefix: "172.16.1" },
];

/** The i-th of many CARP VIPs, spread over three segments (at most 255 VHIDs per segment). */
function manyVip(i: number): VirtualIp {
  const seg = SEGMENTS[i % SEGMENTS.length];
  const k = Math.floor(i / SEGMENTS.length) + 1;
  return {
    mode: "carp",
    interface: seg.iface,
    vhid: k,
    advskew: 0,
    advbase: 1,
    password: `pw${i}`,
    uniqid: `bulk${i}`,
    descr: `vip ${i}`,
    type: "single",
    subnet: `${seg.prefix}.${100 + k}`,
    subnetBits: 24,
  };
}

const carpCount = (): number =>
  (toList(toStruct(h.node.config().virtualip).vip) as PhpStruct[]).filter((v) => v.mode === "carp")
    .length;

async function dropCarpVips(): Promise<void> {
  await session().edit((d) => {
    d.virtualIps = d.virtualIps.filter((v) => v.mode !== "carp");
  });
}

test("256 queued edits cost about as much as one edit making the same change (the batch's own work is linear)", async () => {
  const s = session();
  const N = 256;
  await dropCarpVips(); // warm-up: firmware read, TLS session
  const t0 = performance.now();
  await s.edit((d) => {
    for (let i = 0; i < N; i++) d.virtualIps.push(manyVip(i));
  });
  const bulkMs = performance.now() - t0;
  assert.equal(carpCount(), N);

  await dropCarpVips();
  const writes0 = s.sessionStats.writes;
  const calls0 = s.client.stats.calls;
  const t1 = performance.now();
  await Promise.all(
    Array.from({ length: N }, (_, i) =>
      s.edit((d) => {
        d.virtualIps.push(manyVip(i));
      }),
    ),
  );
  const queuedMs = performance.now() - t1;
  const calls = s.client.stats.calls - calls0;
  console.log(
    `# ${N} VIPs: one edit ${bulkMs.toFixed(0)} ms; ${N} queued edits ${queuedMs.toFixed(0)} ms in ` +
      `${s.sessionStats.writes - writes0} restore(s), ${calls} XML-RPC calls`,
  );
  assert.equal(carpCount(), N, "every queued edit landed");
  assert.equal(s.sessionStats.writes - writes0, 1, "one batch, one restore");
  assert.ok(
    queuedMs < 3 * bulkMs + 100,
    `${N} queued edits took ${queuedMs.toFixed(0)} ms, one bulk edit ${bulkMs.toFixed(0)} ms`,
  );
});

test("a change that mutates the draft and then throws leaves no trace; the edits around it land", async () => {
  const s = session();
  await dropCarpVips();
  const results = await Promise.allSettled([
    s.edit((d) => {
      d.virtualIps.push(manyVip(0));
    }),
    s.edit((d) => {
      d.virtualIps.push(manyVip(1));
      d.natMode = "advanced";
      d.dhcpd.lan.gateway = "192.168.99.250";
      throw new Error("half-done change");
    }),
    s.edit((d) => {
      d.virtualIps.push(manyVip(2));
    }),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ["fulfilled", "rejected", "fulfilled"],
  );
  assert.match(String((results[1] as PromiseRejectedResult).reason), /half-done/);
  const vips = toList(toStruct(h.node.config().virtualip).vip) as PhpStruct[];
  assert.deepEqual(
    vips
      .filter((v) => v.mode === "carp")
      .map((v) => v.uniqid)
      .sort(),
    ["bulk0", "bulk2"],
  );
  assert.notEqual(toStruct(toStruct(h.node.config().nat).outbound).mode, "advanced");
  assert.notEqual(toStruct(toStruct(h.node.config().dhcpd).lan).gateway, "192.168.99.250");
});

test("a change returning a promise is refused with everything it did before returning", async () => {
  const s = session();
  await dropCarpVips();
  const [bad, good] = await Promise.allSettled([
    s.edit(((d: { virtualIps: VirtualIp[] }) => {
      d.virtualIps.push(manyVip(5));
      return Promise.resolve();
    }) as never),
    s.edit((d) => {
      d.virtualIps.push(manyVip(6));
    }),
  ]);
  assert.equal(bad.status, "rejected");
  assert.ok(isHaError((bad as PromiseRejectedResult).reason, "E_INVALID_INPUT"));
  assert.equal(good.status, "fulfilled");
  const uniqids = (toList(toStruct(h.node.config().virtualip).vip) as PhpStruct[])
    .filter((v) => v.mode === "carp")
    .map((v) => v.uniqid);
  assert.deepEqual(uniqids, ["bulk6"]);
});

test("when a write does not land, only the edits that changed something fail with E_VERIFY", async () => {
  const s = session();
  const current = (await s.read()).config.dhcpd.lan.rangeFrom;
  const tree = cloneValue(h.node.config());
  const hs = toStruct(tree.hasync);
  hs.synchronizetoip = "127.0.0.1"; // loop protection: the node ignores every restore (§3.4)
  tree.hasync = hs;
  h.node.writeConfigAs(tree, "GUI: misconfigured sync target");
  try {
    const [changed, unchanged] = await Promise.allSettled([
      s.edit((d) => {
        d.dhcpd.lan.gateway = "192.168.99.249";
      }),
      s.edit((d) => {
        d.dhcpd.lan.rangeFrom = current; // the value it already has
      }),
    ]);
    assert.equal(changed.status, "rejected");
    assert.ok(isHaError((changed as PromiseRejectedResult).reason, "E_VERIFY"));
    assert.match(String((changed as PromiseRejectedResult).reason), /dhcpd/);
    assert.equal(unchanged.status, "fulfilled");
  } finally {
    const fixed = cloneValue(h.node.config());
    delete toStruct(fixed.hasync).synchronizetoip;
    h.node.writeConfigAs(fixed, "GUI: sync target removed");
  }
});

test("a change restore cannot express (removing the node's own proxy ARP VIP) is refused alone; the rest of its batch lands", async () => {
  const tree = cloneValue(h.node.config());
  const vi = toStruct(tree.virtualip);
  vi.vip = [
    ...(toList(vi.vip) as PhpStruct[]),
    {
      mode: "proxyarp",
      interface: "wan",
      descr: "kept",
      type: "network",
      subnet_bits: "29",
      subnet: "192.168.1.200",
    },
  ];
  tree.virtualip = vi;
  h.node.writeConfigAs(tree, "GUI: proxy arp");
  await dropCarpVips();
  const s = session();
  const [before, bad, after] = await Promise.allSettled([
    s.edit((d) => {
      d.virtualIps.push(manyVip(10));
    }),
    s.edit((d) => {
      d.virtualIps = d.virtualIps.filter((v) => v.mode !== "proxyarp");
    }),
    s.edit((d) => {
      d.virtualIps.push(manyVip(11));
    }),
  ]);
  assert.equal(before.status, "fulfilled");
  assert.equal(bad.status, "rejected");
  assert.ok(isHaError((bad as PromiseRejectedResult).reason, "E_INVALID_INPUT"));
  assert.match(String((bad as PromiseRejectedResult).reason), /proxyarp VIP 192\.168\.1\.200/);
  assert.equal(after.status, "fulfilled");
  const vips = toList(toStruct(h.node.config().virtualip).vip) as PhpStruct[];
  assert.equal(vips.filter((v) => v.mode === "proxyarp").length, 1, "the proxy ARP VIP stays");
  assert.deepEqual(
    vips
      .filter((v) => v.mode === "carp")
      .map((v) => v.uniqid)
      .sort(),
    ["bulk10", "bulk11"],
  );
});
