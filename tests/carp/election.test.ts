/**
 * Real CARP: the planner's values (VHIDs, advbase, both skews, passwords) drive ucarp peers in
 * private network namespaces (design/ucarp-notes.md). The primary must win every VHID, hand each
 * one to the secondary within CARP's bound when it stops, and take them back when it returns.
 * All VHIDs run in parallel in one topology to keep CI time down.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { carpLabUnavailableReason, createCarpLab, type CarpLab } from "../../sdk/emulator/ucarpLab";
import {
  planLab,
  ucarpConvergenceMs,
  ucarpFailoverBoundsMs,
  ucarpPreemptBoundMs,
  type LabPlan,
} from "./labPlan";

describe("real CARP (ucarp): planned roles, failover and preemption", () => {
  let unavailable: string | undefined;
  let lab: CarpLab | undefined;
  let plan: LabPlan;

  const startNode = (node: "primary" | "secondary") => {
    for (const v of plan.vips) {
      lab!.start({
        node,
        vhid: v.vhid,
        vip: v.vip,
        advbase: v.advbase,
        advskew: node === "primary" ? v.primarySkew : v.secondarySkew,
        password: v.password,
        preempt: true, // pfSense sets net.inet.carp.preempt=1 on both nodes (§11.11)
      });
    }
  };
  const allPeers = () =>
    plan.vips.flatMap((v) => [
      { advbase: v.advbase, advskew: v.primarySkew },
      { advbase: v.advbase, advskew: v.secondarySkew },
    ]);
  const primaryWinsAll = () =>
    plan.vips.every(
      (v) =>
        lab!.state("primary", v.vhid) === "MASTER" && lab!.state("secondary", v.vhid) === "BACKUP",
    );

  before(async () => {
    unavailable = await carpLabUnavailableReason();
    if (unavailable) return;
    plan = planLab();
    lab = await createCarpLab({
      nodes: ["primary", "secondary"],
      segments: [
        {
          name: "eth0",
          prefixLength: plan.prefixLength,
          addresses: { primary: plan.primaryAddress, secondary: plan.secondaryAddress },
        },
      ],
    });
  });
  after(async () => {
    await lab?.close();
  });

  it("the primary wins every VHID the planner laid out, and only it holds each VIP", async (t) => {
    if (unavailable) return t.skip(unavailable);
    assert.ok(new Set(plan.vips.map((v) => v.vhid)).size === plan.vips.length, "distinct VHIDs");
    startNode("primary");
    startNode("secondary");
    const bound = ucarpConvergenceMs(allPeers());
    // Cold starts can blip dual-MASTER for < 1 s (ucarp-notes §4): wait for the roles, let them
    // settle for one more slow advert, then require them to still hold.
    await lab!.waitFor(primaryWinsAll, bound + 5000, "primary MASTER / secondary BACKUP on all");
    await new Promise((r) => setTimeout(r, 2500));
    for (const v of plan.vips) {
      assert.equal(lab!.state("primary", v.vhid), "MASTER", `vhid ${v.vhid} primary`);
      assert.equal(lab!.state("secondary", v.vhid), "BACKUP", `vhid ${v.vhid} secondary`);
      assert.equal(await lab!.holdsAddress("primary", v.vip), true, `${v.vip} on primary`);
      assert.equal(await lab!.holdsAddress("secondary", v.vip), false, `${v.vip} not on secondary`);
    }
  });

  it("stopping the primary hands every VHID to the secondary within the CARP bound", async (t) => {
    if (unavailable) return t.skip(unavailable);
    assert.ok(primaryWinsAll(), "precondition: primary is MASTER everywhere");
    const stopAt = performance.now();
    const handover = new Map<number, number>();
    const off = lab!.onChange((c) => {
      if (c.node === "secondary" && c.state === "MASTER" && !handover.has(c.vhid))
        handover.set(c.vhid, c.atMs - stopAt);
    });
    await Promise.all(plan.vips.map((v) => lab!.stop(lab!.peer("primary", v.vhid)!)));
    const worst = Math.max(
      ...plan.vips.map(
        (v) =>
          ucarpFailoverBoundsMs({ advbase: v.advbase, advskew: v.secondarySkew }, v.advbase).maxMs,
      ),
    );
    await lab!.waitFor(
      () => plan.vips.every((v) => handover.has(v.vhid)),
      worst + 2000,
      "secondary MASTER on every VHID",
    );
    off();
    for (const v of plan.vips) {
      const ms = handover.get(v.vhid)!;
      const b = ucarpFailoverBoundsMs({ advbase: v.advbase, advskew: v.secondarySkew }, v.advbase);
      t.diagnostic(
        `vhid ${v.vhid} (advbase ${v.advbase}, skew ${v.secondarySkew}): handover ${(ms / 1000).toFixed(2)} s, bound ${(b.minMs / 1000).toFixed(2)}-${(b.maxMs / 1000).toFixed(2)} s`,
      );
      assert.ok(ms <= b.maxMs, `vhid ${v.vhid}: ${ms.toFixed(0)} ms > ${b.maxMs.toFixed(0)} ms`);
      assert.ok(ms >= b.minMs, `vhid ${v.vhid}: ${ms.toFixed(0)} ms < ${b.minMs.toFixed(0)} ms`);
      assert.equal(await lab!.holdsAddress("secondary", v.vip), true, `${v.vip} moved`);
      assert.equal(await lab!.holdsAddress("primary", v.vip), false, `${v.vip} left the primary`);
    }
  });

  it("a returning primary preempts every VHID back (pfSense runs with preempt on)", async (t) => {
    if (unavailable) return t.skip(unavailable);
    const startAt = performance.now();
    const back = new Map<number, number>();
    const off = lab!.onChange((c) => {
      if (c.node === "primary" && c.state === "MASTER" && !back.has(c.vhid))
        back.set(c.vhid, c.atMs - startAt);
    });
    startNode("primary");
    const worst = Math.max(
      ...plan.vips.map((v) =>
        ucarpPreemptBoundMs({ advbase: v.advbase, advskew: v.secondarySkew }),
      ),
    );
    await lab!.waitFor(primaryWinsAll, worst + 3000, "primary MASTER again on every VHID");
    off();
    for (const v of plan.vips) {
      const ms = back.get(v.vhid)!;
      const bound = ucarpPreemptBoundMs({ advbase: v.advbase, advskew: v.secondarySkew });
      t.diagnostic(`vhid ${v.vhid}: primary MASTER again after ${(ms / 1000).toFixed(2)} s`);
      assert.ok(ms <= bound, `vhid ${v.vhid}: ${ms.toFixed(0)} ms > ${bound.toFixed(0)} ms`);
    }
  });
});
