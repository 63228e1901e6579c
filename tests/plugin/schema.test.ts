/**
 * The package schema against the implementation: every custom resource type the plugin serves
 * and every component `construct` builds is in the schema (and nothing else); each component input
 * the schema names reaches the component's resource; each output it names is an output of the
 * component. Components are built under Pulumi mocks through the plugin's own `constructComponent`.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
const registered: Registered[] = [];

before(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "project",
    "stack",
    false,
  );
});

/** A value of the schema type of `p` (strings that every rule of the component accepts). */
function sample(key: string, p: Record<string, unknown>): unknown {
  if (p.type === "integer") return key === "vhid" ? 7 : 1;
  if (p.type === "boolean") return false;
  if (p.type === "array") return (p.items as { type: string }).type === "integer" ? [1] : ["nat"];
  if (p.type === "object") return {};
  return `${key}-value`;
}

test("the schema lists exactly the plugin's resource types and constructed components", async () => {
  const { packageSchema } = await import("../../sdk/plugin/schema");
  const { RESOURCE_KINDS } = await import("../../sdk/plugin/resourceKinds");
  const { CONSTRUCTED } = await import("../../sdk/plugin/construct");
  const resources = packageSchema("0.0.0").resources as Record<string, { isComponent?: boolean }>;
  const custom = Object.keys(resources)
    .filter((t) => !resources[t]?.isComponent)
    .sort();
  const components = Object.keys(resources)
    .filter((t) => resources[t]?.isComponent)
    .sort();
  assert.deepEqual(custom, [...RESOURCE_KINDS.keys()].sort());
  assert.deepEqual(components, CONSTRUCTED.map((c) => `pfsense-ha:index:${c}`).sort());
});

test("every schema input of a component reaches its resource, every schema output is an output", async () => {
  const { COMPONENT_INPUTS, COMPONENT_OUTPUTS, RESOURCE_INPUT_NAMES, packageSchema } =
    await import("../../sdk/plugin/schema");
  const resources = packageSchema("0.0.0").resources as Record<
    string,
    { inputProperties: Record<string, unknown> }
  >;
  const { constructComponent } = await import("../../sdk/plugin/construct");
  const { Provider } = await import("../../sdk/components/provider");
  const provider = new Provider("cluster", {
    primary: { url: "https://127.0.0.1:1", username: "admin", password: "a" },
    secondary: { url: "https://127.0.0.1:2", username: "admin", password: "b" },
  });
  for (const [component, inputs] of Object.entries(COMPONENT_INPUTS)) {
    const given = Object.fromEntries(
      Object.entries(inputs).map(([k, p]) => [k, sample(k, p as Record<string, unknown>)]),
    );
    const name = `schema-${component}`;
    const r = await constructComponent(name, `pfsense-ha:index:${component}`, given, {
      providers: { "pfsense-ha": provider },
    });
    assert.deepEqual(
      Object.keys(r.state).sort(),
      Object.keys(COMPONENT_OUTPUTS[component] ?? {}).sort(),
    );
    for (const [k, o] of Object.entries(r.state)) {
      assert.ok(pulumi.Output.isInstance(o), `${component}.${k} is an output of the component`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const child = registered.find(
      (x) => x.name === name && x.type !== `pfsense-ha:index:${component}`,
    );
    assert.ok(child, `${component} registered its resource`);
    for (const k of Object.keys(inputs)) {
      const key = RESOURCE_INPUT_NAMES[component]?.[k] ?? k;
      assert.notEqual(
        child.inputs[key],
        undefined,
        `${component}.${k} reaches ${child.type}.${key}`,
      );
      const declared = resources[child.type]?.inputProperties ?? {};
      assert.ok(key in declared, `${child.type}.${key} is in the schema`);
    }
  }
});

test("a component's required inputs and outputs are among its inputs and outputs", async () => {
  const {
    COMPONENT_INPUTS,
    COMPONENT_OUTPUTS,
    COMPONENT_REQUIRED_INPUTS,
    COMPONENT_REQUIRED_OUTPUTS,
    packageSchema,
  } = await import("../../sdk/plugin/schema");
  const resources = packageSchema("0.0.0").resources as Record<
    string,
    { requiredInputs?: string[]; required?: string[] }
  >;
  assert.deepEqual(
    Object.keys(COMPONENT_REQUIRED_INPUTS).sort(),
    Object.keys(COMPONENT_INPUTS).sort(),
  );
  assert.deepEqual(
    Object.keys(COMPONENT_REQUIRED_OUTPUTS).sort(),
    Object.keys(COMPONENT_OUTPUTS).sort(),
  );
  for (const component of Object.keys(COMPONENT_INPUTS)) {
    const spec = resources[`pfsense-ha:index:${component}`];
    for (const k of COMPONENT_REQUIRED_INPUTS[component] ?? []) {
      assert.ok(k in (COMPONENT_INPUTS[component] ?? {}), `${component} input ${k}`);
    }
    for (const k of COMPONENT_REQUIRED_OUTPUTS[component] ?? []) {
      assert.ok(k in (COMPONENT_OUTPUTS[component] ?? {}), `${component} output ${k}`);
    }
    assert.deepEqual(spec?.requiredInputs, COMPONENT_REQUIRED_INPUTS[component]);
    assert.deepEqual(spec?.required, COMPONENT_REQUIRED_OUTPUTS[component]);
  }
});
