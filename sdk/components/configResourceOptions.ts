/**
 * The options every component gives its custom resource (`…Config`, `ClusterHealthCheck`).
 */
import * as pulumi from "@pulumi/pulumi";
import type { Cluster } from "./cluster";

/**
 * The caller's options plus the resource's secret outputs, and the alias from the 0.1 release's
 * dynamic-resource type, so stacks created with it upgrade in place (no replacement, no write).
 * The endpoints of 0.1's state were secret outputs too; an upgraded stack keeps them hidden until
 * its next update or refresh drops them.
 */
export function configResourceOptions(
  typeName: string,
  opts: pulumi.CustomResourceOptions | undefined,
  ...secretOutputs: string[]
): pulumi.CustomResourceOptions {
  return {
    ...opts,
    aliases: [...(opts?.aliases ?? []), { type: `pulumi-nodejs:dynamic/pfsense-ha:${typeName}` }],
    additionalSecretOutputs: [
      ...(opts?.additionalSecretOutputs ?? []),
      "primary",
      "secondary",
      ...secretOutputs,
    ],
  };
}

/** `dependsOn` as the SDK accepts it. */
type DependsOn = pulumi.CustomResourceOptions["dependsOn"];

/** `more` added to `given` (a list, one resource, or a promise/output of either). */
function withDependencies(given: DependsOn, more: pulumi.Resource[]): DependsOn {
  if (more.length === 0) return given;
  if (given === undefined) return more;
  if (Array.isArray(given)) return [...given, ...more];
  if (pulumi.Resource.isInstance(given)) return [given, ...more];
  const list = (v: unknown): pulumi.Input<pulumi.Resource>[] =>
    v === undefined ? more : [...(Array.isArray(v) ? v : [v]), ...more];
  if (pulumi.Output.isInstance(given)) {
    return (given as pulumi.Output<unknown>).apply(list) as unknown as DependsOn;
  }
  return Promise.resolve(given).then(list) as unknown as DependsOn;
}

/**
 * The options a component gives its custom resource: parented to it, served by the cluster's
 * provider, depending on the cluster's backup record (so the record is taken before anything of
 * the `up` writes) and on `dependsOn`, and the component's `ignoreChanges` passed on (the
 * argument names are the resource's input names), which Pulumi does not do for components by
 * itself.
 */
export function childOptions(
  parent: pulumi.ComponentResource,
  cluster: Cluster,
  opts: pulumi.ComponentResourceOptions | undefined,
  dependsOn?: DependsOn,
): pulumi.CustomResourceOptions {
  const o: pulumi.CustomResourceOptions = { parent, provider: cluster.provider };
  const deps = withDependencies(dependsOn, cluster.backup ? [cluster.backup] : []);
  if (deps !== undefined) o.dependsOn = deps;
  if (opts?.ignoreChanges !== undefined) o.ignoreChanges = opts.ignoreChanges;
  return o;
}
