/**
 * The engine floor's provider plugin (`pulumi-resource-pfsense-ha-bench`): the same machinery as
 * the library's plugin (a TypeScript plugin process on `@pulumi/pulumi/provider`, configured with
 * both endpoints, secrets accepted) whose methods return at once and touch nothing, so the floor
 * is the engine's own per-resource cost.
 */
import * as pulumi from "@pulumi/pulumi";

const noop: pulumi.provider.Provider = {
  version: "0.0.0",
  check: async (_urn, _olds, news) => ({ inputs: news }),
  diff: async () => ({ changes: false }),
  create: async (_urn, inputs) => ({ id: String(inputs.name), outs: inputs }),
  read: async (id, _urn, props) => ({ id, props }),
  update: async (_id, _urn, _olds, news) => ({ outs: news }),
  delete: async () => undefined,
};

void pulumi.provider.main(noop, process.argv.slice(2));
