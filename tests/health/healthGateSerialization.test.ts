/**
 * The health gate's provider as Pulumi stores it: serialized with Pulumi's closure serializer
 * (what `dynamic.Resource` does), loaded back with require-from-string (what the dynamic-provider
 * host does), and run against an emulated pair — it must capture nothing but the runtime entry's
 * name, no secret, and still pass or fail the deployment.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import { enterMaintenance, leaveMaintenance } from "../../sdk/health";
import {
  healthGateProvider,
  HEALTH_GATE_RUNTIME_ENTRY,
} from "../../sdk/providers/healthGateProvider";
import { startPairFixture, type PairFixture } from "./pairFixture";

type Provider = Required<pulumi.dynamic.ResourceProvider>;
const requireFromString = createRequire(require.resolve("@pulumi/pulumi"))(
  "require-from-string",
) as (code: string) => { handler: () => Provider };

let f: PairFixture;
let text: string;
let loaded: Provider;
before(async () => {
  f = await startPairFixture();
  const s = await pulumi.runtime.serializeFunction(() => healthGateProvider, {
    allowSecrets: true,
  });
  assert.equal(s.containsSecrets, false);
  text = s.text;
  loaded = requireFromString(s.text).handler();
});
after(async () => {
  await f?.stop();
});

test("the serialized gate provider only names its runtime entry", () => {
  assert.ok(text.includes(HEALTH_GATE_RUNTIME_ENTRY));
  assert.ok(!text.includes("waitForClusterHealth"), "no library code captured");
  assert.ok(text.length < 4000, `small and stable (${text.length} bytes)`);
});

test("the deserialized gate passes a converged cluster and fails one in maintenance", async () => {
  const ep = (e: PairFixture["endpoints"]["primary"]) => ({
    url: e.url,
    username: e.username,
    password: e.password,
    tls: e.tls,
  });
  const inputs = {
    primary: ep(f.endpoints.primary),
    secondary: ep(f.endpoints.secondary),
    timeoutMs: 1500,
    pollMs: 200,
  };
  const created = await loaded.create(inputs);
  assert.equal(created.outs.ok, true);
  await enterMaintenance(f.endpoints.primary);
  try {
    await assert.rejects(loaded.update(created.id, created.outs, inputs), /E_HEALTH_GATE/);
  } finally {
    await leaveMaintenance(f.endpoints.primary);
  }
  const read = await loaded.read(created.id, created.outs);
  assert.deepEqual(read.props, created.outs, "read touches no node");
});
