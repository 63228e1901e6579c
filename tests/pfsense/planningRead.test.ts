/**
 * Inside the engine's provider process a batch reads the node when its first operation arrives,
 * and the operations the engine hands over after it plan on that read: one read per node per
 * batch, made before the last operation arrives instead of after. The batch's write stays
 * conditional on the node, so whatever changes on the node after that read is still seen.
 */
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { cloneValue, toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { parseReadSnippet } from "../../sdk/codec/conditionalSnippets";
import type { VirtualIp } from "../../sdk/plan/model";
import { getNodeSession, resetNodeSessions, type NodeSession } from "../../sdk/pfsense";
import { runOperation } from "../../sdk/pfsense/operationTracker";
import type { NodeState } from "../../sdk/pfsense/types";
import { startHarness, type Harness } from "./emulatorHarness";

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});
beforeEach(() => resetNodeSessions());

const vip = (n: number): VirtualIp => ({
  mode: "carp",
  interface: "lan",
  vhid: n,
  advskew: 0,
  advbase: 1,
  password: `pw${n}`,
  uniqid: `plan${n}`,
  descr: `planned ${n}`,
  type: "single",
  subnet: `192.168.99.${100 + n}`,
  subnetBits: 24,
});

/** How many reads the node has answered so far. */
const readsSoFar = () =>
  h.node.execLog.filter((e) => parseReadSnippet(e.code) !== undefined).length;

const nodeVips = () => toList(toStruct(h.node.config().virtualip ?? {}).vip).map(toStruct);

/** A GUI user adds a CARP VIP by hand, as firewall_virtual_ip_edit.php saves it. */
function guiAddsVip(uniqid: string): void {
  const tree = cloneValue(h.node.config());
  const section = toStruct(tree.virtualip ?? {});
  const list = toList(section.vip);
  list.push({
    mode: "carp",
    interface: "lan",
    vhid: "200",
    advskew: "0",
    advbase: "1",
    password: "byhand",
    uniqid,
    descr: "added in the GUI",
    type: "single",
    subnet: "192.168.99.250",
    subnet_bits: "24",
  } as PhpStruct);
  section.vip = list;
  tree.virtualip = section;
  h.node.writeConfigAs(tree, "Virtual IP added by hand", "alice@10.0.0.7 (Local Database)");
}

/**
 * One engine operation: a planning read, then (when `n` is given) an edit adding VIP `n`.
 * `afterRead` runs between the two, as the provider's own planning would.
 */
function operation(
  s: NodeSession,
  n: number | undefined,
  afterRead: (st: NodeState) => void = () => undefined,
): { read: Promise<NodeState>; done: Promise<unknown> } {
  let readDone!: (st: NodeState) => void;
  const read = new Promise<NodeState>((r) => (readDone = r));
  const done = runOperation(async () => {
    const st = await s.read({ planning: true });
    readDone(st);
    afterRead(st);
    if (n === undefined) return st;
    return s.edit((d) => {
      d.virtualIps.push(vip(n));
    }, `op ${n}`);
  });
  return { read, done };
}

test("operations handed over one by one plan on the read their batch began with: one read, one write", async () => {
  const s = getNodeSession(h.endpoint());
  const reads0 = readsSoFar();
  const revs0 = h.node.revisions.length;
  const first = operation(s, 1);
  await first.read; // the first operation has its read before the next one arrives
  const later = [2, 3, 4].map((n) => operation(s, n));
  await Promise.all([first.done, ...later.map((o) => o.done)]);
  assert.equal(readsSoFar() - reads0, 1, "the later operations planned on the first one's read");
  assert.equal(h.node.revisions.length - revs0, 1, "one write for the four");
  for (const n of [1, 2, 3, 4]) {
    assert.ok(
      nodeVips().some((v) => v.uniqid === `plan${n}`),
      `VIP ${n} is on the node`,
    );
  }
});

test("a GUI save after the batch's read is kept: the conditional write refuses the stale base and replays", async () => {
  const s = getNodeSession(h.endpoint());
  const first = operation(s, 11);
  await first.read;
  guiAddsVip("byhand1");
  const second = operation(s, 12, (st) => {
    assert.ok(
      !st.config.virtualIps.some((v) => v.uniqid === "byhand1"),
      "the second operation planned on the read made before the GUI save",
    );
  });
  await Promise.all([first.done, second.done]);
  const uniqids = nodeVips().map((v) => v.uniqid);
  for (const u of ["byhand1", "plan11", "plan12"]) assert.ok(uniqids.includes(u), `${u} is kept`);
});

test("once every operation of a read is done without writing, the next one reads the node afresh", async () => {
  const s = getNodeSession(h.endpoint());
  const reads0 = readsSoFar();
  await operation(s, undefined).done;
  guiAddsVip("byhand2");
  const st = await operation(s, undefined).read;
  assert.equal(readsSoFar() - reads0, 2);
  assert.ok(
    st.config.virtualIps.some((v) => v.uniqid === "byhand2"),
    "the GUI save is seen",
  );
});

test("an operation arriving after its batch has begun to write reads the node again", async () => {
  const s = getNodeSession(h.endpoint());
  const reads0 = readsSoFar();
  // The first operation stays in flight after its write, so only the batch marks the read old.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const first = runOperation(async () => {
    await s.read({ planning: true });
    await s.edit((d) => {
      d.virtualIps.push(vip(21));
    }, "op 21");
    await held;
  });
  while (!nodeVips().some((v) => v.uniqid === "plan21")) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const st = await operation(s, undefined).read;
  release();
  await first;
  assert.equal(readsSoFar() - reads0, 2, "one read per batch");
  assert.ok(
    st.config.virtualIps.some((v) => v.uniqid === "plan21"),
    "it sees the batch's write",
  );
});
