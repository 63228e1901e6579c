/**
 * The opt-in deployment gate's runtime, loaded by package name exactly as the serialized provider
 * loads it, against an emulated pair: it passes once every VHID is MASTER on the primary, fails
 * with E_HEALTH_GATE naming the VHIDs when not (without a password), validates its inputs, and is
 * re-checked on every up unless told otherwise.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { enterMaintenance, leaveMaintenance } from "../../sdk/health";
import { isHaError } from "../../sdk/plan";
import type * as GateRuntime from "../../sdk/providers/healthGateRuntime";
import { startPairFixture, type PairFixture } from "./pairFixture";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtime = require("pulumi-pfsense-ha/runtime/health-gate") as typeof GateRuntime;

describe("ClusterHealthGate runtime against an emulated pair", () => {
  let f: PairFixture;
  let inputs: GateRuntime.HealthGateInputs;
  before(async () => {
    f = await startPairFixture();
    const ep = (e: PairFixture["endpoints"]["primary"]) => ({
      url: e.url,
      username: e.username,
      password: e.password,
      tls: e.tls,
    });
    inputs = {
      primary: ep(f.endpoints.primary),
      secondary: ep(f.endpoints.secondary),
      timeoutMs: 3000,
      pollMs: 200,
    };
  });
  after(async () => {
    await f?.stop();
  });

  it("create passes and records each VHID when the primary is MASTER everywhere", async () => {
    const { id, outs } = await runtime.healthGate.create(inputs);
    assert.equal(id, "cluster-health-gate");
    assert.equal(outs.ok, true);
    assert.equal(outs.vhids.length, f.vips.length);
    assert.ok(outs.vhids.every((v) => v.primary === "MASTER" && v.secondary === "BACKUP"));
  });

  it("waits for convergence: maintenance left while the gate waits still passes", async () => {
    await enterMaintenance(f.endpoints.primary);
    const leave = setTimeout(() => void leaveMaintenance(f.endpoints.primary), 600);
    try {
      const { outs } = await runtime.healthGate.update("cluster-health-gate", {} as never, inputs);
      assert.equal(outs.ok, true);
      assert.ok(outs.waitedMs >= 400, `waited ${outs.waitedMs} ms`);
    } finally {
      clearTimeout(leave);
      await leaveMaintenance(f.endpoints.primary);
    }
  });

  it("fails the operation with E_HEALTH_GATE naming every VHID that is wrong", async () => {
    await enterMaintenance(f.endpoints.primary);
    try {
      await assert.rejects(
        runtime.healthGate.update("cluster-health-gate", {} as never, {
          ...inputs,
          timeoutMs: 800,
        }),
        (e: unknown) => {
          assert.ok(isHaError(e, "E_HEALTH_GATE"));
          for (const v of f.vips)
            assert.match(
              e.message,
              new RegExp(`${v.interface} vhid ${v.vhid} .*the secondary is MASTER`),
            );
          assert.ok(!e.message.includes(f.endpoints.primary.password));
          return true;
        },
      );
    } finally {
      await leaveMaintenance(f.endpoints.primary);
    }
  });

  it("requireHealthy also fails on a demoted node whose roles are still right", async () => {
    f.pair.secondary.setDemotion(50);
    try {
      await assert.doesNotReject(runtime.healthGate.create({ ...inputs, timeoutMs: 500 }));
      await assert.rejects(
        runtime.healthGate.create({ ...inputs, timeoutMs: 500, requireHealthy: true }),
        /demotion counter is 50/,
      );
    } finally {
      f.pair.secondary.setDemotion(0);
    }
  });

  it("check rejects a non-positive timeout and a missing password, without echoing secrets", async () => {
    const r = await runtime.healthGate.check(undefined, {
      ...inputs,
      timeoutMs: 0,
      secondary: { ...inputs.secondary, password: "" },
    });
    assert.deepEqual(r.failures.map((x) => x.property).sort(), ["secondary.password", "timeoutMs"]);
    assert.ok(!JSON.stringify(r.failures).includes(inputs.primary.password));
  });

  it("diff re-checks on every up by default, and only on setting changes when asked", async () => {
    const outs = { ...inputs, ok: true, checkedAt: "", waitedMs: 0, vhids: [] };
    assert.equal((await runtime.healthGate.diff("g", outs, inputs)).changes, true);
    const quiet = { ...inputs, checkEveryUp: false };
    assert.equal((await runtime.healthGate.diff("g", { ...outs, ...quiet }, quiet)).changes, false);
    assert.equal(
      (await runtime.healthGate.diff("g", { ...outs, ...quiet }, { ...quiet, timeoutMs: 9000 }))
        .changes,
      true,
    );
  });
});
