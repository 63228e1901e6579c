/**
 * DhcpFailover's Kea DHCPv6 HA (`keaDhcpv6: true`) through the real engine against emulated
 * pairs. Ground truth: both nodes' `kea6/ha` in config.xml.
 * - master pair whose primary has DHCPv6 server settings (`dhcpdv6`): up writes `kea6/ha` on
 *   the primary (role primary, its listener, the peer's, ports 8766) and pfSense's own push of
 *   the `kea6` area brings the secondary the swapped copy (role standby, local/remote swapped,
 *   remotename the primary's name) with the rest of the primary's `kea6`; up again changes
 *   nothing; destroy puts both nodes' `kea6` back;
 * - master pair without `dhcpdv6`: pfSense's sender does not send `kea6`, so the library writes
 *   the secondary's swapped copy itself; a `kea6/ha/role` left empty on the primary (which would
 *   stop the sender) is refused at preview before HaSyncSettings enables sync;
 * - 2.7.2 pair: preview refuses with E_UNSUPPORTED_VERSION naming DHCPv6 HA; nothing is written.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { automation } from "@pulumi/pulumi";
import * as ha from "../../sdk";
import { cloneValue, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { startPair, type EmulatedNode, type EmulatedPair } from "../../sdk/emulator";
import { pairConfig, stackNodes } from "./clusterProgram";
import { inlineStack, OutputLog, scratch, skipUnlessEngine } from "./engineHarness";
import { useKea } from "./keaProgram";
import { editConfig } from "./nodeConfig";
import { readFileSync, writeFileSync } from "node:fs";

/** With KEA6_CAPTURE=<file>, the engine's output and both nodes' `kea6` (the README's excerpt). */
function capture(pair: EmulatedPair, text: string): void {
  const f = process.env.KEA6_CAPTURE;
  if (!f) return;
  const section = (n: EmulatedNode) =>
    /<kea6>[\s\S]*?<\/kea6>/.exec(readFileSync(n.configPath, "utf8"))?.[0] ?? "";
  writeFileSync(
    f,
    `${text}\nprimary   ${section(pair.primary)}\nsecondary ${section(pair.secondary)}\n`,
  );
}

/** The Kea program of keaProgram.ts with DHCPv6 HA on (while `v6()`). */
function program(v6: () => boolean = () => true): automation.PulumiFn {
  return async () => {
    const cluster = new ha.Cluster({ ...stackNodes(), syncWaitSeconds: 3 });
    const config = new pulumi.Config();
    const lan = new ha.CarpVip("lan", {
      cluster,
      interface: "lan",
      subnet: "192.168.99.0/24",
      address: "192.168.99.254",
      password: pulumi.secret("KeaCarpPw1"),
    });
    new ha.HaSyncSettings("sync", {
      cluster,
      syncInterface: "opt1",
      username: config.require("secondaryUsername"),
      password: config.requireSecret("secondaryPassword"),
    });
    const dhcp = new ha.DhcpFailover("lan-dhcp", {
      cluster,
      interface: "lan",
      vip: lan,
      rangeFrom: "192.168.99.10",
      rangeTo: "192.168.99.99",
      keaDhcpv6: v6(),
    });
    return {
      dhcpv6PrimaryRole: dhcp.dhcpv6PrimaryRole,
      dhcpv6SecondaryRole: dhcp.dhcpv6SecondaryRole,
    };
  };
}

const kea6Of = (n: EmulatedNode): PhpStruct => toStruct(n.config().kea6);
const HA_KEYS = ["enable", "role", "localip", "localport", "remotename", "remoteip", "remoteport"];
const owned = (n: EmulatedNode) => {
  const h = toStruct(kea6Of(n).ha);
  return Object.fromEntries(HA_KEYS.filter((k) => h[k] !== undefined).map((k) => [k, h[k]]));
};

const PRIMARY_HA = {
  enable: "",
  role: "primary",
  localip: "192.168.99.1",
  localport: "8766",
  remotename: "fw-b",
  remoteip: "192.168.99.2",
  remoteport: "8766",
};
const SECONDARY_HA = {
  enable: "",
  role: "standby",
  localip: "192.168.99.2",
  localport: "8766",
  remotename: "fw-a",
  remoteip: "192.168.99.1",
  remoteport: "8766",
};

/** The primary's DHCPv6 server on lan (Services > DHCPv6 Server), as the GUI stores it. */
function withDhcpdv6(node: EmulatedNode): void {
  editConfig(node, (tree) => {
    tree.dhcpdv6 = { lan: { enable: "", range: { from: "fd00:99::10", to: "fd00:99::99" } } };
  });
}

describe(
  "DhcpFailover keaDhcpv6 on a master pair with dhcpdv6: pfSense's kea6 push",
  { skip: skipUnlessEngine() },
  () => {
    const s = scratch("kea6-sync");
    const log = new OutputLog();
    let pair: EmulatedPair;
    let stack: automation.Stack;
    let prior: PhpStruct[];

    before(async () => {
      pair = await startPair({ dir: s.dir, version: "master" });
      // The primary's kea6 has a setting of its own (DNS registration); the secondary a TLS
      // server certificate chosen in its GUI, node-local (pfSense's receiver keeps it).
      useKea(pair.primary, "fw-a");
      useKea(pair.secondary, "fw-b");
      editConfig(pair.primary, (tree) => {
        tree.kea6 = { dnsreg: "" };
      });
      editConfig(pair.secondary, (tree) => {
        tree.kea6 = { ha: { tls: "", scertref: "65f0c0ffee006" } };
      });
      withDhcpdv6(pair.primary);
      prior = [pair.primary, pair.secondary].map((n) => cloneValue(kea6Of(n)));
      stack = await inlineStack(s, "kea6sync", program());
      await stack.setAllConfig(pairConfig(pair.describe()));
    });
    after(async () => {
      await pair?.stop();
      s.cleanup();
    });

    it("up: the primary's kea6/ha, and the swapped copy on the secondary by pfSense's own push", async () => {
      const out: string[] = [];
      const up = await stack.up({ onOutput: (t) => (log.onOutput(t), out.push(t)) });
      capture(pair, out.join(""));
      assert.equal(up.summary.result, "succeeded");
      assert.equal(up.outputs.dhcpv6PrimaryRole.value, "primary");
      assert.equal(up.outputs.dhcpv6SecondaryRole.value, "standby");
      assert.deepEqual(owned(pair.primary), PRIMARY_HA);
      assert.deepEqual(owned(pair.secondary), SECONDARY_HA);
      // The whole section came by the kea6 area: the primary's dnsreg is on the secondary, and
      // the secondary's node-local TLS choice survived the push (xmlrpc.php "Special handling").
      const sec = kea6Of(pair.secondary);
      assert.equal(sec.dnsreg, "");
      assert.equal(toStruct(sec.ha).tls, "");
      assert.equal(toStruct(sec.ha).scertref, "65f0c0ffee006");
      assert.equal(toStruct(kea6Of(pair.primary).ha).tls, undefined);
      // DHCPv4 HA as before, on its own port.
      assert.equal(toStruct(toStruct(pair.primary.config().kea).ha).localport, "8765");
      assert.equal(toStruct(pair.primary.config().hasync).synchronizekea6, "on");
    });

    it("refresh finds no drift and up again changes nothing", async () => {
      await stack.refresh({ onOutput: log.onOutput });
      const state = await stack.exportStack();
      const dhcp = (
        (state.deployment.resources ?? []) as {
          type: string;
          outputs?: { drift?: unknown };
        }[]
      ).find((r) => r.type === "pfsense-ha:index:DhcpFailoverConfig");
      assert.deepEqual(dhcp?.outputs?.drift, { primary: [], secondary: [] });
      const revs = [pair.primary.revisions.length, pair.secondary.revisions.length];
      const up = await stack.up({ onOutput: log.onOutput });
      assert.deepEqual(
        Object.keys(up.summary.resourceChanges ?? {}).filter((k) => k !== "same"),
        [],
        JSON.stringify(up.summary.resourceChanges),
      );
      assert.deepEqual([pair.primary.revisions.length, pair.secondary.revisions.length], revs);
    });

    it("destroy puts the primary's kea6 back; the secondary gets what the sender sends of it", async () => {
      const d = await stack.destroy({ onOutput: log.onOutput });
      assert.equal(d.summary.result, "succeeded");
      assert.deepEqual(kea6Of(pair.primary), prior[0]);
      // The last push with the kea6 area carried the restored kea6 with the sender's `ha` (the
      // primary's name as remotename, the flipped default role; rc.filter_synchronize
      // carp_sync_xml() "handle kea/kea6"): no enable, no listeners, the TLS choice kept.
      assert.deepEqual(kea6Of(pair.secondary), {
        dnsreg: "",
        ha: { ...toStruct(prior[1].ha), remotename: "fw-a", role: "standby" },
      });
    });
  },
);

describe(
  "DhcpFailover keaDhcpv6 on a master pair without dhcpdv6: the library writes the secondary",
  { skip: skipUnlessEngine() },
  () => {
    const s = scratch("kea6-direct");
    const log = new OutputLog();
    let pair: EmulatedPair;
    let stack: automation.Stack;
    let v6 = true;

    before(async () => {
      pair = await startPair({ dir: s.dir, version: "master" });
      useKea(pair.primary, "fw-a");
      useKea(pair.secondary, "fw-b");
      // Left behind by hand: DHCPv6 HA enabled without a role, which master's sender dies on.
      editConfig(pair.primary, (tree) => {
        tree.kea6 = { ha: { enable: "", role: "" } };
      });
      stack = await inlineStack(
        s,
        "kea6direct",
        program(() => v6),
      );
      await stack.setAllConfig(pairConfig(pair.describe()));
    });
    after(async () => {
      await pair?.stop();
      s.cleanup();
    });

    it("an empty kea6/ha/role on the primary is refused at preview, before sync is enabled", async () => {
      const revs = [pair.primary.revisions.length, pair.secondary.revisions.length];
      const out: string[] = [];
      await assert.rejects(stack.preview({ onOutput: (t) => out.push(t) }), (e: Error) =>
        /E_KEA_HA/.test(e.message + out.join("")),
      );
      assert.match(
        out.join(""),
        /HaSyncSettings\[sync\]: the primary holds an empty kea6\/ha\/role, which pfSense reads as primary/,
      );
      assert.match(out.join(""), /Services > DHCPv6 Server > Settings > High Availability/);
      assert.deepEqual([pair.primary.revisions.length, pair.secondary.revisions.length], revs);
      assert.equal(toStruct(pair.primary.config().hasync).synchronizetoip, undefined);
    });

    it("with the role set, up writes both nodes' kea6/ha: no push carries kea6 without dhcpdv6", async () => {
      editConfig(pair.primary, (tree) => {
        delete tree.kea6;
      });
      const up = await stack.up({ onOutput: log.onOutput });
      assert.equal(up.summary.result, "succeeded");
      assert.deepEqual(owned(pair.primary), PRIMARY_HA);
      assert.deepEqual(owned(pair.secondary), SECONDARY_HA);
      // Nothing but `ha`: the section was the library's write, not a copy of the primary's.
      assert.deepEqual(Object.keys(kea6Of(pair.secondary)), ["ha"]);
    });

    it("keaDhcpv6 turned off: an update puts both nodes' kea6 back (none), DHCPv4 HA stays", async () => {
      v6 = false;
      const up = await stack.up({ onOutput: log.onOutput });
      assert.equal(up.summary.resourceChanges?.update, 1, JSON.stringify(up.summary));
      assert.equal(up.outputs.dhcpv6PrimaryRole.value, "");
      assert.equal(pair.primary.config().kea6, undefined);
      assert.equal(pair.secondary.config().kea6, undefined);
      assert.equal(toStruct(toStruct(pair.secondary.config().kea).ha).role, "standby");
      const d = await stack.destroy({ onOutput: log.onOutput });
      assert.equal(d.summary.result, "succeeded");
      assert.equal(pair.primary.config().kea6, undefined);
      assert.equal(pair.secondary.config().kea6, undefined);
    });
  },
);

describe("DhcpFailover keaDhcpv6 on a 2.7.2 pair is refused", { skip: skipUnlessEngine() }, () => {
  const s = scratch("kea6-272");
  let pair: EmulatedPair;
  let stack: automation.Stack;

  before(async () => {
    pair = await startPair({ dir: s.dir, version: "2.7.2" });
    useKea(pair.primary, "fw-a");
    useKea(pair.secondary, "fw-b");
    stack = await inlineStack(s, "kea6272", program());
    await stack.setAllConfig(pairConfig(pair.describe()));
  });
  after(async () => {
    await pair?.stop();
    s.cleanup();
  });

  it("preview fails with E_UNSUPPORTED_VERSION naming DHCPv6 HA and the fix; nothing is written", async () => {
    const revs = [pair.primary.revisions.length, pair.secondary.revisions.length];
    const out: string[] = [];
    await assert.rejects(stack.preview({ onOutput: (t) => out.push(t) }), (e: Error) =>
      /E_UNSUPPORTED_VERSION/.test(e.message + out.join("")),
    );
    const text = out.join("");
    if (process.env.KEA6_CAPTURE) writeFileSync(`${process.env.KEA6_CAPTURE}.272`, text);
    assert.match(text, /2\.7\.2-RELEASE, which has no Kea DHCPv6 HA \(kea6\/ha came with/);
    assert.match(text, /upgrade both nodes to pfSense 2\.8 or later, or remove keaDhcpv6/);
    assert.deepEqual([pair.primary.revisions.length, pair.secondary.revisions.length], revs);
  });
});
