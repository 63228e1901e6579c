/**
 * Real CARP: what goes wrong when the two nodes disagree, and why the library never lets them.
 * A mismatched password or VHID makes both nodes MASTER and both hold the VIP (split brain);
 * a password mismatch at least logs "Bad digest", a VHID mismatch is silent (ucarp-notes §4).
 * The library prevents both: the secondary's VIPs are derived from the primary's with vhid and
 * password copied unchanged, and passwords ucarp/BSD would treat differently are rejected.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { carpLabUnavailableReason, createCarpLab, type CarpLab } from "../../sdk/emulator/ucarpLab";
import { planLab, ucarpConvergenceMs, type LabPlan, type PlannedLabVip } from "./labPlan";
import {
  deriveSecondary,
  generateCarpPassword,
  isHaError,
  validateCarpPassword,
  type NodeHaConfig,
} from "../../sdk/plan";

describe("real CARP (ucarp): mismatched parameters give split brain", () => {
  let unavailable: string | undefined;
  let lab: CarpLab | undefined;
  let plan: LabPlan;
  let control: PlannedLabVip;
  let badPassword: PlannedLabVip;
  let badVhid: PlannedLabVip;
  let wrongVhid: number;

  before(async () => {
    unavailable = await carpLabUnavailableReason();
    if (unavailable) return;
    plan = planLab([
      { key: "control", address: "198.51.100.111" },
      { key: "password", address: "198.51.100.112" },
      { key: "vhid", address: "198.51.100.113" },
      // Only to reserve a distinct VHID for the "wrong VHID" peer on the shared segment.
      { key: "vhid-wrong", address: "198.51.100.114" },
    ]);
    [control, badPassword, badVhid] = plan.vips;
    wrongVhid = plan.vips[3].vhid;
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
    const start = (node: "primary" | "secondary", v: PlannedLabVip, over: object = {}) =>
      lab!.start({
        node,
        vhid: v.vhid,
        vip: v.vip,
        advbase: v.advbase,
        advskew: node === "primary" ? v.primarySkew : v.secondarySkew,
        password: v.password,
        ...over,
      });
    for (const v of [control, badPassword, badVhid]) start("primary", v);
    start("secondary", control);
    start("secondary", badPassword, { password: generateCarpPassword() });
    start("secondary", badVhid, { vhid: wrongVhid });
    const both = (v: PlannedLabVip, secondaryVhid = v.vhid) =>
      lab!.state("primary", v.vhid) === "MASTER" &&
      lab!.state("secondary", secondaryVhid) === "MASTER";
    const bound = ucarpConvergenceMs(
      plan.vips.flatMap((v) => [
        { advbase: v.advbase, advskew: v.primarySkew },
        { advbase: v.advbase, advskew: v.secondarySkew },
      ]),
    );
    await lab.waitFor(
      () =>
        both(badPassword) &&
        both(badVhid, wrongVhid) &&
        lab!.state("primary", control.vhid) === "MASTER" &&
        lab!.state("secondary", control.vhid) === "BACKUP",
      bound + 5000,
      "the expected outcome on every group",
    );
    await new Promise((r) => setTimeout(r, 2500)); // past any cold-start blip (ucarp-notes §4)
  });
  after(async () => {
    await lab?.close();
  });

  it("with matching parameters exactly one node (the primary) holds the VIP", async (t) => {
    if (unavailable) return t.skip(unavailable);
    assert.equal(lab!.state("secondary", control.vhid), "BACKUP");
    assert.equal(await lab!.holdsAddress("primary", control.vip), true);
    assert.equal(await lab!.holdsAddress("secondary", control.vip), false);
  });

  it("a password mismatch makes both nodes MASTER of the VIP and logs Bad digest", async (t) => {
    if (unavailable) return t.skip(unavailable);
    assert.equal(lab!.state("primary", badPassword.vhid), "MASTER");
    assert.equal(lab!.state("secondary", badPassword.vhid), "MASTER");
    assert.equal(await lab!.holdsAddress("primary", badPassword.vip), true);
    assert.equal(await lab!.holdsAddress("secondary", badPassword.vip), true);
    assert.match(lab!.peer("secondary", badPassword.vhid)!.output(), /Bad digest/);
  });

  it("a VHID mismatch makes both nodes MASTER silently (no log line to catch it)", async (t) => {
    if (unavailable) return t.skip(unavailable);
    assert.equal(lab!.state("primary", badVhid.vhid), "MASTER");
    assert.equal(lab!.state("secondary", wrongVhid), "MASTER");
    assert.equal(await lab!.holdsAddress("primary", badVhid.vip), true);
    assert.equal(await lab!.holdsAddress("secondary", badVhid.vip), true);
    const logs =
      lab!.peer("primary", badVhid.vhid)!.output() + lab!.peer("secondary", wrongVhid)!.output();
    assert.doesNotMatch(logs, /Bad digest|error/i);
  });

  it("the library derives the secondary with the primary's VHID and password, never others", (t) => {
    if (unavailable) return t.skip(unavailable);
    const primary: NodeHaConfig = {
      virtualIps: plan.vips.map((v, i) => ({
        mode: "carp",
        interface: "wan",
        vhid: v.vhid,
        advbase: v.advbase,
        advskew: v.primarySkew,
        password: v.password,
        uniqid: `lab${i}`,
        type: "single",
        subnet: v.vip,
        subnetBits: plan.prefixLength,
      })),
      natRules: [],
      dhcpd: {},
      interfaces: {},
    };
    const secondary = deriveSecondary(primary);
    for (const p of primary.virtualIps) {
      const s = secondary.virtualIps.find((x) => x.uniqid === p.uniqid);
      assert.ok(s, `${p.uniqid} synced`);
      assert.equal(s.vhid, p.vhid);
      assert.equal(s.password === p.password, true, "same password"); // never print it
      assert.equal(s.advbase, p.advbase);
    }
  });

  it("a 20-byte password is refused by the library before ucarp would refuse it", async (t) => {
    if (unavailable) return t.skip(unavailable);
    const long = generateCarpPassword() + "x";
    assert.throws(
      () => validateCarpPassword(long),
      (e) => isHaError(e, "E_CARP_PASSWORD"),
    );
    const peer = lab!.start(
      {
        node: "primary",
        vhid: wrongVhid,
        vip: "198.51.100.120",
        advbase: 1,
        advskew: 0,
        password: long,
      },
      { allowInvalid: true },
    );
    await lab!.waitFor(() => !peer.running, 5000, "ucarp to exit");
    assert.equal(peer.exitCode, 2);
    assert.match(peer.output(), /Password too long/);
  });
});
