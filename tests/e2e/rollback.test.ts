/**
 * Backup and rollback (issue 12) through the real Pulumi engine against an emulated pair: every
 * `up` records both nodes before its first write (ClusterBackupConfig, a same step with fresh
 * inputs), and `pfsense-ha rollback` puts the recorded sections back on both nodes. Ground truth
 * is the nodes' own config.xml.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { automation } from "@pulumi/pulumi";
import * as ha from "../../sdk";
import { startPair, type EmulatedNode, type EmulatedPair } from "../../sdk/emulator";
import { generateCarpPassword } from "../../sdk/plan";
import { leaf, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { BACKUP_SECTIONS } from "../../sdk/backup/snapshot";
import { sectionsEqual } from "../../sdk/backup/rollbackPlan";
import { rollbackMain } from "../../sdk/cli/rollbackCli";
import { workspaceOptions } from "../../scripts/pulumiEngine";
import { pairConfig, stackNodes } from "./clusterProgram";
import {
  inlineStack,
  OutputLog,
  scratch,
  skipUnlessEngine,
  stackExportText,
} from "./engineHarness";
import { carpVips, editConfig, setAdvskew } from "./nodeConfig";
import { aliasNames, armAtFirst, guiAddAlias, settle } from "./safeWritesHelpers";

/** What a test may change between runs. */
interface Spec {
  lanSkew: number;
  /** One more CARP VIP on the LAN. */
  extraVip?: string;
  /** An outbound NAT rule for 192.168.50.0/24 translated to the extra VIP's WAN twin. */
  extraWanVip?: string;
  carpPassword: string;
  /** Declare the cluster without its backup record (to measure what the record costs). */
  noBackup?: boolean;
}

/** The tutorial cluster (two VIPs, HA sync, outbound NAT, DHCP failover) plus optional extras. */
function program(spec: () => Spec): automation.PulumiFn {
  return async () => {
    const s = spec();
    const cluster = new ha.Cluster({ ...stackNodes(), syncWaitSeconds: 3 }, undefined, !s.noBackup);
    const config = new pulumi.Config();
    const password = pulumi.secret(s.carpPassword);
    const wan = new ha.CarpVip("wan", {
      cluster,
      interface: "wan",
      subnet: "192.168.1.0/24",
      primaryAddress: "192.168.1.1",
      secondaryAddress: "192.168.1.2",
      address: "192.168.1.100",
      password,
      description: "WAN CARP VIP",
    });
    const lan = new ha.CarpVip("lan", {
      cluster,
      interface: "lan",
      subnet: "192.168.99.0/24",
      primaryAddress: "192.168.99.1",
      secondaryAddress: "192.168.99.2",
      address: "192.168.99.254",
      password,
      description: "LAN CARP VIP",
      skew: s.lanSkew,
    });
    new ha.HaSyncSettings("sync", {
      cluster,
      syncInterface: "opt1",
      primarySyncAddress: "172.16.1.1",
      secondarySyncAddress: "172.16.1.2",
      username: config.require("secondaryUsername"),
      password: config.requireSecret("secondaryPassword"),
    });
    new ha.OutboundNatRule("lan-out", {
      cluster,
      interface: "wan",
      source: "192.168.99.0/24",
      translation: wan,
      mode: "hybrid",
      description: "LAN out via the WAN CARP VIP",
    });
    new ha.DhcpFailover("lan-dhcp", {
      cluster,
      interface: "lan",
      vip: lan,
      rangeFrom: "192.168.99.10",
      rangeTo: "192.168.99.99",
    });
    if (s.extraVip) {
      new ha.CarpVip("extra", {
        cluster,
        interface: "lan",
        subnet: "192.168.99.0/24",
        primaryAddress: "192.168.99.1",
        secondaryAddress: "192.168.99.2",
        address: s.extraVip,
        password,
        description: "extra LAN VIP",
      });
    }
    if (s.extraWanVip) {
      const w2 = new ha.CarpVip("wan2", {
        cluster,
        interface: "wan",
        subnet: "192.168.1.0/24",
        primaryAddress: "192.168.1.1",
        secondaryAddress: "192.168.1.2",
        address: s.extraWanVip,
        password,
        description: "second WAN VIP",
      });
      new ha.OutboundNatRule("guest-out", {
        cluster,
        interface: "wan",
        source: "192.168.50.0/24",
        translation: w2,
        description: "guests out via the second WAN VIP",
      });
    }
    return {};
  };
}

/** The library's sections of a node, as config.xml holds them. */
function librarySections(node: EmulatedNode): PhpStruct {
  const tree = node.config();
  return Object.fromEntries(BACKUP_SECTIONS.map((s) => [s, tree[s]])) as PhpStruct;
}

/** The sections that differ between two {@link librarySections}. */
function differing(a: PhpStruct, b: PhpStruct): string[] {
  return BACKUP_SECTIONS.filter((s) => !sectionsEqual(s, a[s], b[s]));
}

/** Captured CLI output. */
interface CliRun {
  code: number;
  out: string;
  err: string;
}

describe(
  "backup and rollback through the engine (emulated pair)",
  { skip: skipUnlessEngine() },
  () => {
    const s = scratch("e2e-rollback");
    const log = new OutputLog();
    let pair: EmulatedPair;
    let stack: automation.Stack;
    let spec: Spec;
    let cliOutput = "";

    const rollback = async (...args: string[]): Promise<CliRun> => {
      const r = { code: 0, out: "", err: "" };
      const opts = await workspaceOptions({ stateDir: s.stateDir });
      r.code = await rollbackMain(
        ["--stack", stack.name, "--cwd", stack.workspace.workDir, ...args],
        { out: (t) => (r.out += t), err: (t) => (r.err += t), env: process.env },
        {
          workspace: {
            pulumiCommand: opts.pulumiCommand,
            envVars: opts.envVars,
            pulumiHome: opts.pulumiHome,
          },
        },
      );
      cliOutput += r.out + r.err;
      return r;
    };
    const revisionCount = () => ({
      primary: pair.primary.revisions.length,
      secondary: pair.secondary.revisions.length,
    });
    /** The record's snapshot as the stack holds it (through the CLI's own reader). */
    const recorded = async () => {
      const { readStackBackups } = await import("../../sdk/cli/rollbackCli");
      const opts = await workspaceOptions({ stateDir: s.stateDir });
      const [b] = await readStackBackups(stack.name, stack.workspace.workDir, {
        pulumiCommand: opts.pulumiCommand,
        envVars: opts.envVars,
        pulumiHome: opts.pulumiHome,
      });
      return b.snapshot;
    };

    before(async () => {
      pair = await startPair({ dir: s.dir });
      spec = { lanSkew: 0, carpPassword: generateCarpPassword() };
      stack = await inlineStack(
        s,
        "rollback",
        program(() => spec),
      );
      await stack.setAllConfig(pairConfig(pair.describe()));
    });
    after(async () => {
      await pair?.stop();
      s.cleanup();
    });

    let beforeSecondUp: { primary: PhpStruct; secondary: PhpStruct };
    let revBeforeSecondUp: { primary: string; secondary: string };

    it("up records both nodes before its first write, and a preview after it shows no change", async () => {
      const t0 = Date.now();
      const before0 = {
        primary: librarySections(pair.primary),
        secondary: librarySections(pair.secondary),
      };
      const rev0 = pair.primary.revisions.at(-1)?.time;
      const up = await stack.up({ onOutput: log.onOutput });
      assert.equal(up.summary.result, "succeeded");
      const snap = await recorded();
      assert.equal(
        String(snap.primary.revision.time),
        rev0,
        "the primary's revision before the up",
      );
      assert.deepEqual(differing(snap.primary.sections as PhpStruct, before0.primary), []);
      assert.deepEqual(differing(snap.secondary.sections as PhpStruct, before0.secondary), []);
      const calls = () => [pair.primary.xmlrpcRequests, pair.secondary.xmlrpcRequests];
      const c0 = calls();
      const preview = await stack.preview({ expectNoChanges: true, onOutput: log.onOutput });
      assert.equal(preview.changeSummary.create ?? 0, 0);
      assert.equal(preview.changeSummary.update ?? 0, 0);
      // The record shares the checks' one read per node when they follow within the shared-read
      // window (2 s); on a loaded machine the gap can be longer, and it costs one read more.
      const c1 = calls();
      spec.noBackup = true;
      await stack.preview({ onOutput: log.onOutput });
      spec.noBackup = false;
      const c1b = calls();
      const withRecord = [c1[0] - c0[0], c1[1] - c0[1]];
      const without = [c1b[0] - c1[0], c1b[1] - c1[1]];
      process.stderr.write(
        `[rollback e2e] calls per node in a preview: with the record ${withRecord}, without ${without}\n`,
      );
      const added = withRecord.map((n, i) => n - without[i]);
      assert.ok(
        added.every((n) => n === 0 || n === 1),
        `calls per node the record adds to a preview: ${added} (at most one read)`,
      );
      const again = await stack.up({ onOutput: log.onOutput });
      assert.deepEqual(
        Object.keys(again.summary.resourceChanges ?? {}).filter((k) => k !== "same"),
        [],
      );
      const c2 = calls();
      process.stderr.write(
        `[rollback e2e] calls per node in a no-change up: ${c2[0] - c1b[0]}/${c2[1] - c1b[1]}\n`,
      );
      process.stderr.write(`[rollback e2e] first up + preview: ${Date.now() - t0} ms\n`);
    });

    it("a second up with changes records the nodes as they were at its start, without showing a change", async () => {
      await settle(pair);
      beforeSecondUp = {
        primary: librarySections(pair.primary),
        secondary: librarySections(pair.secondary),
      };
      revBeforeSecondUp = {
        primary: pair.primary.revisions.at(-1)!.time,
        secondary: pair.secondary.revisions.at(-1)!.time,
      };
      spec.lanSkew = 10;
      spec.extraVip = "192.168.99.253";
      const up = await stack.up({ onOutput: log.onOutput });
      assert.equal(up.summary.result, "succeeded");
      const changes = up.summary.resourceChanges ?? {};
      assert.equal(changes.create, 2, JSON.stringify(changes)); // the extra VIP and its component
      assert.equal(changes.update, 1, JSON.stringify(changes)); // the LAN VIP's skew
      const snap = await recorded();
      assert.equal(String(snap.primary.revision.time), revBeforeSecondUp.primary);
      assert.equal(String(snap.secondary.revision.time), revBeforeSecondUp.secondary);
      assert.deepEqual(differing(snap.primary.sections as PhpStruct, beforeSecondUp.primary), []);
      assert.deepEqual(
        differing(snap.secondary.sections as PhpStruct, beforeSecondUp.secondary),
        [],
      );
      await settle(pair);
      assert.ok(carpVips(pair.secondary).some((v) => v.address === "192.168.99.253"));
    });

    it("keeps the record and every password out of plaintext state", async () => {
      const exported = await stackExportText(s, stack);
      const secrets = {
        "primary password": pair.primary.password,
        "secondary password": pair.secondary.password,
        "CARP password": spec.carpPassword,
      };
      for (const [what, secret] of Object.entries(secrets)) {
        assert.equal(exported.includes(secret), false, `${what} in plaintext in the state`);
      }
      const state = JSON.parse(exported) as {
        deployment: { resources: { type: string; inputs?: Record<string, unknown> }[] };
      };
      const backup = state.deployment.resources.find(
        (r) => r.type === "pfsense-ha:index:ClusterBackupConfig",
      );
      assert.ok(backup, "the stack holds the record");
      assert.ok(
        JSON.stringify(backup.inputs?.snapshot).includes("ciphertext"),
        "the snapshot is a secret",
      );
    });

    let expect = "";

    it("rollback without --yes lists exactly the up's changes per node and writes nothing", async () => {
      await settle(pair);
      guiAddAlias(pair.primary, "gui_alias", "10.9.9.9"); // a section the library never writes
      await settle(pair);
      const revs = revisionCount();
      const r = await rollback();
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(revisionCount(), revs, "the preview wrote nothing");
      const [primaryPart, secondaryPart] = r.out.split(/^secondary /m);
      for (const [part, skew] of [
        [primaryPart, "10 -> 0"],
        [secondaryPart, "110 -> 100"],
      ] as const) {
        assert.match(part, /- remove +CARP VIP 192\.168\.99\.253\/24 vhid \d+@lan "extra LAN VIP"/);
        assert.match(
          part,
          new RegExp(
            `~ revert +CARP VIP 192\\.168\\.99\\.254/24 vhid \\d+@lan "LAN CARP VIP": advskew ${skew}`,
          ),
        );
        for (const sec of ["hasync", "nat", "dhcpd", "filter", "kea", "kea6"]) {
          assert.match(part, new RegExp(`^  ${sec}: unchanged$`, "m"), `${sec} in ${part}`);
        }
        assert.equal((part.match(/^ {4}[-+~] /gm) ?? []).length, 2, part);
      }
      const m = /--yes --expect (\S+)/.exec(r.out);
      assert.ok(m, r.out);
      expect = m[1];
    });

    it("a node edited between the preview and the apply is refused, and nothing is written", async () => {
      setAdvskew(pair.primary, "192.168.1.100", 7); // a GUI save on the primary
      await settle(pair);
      const revs = revisionCount();
      const r = await rollback("--yes", "--expect", expect);
      assert.equal(r.code, 1, r.out);
      assert.match(r.err, /E_ROLLBACK_MOVED/);
      assert.match(r.err, /node primary/);
      assert.match(r.err, /changed since the preview; nothing was written/);
      assert.deepEqual(revisionCount(), revs, "nothing written");
      setAdvskew(pair.primary, "192.168.1.100", 0); // put it back by hand
      await settle(pair);
    });

    it("rollback --yes puts the recorded sections back on both nodes, one revision on the primary", async () => {
      const preview = await rollback();
      expect = /--yes --expect (\S+)/.exec(preview.out)![1];
      const revs = revisionCount();
      const t0 = Date.now();
      const r = await rollback("--yes", "--expect", expect);
      const ms = Date.now() - t0;
      assert.equal(r.code, 0, r.err);
      await settle(pair);
      assert.deepEqual(differing(librarySections(pair.primary), beforeSecondUp.primary), []);
      assert.deepEqual(differing(librarySections(pair.secondary), beforeSecondUp.secondary), []);
      const newPrimary = pair.primary.revisions.slice(revs.primary);
      // pfSense's write_config puts the writer ("(system)@<client>") in front of the text.
      assert.deepEqual(
        newPrimary.map((x) => x.description.replace(/^\(system\)@[^:]+: /, "")),
        [
          `pfsense-ha: rollback of stack rollback to the state before its last up (revision ${revBeforeSecondUp.primary})`,
        ],
      );
      const newSecondary = pair.secondary.revisions.slice(revs.secondary);
      assert.equal(newSecondary.length, 1, JSON.stringify(newSecondary));
      for (const node of [pair.primary, pair.secondary]) {
        assert.ok(aliasNames(node).includes("gui_alias"), `${node.name} keeps the GUI alias`);
      }
      assert.match(r.out, /secondary: virtualip put back by pfSense's own HA sync/);
      assert.match(r.out, /pulumi up --refresh/);
      process.stderr.write(
        `[rollback e2e] apply ${ms} ms; secondary revisions: ${JSON.stringify(newSecondary.map((x) => x.description))}\n--- preview ---\n${preview.out}\n--- apply ---\n${r.out}${r.err}\n`,
      );
    });

    it("after the rollback, up --refresh re-applies what the program still declares", async () => {
      const plain = await stack.preview({ onOutput: log.onOutput });
      process.stderr.write(
        `[rollback e2e] plain preview after rollback: ${JSON.stringify(plain.changeSummary)}\n`,
      );
      const up = await stack.up({ refresh: true, onOutput: log.onOutput });
      assert.equal(up.summary.result, "succeeded");
      await settle(pair);
      assert.ok(carpVips(pair.primary).some((v) => v.address === "192.168.99.253"));
      assert.equal(carpVips(pair.primary).find((v) => v.address === "192.168.99.254")?.advskew, 10);
    });

    it("a failed up is rolled back to the sections before it", async () => {
      await settle(pair);
      const beforeUp = {
        primary: librarySections(pair.primary),
        secondary: librarySections(pair.secondary),
      };
      spec.extraWanVip = "192.168.1.101";
      // The first write of the up (the new WAN VIP) lands; every request after it fails.
      const armed = armAtFirst(pair.primary, "write", () => pair.primary.faults.httpError(500, 50));
      await assert.rejects(stack.up({ onOutput: log.onOutput }));
      pair.primary.faults.clear();
      assert.ok(armed.fired());
      await settle(pair);
      assert.ok(
        differing(librarySections(pair.primary), beforeUp.primary).length > 0,
        "the up wrote",
      );
      const r = await rollback("--yes");
      assert.equal(r.code, 0, r.err);
      process.stderr.write(
        `[rollback e2e] after the failed up: ${r.out
          .split("\n")
          .filter((l) => /^(primary|secondary):/.test(l))
          .join("\n")}\n`,
      );
      await settle(pair);
      assert.deepEqual(differing(librarySections(pair.primary), beforeUp.primary), []);
      assert.deepEqual(differing(librarySections(pair.secondary), beforeUp.secondary), []);
    });

    it("a section pfSense does not sync is written on the secondary directly", async () => {
      await settle(pair);
      editConfig(pair.secondary, (tree) => {
        (tree.hasync as PhpStruct).pfsyncpeerip = "172.16.1.9";
      });
      const revs = revisionCount();
      const r = await rollback("--yes");
      assert.equal(r.code, 0, r.err);
      assert.match(
        r.out,
        /secondary https[^\n]*\n(?:.*\n)*? {2}hasync:\n {4}~ revert +HA sync settings: pfsyncpeerip 172\.16\.1\.9 -> 172\.16\.1\.1/,
      );
      assert.match(r.out, /^primary: nothing to change/m);
      assert.match(r.out, /^secondary: wrote hasync/m);
      assert.equal(leaf(toStruct(pair.secondary.config().hasync).pfsyncpeerip), "172.16.1.1");
      assert.equal(pair.primary.revisions.length, revs.primary, "the primary was not written");
      const added = pair.secondary.revisions.slice(revs.secondary).map((x) => x.description);
      assert.equal(added.length, 1, JSON.stringify(added));
      assert.match(
        added[0],
        /pfsense-ha: rollback of stack rollback to the state before its last up/,
      );
    });

    it("the rollback's output and the engine's never hold a password", () => {
      for (const secret of [pair.primary.password, pair.secondary.password, spec.carpPassword]) {
        assert.equal(cliOutput.includes(secret), false, "a password in the rollback's output");
        assert.equal(log.text.includes(secret), false, "a password in the engine's output");
      }
    });
  },
);
