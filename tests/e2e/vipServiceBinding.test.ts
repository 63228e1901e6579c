/**
 * VipServiceBinding through the real engine against the emulated pair, with pfSense's own
 * `openvpn`/`ipsec` sync and without it: an OpenVPN server and an IPsec phase 1 made by hand (as
 * in the GUI) are bound to a CarpVip on both nodes (`_vip<uniqid>`, the server's `ipaddr` = the
 * VIP), a second preview has no changes, an unknown id is refused at preview with nothing sent,
 * `pfsense-ha status` lists the services left on node addresses until they are bound, and
 * destroy gives each item its interface back with nothing else changed.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { automation } from "@pulumi/pulumi";
import * as ha from "../../sdk";
import { startPair, type EmulatedPair, type EmulatedNode } from "../../sdk/emulator";
import { leaf, toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { main as haCli } from "../../sdk/cli/haCli";
import { pairConfig, stackNodes } from "./clusterProgram";
import { inlineStack, OutputLog, scratch, skipUnlessEngine } from "./engineHarness";
import { comparableConfig, editConfig } from "./nodeConfig";
import { configureHaSyncByHand, settle, WAN } from "./safeWritesHelpers";

interface Spec {
  vip: boolean;
  bind: boolean;
  openvpnId: string;
}

const VIP = "192.168.1.10";

function program(spec: () => Spec): automation.PulumiFn {
  return async () => {
    const s = spec();
    const cluster = new ha.Cluster({ ...stackNodes(), syncWaitSeconds: 5 });
    if (!s.vip) return {};
    const vip = new ha.CarpVip("wan-vip", {
      cluster,
      ...WAN,
      address: VIP,
      password: pulumi.secret("SvcCarp1"),
      description: "WAN VIP",
    });
    if (!s.bind) return { uniqid: vip.uniqid };
    const ovpn = new ha.VipServiceBinding("roadwarrior", {
      cluster,
      vip,
      service: "openvpn-server",
      id: s.openvpnId,
    });
    const ipsec = new ha.VipServiceBinding("branch", {
      cluster,
      vip,
      service: "ipsec-phase1",
      id: 2,
    });
    return {
      uniqid: vip.uniqid,
      ovpnBound: ovpn.boundInterface,
      ovpnPrevious: ovpn.previousInterface,
      ipsecPrevious: ipsec.previousInterface,
    };
  };
}

/** The servers and phase 1 entries an admin made in the GUI (vpn_openvpn_server.php, vpn_ipsec_phase1.php). */
function guiServices(tree: PhpStruct): void {
  const server = (vpnid: string, iface: string, port: string): PhpStruct => ({
    vpnid,
    mode: "server_tls_user",
    authmode: "Local Database",
    protocol: "UDP4",
    dev_mode: "tun",
    interface: iface,
    local_port: port,
    description: `roadwarrior ${vpnid}`,
    tls: "IyBzdGF0aWMga2V5",
    tls_type: "auth",
    caref: "5f3c0a1b2c3d4",
    certref: "5f3c0a1b2c3d5",
    tunnel_network: `10.8.${vpnid}.0/24`,
  });
  tree.openvpn = {
    "openvpn-server": [server("1", "wan", "1194"), server("2", "lan", "1195")],
    "openvpn-csc": [{ common_name: "alice", tunnel_network: "10.8.1.8/30" }],
  };
  tree.ipsec = {
    phase1: [
      {
        ikeid: "1",
        iketype: "ikev2",
        interface: "lan",
        "remote-gateway": "192.168.99.50",
        "pre-shared-key": "lan-psk",
        descr: "lab peer",
      },
      // Saved before an interface was picked: absent, which pfSense reads as wan.
      {
        ikeid: "2",
        iketype: "ikev2",
        protocol: "inet",
        "remote-gateway": "203.0.113.9",
        "pre-shared-key": "branch-psk",
        authentication_method: "pre_shared_key",
        descr: "branch office",
      },
    ],
    phase2: [{ ikeid: "2", uniqid: "60aa11", mode: "tunnel" }],
  };
}

function item(node: EmulatedNode, section: string, list: string, idKey: string, id: string) {
  return toList(toStruct(node.config()[section])[list])
    .map((x) => toStruct(x))
    .find((x) => leaf(x[idKey]) === id);
}
const ovpn = (n: EmulatedNode, id: string) => item(n, "openvpn", "openvpn-server", "vpnid", id);
const phase1 = (n: EmulatedNode, id: string) => item(n, "ipsec", "phase1", "ikeid", id);

const carpVipCount = (n: EmulatedNode): number =>
  toList(toStruct(n.config().virtualip).vip).filter((v) => leaf(toStruct(v).mode) === "carp")
    .length;

async function status(endpointsFile: string): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await haCli(["status", "--endpoints", endpointsFile], {
    out: (t) => (out += t),
    err: () => undefined,
    env: {},
  });
  return { code, out };
}

for (const synced of [true, false]) {
  describe(
    `VipServiceBinding through the engine, ${synced ? "with" : "without"} pfSense's openvpn/ipsec sync`,
    { skip: skipUnlessEngine() },
    () => {
      const s = scratch(`vipsvc-${synced ? "sync" : "nosync"}`);
      let pair: EmulatedPair;
      let stack: automation.Stack;
      const spec: Spec = { vip: true, bind: false, openvpnId: "1" };
      const log = new OutputLog();
      let before0: [PhpStruct, PhpStruct];
      let endpointsFile: string;

      before(async () => {
        pair = await startPair({ dir: s.dir });
        if (synced) await configureHaSyncByHand(pair, ["virtualip", "openvpn", "ipsec"]);
        // The services exist already: made in the GUI (on both nodes when nothing syncs them).
        editConfig(pair.primary, guiServices);
        if (!synced) editConfig(pair.secondary, guiServices);
        await settle(pair);
        assert.equal(leaf(toStruct(ovpn(pair.secondary, "1")).interface), "wan");
        before0 = [comparableConfig(pair.primary), comparableConfig(pair.secondary)];
        endpointsFile = join(s.dir, "endpoints.json");
        writeFileSync(endpointsFile, `${JSON.stringify(pair.describe())}\n`);
        stack = await inlineStack(
          s,
          `vipsvc-${process.pid}`,
          program(() => spec),
        );
        await stack.setAllConfig(pairConfig(pair.describe()));
      });
      after(async () => {
        await pair?.stop();
        s.cleanup();
      });

      it("status lists the OpenVPN server and the phase 1 left on the WAN's node address (warnings, still healthy)", async () => {
        const up = await stack.up({ onOutput: log.onOutput });
        assert.equal(up.summary.result, "succeeded", log.text);
        await settle(pair);
        const r = await status(endpointsFile);
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /SERVICES ON NODE ADDRESSES \(\d+ warning\(s\)/);
        for (const node of ["primary", "secondary"]) {
          assert.match(
            r.out,
            new RegExp(`\\n {2}${node} +openvpn +openvpn-server vpnid 1 +interface +wan\\n`),
          );
          assert.match(
            r.out,
            new RegExp(`\\n {2}${node} +ipsec +ipsec phase1 ikeid 2 +interface +\\(none\\)\\n`),
          );
        }
        assert.match(
          r.out,
          /- primary: OpenVPN server vpnid 1 "roadwarrior 1" is on wan, the node's own address.*Fix: bind it to the CARP VIP 192\.168\.1\.10 \(vhid \d+\) \(VipServiceBinding service "openvpn-server" id 1/,
        );
        assert.doesNotMatch(
          r.out,
          /vpnid 2|ikeid 1 /,
          "items on a segment without CARP: no finding",
        );
        assert.match(r.out, /\nHEALTHY\n$/);
      });

      it("refuses an unknown id at preview, naming field, value and fix; nothing is sent", async () => {
        const revs = [pair.primary.revisions.length, pair.secondary.revisions.length];
        spec.bind = true;
        spec.openvpnId = "9";
        try {
          await assert.rejects(stack.preview({ onOutput: log.onOutput }), (e: Error) => {
            const text = e.message + log.text;
            assert.match(text, /E_SERVICE_NOT_FOUND/);
            assert.match(text, /VipServiceBinding\[roadwarrior\]\.id/);
            assert.match(text, /the primary has no OpenVPN server vpnid 9 \(it has vpnid 1, 2\)/);
            assert.match(text, /\(got "9"\)/);
            assert.match(text, /Fix: give the server's vpnid/);
            return true;
          });
        } finally {
          spec.openvpnId = "1";
        }
        assert.deepEqual(revs, [pair.primary.revisions.length, pair.secondary.revisions.length]);
      });

      it("binds both to _vip<uniqid> on both nodes; every other member and item is as it was", async () => {
        const logFrom = [pair.primary.serviceLog.length, pair.secondary.serviceLog.length];
        const up = await stack.up({ onOutput: log.onOutput });
        assert.equal(up.summary.result, "succeeded", log.text);
        await settle(pair);
        const uniqid = up.outputs.uniqid.value as string;
        const bound = `_vip${uniqid}`;
        assert.equal(up.outputs.ovpnBound.value, bound);
        assert.equal(up.outputs.ovpnPrevious.value, "wan");
        assert.equal(up.outputs.ipsecPrevious.value, "");
        for (const node of [pair.primary, pair.secondary]) {
          const s1 = toStruct(ovpn(node, "1"));
          assert.equal(leaf(s1.interface), bound, node.name);
          assert.equal(leaf(s1.ipaddr), VIP, `${node.name}: OpenVPN binds to the VIP's address`);
          assert.equal(leaf(toStruct(phase1(node, "2")).interface), bound, node.name);
        }
        // Everything else as it was: only those two members (and the VIP) differ.
        for (const [i, node] of [pair.primary, pair.secondary].entries()) {
          const now = comparableConfig(node);
          const was = structuredClone(before0[i]);
          const s1 = toStruct(toList(toStruct(was.openvpn)["openvpn-server"])[0]);
          const keys = Object.keys(s1);
          s1.interface = bound;
          s1.ipaddr = VIP;
          // The GUI's order: ipaddr right after interface (where the library puts a new member,
          // pfSense keeps it at the end; either reads the same).
          assert.deepEqual(
            Object.keys(toStruct(toList(toStruct(now.openvpn)["openvpn-server"])[0])),
            [...keys, "ipaddr"],
          );
          const p2 = toStruct(toList(toStruct(was.ipsec).phase1)[1]);
          p2.interface = bound;
          assert.deepEqual(now.openvpn, was.openvpn, node.name);
          assert.deepEqual(now.ipsec, was.ipsec, node.name);
        }
        // Each node restarted the one OpenVPN instance that changed, and IPsec (xmlrpc.php
        // filter_configure()); the other server kept running.
        for (const [i, node] of [pair.primary, pair.secondary].entries()) {
          const applied = node.serviceLog.slice(logFrom[i]);
          const vpn = applied.filter((e) => e.includes("openvpn"));
          assert.deepEqual([...new Set(vpn)], ["restart:openvpn-server:1"], node.name);
          assert.ok(applied.includes("restart:ipsec"), node.name);
        }
        // Who wrote the secondary: pfSense's push where it syncs the areas, else the library.
        const state = (await stack.exportStack()).deployment as {
          resources: { type: string; outputs?: Record<string, unknown> }[];
        };
        const bindings = state.resources.filter(
          (r) => r.type === "pfsense-ha:index:VipServiceBindingConfig",
        );
        assert.deepEqual(
          bindings.map((r) => r.outputs?.syncedBy),
          [synced ? "pfsense" : "library", synced ? "pfsense" : "library"],
        );
        const libraryWrites = pair.secondary.revisions.filter((r) =>
          /VipServiceBinding\[/.test(r.description),
        );
        assert.equal(libraryWrites.length, synced ? 0 : 1, JSON.stringify(libraryWrites));
      });

      it("a second preview has no changes, and status no longer lists them", async () => {
        await stack.preview({ expectNoChanges: true, onOutput: log.onOutput });
        const r = await status(endpointsFile);
        assert.equal(r.code, 0, r.out);
        assert.doesNotMatch(r.out, /openvpn-server vpnid 1|ipsec phase1 ikeid 2/);
      });

      it("the VIP's delete is refused while a service bound by hand uses it, as pfSense's GUI refuses it", async () => {
        const uniqid = (await stack.outputs()).uniqid.value as string;
        const nodes = synced ? [pair.primary] : [pair.primary, pair.secondary];
        for (const n of nodes)
          editConfig(n, (tree) => {
            const s2 = toStruct(toList(toStruct(tree.openvpn)["openvpn-server"])[1]);
            s2.interface = `_vip${uniqid}`;
            s2.ipaddr = VIP;
          });
        await settle(pair);
        spec.vip = false;
        spec.bind = false;
        try {
          await assert.rejects(stack.up({ onOutput: log.onOutput }), (e: Error) => {
            const text = e.message + log.text;
            assert.match(text, /E_SERVICE_BINDING/);
            assert.match(text, /still referenced by OpenVPN server vpnid 2 "roadwarrior 2"/);
            return true;
          });
        } finally {
          spec.vip = true;
        }
        // The stack's own bindings went first (they depend on the VIP) and gave back what they had.
        assert.equal(leaf(toStruct(ovpn(pair.primary, "1")).interface), "wan");
        assert.equal(carpVipCount(pair.primary), 1, "the VIP stays");
        for (const n of nodes)
          editConfig(n, (tree) => {
            const s2 = toStruct(toList(toStruct(tree.openvpn)["openvpn-server"])[1]);
            s2.interface = "lan";
            delete s2.ipaddr;
          });
        await settle(pair);
      });

      it("destroy gives each item its interface back; both nodes are as before", async () => {
        await stack.destroy({ onOutput: log.onOutput });
        await settle(pair);
        for (const node of [pair.primary, pair.secondary]) {
          assert.equal(leaf(toStruct(ovpn(node, "1")).interface), "wan");
          assert.equal(toStruct(ovpn(node, "1")).ipaddr, undefined);
          assert.equal(toStruct(phase1(node, "2")).interface, undefined);
        }
        assert.deepEqual(
          [comparableConfig(pair.primary), comparableConfig(pair.secondary)],
          before0,
        );
      });
    },
  );
}
