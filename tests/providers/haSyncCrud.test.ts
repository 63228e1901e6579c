/**
 * HaSyncSettings provider against an emulated pair: pfsync on both nodes, sync-to on the primary
 * only, the pre-flight (at check and apply) refusing what would break pfSense's own sync, drift on
 * refresh, and delete putting back what was there.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { leaf, toList, toStruct } from "../../sdk/codec/phpValue";
import { hashPassword, startPair } from "../../sdk/emulator";
import { ALL_SYNC_AREAS } from "../../sdk/plan/model";
import { resetNodeSessions } from "../../sdk/pfsense";
import { providers } from "../../sdk/providers/runtime";
import type { HaSyncInputs, HaSyncOutputs } from "../../sdk/providers/haSyncSpec";
import { guiEdit } from "./nodeView";
import { startFixture, type PairFixture, newProviderProcess } from "./pairFixture";

const sync = providers.haSync;
let fx: PairFixture;
before(async () => {
  fx = await startFixture();
});
after(async () => {
  await fx.close();
});

function inputs(over: Partial<HaSyncInputs> = {}): HaSyncInputs {
  return {
    primary: fx.primary,
    secondary: fx.secondary,
    name: "sync",
    syncInterface: "opt1",
    username: fx.secondary.username,
    password: fx.secondary.password,
    ...over,
  };
}

const hasync = (n: typeof fx.pair.primary) => toStruct(n.config().hasync);

test("check runs the pre-flight when inputs are known and passes on a well-formed pair", async () => {
  const r = await sync.check({}, inputs());
  assert.deepEqual(r.failures, []);
});

test("check skips the network pre-flight while inputs are unknown (preview)", async () => {
  const r = await sync.check({}, inputs({ password: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }));
  assert.deepEqual(r.failures, []);
});

test("pre-flight refuses a sync-to IP that is the primary itself, or not the peer's own sync-interface address (another interface, a VIP)", async () => {
  const asPrimary = await sync.check({}, inputs({ secondarySyncAddress: "172.16.1.1" }));
  assert.match(asPrimary.failures.map((f) => f.reason).join(), /E_PREFLIGHT/);
  const notPeer = await sync.check({}, inputs({ secondarySyncAddress: "172.16.1.9" }));
  assert.match(notPeer.failures.map((f) => f.reason).join(), /not the secondary's address on opt1/);
  const create = await sync
    .create(inputs({ secondarySyncAddress: "192.168.1.2" }))
    .catch((e: unknown) => e);
  assert.match(String(create), /E_PREFLIGHT/);
});

test("pre-flight refuses a sync user that cannot authenticate on the secondary, naming the user, not the password", async () => {
  const r = await sync.check({}, inputs({ password: "Wrong-Sync-Pw-1" }));
  const text = r.failures.map((f) => f.reason).join();
  assert.match(text, /E_PREFLIGHT/);
  assert.match(text, /sync user "admin"/);
  assert.ok(!text.includes("Wrong-Sync-Pw-1"));
});

test("pre-flight refuses a sync user without the HA-sync privilege (page-all is not enough), naming the privilege", async () => {
  guiEdit(fx.pair.secondary, (tree) => {
    const sys = toStruct(tree.system);
    sys.user = [
      ...toList(sys.user),
      {
        name: "syncer",
        scope: "user",
        "bcrypt-hash": hashPassword("Syncer-Pw-1"),
        uid: "2001",
        priv: ["page-all"],
      },
    ];
    tree.system = sys;
  });
  const r = await sync.check({}, inputs({ username: "syncer", password: "Syncer-Pw-1" }));
  const text = r.failures.map((f) => f.reason).join();
  assert.match(text, /E_PREFLIGHT/);
  assert.match(text, /sync user "syncer"/);
  assert.match(text, /HA node sync/);
  assert.ok(!text.includes("Syncer-Pw-1"));
  // A secondary-only user would be deleted by the first users sync: later tests start clean.
  guiEdit(fx.pair.secondary, (tree) => {
    const sys = toStruct(tree.system);
    sys.user = toList(sys.user).filter((u) => leaf(toStruct(u).name) !== "syncer");
    tree.system = sys;
  });
});

test("create: pfsync on both (peers crossed, distinct host ids), sync-to only on the primary, all areas by default", async () => {
  const { id, outs } = await sync.create(inputs());
  const p = hasync(fx.pair.primary);
  const s = hasync(fx.pair.secondary);
  assert.equal(leaf(p.pfsyncenabled), "on");
  assert.equal(leaf(p.pfsyncinterface), "opt1");
  assert.equal(leaf(p.pfsyncpeerip), "172.16.1.2");
  assert.equal(leaf(p.synchronizetoip), "172.16.1.2");
  assert.equal(leaf(p.username), "admin");
  for (const a of ALL_SYNC_AREAS) assert.equal(leaf(p[`synchronize${a}`]), "on", a);
  assert.equal(leaf(s.pfsyncenabled), "on");
  assert.equal(leaf(s.pfsyncpeerip), "172.16.1.1");
  assert.equal(s.synchronizetoip, undefined, "never a sync-to on the secondary");
  assert.equal(s.password, undefined);
  assert.notEqual(leaf(p.pfhostid), "");
  assert.notEqual(leaf(p.pfhostid), leaf(s.pfhostid));
  assert.equal(outs.primarySyncAddress, "172.16.1.1");
  assert.equal(outs.secondarySyncAddress, "172.16.1.2");
  assert.equal(outs.configVersion, "23.3");
  assert.deepEqual(outs.areas, [...ALL_SYNC_AREAS]);

  // Drift: someone points the secondary's pfsync elsewhere.
  guiEdit(fx.pair.secondary, (tree) => {
    tree.hasync = { ...toStruct(tree.hasync), pfsyncpeerip: "172.16.1.99" };
  });
  const r = await sync.read(id, outs);
  assert.deepEqual(r.props.drift?.primary, []);
  assert.match(r.props.drift?.secondary.join() ?? "", /pfsyncPeerIp/);
  assert.equal((await sync.diff(id, r.props as HaSyncOutputs, inputs())).changes, true);
  const { outs: fixed } = await sync.update(id, r.props as HaSyncOutputs, inputs());
  assert.equal(leaf(hasync(fx.pair.secondary).pfsyncpeerip), "172.16.1.1");
  assert.equal(fixed.primaryHostId, outs.primaryHostId, "host ids are stable across updates");

  await sync.delete(id, fixed);
  assert.equal(hasync(fx.pair.primary).synchronizetoip, undefined, "sync-to removed on delete");
  assert.notEqual(leaf(hasync(fx.pair.primary).pfsyncenabled), "on");
});

test("refresh keeps the settings while either node holds them, and drops them once both have HA sync off", async () => {
  const { id, outs } = await sync.create(inputs());
  // The secondary's HA page switched off in the GUI: pfsync unchecked (the interface stays selected).
  guiEdit(fx.pair.secondary, (tree) => {
    tree.hasync = { pfsyncinterface: "opt1", pfhostid: leaf(toStruct(tree.hasync).pfhostid) };
  });
  newProviderProcess();
  const oneSide = await sync.read(id, outs);
  assert.equal(oneSide.id, id, "the primary still holds them");
  assert.match(oneSide.props.drift?.secondary.join() ?? "", /pfsyncEnabled/);

  // The primary's hasync removed altogether.
  guiEdit(fx.pair.primary, (tree) => {
    delete tree.hasync;
  });
  newProviderProcess();
  const gone = await sync.read(id, outs);
  assert.equal(gone.id, "", "absent on both nodes: refresh drops the resource");
  await sync.delete(id, outs);
});

test("pre-flight refuses nodes on different config versions", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pfsense-ha-versions-"));
  const pair = await startPair({ dir, secondaryVersion: "2.7.0" });
  try {
    const ep = (n: typeof pair.primary) => ({
      url: n.url,
      username: n.username,
      password: n.password,
      tls: { fingerprint256: n.fingerprint256 },
    });
    const r = await sync.check(
      {},
      {
        ...inputs(),
        primary: ep(pair.primary),
        secondary: ep(pair.secondary),
        password: pair.secondary.password,
      },
    );
    assert.match(
      r.failures.map((f) => f.reason).join(),
      /different (pfSense versions|config versions)/,
    );
  } finally {
    await pair.stop();
    resetNodeSessions();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("pre-flight refuses nodes whose web GUIs listen on different ports (pfSense's sync uses its own)", async () => {
  const setPort = (port: string | undefined) =>
    guiEdit(fx.pair.secondary, (tree) => {
      const system = toStruct(tree.system);
      const webgui = { ...toStruct(system.webgui) };
      if (port === undefined) delete webgui.port;
      else webgui.port = port;
      tree.system = { ...system, webgui };
    });
  setPort("8443");
  try {
    const r = await sync.check({}, inputs());
    const reasons = r.failures.map((f) => f.reason).join("\n");
    assert.match(reasons, /E_PREFLIGHT/);
    assert.match(reasons, /web GUIs differ \(primary https:443, secondary https:8443\)/);
    assert.match(reasons, /System > Advanced > Admin Access/);
  } finally {
    setPort(undefined);
  }
  assert.deepEqual((await sync.check({}, inputs())).failures, [], "same GUI: no failure");
});
