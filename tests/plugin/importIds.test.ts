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
