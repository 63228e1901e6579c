/**
 * The `openvpn` and `ipsec` codecs and the binding edit on real GUI shapes: decode → encode gives
 * the same members in the same order; binding one item changes only its `interface` (and an
 * OpenVPN server's `ipaddr`); every other item, member and section member stays as read.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import type { PhpStruct } from "../../sdk/codec/phpValue";
import {
  decodeIpsec,
  decodeNodeConfig,
  decodeOpenVpn,
  encodeIpsec,
  encodeOpenVpn,
  encodeRestorePayload,
} from "../../sdk/pfsense";
import { changedSections } from "../../sdk/pfsense/sections/nodeConfig";
import { setBinding } from "../../sdk/providers/vipServiceSpec";

/** An OpenVPN server as vpn_openvpn_server.php saves it (2.7.2), members in its order. */
export function guiOpenVpnServer(vpnid: string, iface: string, port: string): PhpStruct {
  return {
    vpnid,
    mode: "server_tls_user",
    authmode: "Local Database",
    protocol: "UDP4",
    dev_mode: "tun",
    interface: iface,
    ipaddr: "",
    local_port: port,
    description: `roadwarrior ${vpnid}`,
    custom_options: "",
    tls: "IyBzZWNyZXQga2V5",
    tls_type: "auth",
    caref: "5f3c0a1b2c3d4",
    certref: "5f3c0a1b2c3d5",
    dh_length: "2048",
    ecdh_curve: "none",
    data_ciphers: "AES-256-GCM,AES-128-GCM",
    digest: "SHA256",
    tunnel_network: "10.8.0.0/24",
    compression: "",
  };
}

/** An IPsec phase 1 as vpn_ipsec_phase1.php saves it (2.7.2). */
export function guiPhase1(ikeid: string, iface: string | undefined): PhpStruct {
  const p: PhpStruct = { ikeid, iketype: "ikev2", protocol: "inet" };
  if (iface !== undefined) p.interface = iface;
  Object.assign(p, {
    "remote-gateway": "203.0.113.9",
    myid_type: "myaddress",
    myid_data: "",
    peerid_type: "peeraddress",
    peerid_data: "",
    encryption: { item: [{ encryption_algorithm: { name: "aes", keylen: "256" } }] },
    lifetime: "28800",
    "pre-shared-key": "s3cret-psk",
    authentication_method: "pre_shared_key",
    descr: `branch ${ikeid}`,
    nat_traversal: "on",
    dpd_delay: "10",
  });
  return p;
}

const openvpnSection = (): PhpStruct => ({
  "openvpn-server": [guiOpenVpnServer("1", "wan", "1194"), guiOpenVpnServer("2", "lan", "1195")],
  "openvpn-client": [{ vpnid: "3", interface: "wan", server_addr: "198.51.100.1" }],
  "openvpn-csc": [{ common_name: "alice", tunnel_network: "10.8.0.10/30" }],
});

const ipsecSection = (): PhpStruct => ({
  client: "",
  phase1: [guiPhase1("1", "wan"), guiPhase1("2", undefined)],
  phase2: [{ ikeid: "1", uniqid: "60aa", mode: "tunnel" }],
});

test("decode → encode of both sections is lossless, member order included", () => {
  const o = openvpnSection();
  assert.ok(isDeepStrictEqual(encodeOpenVpn(decodeOpenVpn(o), o), o));
  assert.deepEqual(Object.keys(encodeOpenVpn(decodeOpenVpn(o), o)["openvpn-server"] as never[]), [
    "0",
    "1",
  ]);
  for (const [i, s] of (
    encodeOpenVpn(decodeOpenVpn(o), o)["openvpn-server"] as PhpStruct[]
  ).entries())
    assert.deepEqual(Object.keys(s), Object.keys((o["openvpn-server"] as PhpStruct[])[i]));
  const p = ipsecSection();
  const back = encodeIpsec(decodeIpsec(p), p);
  assert.ok(isDeepStrictEqual(back, p));
  assert.deepEqual(
    Object.keys((back.phase1 as PhpStruct[])[1]),
    Object.keys(guiPhase1("2", undefined)),
  );
  assert.equal(decodeIpsec(p)[1].interface, undefined, "absent (pfSense reads it as wan)");
  assert.deepEqual(decodeOpenVpn(""), []);
  assert.deepEqual(decodeIpsec(undefined), []);
});

test("a single item (not a list) decodes as one", () => {
  const one = { "openvpn-server": guiOpenVpnServer("7", "wan", "1194") };
  assert.deepEqual(
    decodeOpenVpn(one).map((s) => [s.vpnid, s.interface]),
    [["7", "wan"]],
  );
});

function node(openvpn: PhpStruct | string, ipsec: PhpStruct | string): PhpStruct {
  return {
    version: "23.3",
    interfaces: { wan: { enable: "", if: "em0", ipaddr: "192.168.1.1", subnet: "24" } },
    virtualip: "",
    nat: { outbound: { mode: "automatic" } },
    dhcpd: "",
    filter: "",
    openvpn,
    ipsec,
  };
}

test("binding one OpenVPN server changes its interface and ipaddr only; the payload is the whole section", () => {
  const raw = node(openvpnSection(), ipsecSection());
  const cfg = decodeNodeConfig(raw, { format: "new" });
  const draft = structuredClone(cfg);
  assert.equal(
    setBinding(draft, "openvpn-server", "2", "_vip5f1c0000000a1", "192.168.99.254"),
    true,
  );
  const { sections } = changedSections(cfg, draft);
  assert.deepEqual([...sections], ["openvpn"]);
  const payload = encodeRestorePayload(draft, { config: cfg, raw }, sections, { format: "new" });
  assert.deepEqual(Object.keys(payload), ["openvpn"]);
  const want = openvpnSection();
  const s2 = (want["openvpn-server"] as PhpStruct[])[1];
  s2.interface = "_vip5f1c0000000a1";
  s2.ipaddr = "192.168.99.254";
  assert.ok(isDeepStrictEqual(payload.openvpn, want), JSON.stringify(payload.openvpn));
  assert.deepEqual(
    Object.keys((payload.openvpn as PhpStruct)["openvpn-server"] as PhpStruct[]).length,
    2,
  );
  // Unbinding to a plain interface with no ipaddr before removes the member again.
  const back = structuredClone(draft);
  setBinding(back, "openvpn-server", "2", "lan", undefined);
  const p2 = encodeRestorePayload(back, { config: cfg, raw }, new Set(["openvpn"]), {
    format: "new",
  });
  const s2b = ((p2.openvpn as PhpStruct)["openvpn-server"] as PhpStruct[])[1];
  assert.equal(s2b.ipaddr, undefined);
  assert.equal(s2b.interface, "lan");
});

test("binding one phase 1 changes its interface only (added where it was absent, in place otherwise)", () => {
  const raw = node("", ipsecSection());
  const cfg = decodeNodeConfig(raw, { format: "new" });
  const draft = structuredClone(cfg);
  assert.equal(setBinding(draft, "ipsec-phase1", "1", "_vipabc", undefined), true);
  assert.equal(setBinding(draft, "ipsec-phase1", "9", "_vipabc", undefined), false);
  const { sections } = changedSections(cfg, draft);
  assert.deepEqual([...sections], ["ipsec"]);
  const payload = encodeRestorePayload(draft, { config: cfg, raw }, sections, { format: "new" });
  const want = ipsecSection();
  (want.phase1 as PhpStruct[])[0].interface = "_vipabc";
  assert.ok(isDeepStrictEqual(payload.ipsec, want));
  assert.deepEqual(
    Object.keys(((payload.ipsec as PhpStruct).phase1 as PhpStruct[])[0]),
    Object.keys(guiPhase1("1", "wan")),
  );
  const d2 = structuredClone(cfg);
  setBinding(d2, "ipsec-phase1", "2", "_vipabc", undefined);
  const p2 = encodeRestorePayload(d2, { config: cfg, raw }, new Set(["ipsec"]), { format: "new" });
  const second = ((p2.ipsec as PhpStruct).phase1 as PhpStruct[])[1];
  assert.equal(second.interface, "_vipabc");
  // Given back ("" = absent in state): the member is gone again, the order as the GUI saved it.
  const cfg2 = decodeNodeConfig({ ...raw, ipsec: p2.ipsec }, { format: "new" });
  const d3 = structuredClone(cfg2);
  setBinding(d3, "ipsec-phase1", "2", "", undefined);
  const p3 = encodeRestorePayload(
    d3,
    { config: cfg2, raw: { ...raw, ipsec: p2.ipsec } },
    new Set(["ipsec"]),
    {
      format: "new",
    },
  );
  assert.ok(isDeepStrictEqual(p3.ipsec, ipsecSection()), JSON.stringify(p3.ipsec));
  assert.ok(isDeepStrictEqual((p2.ipsec as PhpStruct).phase2, ipsecSection().phase2));
});
