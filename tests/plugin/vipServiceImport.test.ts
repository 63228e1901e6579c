/**
 * Import of a VipServiceBinding against an emulated pair (no engine): an OpenVPN server bound to
 * a CARP VIP by hand is found by `openvpn-server/<vpnid>` (delete then gives it the VIP's
 * interface); an item not on a CARP VIP, or a malformed id, is refused naming the id and the fix;
 * an unknown id finds nothing. Nothing is written.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import { importedState } from "../../sdk/plugin/importIds";
import { RESOURCE_KINDS } from "../../sdk/plugin/resourceKinds";
import { editConfig } from "../e2e/nodeConfig";
import { guiAddCarpVip, WAN } from "../e2e/safeWritesHelpers";

let pair: EmulatedPair;
let dir: string;
let conn: Record<string, unknown>;
let uniqid: string;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "pfsense-ha-vipsvc-import-"));
  pair = await startPair({ dir });
  const ep = (n: EmulatedPair["primary"]) => ({
    url: n.url,
    username: n.username,
    password: n.password,
    tls: { fingerprint256: n.fingerprint256 },
  });
  conn = { primary: ep(pair.primary), secondary: ep(pair.secondary), name: "x" };
  uniqid = guiAddCarpVip(pair.primary, WAN, "192.168.1.10", "WAN VIP").uniqid;
  editConfig(pair.primary, (tree) => {
    tree.openvpn = {
      "openvpn-server": [
        { vpnid: "1", interface: `_vip${uniqid}`, ipaddr: "192.168.1.10", local_port: "1194" },
        { vpnid: "2", interface: "wan", local_port: "1195" },
      ],
    };
  });
});
after(async () => {
  await pair.stop();
  rmSync(dir, { recursive: true, force: true });
});

const kind = RESOURCE_KINDS.get("pfsense-ha:index:VipServiceBindingConfig");

test("an OpenVPN server bound to a CARP VIP imports with the VIP's interface as what it had", async () => {
  assert.ok(kind);
  const revisions = pair.primary.revisions.length;
  const r = await importedState(kind, "openvpn-server/1", conn);
  assert.ok(r);
  assert.equal(r.id, "openvpn-server/1");
  assert.deepEqual(r.inputs, { service: "openvpn-server", itemId: "1", vipUniqid: uniqid });
  assert.equal(r.props.boundInterface, `_vip${uniqid}`);
  assert.equal(r.props.previousInterface, "wan");
  assert.equal(r.props.previousAddress, null);
  assert.equal(r.props.vipAddress, "192.168.1.10");
  assert.equal(pair.primary.revisions.length, revisions, "nothing written");
});

test("an item not on a CARP VIP, or an id of another form, is refused; an unknown id finds nothing", async () => {
  assert.ok(kind);
  await assert.rejects(
    importedState(kind, "openvpn-server/2", conn),
    /E_IMPORT.*VipServiceBindingConfig.*bound to "wan", not to a CARP VIP.*\(got "openvpn-server\/2"\).*Fix: declare a VipServiceBinding/s,
  );
  await assert.rejects(
    importedState(kind, "ovpns1", conn),
    /E_IMPORT.*is not a binding id \(got "ovpns1"\).*openvpn-server\/<vpnid> or ipsec-phase1\/<ikeid>/s,
  );
  assert.equal(await importedState(kind, "ipsec-phase1/7", conn), undefined);
});
