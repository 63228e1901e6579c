/**
 * Issue "Safe writes" through the real Pulumi engine: the node client reads with a token and
 * writes with a restore the node itself makes conditional, replaying item edits on a conflict.
 * Each scenario here ends by reading the nodes' own config.xml and checks that nothing was lost,
 * duplicated or left behind: two stacks writing one pair at once, a GUI user saving throughout
 * an up, transport faults followed by a plain up, stale and lost sync pushes, and destroy with
 * pfSense's sync running. Pairs whose sync timing matters use `syncTiming: "realistic"`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { automation } from "@pulumi/pulumi";
import { leaf, toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import {
  startPair,
  type EmulatedNode,
  type EmulatedPair,
  type FaultKind,
} from "../../sdk/emulator";
import { generateCarpPassword } from "../../sdk/plan";
import { clusterProgram, defaultSpec, pairConfig } from "./clusterProgram";
import { inlineStack, OutputLog, scratch, skipUnlessEngine, type Scratch } from "./engineHarness";
import { carpVips, comparableConfig, dhcpRange, type RawCarpVip } from "./nodeConfig";
import {
  aliasNames,
  armAtFirst,
  configureHaSyncByHand,
  duplicates,
  fleetVips,
  GuiUser,
  guiAddAlias,
  guiAddCarpVip,
  guiSetDhcpRangeEnd,
  hostRange,
  LAN,
  ProviderSampler,
  settle,
  vipFleetProgram,
  WAN,
  type VipFleet,
  writeCounter,
} from "./safeWritesHelpers";

/** Counts of non-"same" operations in an engine summary. */
function changed(summary: automation.UpdateSummary): Record<string, number> {
  return Object.fromEntries(
    Object.entries(summary.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && n > 0),
  );
}

/** The last `n` characters of an engine log, for assertion messages. */
function tail(log: OutputLog, n = 4000): string {
  return log.text.slice(-n);
}

/**
 * What an engine error says went wrong, each message once: the library's `[E_…]` errors and its
 * `[pfsense-ha …]` notices, else the engine's own `error:` lines.
 */
function errorLines(e: unknown): string {
  const text = String(e);
  const msgs = new Set<string>();
  for (const m of text.matchAll(/\[(E_[A-Z_]+)\][^\n]*?(?=\. Fix:|\n|$)/g))
    msgs.add(m[0].slice(0, 500));
  for (const m of text.matchAll(/\[pfsense-ha [^\]]*\][^\n]*/g)) msgs.add(m[0].slice(0, 500));
  if (msgs.size === 0) {
    for (const l of text.split("\n")) if (/error:/.test(l)) msgs.add(l.trim().slice(0, 500));
  }
  return [...msgs].slice(0, 12).join("\n");
}

const noticesSeen = new WeakMap<OutputLog, number>();

/** The library's `[pfsense-ha …]` notices the log gained since the last call, one line each. */
function notices(log: OutputLog, from_?: string): string {
  const from = noticesSeen.get(log) ?? 0;
  const text = log.text;
  noticesSeen.set(log, text.length);
  const found = new Set(
    [...text.slice(from).matchAll(/\[pfsense-ha [^\n]*/g)].map((m) => m[0].slice(0, 400)),
  );
  const by = from_ ? ` (from ${from_}'s process)` : "";
  return [...found].map((n) => `\n      notice${by}: ${n}`).join("");
}

/** Both nodes' config as destroy must leave it. */
function snapshot(pair: EmulatedPair): { primary: PhpStruct; secondary: PhpStruct } {
  return { primary: comparableConfig(pair.primary), secondary: comparableConfig(pair.secondary) };
}

/** Runs `fn` and returns its result with the wall time in ms. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - t0 };
}

/**
 * The fleet's VIPs on both nodes exactly as declared: every address once on each node, advskew
 * 0 on the primary and 100 on the secondary, the same uniqid and VHID on both, the uniqids the
 * stack reports, and VHIDs distinct per interface across everything the node holds.
 */
function assertFleetOnBoth(pair: EmulatedPair, fleet: VipFleet, uniqids?: string[]): void {
  const byNode = new Map<string, RawCarpVip[]>();
  for (const [node, skew] of [
    [pair.primary, 0],
    [pair.secondary, 100],
  ] as const) {
    const vips = fleetVips(node, fleet.prefix);
    const where = `${node.name}, ${fleet.prefix}`;
    assert.deepEqual(
      duplicates(vips, (v) => v.address),
      [],
      `${where}: an address twice`,
    );
    assert.deepEqual(
      vips.map((v) => v.address).sort(),
      [...fleet.addresses].sort(),
      `${where}: exactly the declared addresses`,
    );
    for (const v of vips) {
      assert.equal(v.interface, fleet.segment.interface, `${where}: ${v.address} interface`);
      assert.equal(v.advskew, skew, `${where}: ${v.address} advskew`);
    }
    const all = carpVips(node);
    for (const ifName of new Set(all.map((v) => v.interface))) {
      const onIf = all.filter((v) => v.interface === ifName);
      assert.deepEqual(
        duplicates(onIf, (v) => String(v.vhid)),
        [],
        `${node.name}: VHIDs on ${ifName} must be distinct`,
      );
    }
    byNode.set(node.name, vips);
  }
  const key = (vs: RawCarpVip[]) => vs.map((v) => `${v.address} ${v.uniqid} vhid ${v.vhid}`).sort();
  assert.deepEqual(
    key(byNode.get(pair.secondary.name)!),
    key(byNode.get(pair.primary.name)!),
    `${fleet.prefix}: the secondary holds the primary's VIPs (uniqid, VHID)`,
  );
  if (uniqids) {
    assert.deepEqual(
      byNode
        .get(pair.primary.name)!
        .map((v) => v.uniqid)
        .sort(),
      [...uniqids].sort(),
      `${fleet.prefix}: the nodes hold the VIPs recorded in the stack`,
    );
  }
}

/** A fleet stack with its log. */
interface FleetStack {
  fleet: VipFleet;
  stack: automation.Stack;
  log: OutputLog;
}

async function fleetStack(s: Scratch, pair: EmulatedPair, fleet: VipFleet): Promise<FleetStack> {
  const stack = await inlineStack(
    s,
    fleet.prefix,
    vipFleetProgram(() => fleet),
  );
  await stack.setAllConfig(pairConfig(pair.describe()));
  return { fleet, stack, log: new OutputLog() };
}

/** Awaits every operation; returns a line for each one that did not succeed. */
async function failedOps(
  ops: { name: string; log: OutputLog; run: Promise<{ summary: automation.UpdateSummary }> }[],
): Promise<string[]> {
  const results = await Promise.allSettled(ops.map((o) => o.run));
  return results.flatMap((r, i) =>
    r.status === "rejected"
      ? [`${ops[i].name} failed:\n${errorLines(r.reason)}`]
      : r.value.summary.result !== "succeeded"
        ? [`${ops[i].name}: result ${r.value.summary.result}\n${tail(ops[i].log)}`]
        : [],
  );
}

/**
 * Problems found by one test, collected so that every check runs (and is reported) even when an
 * earlier one failed; `assertNone()` then fails listing them all.
 */
class Problems {
  readonly list: string[] = [];
  add(...lines: string[]): void {
    this.list.push(...lines);
  }
  check(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.list.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  assertNone(): void {
    assert.deepEqual(this.list, [], this.list.join("\n\n"));
  }
}

/** A node's CARP VIPs, one line each, for messages. */
function vipLines(node: EmulatedNode): string[] {
  return carpVips(node).map(
    (v) => `${v.interface} ${v.address} vhid ${v.vhid} "${v.descr}" ${v.uniqid}`,
  );
}

describe("safe writes through the engine (emulated pair)", { skip: skipUnlessEngine() }, () => {
  // ---------------------------------------------------------------- scenario 1
  for (const variant of [
    { name: "no HA sync (the library writes the secondary)", hasync: false },
    { name: "HA sync of virtualip configured by hand, realistic timing", hasync: true },
  ]) {
    describe(`1. two stacks at once on one pair: ${variant.name}`, () => {
      const s = scratch("safe-two-stacks");
      let pair: EmulatedPair;
      let stacks: FleetStack[];
      let baseline: ReturnType<typeof snapshot>;
      let writes: () => string;

      before(async () => {
        pair = await startPair({
          dir: s.dir,
          syncTiming: variant.hasync ? "realistic" : "fast",
        });
        const p = writeCounter(pair.primary);
        const q = writeCounter(pair.secondary);
        writes = () => {
          const [a, b] = [p(), q()];
          return `library writes (attempted/applied): primary ${a.attempts}/${a.applied}, secondary ${b.attempts}/${b.applied}`;
        };
        if (variant.hasync) await configureHaSyncByHand(pair);
        baseline = snapshot(pair);
        const password = generateCarpPassword();
        const syncWaitSeconds = variant.hasync ? 6 : undefined;
        stacks = [
          await fleetStack(s, pair, {
            prefix: "stack-a",
            segment: WAN,
            addresses: hostRange("192.168.1", 100, 32),
            password,
            syncWaitSeconds,
          }),
          await fleetStack(s, pair, {
            prefix: "stack-b",
            segment: LAN,
            addresses: hostRange("192.168.99", 200, 32),
            password,
            syncWaitSeconds,
          }),
        ];
      });
      after(async () => {
        await pair?.stop();
        s.cleanup();
      });

      for (const round of [1, 2]) {
        it(`round ${round}: both ups at once put all 64 VIPs on both nodes, once each`, async () => {
          // Two writer processes: each `stack.up()` runs its own `pulumi` CLI, and the engine of
          // each operation starts its own dynamic-provider plugin process (the inline program
          // runs here, in a per-run async-local store, but every create/delete runs in that
          // plugin; @pulumi/pulumi automation/server.js, cmd/dynamic-provider). The library's
          // per-node session and lock are module state of that process (sdk/pfsense/session.ts),
          // so the two stacks share nothing but the nodes. The sampler below checks it.
          // One caveat of inline programs: the Automation API's per-run uncaught-error handlers
          // are process-wide, so when one stack's engine stops early, the other's program can
          // also end with "Resource monitor is terminating" (collateral, not a second cause).
          const problems = new Problems();
          const sampler = new ProviderSampler().start(100);
          const t0 = Date.now();
          problems.add(
            ...(await failedOps(
              stacks.map((f) => ({
                name: `up ${f.fleet.prefix}`,
                log: f.log,
                run: f.stack.up({ onOutput: f.log.onOutput }),
              })),
            )),
          );
          sampler.stop();
          const clis = new Set(sampler.widest.map((p) => p.cliPid));
          console.log(
            `  [round ${round}] both ups: ${Date.now() - t0} ms; ${writes()}; at most ` +
              `${sampler.widest.length} provider processes alive at once, under ${clis.size} CLIs` +
              stacks.map((f) => notices(f.log, f.fleet.prefix)).join(""),
          );
          if (round === 1) {
            problems.check("writer processes", () =>
              assert.ok(
                sampler.widest.length >= 2 && clis.size >= 2,
                `two provider processes under two CLIs at once: ${JSON.stringify(sampler.widest)}`,
              ),
            );
          }
          await settle(pair);
          for (const f of stacks) {
            const uniqids = (await f.stack.outputs()).uniqids?.value as string[] | undefined;
            problems.check(f.fleet.prefix, () => assertFleetOnBoth(pair, f.fleet, uniqids));
          }
          for (const node of [pair.primary, pair.secondary]) {
            problems.check(node.name, () =>
              assert.equal(
                carpVips(node).length,
                64,
                `64 CARP VIPs and no others:\n${vipLines(node).join("\n")}`,
              ),
            );
          }
          problems.assertNone();
        });

        it(`round ${round}: both destroys at once leave both nodes as before`, async () => {
          const problems = new Problems();
          const t0 = Date.now();
          problems.add(
            ...(await failedOps(
              stacks.map((f) => ({
                name: `destroy ${f.fleet.prefix}`,
                log: f.log,
                run: f.stack.destroy({ onOutput: f.log.onOutput }),
              })),
            )),
          );
          console.log(
            `  [round ${round}] both destroys: ${Date.now() - t0} ms; ${writes()}` +
              stacks.map((f) => notices(f.log, f.fleet.prefix)).join(""),
          );
          await settle(pair);
          for (const node of [pair.primary, pair.secondary]) {
            problems.check(node.name, () =>
              assert.deepEqual(vipLines(node), [], "no CARP VIP left"),
            );
          }
          problems.check("both nodes", () =>
            assert.deepEqual(snapshot(pair), baseline, "config as before the ups"),
          );
          problems.assertNone();
        });
      }
    });
  }

  // ---------------------------------------------------------------- scenario 2
  describe("2. a GUI user saving on the primary throughout up, up and destroy", () => {
    const s = scratch("safe-gui");
    let pair: EmulatedPair;

    before(async () => {
      pair = await startPair({ dir: s.dir });
    });
    after(async () => {
      await pair?.stop();
      s.cleanup();
    });

    /** The system-section saves `concurrentEditAfterRead` made so far (emulator counter). */
    const guiSystemEdits = (node: EmulatedNode): number =>
      Number(leaf(toStruct(node.config().system).emulator_gui_edits) || "0");

    /**
     * Runs up, up and destroy of a 4-VIP LAN stack at `first`.. while `tick` saves on the primary
     * every `everyMs` (default 50) and `concurrentEditAfterRead` saves right after reads; after each operation
     * `check` looks for the GUI's items. Every step runs and is checked even when an earlier one
     * failed (the GUI keeps saving), and the test then fails listing all problems.
     */
    async function underGuiEdits(
      prefix: string,
      first: number,
      tick: (n: number) => void,
      check: (when: string) => void,
      everyMs = 50,
    ): Promise<void> {
      const fleet: VipFleet = {
        prefix,
        segment: LAN,
        addresses: hostRange("192.168.99", first, 4),
        password: generateCarpPassword(),
      };
      const f = await fleetStack(s, pair, fleet);
      const systemEdits0 = guiSystemEdits(pair.primary);
      const writes = writeCounter(pair.primary);
      const problems = new Problems();
      const soft = (what: string, fn: () => void): void => problems.check(what, fn);
      let fired = 0;
      const run = async (
        what: string,
        op: () => Promise<{ summary: automation.UpdateSummary }>,
      ): Promise<{ summary: automation.UpdateSummary } | undefined> => {
        pair.primary.faults.concurrentEditAfterRead(8);
        const gui = new GuiUser(everyMs, tick).start();
        let result: { summary: automation.UpdateSummary } | undefined;
        let failure: string | undefined;
        try {
          result = await op();
          if (result.summary.result !== "succeeded") failure = `result ${result.summary.result}`;
        } catch (e) {
          failure = errorLines(e);
        } finally {
          gui.stop();
        }
        fired += 8 - pair.primary.faults.pending("concurrentEdit");
        pair.primary.faults.clear();
        const w = writes();
        console.log(
          `  [${prefix}] ${what}: ${failure ? "FAILED" : "succeeded"}; ${gui.ticks} timed GUI saves, ` +
            `${fired} saves after reads so far; library writes attempted/applied ${w.attempts}/${w.applied}` +
            notices(f.log),
        );
        soft(what, () => assert.ok(gui.ticks > 0, "the GUI user saved during the operation"));
        soft(what, () =>
          assert.equal(
            guiSystemEdits(pair.primary) - systemEdits0,
            fired,
            "every system-section save after a read is kept",
          ),
        );
        soft(what, () => check(what));
        if (failure) problems.add(`${what} did not succeed:\n${failure}`);
        return failure ? undefined : result;
      };

      if (await run("up", () => f.stack.up({ onOutput: f.log.onOutput }))) {
        const outs = await f.stack.outputs();
        soft("up", () => assertFleetOnBoth(pair, fleet, outs.uniqids.value as string[]));
      }
      const up2 = await run("second up", () => f.stack.up({ onOutput: f.log.onOutput }));
      if (up2) {
        const outs = await f.stack.outputs();
        soft("second up", () =>
          assert.deepEqual(changed(up2.summary), {}, "the second up changes nothing"),
        );
        soft("second up", () => assertFleetOnBoth(pair, fleet, outs.uniqids.value as string[]));
      }
      if (await run("destroy", () => f.stack.destroy({ onOutput: f.log.onOutput }))) {
        for (const node of [pair.primary, pair.secondary]) {
          soft("destroy", () =>
            assert.deepEqual(
              fleetVips(node, prefix),
              [],
              `${node.name}: the stack's VIPs are gone`,
            ),
          );
        }
      }
      await f.stack.workspace.removeStack(prefix, { force: true });
      problems.assertNone();
    }

    it("hand-made CARP VIPs added (and renamed) on the primary all survive", async () => {
      // The GUI adds a CARP VIP per save, alternating LAN (the stack's interface, so VHIDs race)
      // and WAN; past 100 VIPs it renames one instead (still a save of the virtualip section).
      const made = new Map<string, RawCarpVip>();
      let lan = 0;
      let wan = 0;
      const tick = (n: number): void => {
        if (made.size >= 100) {
          const all = [...made.values()];
          const v = all[n % all.length];
          const descr = `GUI VIP renamed at save ${n}`;
          const tree = pair.primary.config();
          const vip = toList(toStruct(tree.virtualip).vip)
            .map((x) => toStruct(x))
            .find((x) => leaf(x.uniqid) === v.uniqid);
          assert.ok(vip, `hand-made VIP ${v.uniqid} is on the primary before renaming it`);
          vip.descr = descr;
          pair.primary.writeConfigAs(tree, "Firewall: Virtual IPs: edit");
          made.set(v.uniqid, { ...v, descr });
          return;
        }
        const v =
          n % 2 === 0 && lan < 60
            ? guiAddCarpVip(pair.primary, LAN, `192.168.99.${30 + lan++}`, `GUI VIP ${n}`)
            : guiAddCarpVip(pair.primary, WAN, `192.168.1.${10 + wan++}`, `GUI VIP ${n}`);
        made.set(v.uniqid, v);
      };
      const check = (when: string): void => {
        const onNode = carpVips(pair.primary);
        const missing = [...made.values()].filter(
          (m) => !onNode.some((v) => JSON.stringify(v) === JSON.stringify(m)),
        );
        assert.deepEqual(missing, [], `after ${when}: every hand-made VIP, unchanged`);
        assert.deepEqual(
          duplicates(onNode, (v) => v.uniqid),
          [],
          `after ${when}: a uniqid twice on the primary`,
        );
        for (const ifName of ["lan", "wan"]) {
          assert.deepEqual(
            duplicates(
              onNode.filter((v) => v.interface === ifName),
              (v) => String(v.vhid),
            ),
            [],
            `after ${when}: VHIDs on ${ifName} distinct (hand-made and the stack's)`,
          );
        }
      };
      // A save of the stack's own section every 50 ms for the whole run starves any
      // compare-and-swap under CI load (the library then refuses with E_CONCURRENT_EDIT and
      // loses nothing); every 200 ms is still several saves racing each write.
      await underGuiEdits("gui-vips", 20, tick, check, 200);
      assert.ok(made.size > 0);
    });

    it("saves to unrelated sections (aliases, DHCP range, system) all survive", async () => {
      const aliases: string[] = [];
      let rangeEnd = dhcpRange(pair.primary, "lan").to;
      const tick = (n: number): void => {
        if (n % 2 === 0) {
          const name = `gui_host_${n}`;
          guiAddAlias(pair.primary, name, `10.9.${Math.floor(n / 250)}.${n % 250}`);
          aliases.push(name);
        } else {
          rangeEnd = `192.168.99.${150 + (n % 50)}`;
          guiSetDhcpRangeEnd(pair.primary, "lan", rangeEnd);
        }
      };
      const check = (when: string): void => {
        const names = new Set(aliasNames(pair.primary));
        assert.deepEqual(
          aliases.filter((a) => !names.has(a)),
          [],
          `after ${when}: every alias the GUI added`,
        );
        assert.equal(dhcpRange(pair.primary, "lan").to, rangeEnd, `after ${when}: DHCP range end`);
      };
      await underGuiEdits("gui-other", 24, tick, check);
    });
  });

  // ---------------------------------------------------------------- scenario 3
  describe("3. a transport fault during up, then a plain up (no refresh)", () => {
    const s = scratch("safe-faults");
    let pair: EmulatedPair;

    before(async () => {
      pair = await startPair({ dir: s.dir });
    });
    after(async () => {
      await pair?.stop();
      s.cleanup();
    });

    // Faults the node takes after running the method are armed as the up's first write starts,
    // so they hit that write (it lands, its reply is lost). Those it takes before running any
    // method are armed at the up's first read and hit the node's next request, a read or a write.
    const cases: {
      name: string;
      kind: FaultKind;
      at: "read" | "write";
      arm: (n: EmulatedNode) => void;
    }[] = [
      {
        name: "dropConnections(1) on the request after the up's first read",
        kind: "drop",
        at: "read",
        arm: (n) => n.faults.dropConnections(1),
      },
      {
        name: "dropConnections(1, {afterProcessing: true}) on the up's first write",
        kind: "dropAfter",
        at: "write",
        arm: (n) => n.faults.dropConnections(1, { afterProcessing: true }),
      },
      {
        name: "httpError(500) on the request after the up's first read",
        kind: "http500",
        at: "read",
        arm: (n) => n.faults.httpError(500),
      },
      {
        name: "httpError(504) on the up's first write",
        kind: "http504",
        at: "write",
        arm: (n) => n.faults.httpError(504),
      },
    ];

    cases.forEach((c, i) => {
      it(`${c.name}: the next up converges, destroy restores the nodes`, async () => {
        const fleet: VipFleet = {
          prefix: `fault-${i}`,
          segment: LAN,
          addresses: hostRange("192.168.99", 20 + 4 * i, 4),
          password: generateCarpPassword(),
        };
        const before_ = snapshot(pair);
        const f = await fleetStack(s, pair, fleet);
        let armed = false;
        const arm = () => {
          armed = true;
          c.arm(pair.primary);
        };
        armAtFirst(pair.primary, c.at, arm);
        let first: string;
        try {
          const r = await f.stack.up({ onOutput: f.log.onOutput });
          first = `result ${r.summary.result}, ${JSON.stringify(changed(r.summary))}`;
        } catch (e) {
          first = `failed:\n${errorLines(e)}`;
        }
        const pending = pair.primary.faults.pending(c.kind);
        pair.primary.faults.clear();
        console.log(`  [${fleet.prefix}] ${c.name}: first up ${first}${notices(f.log)}`);
        assert.ok(armed, "the fault was armed during the up");
        assert.equal(pending, 0, `the ${c.kind} fault fired during the up`);

        const second = await f.stack.up({ onOutput: f.log.onOutput });
        assert.equal(second.summary.result, "succeeded", tail(f.log));
        assertFleetOnBoth(pair, fleet, (await f.stack.outputs()).uniqids.value as string[]);
        assert.equal(
          carpVips(pair.primary).length,
          fleet.addresses.length,
          `primary: only the declared VIPs: ${JSON.stringify(carpVips(pair.primary))}`,
        );
        assert.equal(
          carpVips(pair.secondary).length,
          fleet.addresses.length,
          `secondary: only the declared VIPs: ${JSON.stringify(carpVips(pair.secondary))}`,
        );

        const d = await f.stack.destroy({ onOutput: f.log.onOutput });
        const later = notices(f.log);
        if (later) console.log(`  [${fleet.prefix}] second up and destroy:${later}`);
        assert.equal(d.summary.result, "succeeded", tail(f.log));
        assert.deepEqual(snapshot(pair), before_, "destroy leaves both nodes as before the up");
        await f.stack.workspace.removeStack(fleet.prefix, { force: true });
      });
    });
  });

  // ---------------------------------------------------------------- scenario 4
  describe("4. stale and dropped sync pushes (realistic timing, virtualip synced)", () => {
    const s = scratch("safe-sync");
    let pair: EmulatedPair;

    before(async () => {
      pair = await startPair({ dir: s.dir, syncTiming: "realistic" });
      await configureHaSyncByHand(pair);
    });
    after(async () => {
      await pair?.stop();
      s.cleanup();
    });

    for (const variant of [
      { name: "every push delivered", drop: false },
      { name: "dropSyncPush(1) armed before up and before destroy", drop: true },
    ]) {
      it(`${variant.name}: the secondary ends with exactly the stack's VIPs, then none`, async () => {
        const fleet: VipFleet = {
          prefix: variant.drop ? "sync-drop" : "sync",
          segment: WAN,
          addresses: hostRange("192.168.1", variant.drop ? 120 : 110, 4),
          password: generateCarpPassword(),
          // A lost push is waited for this long before the library writes the secondary itself.
          syncWaitSeconds: 3,
        };
        const before_ = snapshot(pair);
        const f = await fleetStack(s, pair, fleet);
        const runs0 = pair.primary.syncRuns;

        if (variant.drop) pair.primary.faults.dropSyncPush(1);
        const up = await timed(() => f.stack.up({ onOutput: f.log.onOutput }));
        assert.equal(up.value.summary.result, "succeeded", tail(f.log));
        await settle(pair);
        const runs1 = pair.primary.syncRuns;
        if (variant.drop) {
          assert.equal(runs1.dropped - runs0.dropped, 1, "the armed push was dropped during up");
        }
        assertFleetOnBoth(pair, fleet, (await f.stack.outputs()).uniqids.value as string[]);

        if (variant.drop) pair.primary.faults.dropSyncPush(1);
        const d = await timed(() => f.stack.destroy({ onOutput: f.log.onOutput }));
        assert.equal(d.value.summary.result, "succeeded", tail(f.log));
        await settle(pair);
        const runs2 = pair.primary.syncRuns;
        console.log(
          `  [${fleet.prefix}] up ${up.ms} ms, destroy ${d.ms} ms; primary sync runs during up ` +
            `${JSON.stringify(diffRuns(runs1, runs0))}, during destroy ${JSON.stringify(diffRuns(runs2, runs1))}` +
            notices(f.log),
        );
        if (variant.drop) {
          assert.equal(
            runs2.dropped - runs1.dropped,
            1,
            "the armed push was dropped during destroy",
          );
        }
        assert.deepEqual(fleetVips(pair.secondary, fleet.prefix), [], "secondary: no VIP left");
        assert.deepEqual(fleetVips(pair.primary, fleet.prefix), [], "primary: no VIP left");
        assert.deepEqual(snapshot(pair), before_, "destroy leaves both nodes as before the up");
        await f.stack.workspace.removeStack(fleet.prefix, { force: true });
      });
    }
  });

  // ---------------------------------------------------------------- scenario 5
  describe("5. destroy of the cluster program with HaSyncSettings in the stack (realistic)", () => {
    const s = scratch("safe-cluster-destroy");
    let pair: EmulatedPair;

    before(async () => {
      pair = await startPair({ dir: s.dir, syncTiming: "realistic" });
    });
    after(async () => {
      await pair?.stop();
      s.cleanup();
    });

    it("up, then destroy: nothing of the stack remains on the secondary", async () => {
      const before_ = snapshot(pair);
      const spec = defaultSpec(generateCarpPassword());
      const log = new OutputLog();
      const stack = await inlineStack(
        s,
        "cluster",
        clusterProgram(() => spec),
      );
      await stack.setAllConfig(pairConfig(pair.describe()));
      const up = await timed(() => stack.up({ onOutput: log.onOutput }));
      assert.equal(up.value.summary.result, "succeeded", tail(log));
      await settle(pair);
      const stackVips = carpVips(pair.primary).filter((v) =>
        [spec.wanVip, spec.lanVip].includes(v.address),
      );
      assert.equal(stackVips.length, 2, `the stack's two VIPs on the primary after up`);
      const onSecondary = carpVips(pair.secondary).filter((v) =>
        stackVips.some((p) => p.uniqid === v.uniqid),
      );
      assert.equal(onSecondary.length, 2, "and on the secondary");

      const d = await timed(() => stack.destroy({ onOutput: log.onOutput }));
      assert.equal(d.value.summary.result, "succeeded", tail(log));
      await settle(pair);
      console.log(`  [cluster] up ${up.ms} ms, destroy ${d.ms} ms${notices(log)}`);
      const left = (node: EmulatedNode) =>
        carpVips(node).filter(
          (v) =>
            stackVips.some((p) => p.uniqid === v.uniqid) ||
            [spec.wanVip, spec.lanVip].includes(v.address),
        );
      assert.deepEqual(left(pair.secondary), [], "secondary: no CARP VIP of the stack");
      assert.deepEqual(left(pair.primary), [], "primary: no CARP VIP of the stack");
      assert.deepEqual(snapshot(pair), before_, "destroy leaves both nodes as before the up");
    });
  });
});

/** Counter differences of two `syncRuns` readings. */
function diffRuns<T extends object>(later: T, earlier: T): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(later)) {
    const d = (v as number) - ((earlier as Record<string, number>)[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}
