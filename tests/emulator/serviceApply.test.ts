/**
 * The emulated receiver's OpenVPN service apply (xmlrpc.php filter_configure()): per instance by
 * vpnid, only what changed restarts, new ones start, removed ones are deleted; force restarts all.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { openvpnServiceApply } from "../../sdk/emulator/serviceApply";
import type { PhpStruct } from "../../sdk/codec/phpValue";

test("only the changed, new and removed OpenVPN instances are touched", () => {
  const before: PhpStruct = {
    "openvpn-server": [
      { vpnid: "1", interface: "wan" },
      { vpnid: "2", interface: "lan" },
    ],
    "openvpn-client": { vpnid: "3", interface: "wan" },
  };
  const after: PhpStruct = {
    "openvpn-server": [
      { vpnid: "1", interface: "_vipabc", ipaddr: "192.168.1.10" },
      { vpnid: "2", interface: "lan" },
      { vpnid: "4", interface: "wan" },
    ],
  };
  assert.deepEqual(openvpnServiceApply(before, after, false), [
    "restart:openvpn-server:1",
    "start:openvpn-server:4",
    "delete:openvpn-client:3",
  ]);
  assert.deepEqual(openvpnServiceApply(after, after, false), []);
  assert.deepEqual(openvpnServiceApply(after, after, true), [
    "restart:openvpn-server:1",
    "restart:openvpn-server:2",
    "restart:openvpn-server:4",
  ]);
  assert.deepEqual(openvpnServiceApply("", "", false), []);
});
