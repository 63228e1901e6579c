/**
 * Writing the secondary alongside the primary (secondaryHeadStart.ts) on real HTTPS: where
 * pfSense's own sync does not carry `virtualip`, a CarpVip create or delete sends the secondary's
 * write while the primary's is still in flight; when the primary's write fails without landing,
 * the secondary is put back as it was; a failed head start is written again after the primary;
 * and with pfSense's sync on, the library does not write the secondary at all.
 */
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { leaf, toList, toStruct } from "../../sdk/codec/phpValue";
import { isHaError } from "../../sdk/plan/errors";
import { getNodeSession } from "../../sdk/pfsense";
import {
  toNodeEndpoint,
  type EndpointInput,
  type PairRole,
} from "../../sdk/providers/endpointInputs";
import { providers } from "../../sdk/providers/runtime";
import type { CarpVipInputs } from "../../sdk/providers/carpVipSpec";
import { armAtNextWrite } from "./faultAtStep";
import { addRawVip, guiEdit, rawVip, rawVips } from "./nodeView";
import { enablePrimarySync, startFixture, type PairFixture } from "./pairFixture";

const carp = providers.carpVip;
let fx: PairFixture;
before(async () => {
  fx = await startFixture();
});
after(async () => {
  await fx.close();
});
beforeEach(async () => {
  guiEdit(fx.pair.primary, (tree) => delete tree.hasync, "HA sync off");
  await fx.pair.primary.syncIdle();
});

function vip(address: string): CarpVipInputs {
  return {
    primary: fx.primary,
    secondary: fx.secondary,
    name: `vip-${address}`,
    interface: "wan",
    subnet: "192.168.1.0/24",
    address,
    password: "HeadStartPw1",
  };
}

/** When each write the library sends to a node starts and answers (ms, performance.now()). */
interface WriteSpan {
  sent: number;
  answered: number;
}

/** Records every write (conditional or plain restore) the session of `ep` sends from now on. */
function logWrites(ep: EndpointInput, role: PairRole): WriteSpan[] {
  const log: WriteSpan[] = [];
  const client = getNodeSession(toNodeEndpoint(ep, role)).client as unknown as Record<
    string,
    (...a: unknown[]) => Promise<unknown>
  >;
  for (const m of ["conditionalRestore", "restoreSections"]) {
    const original = client[m].bind(client);
    client[m] = async (...a: unknown[]) => {
      const span = { sent: performance.now(), answered: Number.NaN };
      log.push(span);
      try {
        return await original(...a);
      } finally {
        span.answered = performance.now();
      }
    };
  }
  return log;
}

const secondaryVips = () => JSON.stringify(fx.pair.secondary.config().virtualip);

test("without pfSense's sync, a create sends the secondary's write while the primary's is in flight; each node is written once", async () => {
  const p = logWrites(fx.primary, "primary");
  const s = logWrites(fx.secondary, "secondary");
  armAtNextWrite(fx.primary, "primary", fx.pair.primary, "before-write", (n) =>
    n.faults.latency(400, 1),
  );
  const { id, outs } = await carp.create(vip("192.168.1.80"));
  assert.equal(p.length, 1, "one write to the primary");
  assert.equal(s.length, 1, "one write to the secondary");
  assert.ok(
    s[0].sent < p[0].answered,
    `the secondary's write went out before the primary answered (${(p[0].answered - s[0].sent).toFixed(0)} ms before)`,
  );
  assert.equal(outs.syncedBy, "library");
  assert.equal(leaf(rawVip(fx.pair.primary, id)?.advskew), "0");
  assert.equal(leaf(rawVip(fx.pair.secondary, id)?.advskew), "100");
  assert.equal(leaf(rawVip(fx.pair.secondary, id)?.vhid), leaf(rawVip(fx.pair.primary, id)?.vhid));
  await carp.delete(id, outs);
  assert.equal(rawVip(fx.pair.primary, id), undefined);
  assert.equal(rawVip(fx.pair.secondary, id), undefined);
});

test("a GUI edit that makes the primary refuse the VIP at its write takes the secondary's head start back", async () => {
  const before = secondaryVips();
  // The GUI takes the address between the library's read and its write: the conditional write
  // conflicts, the replay on the fresh content refuses the address, nothing lands on the primary.
  armAtNextWrite(fx.primary, "primary", fx.pair.primary, "before-write", (n) =>
    addRawVip(n, {
      mode: "carp",
      interface: "wan",
      vhid: "77",
      advskew: "0",
      advbase: "1",
      password: "x",
      uniqid: "guitook81",
      type: "single",
      subnet_bits: "24",
      subnet: "192.168.1.81",
      descr: "GUI",
    }),
  );
  const e = await carp.create(vip("192.168.1.81")).catch((x: unknown) => x);
  assert.ok(isHaError(e, "E_ADDRESS_CONFLICT"), `E_ADDRESS_CONFLICT expected, got ${String(e)}`);
  assert.deepEqual(
    rawVips(fx.pair.primary)
      .filter((v) => leaf(v.subnet) === "192.168.1.81")
      .map((v) => leaf(v.uniqid)),
    ["guitook81"],
    "the primary holds only the GUI's VIP",
  );
  assert.equal(secondaryVips(), before, "the secondary's virtualip is as before");
  guiEdit(fx.pair.primary, (tree) => {
    const section = toStruct(tree.virtualip);
    section.vip = toList(section.vip).filter((v) => leaf(toStruct(v).uniqid) !== "guitook81");
  });
});

test("one HTTP 500 at the secondary's head start: the secondary is written again after the primary and the create completes", async () => {
  const s = logWrites(fx.secondary, "secondary");
  armAtNextWrite(fx.secondary, "secondary", fx.pair.secondary, "before-write", (n) =>
    n.faults.httpError(500, 1),
  );
  const { id, outs } = await carp.create(vip("192.168.1.82"));
  assert.equal(s.length, 2, "the head start and the write after the primary");
  assert.equal(rawVips(fx.pair.secondary).filter((v) => leaf(v.uniqid) === id).length, 1);
  assert.equal(leaf(rawVip(fx.pair.secondary, id)?.advskew), "100");
  await carp.delete(id, outs);
});

test("a GUI alias stacked on the VIP just before the primary's delete: refused, and the secondary keeps the VIP where it was", async () => {
  const { id, outs } = await carp.create(vip("192.168.1.83"));
  const before = secondaryVips();
  const alias = {
    mode: "ipalias",
    interface: `_vip${id}`,
    uniqid: "guialias83",
    type: "single",
    subnet_bits: "24",
    subnet: "192.168.1.183",
    descr: "GUI alias",
  };
  armAtNextWrite(fx.primary, "primary", fx.pair.primary, "before-write", (n) =>
    addRawVip(n, alias),
  );
  const e = await carp.delete(id, outs).catch((x: unknown) => x);
  assert.ok(isHaError(e, "E_INVALID_INPUT"), `the delete is refused, got ${String(e)}`);
  assert.match((e as Error).message, /IP alias/);
  assert.ok(rawVip(fx.pair.primary, id), "the primary keeps the VIP");
  assert.equal(secondaryVips(), before, "the secondary holds the VIP where it was");
  guiEdit(fx.pair.primary, (tree) => {
    const section = toStruct(tree.virtualip);
    section.vip = toList(section.vip).filter((v) => leaf(toStruct(v).uniqid) !== "guialias83");
  });
  await carp.delete(id, outs);
  assert.equal(rawVip(fx.pair.secondary, id), undefined);
});

test("with pfSense's sync on, the library does not write the secondary: pfSense's push delivers", async () => {
  enablePrimarySync(fx);
  await fx.pair.primary.syncIdle();
  const s = logWrites(fx.secondary, "secondary");
  const { id, outs } = await carp.create(vip("192.168.1.84"));
  assert.equal(outs.syncedBy, "pfsense");
  assert.equal(s.length, 0, "no write of the library's to the secondary");
  assert.equal(leaf(rawVip(fx.pair.secondary, id)?.advskew), "100");
  await carp.delete(id, outs);
  assert.equal(s.length, 0, "nor at the delete");
  await fx.pair.primary.syncIdle();
  assert.equal(rawVip(fx.pair.secondary, id), undefined);
});
