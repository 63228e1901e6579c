/**
 * The options every component gives its custom resource (`…Config`, `ClusterHealthCheck`).
 */
import type * as pulumi from "@pulumi/pulumi";
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

/**
 * The options a component gives its custom resource: parented to it, served by the cluster's
 * provider, and the component's `ignoreChanges` passed on (the argument names are the
 * resource's input names), which Pulumi does not do for components by itself.
 */
export function childOptions(
  parent: pulumi.ComponentResource,
  cluster: Cluster,
  opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.CustomResourceOptions {
  const o: pulumi.CustomResourceOptions = { parent, provider: cluster.provider };
  if (opts?.ignoreChanges !== undefined) o.ignoreChanges = opts.ignoreChanges;
  return o;
}
