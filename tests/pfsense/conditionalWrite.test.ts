/**
 * Conditional writes, as several writers meet them on one node: separate processes editing the
 * same section at once lose nothing (the node refuses a stale base, the loser replays its item
 * edits on the fresh content); a node where exec_php does not run the library's code falls back
 * to the optimistic check and says so; items another writer's save removed during a write are
 * put back and reported; a refused login is attempted once, whichever process asks again.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { leaf, toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import {
  CONDITIONAL_RESTORE_MARKER,
  parseConditionalRestoreSnippet,
  parseReadSnippet,
} from "../../sdk/codec/conditionalSnippets";
import { isHaError } from "../../sdk/plan/errors";
import { getNodeSession, resetNodeSessions, type NodeSessionImpl } from "../../sdk/pfsense";
import { startHarness, type Harness } from "./emulatorHarness";

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

const vipIds = (): string[] =>
  toList(toStruct(h.node.config().virtualip).vip).map((v) => leaf((v as PhpStruct).uniqid));

const conditionalRestoresSent = (): number =>
  h.node.execLog.filter((e) => parseConditionalRestoreSnippet(e.code) !== undefined).length;

function writer(prefix: string, count: number, iface: string, startAt = 0): Promise<string> {
  const script = path.join(__dirname, "vipWriterProcess.js");
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, prefix, String(count), iface],
      {
        env: {
          ...process.env,
          PFSENSE_HA_TEST_ENDPOINT: JSON.stringify(h.endpoint()),
          PFSENSE_HA_TEST_START_AT: String(startAt),
        },
      },
      (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)),
    );
  });
}

test("two processes adding VIPs to one node's virtualip at once: every VIP of both lands once", async () => {
  const before_ = vipIds();
  // Both begin writing at the same moment (process start-up takes up to seconds under load).
  const startAt = Date.now() + 4000;
  const [a, b] = await Promise.all([
    writer("aaaa", 24, "wan", startAt),
    writer("bbbb", 24, "lan", startAt),
  ]);
  const ids = vipIds();
  for (const prefix of ["aaaa", "bbbb"]) {
    const mine = ids.filter((id) => id.startsWith(prefix));
    assert.equal(mine.length, 24, `${prefix}: ${mine.length} of 24 VIPs on the node`);
    assert.equal(new Set(mine).size, 24, `${prefix}: no duplicates`);
  }
  for (const id of before_) assert.ok(ids.includes(id), `pre-existing ${id} kept`);
  const conflicts = [a, b].map(
    (o) => (JSON.parse(o) as { concurrentRetries: number }).concurrentRetries,
  );
  // Both wrote the same section while the other was writing: at least one conflict was refused
  // by the node and replayed (with a blind write, one process would have erased the other's).
  assert.ok(conflicts[0] + conflicts[1] > 0, `conflicts seen: ${conflicts.join(", ")}`);
});

test("without the library's snippets running (exec_php not allowed), writes fall back to the optimistic check", async () => {
  resetNodeSessions();
  // An exec_php that runs nothing the library sent returns plain `true` (§4.2).
  let refusing = true;
  h.node.registerExecPhp(
    (code) => refusing && parseReadSnippet(code) !== undefined,
    () => true,
  );
  try {
    const sent0 = conditionalRestoresSent();
    const s = getNodeSession(h.endpoint()) as NodeSessionImpl;
    const st = await s.edit((d) => {
      d.natMode = "hybrid";
    });
    assert.equal(st.written, true);
    assert.equal(toStruct(toStruct(h.node.config().nat).outbound).mode, "hybrid");
    assert.equal(conditionalRestoresSent(), sent0, "no conditional restore on the fallback path");
  } finally {
    refusing = false;
    resetNodeSessions();
  }
});

test("an unowned item removed by a save racing the write is put back and reported", async () => {
  const hand = {
    mode: "carp",
    interface: "wan",
    vhid: "201",
    advskew: "0",
    advbase: "1",
    password: "hand",
    uniqid: "hand00000201",
    type: "single",
    subnet: "192.168.1.201",
    subnet_bits: "24",
    descr: "made by hand",
  };
  const tree = h.node.config();
  const vi = toStruct(tree.virtualip);
  vi.vip = [...toList(vi.vip), hand];
  tree.virtualip = vi;
  h.node.writeConfigAs(tree, "GUI: add hand-made VIP");
  const s = getNodeSession(h.endpoint()) as NodeSessionImpl;
  const repairs0 = s.sessionStats.repairs;
  // A save in the window the xmlrpc lock does not cover (between the snippet's read of
  // config.xml and restore's write) that lost the hand-made VIP: modelled after the write.
  let fired = false;
  h.node.registerExecPhp(
    (code) => !fired && parseConditionalRestoreSnippet(code) !== undefined,
    ({ node, code, sourceIp }) => {
      fired = true;
      const r = parseConditionalRestoreSnippet(code)!;
      node.restoreAsServer(r.sections, sourceIp);
      const t = node.config();
      const v = toStruct(t.virtualip);
      v.vip = toList(v.vip).filter((x) => leaf((x as PhpStruct).uniqid) !== "hand00000201");
      t.virtualip = v;
      node.writeConfigAs(t, "GUI: stale page saved");
      // The reply shows the node after the racing save (no tokens: the next write reads afresh).
      const now = node.config();
      const sections: PhpStruct = {};
      for (const n of ["revision", ...r.tokenSections])
        if (now[n] !== undefined) sections[n] = now[n];
      return {
        status: "applied",
        tokens: {},
        sections,
        marker: CONDITIONAL_RESTORE_MARKER,
      };
    },
  );
  await s.edit((d) => {
    d.natMode = "advanced";
    d.virtualIps = d.virtualIps.map((v) =>
      v.uniqid === "aaaa0000" ? { ...v, descr: "renamed by us" } : v,
    );
  });
  assert.ok(fired, "the racing save happened");
  assert.ok(vipIds().includes("hand00000201"), "the hand-made VIP is back");
  assert.equal(s.sessionStats.repairs - repairs0, 1, "one repair write");
});

test("a refused login is attempted once: a second client, and a second process, fail without dialing", async () => {
  resetNodeSessions();
  const bad = h.endpoint({ password: "Wrong-Password-1" });
  const failures = () => h.node.authLog.filter((l) => /authentication error/i.test(l)).length;
  const f0 = failures();
  const e1 = await getNodeSession(bad)
    .read()
    .catch((e: unknown) => e);
  assert.ok(isHaError(e1, "E_AUTH"), String(e1));
  resetNodeSessions();
  const e2 = await getNodeSession(bad)
    .read()
    .catch((e: unknown) => e);
  assert.ok(isHaError(e2, "E_AUTH"), String(e2));
  assert.match(String(e2), /not attempted/);
  assert.ok(!String(e2).includes("Wrong-Password-1"), "no password in the message");
  const other = await new Promise<string>((resolve) => {
    execFile(
      process.execPath,
      [path.join(__dirname, "vipWriterProcess.js"), "cccc", "1", "wan"],
      { env: { ...process.env, PFSENSE_HA_TEST_ENDPOINT: JSON.stringify(bad) } },
      (_err, _out, stderr) => resolve(stderr),
    );
  });
  assert.match(other, /not attempted/);
  assert.equal(failures() - f0, 1, "the node saw exactly one failed login");
  // The right password is still accepted at once.
  resetNodeSessions();
  await getNodeSession(h.endpoint()).read();
});

test("one batch is one Config History entry naming who asked and which sections changed", async () => {
  resetNodeSessions();
  const s = getNodeSession(h.endpoint()) as NodeSessionImpl;
  const revs0 = h.node.revisions.length;
  await Promise.all(
    ["lan", "wan"].map((ifName, i) =>
      s.edit((d) => {
        d.natMode = "automatic";
        d.virtualIps = d.virtualIps.filter((v) => v.uniqid !== `bbbb000${i}`);
      }, `CarpVip[${ifName}-vip]`),
    ),
  );
  assert.equal(h.node.revisions.length - revs0, 1, "one revision for the batch");
  const last = h.node.revisions[h.node.revisions.length - 1];
  assert.match(last.description, /pulumi-pfsense-ha: CarpVip\[lan-vip\], CarpVip\[wan-vip\]/);
  assert.match(last.description, /\(virtualip, nat\)/);
  assert.equal(leaf(toStruct(h.node.config().revision).description), last.description);
});
