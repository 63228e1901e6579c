/**
 * SyncInterfaceRules' pure parts: the four rules derived from the sync settings and GUI ports,
 * the same on both nodes and right on each after pfSense's sync copies the primary's filter; the
 * GUI port default; the marker; in-place updates that keep tracker, created and extras.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { FilterRule } from "../../sdk/plan";
import { isHaError } from "../../sdk/plan/errors";
import {
  deriveSyncRules,
  desiredFilterRule,
  filterRuleIdOf,
  freeTracker,
  guiPortOf,
  ownedKey,
  ruleLine,
  validateSyncRules,
  type SyncRulesInputs,
} from "../../sdk/providers/syncRulesSpec";

const D = {
  syncInterface: "opt1",
  primarySyncAddress: "172.16.1.1",
  secondarySyncAddress: "172.16.1.2",
  primaryGuiPort: "443",
  secondaryGuiPort: "8443",
};

/** Does a rule list pass `proto` from `src` to `dst`:`port` on `ifName` (first match, pass)? */
function passes(
  rules: FilterRule[],
  ifName: string,
  proto: string,
  src: string,
  dst: string,
  port?: string,
): boolean {
  return rules.some(
    (r) =>
      r.type === "pass" &&
      r.interface === ifName &&
      r.protocol === proto &&
      r.source.address === src &&
      r.destination.address === dst &&
      (port === undefined || r.destination.port === port),
  );
}

test("four rules: pfsync and the GUI port, from each node's peer to the node itself", () => {
  const rules = deriveSyncRules(D).map((p, i) =>
    desiredFilterRule(p, "sync-1", String(i), undefined, () => 5),
  );
  // Both nodes hold this list (pfSense's sync copies the primary's filter whole).
  // On the primary (172.16.1.1): from the secondary, to its own address and GUI port.
  assert.ok(passes(rules, "opt1", "pfsync", "172.16.1.2", "172.16.1.1"));
  assert.ok(passes(rules, "opt1", "tcp", "172.16.1.2", "172.16.1.1", "443"));
  // On the secondary (172.16.1.2): from the primary, to its own address and its own GUI port.
  assert.ok(passes(rules, "opt1", "pfsync", "172.16.1.1", "172.16.1.2"));
  assert.ok(passes(rules, "opt1", "tcp", "172.16.1.1", "172.16.1.2", "8443"));
  for (const r of rules) {
    assert.equal(r.ipProtocol, "inet");
    assert.equal(
      r.nosync,
      undefined,
      "never nosync: the full replace would delete the secondary's copy",
    );
    assert.equal(r.destination.any, undefined);
  }
  assert.deepEqual(deriveSyncRules(D).map(ruleLine), [
    "opt1 pass inet pfsync from 172.16.1.2 to 172.16.1.1 (pfsync-primary)",
    "opt1 pass inet tcp from 172.16.1.2 to 172.16.1.1 port 443 (gui-primary)",
    "opt1 pass inet pfsync from 172.16.1.1 to 172.16.1.2 (pfsync-secondary)",
    "opt1 pass inet tcp from 172.16.1.1 to 172.16.1.2 port 8443 (gui-secondary)",
  ]);
});

test("IPv6 sync addresses give inet6 rules", () => {
  const six = deriveSyncRules({
    ...D,
    primarySyncAddress: "fd00::1",
    secondarySyncAddress: "fd00::2",
  });
  assert.ok(six.every((p) => p.ipProtocol === "inet6"));
});

test("GUI port: system/webgui/port, else 443 (https) or 80 (http)", () => {
  assert.equal(guiPortOf({ webgui: { protocol: "https" } }), "443");
  assert.equal(guiPortOf({ webgui: { protocol: "https", port: "" } }), "443");
  assert.equal(guiPortOf({ webgui: { protocol: "http" } }), "80");
  assert.equal(guiPortOf({ webgui: { protocol: "https", port: "8443" } }), "8443");
  assert.equal(guiPortOf(undefined), "443");
});

test("marker: created/username names the rule set and key; others' rules are not owned", () => {
  const [p] = deriveSyncRules(D);
  const r = desiredFilterRule(p, "sync-ab", "1800000000", undefined, () => 7);
  assert.deepEqual(r.extra?.created, {
    time: "7",
    username: "pulumi-pfsense-ha:sync-ab/pfsync-primary",
  });
  assert.equal(filterRuleIdOf(r), "sync-ab/pfsync-primary");
  assert.equal(ownedKey(r, "sync-ab"), "pfsync-primary");
  assert.equal(ownedKey(r, "sync-other"), undefined);
  const gui: FilterRule = { ...r, extra: { created: { time: "1", username: "admin@10.0.0.1" } } };
  assert.equal(filterRuleIdOf(gui), undefined);
});

test("update in place: an unchanged rule comes back as it was; a change keeps tracker, created and extras and gets updated", () => {
  const [p, g] = deriveSyncRules(D);
  const made = desiredFilterRule(g, "s", "1800000001", undefined, () => 10);
  const withLog: FilterRule = { ...made, extra: { ...made.extra, log: "" } };
  assert.equal(
    desiredFilterRule(g, "s", "x", withLog, () => 20),
    withLog,
    "nothing to write",
  );
  const moved = desiredFilterRule({ ...g, port: "9443" }, "s", "x", withLog, () => 30);
  assert.equal(moved.tracker, "1800000001");
  assert.deepEqual(moved.extra?.created, made.extra?.created);
  assert.equal(moved.extra?.log, "");
  assert.deepEqual(moved.extra?.updated, {
    time: "30",
    username: "pulumi-pfsense-ha:s/gui-primary",
  });
  assert.equal(moved.destination.port, "9443");
  // Disabled in the GUI: enabled again (drift repaired).
  const off = desiredFilterRule(p, "s", "x", {
    ...desiredFilterRule(p, "s", "1", undefined),
    disabled: true,
  });
  assert.equal(off.disabled, undefined);
});

test("trackers: never one a rule already carries", () => {
  const rules = [{ tracker: "100" }, { tracker: "101" }] as FilterRule[];
  assert.equal(freeTracker(rules, new Set(["102"]), 100), "103");
});

test("validation: addresses, distinct, same family", () => {
  const base: SyncRulesInputs = {
    primary: { url: "https://a", username: "u", password: "p" },
    secondary: { url: "https://b", username: "u", password: "p" },
    name: "r",
    syncInterface: "opt1",
  };
  const code = (i: Partial<SyncRulesInputs>) => {
    try {
      validateSyncRules({ ...base, ...i });
      return "ok";
    } catch (e) {
      assert.ok(isHaError(e));
      return e.code;
    }
  };
  assert.equal(code({}), "ok");
  assert.equal(code({ syncInterface: "" }), "E_INVALID_INPUT");
  assert.equal(code({ primarySyncAddress: "node-a" }), "E_INVALID_ADDRESS");
  assert.equal(
    code({ primarySyncAddress: "172.16.1.1", secondarySyncAddress: "172.16.1.1" }),
    "E_INVALID_INPUT",
  );
  assert.equal(
    code({ primarySyncAddress: "172.16.1.1", secondarySyncAddress: "fd00::2" }),
    "E_INVALID_INPUT",
  );
});
