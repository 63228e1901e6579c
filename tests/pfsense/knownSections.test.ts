/**
 * Replies leave out what the session already holds: every read and write names the tokens of
 * the session's freshest state, and the node leaves out each section still at its token. What
 * the session then holds must be what a full read of the node says, whatever changed between.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cloneValue, leaf, toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import {
  parseConditionalRestoreSnippet,
  parseReadSnippet,
} from "../../sdk/codec/conditionalSnippets";
import type { VirtualIp } from "../../sdk/plan/model";
import { createNodeClient, getNodeSession, type NodeSessionImpl } from "../../sdk/pfsense";
import { READ_SECTIONS } from "../../sdk/pfsense/sections/nodeConfig";
import { startHarness, type Harness } from "./emulatorHarness";

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

const vip = (n: number): VirtualIp => ({
  mode: "carp",
  interface: "lan",
  vhid: n,
  advskew: 0,
  advbase: 1,
  password: `pw${n}`,
  uniqid: `known${n}`,
  descr: `vip ${n}`,
  type: "single",
  subnet: `192.168.99.${100 + n}`,
  subnetBits: 24,
});

/** What a client holding nothing reads: every section, in full. */
async function fullRead(): Promise<{ sections: PhpStruct; bytes: number }> {
  const c = createNodeClient(h.endpoint());
  const r = await c.readWithToken([...READ_SECTIONS]);
  assert.ok(r, "the emulator runs the read snippet");
  return { sections: r.sections, bytes: c.stats.bytesReceived };
}

const lastSnippet = () => h.node.execLog.at(-1)?.code ?? "";

test("a read right after a write gets only the revision, and the session holds what a full read holds", async () => {
  const s = getNodeSession(h.endpoint()) as NodeSessionImpl;
  await s.edit((d) => {
    for (let i = 1; i <= 40; i++) d.virtualIps.push(vip(i));
  });
  const received = s.client.stats.bytesReceived;
  const st = await s.read();
  const readBytes = s.client.stats.bytesReceived - received;
  const known = parseReadSnippet(lastSnippet())?.known ?? {};
  assert.ok(Object.keys(known).includes("virtualip"), "the read named the tokens the write left");
  const full = await fullRead();
  for (const n of READ_SECTIONS) assert.deepEqual(st.raw[n], full.sections[n], `section ${n}`);
  assert.ok(
    readBytes * 4 < full.bytes,
    `the read carried ${readBytes} bytes against ${full.bytes} for a full one`,
  );
});

test("a GUI save between two reads comes back: the session's state shows it, the rest stays as known", async () => {
  const s = getNodeSession(h.endpoint()) as NodeSessionImpl;
  await s.read();
  const tree = cloneValue(h.node.config());
  const list = toList(toStruct(tree.virtualip).vip) as PhpStruct[];
  list.push({ ...(list[0] ?? {}), uniqid: "guiadded", vhid: "77", subnet: "192.168.99.77" });
  tree.virtualip = { vip: list };
  h.node.writeConfigAs(tree, "GUI edit");
  const st = await s.read();
  assert.ok(
    st.config.virtualIps.some((v) => v.uniqid === "guiadded"),
    "the GUI's VIP is read",
  );
  const full = await fullRead();
  for (const n of READ_SECTIONS) assert.deepEqual(st.raw[n], full.sections[n], `section ${n}`);
});

test("a write that meets a GUI save replays on the sections the conflict brought back, and keeps the GUI's item", async () => {
  const s = getNodeSession(h.endpoint()) as NodeSessionImpl;
  await s.read();
  let first = true;
  const st = await s.edit((d) => {
    if (first) {
      first = false;
      const tree = cloneValue(h.node.config());
      const list = toList(toStruct(tree.virtualip).vip) as PhpStruct[];
      list.push({ ...(list[0] ?? {}), uniqid: "guiracer", vhid: "88", subnet: "192.168.99.88" });
      tree.virtualip = { vip: list };
      h.node.writeConfigAs(tree, "GUI edit during the write");
    }
    d.virtualIps.push(vip(90));
  });
  const writes = h.node.execLog.filter((e) => parseConditionalRestoreSnippet(e.code));
  const replay = parseConditionalRestoreSnippet(writes.at(-1)?.code ?? "");
  assert.ok(replay && Object.keys(replay.known).length > 0, "the replay named the tokens it held");
  const ids = toList(toStruct(h.node.config().virtualip).vip).map((v) => leaf(toStruct(v).uniqid));
  assert.ok(ids.includes("guiracer") && ids.includes("known90"), "both the GUI's VIP and ours");
  const full = await fullRead();
  for (const n of READ_SECTIONS) assert.deepEqual(st.raw[n], full.sections[n], `section ${n}`);
});
