/**
 * The per-node session against an emulated pfSense over HTTPS: one session per URL, coalesced
 * edits (one read, one restore, one read-back per batch), optimistic revision check against a
 * concurrent GUI edit, read-back verification, and the section rules of the restore payload.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { haError, isHaError, type PfSenseHaError } from "../../sdk/plan/errors";
import type { VirtualIp } from "../../sdk/plan/model";
import { cloneValue, toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import {
  GATHER_MS,
  MAX_CONCURRENT_EDIT_RETRIES,
  editsSettled,
  getNodeSession,
  type NodeSessionImpl,
} from "../../sdk/pfsense";
import { startHarness, type Harness } from "./emulatorHarness";

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

const carpVip = (vhid: number, iface = "lan"): VirtualIp => ({
  mode: "carp",
  interface: iface,
  vhid,
  advskew: 0,
  advbase: 1,
  password: `pw${vhid}`,
  uniqid: `uniq${vhid}`,
  descr: `vip ${vhid}`,
  type: "single",
  subnet: `192.168.99.${100 + vhid}`,
  subnetBits: 24,
});

/** A fresh session for this test file's node (the registry is per URL; vary the URL's path). */
function session(): NodeSessionImpl {
  return getNodeSession(h.endpoint()) as NodeSessionImpl;
}

const nodeVips = (): PhpStruct[] => toList(toStruct(h.node.config().virtualip).vip) as PhpStruct[];

test("one session per URL per process; another URL gets another session", () => {
  const a = getNodeSession(h.endpoint());
  const b = getNodeSession({ ...h.endpoint(), name: "other label" });
  assert.equal(a, b);
  assert.notEqual(
    a,
    getNodeSession({ ...h.endpoint(), url: h.node.url.replace("127.0.0.1", "localhost") }),
  );
});

test("read() returns the typed config, revision and firmware; concurrent reads share one backup call", async () => {
  const s = session();
  const calls0 = s.client.stats.calls;
  const [r1, r2] = await Promise.all([s.read(), s.read()]);
  assert.equal(r1, r2);
  assert.equal(r1.config.interfaces.lan.ipaddr, "192.168.99.1");
  assert.equal(r1.firmware.profile.family, "2.7");
  assert.ok(r1.revision.time !== "");
  assert.ok(s.client.stats.calls - calls0 <= 2, "at most firmware + one backup");
});

test("a shared read (refresh) arriving while a read is under way joins it; a plain read makes its own", async () => {
  const s = session();
  await s.edit(() => undefined); // no snapshot of an earlier read to answer from
  const calls0 = s.client.stats.calls;
  h.node.faults.latency(400, 1); // the first read is on the wire for a while
  const first = s.read({ shared: true });
  await new Promise((r) => setTimeout(r, GATHER_MS + 150));
  const joined = s.read({ shared: true });
  const fresh = s.read();
  const [a, b, c] = await Promise.all([first, joined, fresh]);
  assert.equal(b, a, "the shared read got the read under way");
  assert.equal(
    s.client.stats.calls - calls0,
    2,
    "one call for both shared reads, one for the plain",
  );
  assert.notEqual(c, a);
});

test("64 concurrent edits coalesce into a handful of restore calls and all land", async () => {
  const s = session();
  const revs0 = h.node.revisions.length;
  const calls0 = s.client.stats.calls;
  const writes0 = s.sessionStats.writes;
  const bytes0 = s.client.stats.bytesSent + s.client.stats.bytesReceived;
  const t0 = Date.now();
  const states = await Promise.all(
    Array.from({ length: 64 }, (_, i) =>
      s.edit((d) => {
        d.virtualIps.push(carpVip(i + 1));
      }),
    ),
  );
  const restores = s.sessionStats.writes - writes0;
  const calls = s.client.stats.calls - calls0;
  console.log(
    `# 64 coalesced edits: ${restores} restore_config_section, ${calls} XML-RPC calls, ${h.node.revisions.length - revs0} revisions, ` +
      `${((s.client.stats.bytesSent + s.client.stats.bytesReceived - bytes0) / 1024).toFixed(1)} KiB, ${Date.now() - t0} ms`,
  );
  assert.ok(restores >= 1 && restores <= 3, `restores=${restores}`);
  assert.equal(h.node.revisions.length - revs0, restores, "one config revision per restore");
  const last = states.at(-1)!;
  for (let v = 1; v <= 64; v++)
    assert.ok(
      last.config.virtualIps.some((x) => x.vhid === v),
      `vhid ${v}`,
    );
  assert.equal(nodeVips().filter((v) => v.mode === "carp").length, 64);
});

test("edits queued while a write is in flight are batched into the next write", async () => {
  const s = session();
  const writes0 = s.sessionStats.writes;
  const calls0 = s.client.stats.calls;
  const first = s.edit((d) => {
    d.virtualIps = d.virtualIps.filter((v) => (v.vhid ?? 0) <= 8);
  });
  // Past the session's gather: the first batch is now reading or writing.
  await new Promise((r) => setTimeout(r, GATHER_MS + 15));
  const rest = Array.from({ length: 63 }, (_, i) =>
    s.edit((d) => {
      const v = d.virtualIps.find((x) => x.vhid === (i % 8) + 1);
      if (v) v.descr = `edited ${i}`;
    }),
  );
  await Promise.all([first, ...rest]);
  const restores = s.sessionStats.writes - writes0;
  console.log(
    `# 1 + 63 staggered edits: ${restores} restore_config_section, ${s.client.stats.calls - calls0} XML-RPC calls`,
  );
  assert.equal(restores, 2);
  const vips = nodeVips().filter((v) => v.mode === "carp");
  assert.equal(vips.length, 8);
  for (let k = 1; k <= 8; k++) {
    const last = Math.max(
      ...Array.from({ length: 63 }, (_, i) => i).filter((i) => (i % 8) + 1 === k),
    );
    assert.equal(
      vips.find((v) => v.vhid === String(k))?.descr,
      `edited ${last}`,
      "changes apply in order",
    );
  }
});

test("a change that throws fails only its own edit; the others land", async () => {
  const s = session();
  const results = await Promise.allSettled([
    s.edit((d) => {
      d.dhcpd.lan.gateway = "192.168.99.254";
    }),
    s.edit(() => {
      throw new Error("boom");
    }),
    s.edit((d) => {
      d.dhcpd.lan.dnsServers = ["192.168.99.254"];
    }),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ["fulfilled", "rejected", "fulfilled"],
  );
  const lan = toStruct(toStruct(h.node.config().dhcpd).lan);
  assert.equal(lan.gateway, "192.168.99.254");
  assert.deepEqual(lan.dnsserver, ["192.168.99.254"]);
});

test("editsSettled waits for queued and written edits and a quiet spell after them, and says false when they outlast its bound", async () => {
  const s = session();
  // A refused edit in a batch that then fails is settled twice: it must be counted out once.
  const client = s.client as unknown as { conditionalRestore: (...a: unknown[]) => unknown };
  const write = client.conditionalRestore;
  client.conditionalRestore = () => {
    client.conditionalRestore = write;
    throw haError({ code: "E_AUTH", message: "login refused", field: "test", fix: "none" });
  };
  const refused = await Promise.allSettled([
    s.edit(() => {
      throw new Error("refused");
    }),
    s.edit((d) => void (d.dhcpd.lan.gateway = "192.168.99.252")),
  ]);
  assert.deepEqual(
    refused.map((r) => r.status),
    ["rejected", "rejected"],
  );
  assert.equal(await editsSettled(20, 1000), true, "nothing in flight");
  h.node.faults.latency(600, 2); // the next batch's read and write are slow
  let landed = 0;
  const edit = s
    .edit((d) => void (d.dhcpd.lan.gateway = "192.168.99.253"))
    .then(() => {
      landed = Date.now();
    });
  assert.equal(await editsSettled(20, 300), false, "still writing after 300 ms");
  assert.equal(await editsSettled(100, 5000), true);
  const settledAt = Date.now();
  await edit;
  assert.ok(landed > 0 && settledAt - landed >= 100, "settled a quiet spell after the edit landed");
  await s.edit((d) => void (d.dhcpd.lan.gateway = "192.168.99.254")); // as the tests after expect
});

test("an async change function is refused for that edit only (its late mutations would be lost)", async () => {
  const s = session();
  const bad = s.edit((async (d: { natMode?: string }) => {
    await Promise.resolve();
    d.natMode = "advanced";
  }) as never);
  await assert.rejects(
    bad,
    (e: unknown) => isHaError(e, "E_INVALID_INPUT") && /synchronously/.test((e as Error).message),
  );
});

test("an edit that changes nothing writes nothing", async () => {
  const s = session();
  const revs0 = h.node.revisions.length;
  await s.edit((d) => {
    d.dhcpd.lan.gateway = "192.168.99.254";
  });
  assert.equal(h.node.revisions.length, revs0);
});

test("an edit of the read-only interfaces is refused (E_INVALID_INPUT) without affecting other edits", async () => {
  const s = session();
  const [bad, good] = await Promise.allSettled([
    s.edit((d) => {
      d.interfaces.lan.ipaddr = "10.9.9.9";
    }),
    s.edit((d) => {
      d.natMode = "hybrid";
    }),
  ]);
  assert.equal(bad.status, "rejected");
  assert.ok(isHaError((bad as PromiseRejectedResult).reason, "E_INVALID_INPUT"));
  assert.equal(good.status, "fulfilled");
  assert.equal(toStruct(toStruct(h.node.config().nat).outbound).mode, "hybrid");
  assert.equal(toStruct(toStruct(h.node.config().interfaces).lan).ipaddr, "192.168.99.1");
});

test("a GUI save of the same section between read and write is refused by the node's conditional write, then rebased", async () => {
  const s = session();
  const retries0 = s.sessionStats.concurrentRetries;
  let first = true;
  const st = await s.edit((d) => {
    if (first) {
      // A GUI save after the read this edit is based on, before its write.
      const tree = cloneValue(h.node.config());
      toStruct(toStruct(tree.dhcpd).lan).domain = "gui-saved.example";
      h.node.writeConfigAs(tree, "GUI edit");
      first = false;
    }
    d.dhcpd.lan.failoverPeerIp = "192.168.99.2";
  });
  assert.equal(s.sessionStats.concurrentRetries - retries0, 1, "one conflict, one replay");
  assert.equal(st.config.dhcpd.lan.failoverPeerIp, "192.168.99.2");
  const lan = toStruct(toStruct(h.node.config().dhcpd).lan);
  assert.equal(lan.domain, "gui-saved.example", "the GUI's save survived");
  assert.equal(lan.failover_peerip, "192.168.99.2", "and ours landed on top of it");
});

test("a GUI save of another section between read and write is no conflict and survives the write", async () => {
  const s = session();
  const retries0 = s.sessionStats.concurrentRetries;
  let first = true;
  await s.edit((d) => {
    if (first) {
      // One the library never reads, and one it reads but this batch does not write.
      const tree = cloneValue(h.node.config());
      toStruct(tree.system).emulator_gui_edits = "7";
      toStruct(toStruct(tree.dhcpd).lan).domain = "saved-meanwhile.example";
      h.node.writeConfigAs(tree, "GUI edit of system and dhcpd");
      first = false;
    }
    d.natMode = "advanced";
  });
  assert.equal(
    s.sessionStats.concurrentRetries - retries0,
    0,
    "the write depends only on the sections it writes (and interfaces)",
  );
  assert.equal(toStruct(h.node.config().system).emulator_gui_edits, "7", "restore merged into it");
  assert.equal(
    toStruct(toStruct(h.node.config().dhcpd).lan).domain,
    "saved-meanwhile.example",
    "the other section's save survived",
  );
  assert.equal(toStruct(toStruct(h.node.config().nat).outbound).mode, "advanced");
});

test("a node that keeps being edited gives E_CONCURRENT_EDIT naming who edited, and its edits survive", async () => {
  const s = session();
  let guiEdits = 0;
  const guiEdit = () => {
    // Another writer changes the same section after our read, before our write.
    const tree = cloneValue(h.node.config());
    const lan = toStruct(toStruct(tree.dhcpd).lan);
    lan.domain = `gui${++guiEdits}.example`;
    h.node.writeConfigAs(tree, `GUI edit #${guiEdits}`, "alice@10.0.0.7 (Local Database)");
  };
  const err = (await s
    .edit((d) => {
      guiEdit();
      d.dhcpd.lan.failoverPeerIp = "192.168.99.3";
    })
    .catch((e: unknown) => e)) as PfSenseHaError;
  assert.ok(isHaError(err, "E_CONCURRENT_EDIT"), String(err));
  assert.match(err.message, /alice@10\.0\.0\.7/);
  assert.match(err.message, new RegExp(`GUI edit #${MAX_CONCURRENT_EDIT_RETRIES + 1}`));
  const lan = toStruct(toStruct(h.node.config().dhcpd).lan);
  assert.equal(
    lan.domain,
    `gui${MAX_CONCURRENT_EDIT_RETRIES + 1}.example`,
    "the other writer's last edit is intact",
  );
  assert.equal(lan.failover_peerip, "192.168.99.2", "our edit was not written");
});

test("outbound NAT edits send the whole nat section: port forwards and 1:1 survive", async () => {
  const tree = cloneValue(h.node.config());
  const nat = toStruct(tree.nat);
  nat.rule = [
    {
      interface: "wan",
      protocol: "tcp",
      target: "192.168.99.10",
      "local-port": "443",
      destination: { network: "wanip", port: "443" },
      descr: "web",
    },
  ];
  nat.onetoone = [
    {
      external: "192.168.1.20",
      interface: "wan",
      source: { address: "192.168.99.20" },
      destination: { any: "" },
    },
  ];
  tree.nat = nat;
  h.node.writeConfigAs(tree, "GUI: port forward");
  const s = session();
  await s.edit((d) => {
    d.natMode = "hybrid";
    d.natRules.push({
      interface: "wan",
      source: "192.168.99.0/24",
      destination: { any: true },
      target: "192.168.1.254",
      descr: "LAN via CARP",
    });
  });
  const after = toStruct(h.node.config().nat);
  assert.deepEqual(after.rule, nat.rule);
  assert.deepEqual(after.onetoone, nat.onetoone);
  const rules = toList(toStruct(after.outbound).rule) as PhpStruct[];
  assert.equal(rules.length, 1);
  assert.equal(rules[0].target, "192.168.1.254");
  assert.equal(rules[0].target_subnet, "", "2.7.2 uses the new target format (§9.3)");
});

test("hasync: members removed in the model are removed on the node (sent as false, §5.3)", async () => {
  const s = session();
  await s.edit((d) => {
    d.hasync = {
      pfsyncEnabled: true,
      pfsyncInterface: "opt1",
      pfsyncPeerIp: "172.16.1.2",
      synchronizeToIp: "172.16.1.2",
      username: "admin",
      password: "x-sync",
      areas: ["virtualip", "nat"],
    };
  });
  assert.equal(toStruct(h.node.config().hasync).synchronizetoip, "172.16.1.2");
  const st = await s.edit((d) => {
    delete d.hasync!.synchronizeToIp;
    delete d.hasync!.username;
    delete d.hasync!.password;
    d.hasync!.areas = [];
  });
  const hs = toStruct(h.node.config().hasync);
  assert.equal(hs.synchronizetoip, undefined);
  assert.equal(hs.synchronizenat, undefined);
  assert.equal(hs.pfsyncenabled, "on");
  assert.deepEqual(st.config.hasync?.areas, []);
});

test("the node's own proxy ARP VIP is kept once (not duplicated) when VIPs are edited (§5.1 steps 7, 9)", async () => {
  const tree = cloneValue(h.node.config());
  const vi = toStruct(tree.virtualip);
  vi.vip = [
    ...(toList(vi.vip) as PhpStruct[]),
    {
      mode: "proxyarp",
      interface: "wan",
      descr: "routed",
      type: "network",
      subnet_bits: "29",
      subnet: "192.168.1.200",
    },
  ];
  tree.virtualip = vi;
  h.node.writeConfigAs(tree, "GUI: proxy arp");
  const s = session();
  await s.edit((d) => {
    d.virtualIps = d.virtualIps.filter((v) => (v.vhid ?? 0) <= 4);
  });
  const vips = nodeVips();
  assert.equal(vips.filter((v) => v.mode === "proxyarp").length, 1);
  assert.equal(vips.filter((v) => v.mode === "carp").length, 4);
});

test("read-back verification: a write the node silently ignores (loop protection, §3.4) fails with E_VERIFY", async () => {
  const tree = cloneValue(h.node.config());
  const hs = toStruct(tree.hasync);
  hs.synchronizetoip = "127.0.0.1";
  tree.hasync = hs;
  h.node.writeConfigAs(tree, "GUI: misconfigured sync target");
  const s = session();
  const err = (await s
    .edit((d) => {
      d.dhcpd.lan.gateway = "192.168.99.253";
    })
    .catch((e: unknown) => e)) as PfSenseHaError;
  assert.ok(isHaError(err, "E_VERIFY"), String(err));
  assert.match(err.message, /dhcpd/);
});
