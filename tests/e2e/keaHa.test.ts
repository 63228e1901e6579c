/**
 * DhcpFailover on the Kea DHCP backend through the real engine: on an emulated master pair
 * (Kea HA exists) up writes Kea HA on both nodes (roles primary / standby, each node's own
 * listener and the peer's, the peer's server name), the ISC failover peer is not written, the
 * secondary's node-local TLS settings stay, HaSyncSettings' default areas include the 20th,
 * `kea6`; up again changes nothing; destroy puts both nodes' `kea` back. On a 2.7.2 pair whose
 * nodes run Kea, preview refuses with E_UNSUPPORTED_VERSION. Ground truth: the nodes' config.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { automation } from "@pulumi/pulumi";
import { startPair, type EmulatedNode, type EmulatedPair } from "../../sdk/emulator";
import { cloneValue, leaf, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { pairConfig } from "./clusterProgram";
import { inlineStack, OutputLog, scratch, skipUnlessEngine } from "./engineHarness";
import { program, useKea } from "./keaProgram";

const ha_ = (n: EmulatedNode): PhpStruct => toStruct(toStruct(n.config().kea).ha);

describe("DhcpFailover on Kea: Kea HA on a master pair", { skip: skipUnlessEngine() }, () => {
  const s = scratch("kea-ha");
  const log = new OutputLog();
  let pair: EmulatedPair;
  let stack: automation.Stack;
  let priorKea: PhpStruct[];

  before(async () => {
    pair = await startPair({ dir: s.dir, version: "master" });
    // The primary has Kea settings of its own (DNS registration); the secondary a TLS server
    // certificate chosen in its GUI, node-local (pfSense's receiver keeps it).
    useKea(pair.primary, "fw-a", { dnsreg: "" });
    useKea(pair.secondary, "fw-b", { ha: { tls: "", scertref: "65f0c0ffee001" } });
    priorKea = [pair.primary, pair.secondary].map((n) => cloneValue(toStruct(n.config().kea)));
    stack = await inlineStack(s, "keaha", program());
    await stack.setAllConfig(pairConfig(pair.describe()));
  });
  after(async () => {
    await pair?.stop();
    s.cleanup();
  });

  it("up writes Kea HA on both nodes: roles, own and peer listeners, peer names", async () => {
    const up = await stack.up({ onOutput: log.onOutput });
    assert.equal(up.summary.result, "succeeded");
    assert.equal(up.outputs.backend.value, "kea");
    assert.equal(up.outputs.primaryRole.value, "primary");
    assert.equal(up.outputs.secondaryRole.value, "standby");
    assert.equal(up.outputs.primaryPeer.value, "192.168.99.2");
    assert.equal(up.outputs.secondaryPeer.value, "192.168.99.1");
    const p = ha_(pair.primary);
    const sec = ha_(pair.secondary);
    assert.deepEqual(
      ["enable", "role", "localip", "localport", "remotename", "remoteip", "remoteport"].map(
        (k) => [k, p[k]],
      ),
      [
        ["enable", ""],
        ["role", "primary"],
        ["localip", "192.168.99.1"],
        ["localport", "8765"],
        ["remotename", "fw-b"],
        ["remoteip", "192.168.99.2"],
        ["remoteport", "8765"],
      ],
    );
    assert.equal(sec.role, "standby");
    assert.equal(sec.localip, "192.168.99.2");
    assert.equal(sec.remoteip, "192.168.99.1");
    assert.equal(sec.remotename, "fw-a");
    assert.equal(sec.localport, "8765");
    assert.equal(sec.remoteport, "8765");
    // Node-local: the secondary's TLS choice survived the primary's pushes.
    assert.equal(sec.tls, "");
    assert.equal(sec.scertref, "65f0c0ffee001");
    assert.equal(p.tls, undefined);
    // The rest of the primary's kea reached the secondary by pfSense's own sync (dhcpd area).
    assert.equal(toStruct(pair.secondary.config().kea).dnsreg, "");
    // No ISC failover peer on Kea; the pool is there.
    for (const n of [pair.primary, pair.secondary]) {
      const lanDhcp = toStruct(toStruct(n.config().dhcpd).lan);
      assert.equal(lanDhcp.failover_peerip, undefined, n.name);
      assert.equal(leaf(toStruct(lanDhcp.range).from), "192.168.99.10", n.name);
    }
    // HaSyncSettings' default areas on master include the 20th, synchronizekea6.
    assert.equal(toStruct(pair.primary.config().hasync).synchronizekea6, "on");
  });

  it("up again changes nothing", async () => {
    const revs = [pair.primary.revisions.length, pair.secondary.revisions.length];
    const up = await stack.up({ onOutput: log.onOutput });
    assert.equal(up.summary.result, "succeeded");
    assert.deepEqual(
      Object.keys(up.summary.resourceChanges ?? {}).filter((k) => k !== "same"),
      [],
      JSON.stringify(up.summary.resourceChanges),
    );
    assert.deepEqual([pair.primary.revisions.length, pair.secondary.revisions.length], revs);
  });

  it("destroy puts the primary's kea back and takes Kea HA off the secondary", async () => {
    const d = await stack.destroy({ onOutput: log.onOutput });
    assert.equal(d.summary.result, "succeeded");
    assert.deepEqual(toStruct(pair.primary.config().kea), priorKea[0]);
    // DhcpFailover goes first, while the primary still syncs the dhcpd area: its push carries the
    // restored `kea`, and master's sender gives every `kea` it sends an `ha` with the primary's
    // name as remotename and the flipped default role (rc.filter_synchronize carp_sync_xml()).
    // No enable and no listeners: Kea HA is off; the TLS choice is the secondary's own still.
    assert.deepEqual(toStruct(pair.secondary.config().kea), {
      dnsreg: "",
      ha: { ...toStruct(priorKea[1].ha), remotename: "fw-a", role: "standby" },
    });
    assert.equal(toStruct(pair.primary.config().hasync).synchronizekea6, undefined);
  });
});

describe("DhcpFailover on Kea: a 2.7.2 pair is refused", { skip: skipUnlessEngine() }, () => {
  const s = scratch("kea-272");
  let pair: EmulatedPair;
  let stack: automation.Stack;

  before(async () => {
    pair = await startPair({ dir: s.dir, version: "2.7.2" });
    useKea(pair.primary, "fw-a");
    useKea(pair.secondary, "fw-b");
    stack = await inlineStack(s, "kea272", program());
    await stack.setAllConfig(pairConfig(pair.describe()));
  });
  after(async () => {
    await pair?.stop();
    s.cleanup();
  });

  it("preview fails with E_UNSUPPORTED_VERSION naming the version and the fix; nothing is written", async () => {
    const revs = [pair.primary.revisions.length, pair.secondary.revisions.length];
    const out: string[] = [];
    await assert.rejects(stack.preview({ onOutput: (t) => out.push(t) }), (e: Error) =>
      /E_UNSUPPORTED_VERSION/.test(e.message + out.join("")),
    );
    const text = out.join("");
    assert.match(text, /2\.7\.2-RELEASE with the Kea DHCP backend, which has no Kea HA/);
    assert.match(text, /upgrade both nodes to pfSense 2\.8 or later, or switch both to the ISC/);
    assert.deepEqual([pair.primary.revisions.length, pair.secondary.revisions.length], revs);
  });
});
