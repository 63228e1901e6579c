/**
 * Faults at each step of a CarpVip apply (primary write, secondary write, read-back) on real
 * HTTPS: a clear E_PARTIAL error carrying the resource id and state, no half-written section on
 * either node, no secret in the message, and a rerun (the engine's `update` on the recorded
 * partial state) that converges. Also: a GUI edit between read and write is not clobbered.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { leaf } from "../../sdk/codec/phpValue";
import { isHaError, type PfSenseHaError } from "../../sdk/plan/errors";
import { getNodeSession } from "../../sdk/pfsense";
import { toNodeEndpoint } from "../../sdk/providers/endpointInputs";
import type { PartialFailure } from "../../sdk/providers/partialFailure";
import { providers } from "../../sdk/providers/runtime";
import type { CarpVipInputs, CarpVipOutputs } from "../../sdk/providers/carpVipSpec";
import { armAtNextWrite } from "./faultAtStep";
import { addRawVip, rawVip, rawVips } from "./nodeView";
import { startFixture, type PairFixture } from "./pairFixture";

const carp = providers.carpVip;
let fx: PairFixture;
before(async () => {
  fx = await startFixture();
});
after(async () => {
  await fx.close();
});

function inputs(address: string): CarpVipInputs {
  return {
    primary: fx.primary,
    secondary: fx.secondary,
    name: `vip-${address}`,
    interface: "wan",
    subnet: "192.168.1.0/24",
    address,
    password: "Sekr1tCarpPw",
  };
}

const uniqids = (n: typeof fx.pair.primary) => rawVips(n).map((v) => leaf(v.uniqid));

function assertCleanError(e: unknown, step: RegExp): asserts e is PartialFailure {
  assert.ok(isHaError(e, "E_PARTIAL"), `E_PARTIAL expected, got ${String(e)}`);
  const p = e as PartialFailure;
  assert.match(p.message, step);
  assert.ok(typeof p.id === "string" && p.id.length > 0, "the error carries the resource id");
  assert.ok(p.properties && typeof p.properties === "object", "and the partial state");
  const text = `${p.message} ${p.reasons.join(" ")} ${p.fix}`;
  for (const secret of ["Sekr1tCarpPw", fx.primary.password, fx.secondary.password]) {
    assert.ok(!text.includes(secret), "no secret in the error");
  }
}

async function rerun(e: PartialFailure, inp: CarpVipInputs): Promise<CarpVipOutputs> {
  const olds = e.properties as unknown as CarpVipOutputs;
  const d = await carp.diff(e.id, olds, inp);
  assert.equal(
    d.changes,
    true,
    "the partial state differs from the inputs: the engine runs update",
  );
  return (await carp.update(e.id, olds, inp)).outs;
}

function assertConverged(id: string, outs: CarpVipOutputs): void {
  assert.equal(rawVips(fx.pair.primary).filter((v) => leaf(v.uniqid) === id).length, 1);
  assert.equal(rawVips(fx.pair.secondary).filter((v) => leaf(v.uniqid) === id).length, 1);
  assert.equal(leaf(rawVip(fx.pair.primary, id)?.advskew), "0");
  assert.equal(leaf(rawVip(fx.pair.secondary, id)?.advskew), "100");
  assert.equal(outs.uniqid, id);
}

test("connection dropped at the primary write: E_PARTIAL, the primary unchanged, a rerun converges", async () => {
  const inp = inputs("192.168.1.60");
  const pBefore = uniqids(fx.pair.primary);
  armAtNextWrite(fx.primary, "primary", fx.pair.primary, "before-write", (n) =>
    n.faults.dropConnections(1),
  );
  const e = await carp.create(inp).catch((x: unknown) => x);
  assertCleanError(e, /primary write/);
  assert.deepEqual(uniqids(fx.pair.primary), pBefore, "nothing half-written on the primary");
  const outs = await rerun(e, inp);
  assertConverged(e.id, outs);
  await carp.delete(e.id, outs);
});

test("HTTP 504 after the primary applied the write (reply lost): the node is read, the write is found, the create completes once", async () => {
  const inp = inputs("192.168.1.61");
  armAtNextWrite(fx.primary, "primary", fx.pair.primary, "before-write", (n) =>
    n.faults.httpError(504, 1),
  );
  const { id, outs } = await carp.create(inp);
  assertConverged(id, outs);
  await carp.delete(id, outs);
});

test("HTTP 500 from the secondary from its write on: E_PARTIAL naming the secondary step, its section untouched, a rerun converges", async () => {
  const inp = inputs("192.168.1.62");
  const sBefore = JSON.stringify(fx.pair.secondary.config().virtualip);
  // Every request from the write on (the write alongside the primary's, the reads and the write
  // again after the primary): one lone 500 is simply written again (secondaryHeadStart.test.ts).
  armAtNextWrite(fx.secondary, "secondary", fx.pair.secondary, "before-write", (n) =>
    n.faults.httpError(500, 50),
  );
  const e = await carp.create(inp).catch((x: unknown) => x);
  fx.pair.secondary.faults.clear();
  assertCleanError(e, /secondary write/);
  assert.ok(rawVip(fx.pair.primary, e.id), "the primary holds the VIP");
  assert.equal(
    JSON.stringify(fx.pair.secondary.config().virtualip),
    sBefore,
    "the secondary's section is as before",
  );
  const outs = await rerun(e, inp);
  assertConverged(e.id, outs);
  await carp.delete(e.id, outs);
});

test("the write's reply lost and the node unreadable after it (repeated 500s): E_PARTIAL, no duplicate after the rerun", async () => {
  const inp = inputs("192.168.1.63");
  armAtNextWrite(fx.primary, "primary", fx.pair.primary, "before-write", (n) =>
    n.faults.dropConnections(1, { afterProcessing: true }),
  );
  armAtNextWrite(fx.primary, "primary", fx.pair.primary, "after-write", (n) =>
    n.faults.httpError(500, 6),
  );
  const e = await carp.create(inp).catch((x: unknown) => x);
  assertCleanError(e, /primary write|read-back/);
  fx.pair.primary.faults.clear();
  const outs = await rerun(e, inp);
  assertConverged(e.id, outs);
  await carp.delete(e.id, outs);
});

test("a timeout at the primary write (the node answers too late): the read that follows waits for the node and finds the write", async () => {
  const timed = { ...fx.primary, callTimeoutMs: 600 };
  const inp = { ...inputs("192.168.1.66"), primary: timed };
  armAtNextWrite(timed, "primary", fx.pair.primary, "before-write", (n) =>
    n.faults.latency(1500, 1),
  );
  // The node serialises XML-RPC requests (the xmlrpc lock), so the read runs after the write.
  const { id, outs } = await carp.create(inp);
  assertConverged(id, outs);
  await carp.delete(id, outs);
});

test("a malformed reply at the secondary write (the method ran): the node is read, the write is found, no duplicate or torn entry", async () => {
  const inp = inputs("192.168.1.67");
  armAtNextWrite(fx.secondary, "secondary", fx.pair.secondary, "before-write", (n) =>
    n.faults.malformedXml(1),
  );
  const { id, outs } = await carp.create(inp);
  assertConverged(id, outs);
  await carp.delete(id, outs);
});

test("a GUI edit landing between the client's read and its write is kept, and the VIP still lands", async () => {
  const session = getNodeSession(toNodeEndpoint(fx.primary, "primary"));
  const client = session.client as unknown as { readWithToken(n: string[]): Promise<unknown> };
  const original = client.readWithToken.bind(client);
  let fired = false;
  client.readWithToken = async (names: string[]) => {
    const r = await original(names);
    if (!fired && names.includes("virtualip")) {
      fired = true;
      addRawVip(fx.pair.primary, {
        mode: "carp",
        interface: "wan",
        vhid: "77",
        advskew: "0",
        advbase: "1",
        password: "gui",
        uniqid: "cccc00000077",
        type: "single",
        subnet: "192.168.1.77",
        subnet_bits: "24",
      });
    }
    return r;
  };
  try {
    const inp = inputs("192.168.1.64");
    const { id, outs } = await carp.create(inp);
    assert.ok(fired, "the GUI edit happened between read and write");
    assert.ok(rawVip(fx.pair.primary, "cccc00000077"), "the GUI's VIP is not clobbered");
    assert.ok(rawVip(fx.pair.primary, id), "ours landed too");
    assert.notEqual(outs.vhid, 77);
    await carp.delete(id, outs);
  } finally {
    client.readWithToken = original;
  }
});

test("a wrong node password fails before anything is written, once, without the password in the message", async () => {
  const bad = { ...inputs("192.168.1.65"), primary: { ...fx.primary, password: "Nope-Wrong-1" } };
  const e = (await carp.create(bad).catch((x: unknown) => x)) as PfSenseHaError;
  assert.ok(isHaError(e, "E_AUTH"), String(e));
  assert.ok(!e.message.includes("Nope-Wrong-1"));
});
