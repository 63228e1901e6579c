/**
 * Through the real engine against the emulated pair: SyncInterfaceRules beside HaSyncSettings.
 * Ground truth is each node's config.xml `filter`:
 * - rules synced by pfSense (`areas` all): up puts the four rules on both nodes after the
 *   hand-made rules, which stay in place, member for member and in order; both nodes' filters
 *   are then identical (pfSense's push copied the primary's whole section); the preview shows
 *   the derived rules; a second up changes nothing (no resource change, no new revision);
 *   destroy removes only the owned rules;
 * - rules not synced (`areas` without `rules`): the library writes the secondary itself, which
 *   keeps its own rule beside the four.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { automation } from "@pulumi/pulumi";
import * as ha from "../../sdk";
import { leaf, toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { startPair, type EmulatedNode, type EmulatedPair } from "../../sdk/emulator";
import type { SyncArea } from "../../sdk/plan/model";
import { pairConfig, stackNodes } from "./clusterProgram";
import { inlineStack, OutputLog, scratch, skipUnlessEngine } from "./engineHarness";
import { editConfig } from "./nodeConfig";
import { writeFileSync } from "node:fs";

/** Who delivered the secondary's rules, from the stack's state. */
async function syncedBy(stack: automation.Stack): Promise<string> {
  const state = await stack.exportStack();
  const res = (state.deployment.resources ?? []) as {
    type: string;
    outputs?: { syncedBy?: string };
  }[];
  return (
    res.find((r) => r.type === "pfsense-ha:index:SyncInterfaceRulesConfig")?.outputs?.syncedBy ?? ""
  );
}

/** With SYNC_RULES_CAPTURE=<file>, the engine's output is kept (the README's excerpts). */
function capture(name: string, text: string): void {
  const f = process.env.SYNC_RULES_CAPTURE;
  if (f) writeFileSync(`${f}.${name}.txt`, text);
}

/** Hand-made rules, as a 2.7.2 GUI stores them (one with members the library does not model). */
const HAND_MADE: PhpStruct[] = [
  {
    id: "",
    tracker: "1700000042",
    type: "block",
    interface: "opt1",
    ipprotocol: "inet",
    statetype: "keep state",
    protocol: "tcp",
    source: { any: "" },
    destination: { network: "(self)", port: "22" },
    log: "",
    descr: "no ssh on the sync link",
    created: { time: "1700000042", username: "admin@10.0.0.9 (Local Database)" },
  },
  {
    tracker: "1700000043",
    type: "pass",
    interface: "opt1",
    ipprotocol: "inet",
    protocol: "icmp",
    icmptype: "echoreq",
    source: { network: "opt1" },
    destination: { any: "" },
    descr: "ping on the sync link",
  },
];

const SECONDARY_OWN: PhpStruct = {
  tracker: "1700000077",
  type: "pass",
  interface: "lan",
  source: { any: "" },
  destination: { any: "" },
  descr: "secondary's own rule",
};

const rules = (n: EmulatedNode): PhpStruct[] =>
  toList(toStruct(n.config().filter).rule).map((r) => toStruct(r));

const owned = (n: EmulatedNode): PhpStruct[] =>
  rules(n).filter((r) => leaf(toStruct(r.created).username).startsWith("pulumi-pfsense-ha:sync-"));

function addRules(n: EmulatedNode, extra: PhpStruct[]): void {
  editConfig(n, (tree) => {
    const f = toStruct(tree.filter);
    f.rule = [...toList(f.rule), ...structuredClone(extra)];
    tree.filter = f;
  });
}

/** The four rules as a network engineer reads them: interface, proto, from → to:port. */
function shape(r: PhpStruct): string {
  const s = toStruct(r.source);
  const d = toStruct(r.destination);
  const port = d.port !== undefined ? `:${leaf(d.port)}` : "";
  return `${leaf(r.interface)} ${leaf(r.type)} ${leaf(r.protocol)} ${leaf(s.address)} -> ${leaf(d.address)}${port}`;
}

const EXPECTED = [
  "opt1 pass pfsync 172.16.1.2 -> 172.16.1.1",
  "opt1 pass tcp 172.16.1.2 -> 172.16.1.1:443",
  "opt1 pass pfsync 172.16.1.1 -> 172.16.1.2",
  "opt1 pass tcp 172.16.1.1 -> 172.16.1.2:443",
];

function program(pair: EmulatedPair, areas: SyncArea[] | undefined): automation.PulumiFn {
  return async () => {
    const cluster = new ha.Cluster({ ...stackNodes(), syncWaitSeconds: 3 });
    const sync = new ha.HaSyncSettings("sync", {
      cluster,
      syncInterface: "opt1",
      username: pair.secondary.username,
      password: pair.secondary.password,
      areas,
    });
    const r = new ha.SyncInterfaceRules("sync-rules", { cluster, hasync: sync });
    return { rules: r.rules, rulesetId: r.rulesetId };
  };
}

describe(
  "SyncInterfaceRules through the engine (rules synced by pfSense)",
  { skip: skipUnlessEngine() },
  () => {
    const s = scratch("e2e-sync-rules");
    let pair: EmulatedPair;
    let stack: automation.Stack;
    let before0: { primary: PhpStruct[]; secondary: PhpStruct[] };

    before(async () => {
      pair = await startPair({ dir: s.dir });
      // The same hand-made rules on both (so the first push of `rules` loses nothing).
      addRules(pair.primary, HAND_MADE);
      addRules(pair.secondary, HAND_MADE);
      before0 = { primary: rules(pair.primary), secondary: rules(pair.secondary) };
      stack = await inlineStack(s, "sync-rules", program(pair, undefined));
      await stack.setAllConfig(pairConfig(pair.describe()));
    });
    after(async () => {
      await pair?.stop();
      s.cleanup();
    });

    it("preview shows the derived rules", async () => {
      const out = new OutputLog();
      await stack.preview({ onOutput: out.onOutput, diff: true });
      capture("preview", out.text);
      assert.match(out.text, /pfsense-ha:index:SyncInterfaceRulesConfig/);
      assert.match(
        out.text,
        /opt1 pass inet pfsync from 172\.16\.1\.2 to 172\.16\.1\.1 \(pfsync-primary\)/,
      );
      assert.match(
        out.text,
        /opt1 pass inet tcp from 172\.16\.1\.1 to 172\.16\.1\.2 port 443 \(gui-secondary\)/,
      );
      assert.match(out.text, /primaryGuiPort\s*:\s*"443"/);
      assert.equal(owned(pair.primary).length, 0, "preview writes nothing");
    });

    it("up: the four rules on both nodes after the hand-made ones, which stay as they were", async () => {
      const log = new OutputLog();
      const up = await stack.up({ onOutput: log.onOutput });
      capture("up", log.text);
      capture("primary-filter", JSON.stringify(rules(pair.primary), null, 2));
      assert.equal(await syncedBy(stack), "pfsense", "pfSense's push delivered the rules");
      assert.equal(up.summary.result, "succeeded");
      await pair.primary.syncIdle();
      for (const role of ["primary", "secondary"] as const) {
        const n = pair[role];
        const all = rules(n);
        assert.deepEqual(
          all.slice(0, before0[role].length),
          before0[role],
          `${role}: others in place`,
        );
        assert.deepEqual(
          all.slice(before0[role].length).map(shape),
          EXPECTED,
          `${role}: the four rules`,
        );
        for (const r of owned(n)) assert.equal(r.nosync, undefined);
      }
      // pfSense's push copied the primary's filter: both nodes hold the same section.
      assert.deepEqual(rules(pair.secondary), rules(pair.primary));
      const trackers = owned(pair.primary).map((r) => leaf(r.tracker));
      assert.equal(
        new Set([...trackers, ...before0.primary.map((r) => leaf(r.tracker))]).size,
        4 + before0.primary.length,
        "trackers unique",
      );
      assert.deepEqual((up.outputs.rules.value as string[]).length, 4);
    });

    it("a second up changes nothing", async () => {
      const revP = pair.primary.revisions.length;
      const revS = pair.secondary.revisions.length;
      const snapshot = JSON.stringify([rules(pair.primary), rules(pair.secondary)]);
      const up = await stack.up();
      const changes = up.summary.resourceChanges ?? {};
      assert.deepEqual(
        Object.keys(changes).filter((k) => k !== "same"),
        [],
        JSON.stringify(changes),
      );
      await pair.primary.syncIdle();
      assert.equal(pair.primary.revisions.length, revP, "no write to the primary");
      assert.equal(pair.secondary.revisions.length, revS, "no write to the secondary");
      assert.equal(JSON.stringify([rules(pair.primary), rules(pair.secondary)]), snapshot);
    });

    it("destroy removes only the owned rules", async () => {
      await stack.destroy();
      await pair.primary.syncIdle();
      assert.deepEqual(rules(pair.primary), before0.primary);
      assert.deepEqual(rules(pair.secondary), before0.secondary);
    });
  },
);

describe(
  "SyncInterfaceRules through the engine (rules not synced)",
  { skip: skipUnlessEngine() },
  () => {
    const s = scratch("e2e-sync-rules-direct");
    let pair: EmulatedPair;
    let stack: automation.Stack;
    let before0: { primary: PhpStruct[]; secondary: PhpStruct[] };

    before(async () => {
      pair = await startPair({ dir: s.dir });
      addRules(pair.primary, HAND_MADE);
      addRules(pair.secondary, [...HAND_MADE, SECONDARY_OWN]);
      before0 = { primary: rules(pair.primary), secondary: rules(pair.secondary) };
      stack = await inlineStack(s, "sync-rules-direct", program(pair, ["nat", "virtualip"]));
      await stack.setAllConfig(pairConfig(pair.describe()));
    });
    after(async () => {
      await pair?.stop();
      s.cleanup();
    });

    it("up writes the secondary itself: its own rule stays, the four are appended; destroy gives both back", async () => {
      const up = await stack.up();
      assert.equal(up.summary.result, "succeeded");
      await pair.primary.syncIdle();
      for (const role of ["primary", "secondary"] as const) {
        const all = rules(pair[role]);
        assert.deepEqual(
          all.slice(0, before0[role].length),
          before0[role],
          `${role}: others in place`,
        );
        assert.deepEqual(
          all.slice(before0[role].length).map(shape),
          EXPECTED,
          `${role}: the four rules`,
        );
      }
      assert.deepEqual(
        owned(pair.secondary),
        owned(pair.primary),
        "the same four rules, trackers too",
      );
      assert.equal(await syncedBy(stack), "library");
      const again = await stack.up();
      assert.deepEqual(
        Object.keys(again.summary.resourceChanges ?? {}).filter((k) => k !== "same"),
        [],
      );
      await stack.destroy();
      await pair.primary.syncIdle();
      assert.deepEqual(rules(pair.primary), before0.primary);
      assert.deepEqual(rules(pair.secondary), before0.secondary);
    });
  },
);
