/**
 * The `pfsense-ha` provider plugin (`pulumi-resource-pfsense-ha`): the engine starts it once per
 * provider resource, that is once per cluster.
 */
import * as pulumi from "@pulumi/pulumi";
import { installPluginHooks } from "./grpcHooks";
import { resourceMethods } from "./pluginProvider";
import {
  changedConfigKeys,
  clusterConnection,
  configInputs,
  configProblems,
} from "./providerConfig";
import { setConnection } from "./connectionInputs";
import { constructComponent } from "./construct";
import { packageSchema } from "./schema";
import { unwrapSecrets } from "./secretValues";
import { containsUnknown } from "../providers/unknowns";

/** The plugin's version: the package's. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION: string = require("../../../package.json").version;

function plain(v: unknown): Record<string, unknown> {
  return (unwrapSecrets(v ?? {}).plain ?? {}) as Record<string, unknown>;
}

installPluginHooks({
  configure: (args, variables) => {
    const inputs = configInputs(args, variables);
    // At preview a provider's settings may be unknown: node checks wait for them.
    setConnection(containsUnknown(inputs) ? undefined : clusterConnection(inputs));
  },
  checkConfig: (news) => configProblems(plain(news)),
  diffConfig: (olds, news) => {
    const changed = changedConfigKeys(plain(olds), plain(news));
    const detailed = Object.fromEntries(changed.map((k) => [k, "update" as const]));
    return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false, detailed };
  },
  diff: resourceMethods.diff,
  read: (id, urn, props) => resourceMethods.read(id, urn, props),
});

const provider: pulumi.provider.Provider = {
  version: VERSION,
  schema: JSON.stringify(packageSchema(VERSION)),
  ...resourceMethods,
  construct: constructComponent,
};

void pulumi.provider.main(provider, process.argv.slice(2));
