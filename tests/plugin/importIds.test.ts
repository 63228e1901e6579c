/**
 * Import ids the plugin refuses, against an emulated pair (no engine): each refusal names the
 * type, the id and what to do instead, and nothing is written to the nodes.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import { importedState } from "../../sdk/plugin/importIds";
import { RESOURCE_KINDS } from "../../sdk/plugin/resourceKinds";
import { providers } from "../../sdk/providers/runtime";
import { toList, toStruct } from "../../sdk/codec/phpValue";
import { editConfig } from "../e2e/nodeConfig";

let pair: EmulatedPair;
let dir: string;
let conn: Record<string, unknown>;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "pfsense-ha-import-"));
  pair = await startPair({ dir });
  const ep = (n: EmulatedPair["primary"]) => ({
    url: n.url,
    username: n.username,
    password: n.password,
    tls: { fingerprint256: n.fingerprint256 },
  });
  conn = { primary: ep(pair.primary), secondary: ep(pair.secondary), name: "x" };
});
after(async () => {
  await pair.stop();
  rmSync(dir, { recursive: true, force: true });
});

const kind = (t: string) => {
  const k = RESOURCE_KINDS.get(`pfsense-ha:index:${t}`);
  assert.ok(k);
  return k;
};

test("a NAT id that is no rule id of this library is refused, pointing at adopt", async () => {
  const revisions = pair.primary.revisions.length;
  await assert.rejects(
    importedState(kind("OutboundNatConfig"), "wan:192.168.99.0/24", conn),
    /E_IMPORT.*OutboundNatConfig.*wan:192\.168\.99\.0\/24.*adopt: true/s,
  );
  assert.equal(pair.primary.revisions.length, revisions);
});

test("an aggregate id not of the form <kind>:<key>=<id> is refused naming the part", async () => {
  await assert.rejects(
    importedState(kind("ClusterHaConfigState"), "carpVips:wan=wan/1,nat=x", conn),
    /E_IMPORT.*<kind>:<key>=<item id> \(got "nat=x"\)/s,
  );
});

test("ids that match nothing find nothing (the engine then reports the resource missing)", async () => {
  assert.equal(await importedState(kind("CarpVipConfig"), "wan/200", conn), undefined);
  assert.equal(await importedState(kind("DhcpFailoverConfig"), "lan", conn), undefined);
  assert.equal(await importedState(kind("OutboundNatConfig"), "nat-0000", conn), undefined);
});

/** A CARP VIP on lan with two IP aliases stacked on it, as pfSense's GUI stores them. */
function handMadeAliasSet(): { uniqid: string; vhid: number } {
  const uniqid = "5f1a2b3c4d5e6";
  editConfig(pair.primary, (tree) => {
    const section = toStruct(tree.virtualip ?? {});
    const list = toList(section.vip);
    list.push(
      {
        mode: "carp",
        interface: "lan",
        vhid: "9",
        advskew: "0",
        advbase: "1",
        password: "gui-carp-pass",
        uniqid,
        descr: "hand-made LAN VIP",
        type: "single",
        subnet_bits: "24",
        subnet: "192.168.99.90",
      },
      ...["192.168.99.91", "192.168.99.92"].map((a, i) => ({
        mode: "ipalias",
        interface: `_vip${uniqid}`,
        uniqid: `5f1a2b3c4d5f${i}`,
        descr: "stacked by hand",
        type: "single",
        subnet_bits: "24",
        subnet: a,
      })),
    );
    section.vip = list;
    tree.virtualip = section;
  });
  return { uniqid, vhid: 9 };
}

test("an alias set is found by its CARP VIP's uniqid or <interface>/<vhid>, every stacked alias by its own uniqid", async () => {
  const { uniqid, vhid } = handMadeAliasSet();
  const k = kind("CarpIpAliasesConfig");
  const revisions = pair.primary.revisions.length;
  for (const id of [uniqid, `lan/${vhid}`]) {
    const r = await importedState(k, id, conn);
    assert.ok(r);
    assert.match(r.id, /^ipalias-[0-9a-f]{12}$/);
    assert.deepEqual(r.inputs, {
      vipUniqid: uniqid,
      vipInterface: "lan",
      vipAddress: "192.168.99.90",
      subnetBits: 24,
      primaryAddress: "192.168.99.1",
      secondaryAddress: "192.168.99.2",
      addresses: ["192.168.99.91", "192.168.99.92"],
      description: "stacked by hand",
    });
    assert.equal(r.props.parentInterface, `_vip${uniqid}`);
    assert.deepEqual(r.props.aliasUniqids, ["5f1a2b3c4d5f0", "5f1a2b3c4d5f1"]);
    assert.deepEqual(r.props.planned, [false, false]);
    // The runtime's read of the seed finds both aliases on the primary, in place (the secondary,
    // without pfSense's sync, never got them: drift an up then repairs).
    const read = await RESOURCE_KINDS.get(k.token)?.runtime.read(r.id, r.props);
    assert.deepEqual((read?.props as { drift: unknown }).drift, {
      primary: [],
      secondary: [
        'virtualIps[5f1a2b3c4d5f0]: expected "present", found "missing"',
        'virtualIps[5f1a2b3c4d5f1]: expected "present", found "missing"',
      ],
    });
  }
  assert.equal(pair.primary.revisions.length, revisions);
  // A CARP VIP with nothing stacked on it, and no VIP at all, find nothing.
  assert.equal(await importedState(k, "wan/200", conn), undefined);
  await assert.rejects(
    importedState(k, "192.168.99.91", conn),
    /E_IMPORT.*CarpIpAliasesConfig.*192\.168\.99\.91.*lan\/5/s,
  );
});

test("sync-interface rules: hand-made ones are refused, the library's set is found by interface, id or syncrules", async () => {
  const k = kind("SyncInterfaceRulesConfig");
  editConfig(pair.primary, (tree) => {
    const filter = toStruct(tree.filter ?? {});
    const rules = toList(filter.rule);
    rules.push({
      tracker: "1700000099",
      type: "pass",
      interface: "opt1",
      ipprotocol: "inet",
      protocol: "pfsync",
      source: { address: "172.16.1.2" },
      destination: { address: "172.16.1.1" },
      descr: "pfsync by hand",
    });
    filter.rule = rules;
    tree.filter = filter;
  });
  for (const id of ["opt1", "syncrules"]) {
    await assert.rejects(
      importedState(k, id, conn),
      /E_IMPORT.*SyncInterfaceRulesConfig.*made by hand.*declare SyncInterfaceRules/s,
    );
  }
  await assert.rejects(importedState(k, "opt1/x", conn), /E_IMPORT.*syncrules/s);
  assert.equal(await importedState(k, "sync-00", conn), undefined);
  assert.equal(await importedState(k, "wan", conn), undefined);
  const made = await providers.syncRules.create({
    ...(conn as object),
    name: "sync",
    syncInterface: "opt1",
  } as never);
  for (const id of ["opt1", "syncrules", made.id]) {
    const r = await importedState(k, id, conn);
    assert.ok(r, id);
    assert.equal(r.id, made.id);
    assert.deepEqual(r.inputs, {
      syncInterface: "opt1",
      primarySyncAddress: made.outs.primarySyncAddress,
      secondarySyncAddress: made.outs.secondarySyncAddress,
    });
    for (const f of ["rulesetId", "primaryGuiPort", "secondaryGuiPort", "rules", "trackers"]) {
      assert.deepEqual(r.props[f], (made.outs as unknown as Record<string, unknown>)[f], f);
    }
    const read = await providers.syncRules.read(r.id, r.props as never);
    assert.deepEqual(read.props.drift, { primary: [], secondary: [] });
  }
  await providers.syncRules.delete(made.id, made.outs);
});
