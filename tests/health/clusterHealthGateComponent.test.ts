/**
 * The health components under Pulumi mocks: ClusterHealthGate builds one ClusterHealthCheck
 * custom resource served by the cluster's provider (passwords secret) and its timeouts in ms, and
 * clusterHealthOutput reads the real health of an emulated pair into a non-secret output.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { startPairFixture, type PairFixture } from "./pairFixture";

type Registered = { type: string; name: string; inputs: Record<string, unknown> };
const registered: Registered[] = [];
const SECRET_KEY = "4dabf18193072939515e22adb298388d";

let f: PairFixture;
before(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return {
          id: `${args.name}-id`,
          state: { ...args.inputs, ok: true, checkedAt: "t", vhids: [] },
        };
      },
      call(args) {
        return args.inputs;
      },
    },
    "project",
    "stack",
    false,
  );
  f = await startPairFixture();
});
after(async () => {
  await f?.stop();
});

const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply((v) => resolve(v)));

async function cluster() {
  const { Cluster } = await import("../../sdk/components/cluster");
  const ep = (e: PairFixture["endpoints"]["primary"]) => ({
    url: e.url,
    username: e.username,
    password: e.password,
    tls: e.tls,
  });
  return new Cluster({ primary: ep(f.endpoints.primary), secondary: ep(f.endpoints.secondary) });
}

test("ClusterHealthGate registers a ClusterHealthCheck served by the cluster provider (secret passwords) with ms timeouts", async () => {
  const { ClusterHealthGate } = await import("../../sdk/components/clusterHealthGate");
  const gate = new ClusterHealthGate("gate", {
    cluster: await cluster(),
    timeoutSeconds: 30,
    pollSeconds: 0.5,
    requireHealthy: true,
  });
  assert.equal(await value(gate.ok), true);
  const check = registered.find((r) => r.type === "pfsense-ha:index:ClusterHealthCheck");
  assert.ok(check, "the custom resource was registered");
  assert.equal(check.name, "gate");
  assert.equal(check.inputs.timeoutMs, 30000);
  assert.equal(check.inputs.pollMs, 500);
  assert.equal(check.inputs.requireHealthy, true);
  const provider = registered.find((r) => r.type === "pulumi:providers:pfsense-ha");
  for (const role of ["primary", "secondary"]) {
    assert.equal(check.inputs[role], undefined, `no ${role} endpoint on the resource`);
    const ep = provider?.inputs[role] as Record<string, unknown>;
    assert.ok(ep?.[SECRET_KEY], `${role} endpoint is a secret provider setting`);
  }
  assert.ok(
    registered.some((r) => r.type === "pfsense-ha:index:ClusterHealthGate" && r.name === "gate"),
  );
});

test("clusterHealthOutput reads both nodes and is not secret (it holds no secrets)", async () => {
  const { clusterHealthOutput } = await import("../../sdk/components/clusterHealthGate");
  const out = clusterHealthOutput(await cluster());
  const h = await value(out);
  assert.equal(h.healthy, true, JSON.stringify(h.problems));
  assert.equal(h.vhids.length, f.vips.length);
  assert.equal(await pulumi.isSecret(out), false);
  assert.ok(!JSON.stringify(h).includes(f.endpoints.primary.password));
});
