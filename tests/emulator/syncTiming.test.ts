import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { PhpStruct } from "../../sdk/codec/phpValue";
import {
  FilterSyncQueue,
  startNode,
  startPair,
  type EmulatedNode,
  type EmulatedPair,
  type PairOptions,
  type SyncRunCounters,
} from "../../sdk/emulator";
import { emptySyncRunCounters } from "../../sdk/emulator/syncTiming";
import { call, carpVip, tempDir } from "./helpers";

const HASYNC_ON = (password: string): PhpStruct => ({
  synchronizetoip: "172.16.1.2",
  username: "admin",
  password,
  synchronizevirtualip: "on",
});

/** CARP VIPs number 1..n on lan (descr `lan CARP <n>`). */
function vips(n: number): PhpStruct[] {
  return Array.from({ length: n }, (_, i) =>
    carpVip("lan", i + 1, `192.168.99.${200 + i}`, `66a0000000${String(i + 1).padStart(2, "0")}`),
  );
}

/** Writes the primary's config as a GUI save would: sync enabled, `n` VIPs. */
function writeVips(primary: EmulatedNode, n: number): void {
  const t = primary.config();
  t.hasync = HASYNC_ON(primary.password);
  t.virtualip = { vip: vips(n) };
  primary.writeConfigAs(t, `${n} VIPs`);
}

function vipDescrs(node: EmulatedNode): string[] {
  const v = node.config().virtualip;
  const list = v && typeof v === "object" ? (v as PhpStruct).vip : undefined;
  return Array.isArray(list) ? list.map((x) => String((x as PhpStruct).descr)) : [];
}

function syncedRevisions(secondary: EmulatedNode): number {
  return secondary.revisions.filter((r) => r.username === "(system)@172.16.1.1").length;
}

async function waitFor(what: string, pred: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function runs(node: EmulatedNode, keys: (keyof SyncRunCounters)[]): Partial<SyncRunCounters> {
  const all = node.syncRuns;
  return Object.fromEntries(keys.map((k) => [k, all[k]]));
}

describe("realistic sync timing (check_reload_status + rc.filter_synchronize, §10.8, §16.1)", () => {
  const pairs: EmulatedPair[] = [];
  after(async () => {
    for (const p of pairs) await p.stop();
  });
  const pair = async (label: string, opts: Partial<PairOptions> = {}) => {
    const p = await startPair({
      dir: tempDir(label),
      syncTiming: "realistic",
      syncRetryPauseMs: 10,
      ...opts,
    });
    pairs.push(p);
    return p;
  };

  it("a push reaches the secondary about 1 s after a write over XML-RPC, not before", async () => {
    const { primary, secondary } = await pair("rt-delay");
    await call(primary, "admin", primary.password, "pfsense.restore_config_section", [
      { virtualip: { vip: vips(1) }, hasync: HASYNC_ON(primary.password) },
      900,
    ]);
    // Taken after the write returned, so the measured delay can only be shorter than the real one.
    const written = Date.now();
    await waitFor("the push", () => syncedRevisions(secondary) > 0);
    const delay = Date.now() - written;
    assert.ok(delay >= 800, `the push landed ${delay} ms after the write`);
    assert.deepEqual(vipDescrs(secondary), ["lan CARP 1"]);
    await primary.syncIdle();
    assert.deepEqual(runs(primary, ["triggers", "started", "pushed", "dropped", "lost"]), {
      triggers: 1,
      started: 1,
      pushed: 1,
      dropped: 0,
      lost: 0,
    });
  });

  it("a run pushes the config it read at its start; a write after the start goes out with a later run", async () => {
    const { primary, secondary } = await pair("rt-snapshot", {
      autoSyncDelayMs: 200,
      nodeOptions: { syncScriptStartupMs: 400 },
    });
    writeVips(primary, 1);
    await waitFor("the first run to start", () => primary.syncRuns.started === 1);
    writeVips(primary, 2); // the first run has already read its config
    await waitFor("the first push", () => primary.syncRuns.pushed === 1);
    assert.deepEqual(vipDescrs(secondary), ["lan CARP 1"], "the first push is the older config");
    assert.deepEqual(vipDescrs(primary), ["lan CARP 1", "lan CARP 2"]);
    await primary.syncIdle();
    assert.deepEqual(vipDescrs(secondary), ["lan CARP 1", "lan CARP 2"]);
    assert.deepEqual(runs(primary, ["triggers", "started", "pushed", "lost"]), {
      triggers: 2,
      started: 2,
      pushed: 2,
      lost: 0,
    });
  });

  it("a write while the second run executes is lost when that run ends before the 5 s re-arm", async () => {
    const { primary, secondary } = await pair("rt-lost", {
      autoSyncDelayMs: 200,
      nodeOptions: { syncScriptStartupMs: 400 },
    });
    // Two events before the first start: check_reload_status queues two entries.
    writeVips(primary, 1);
    writeVips(primary, 2);
    await waitFor("both runs to start", () => primary.syncRuns.started === 2);
    writeVips(primary, 3); // re-arms the running second entry
    await primary.syncIdle();
    assert.deepEqual(runs(primary, ["triggers", "started", "rearmed", "lost", "pushed"]), {
      triggers: 3,
      started: 2,
      rearmed: 1,
      lost: 1,
      pushed: 2,
    });
    assert.deepEqual(vipDescrs(secondary), ["lan CARP 1", "lan CARP 2"], "VIP 3 never synced");
    assert.equal(vipDescrs(primary).length, 3);
    // The next write posts a new event; its run carries the whole selected config.
    writeVips(primary, 4);
    await primary.syncIdle();
    assert.deepEqual(vipDescrs(secondary), [
      "lan CARP 1",
      "lan CARP 2",
      "lan CARP 3",
      "lan CARP 4",
    ]);
    assert.equal(primary.syncRuns.started, 3);
  });

  it("a re-arm survives when the running script outlasts the re-arm delay", async () => {
    const { primary, secondary } = await pair("rt-rearm", {
      autoSyncDelayMs: 200,
      nodeOptions: { syncScriptStartupMs: 400, syncRearmDelayMs: 50 },
    });
    writeVips(primary, 1);
    writeVips(primary, 2);
    await waitFor("both runs to start", () => primary.syncRuns.started === 2);
    writeVips(primary, 3);
    await primary.syncIdle();
    assert.deepEqual(runs(primary, ["started", "rearmed", "lost", "pushed"]), {
      started: 3,
      rearmed: 1,
      lost: 0,
      pushed: 3,
    });
    assert.deepEqual(vipDescrs(secondary), ["lan CARP 1", "lan CARP 2", "lan CARP 3"]);
  });

  it("a burst of five writes gives two runs, both carrying the whole burst", async () => {
    const { primary, secondary } = await pair("rt-burst", { autoSyncDelayMs: 300 });
    for (let n = 1; n <= 5; n++) writeVips(primary, n);
    await primary.syncIdle();
    const r = primary.syncRuns;
    assert.equal(r.triggers, 5);
    assert.ok(r.started < r.triggers, `${r.started} runs for ${r.triggers} writes`);
    assert.deepEqual(runs(primary, ["started", "coalesced", "pushed", "lost"]), {
      started: 2,
      coalesced: 3,
      pushed: 2,
      lost: 0,
    });
    assert.equal(syncedRevisions(secondary), 2);
    assert.equal(vipDescrs(secondary).length, 5);
  });

  for (const syncTiming of ["realistic", "fast"] as const) {
    it(`${syncTiming}: dropSyncPush loses the next run; the next write's run delivers both writes`, async () => {
      const { primary, secondary } = await pair(`drop-${syncTiming}`, {
        syncTiming,
        autoSyncDelayMs: syncTiming === "fast" ? 20 : 200,
      });
      primary.faults.dropSyncPush();
      writeVips(primary, 1);
      await primary.syncIdle();
      assert.deepEqual(runs(primary, ["dropped", "started", "pushed"]), {
        dropped: 1,
        started: 0,
        pushed: 0,
      });
      assert.deepEqual(vipDescrs(secondary), []);
      assert.equal(syncedRevisions(secondary), 0);
      assert.ok(
        !primary.syncLog.some((l) => l.startsWith("Beginning XMLRPC sync")),
        "a lost run sends and logs nothing",
      );
      assert.equal(primary.faults.pending("dropSyncPush"), 0);
      writeVips(primary, 2);
      await primary.syncIdle();
      assert.deepEqual(vipDescrs(secondary), ["lan CARP 1", "lan CARP 2"]);
      assert.deepEqual(runs(primary, ["dropped", "started", "pushed"]), {
        dropped: 1,
        started: 1,
        pushed: 1,
      });
    });
  }

  it("rejects an unknown syncTiming", async () => {
    await assert.rejects(
      startNode({ dir: tempDir("rt-bad"), syncTiming: "soon" as "fast" }),
      /syncTiming must be "fast" or "realistic"/,
    );
  });
});

describe("FilterSyncQueue (check_reload_status run_command model)", () => {
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const idle = async (q: FilterSyncQueue) => {
    while (q.busy()) await sleep(5);
  };

  it("forgets an entry still running after forgetAfterMs, so a later event starts a new run", async () => {
    const counters = emptySyncRunCounters();
    let launches = 0;
    const q = new FilterSyncQueue(
      { startDelayMs: 10, rearmDelayMs: 10_000, forgetAfterMs: 60 },
      () => {
        launches += 1;
        return sleep(200);
      },
      counters,
    );
    q.post();
    q.post(); // second entry
    await sleep(120); // both started at ~10 ms and were forgotten at ~70 ms
    assert.equal(launches, 2);
    q.post(); // no entry left: a new first entry, not a re-arm that the running script cancels
    await sleep(40);
    assert.equal(launches, 3);
    assert.equal(counters.rearmed, 0);
    await idle(q);
    assert.equal(counters.lost, 0);
  });

  it("without forgetting, the same event re-arms the running second entry and is lost", async () => {
    const counters = emptySyncRunCounters();
    let launches = 0;
    const q = new FilterSyncQueue(
      { startDelayMs: 10, rearmDelayMs: 10_000, forgetAfterMs: 10_000 },
      () => {
        launches += 1;
        return sleep(200);
      },
      counters,
    );
    q.post();
    q.post();
    await sleep(120);
    q.post();
    await idle(q);
    assert.equal(launches, 2);
    assert.deepEqual([counters.rearmed, counters.lost], [1, 1]);
  });
});
