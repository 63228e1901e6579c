/**
 * The resource options every component gives its dynamic resource (`…Config`, `ClusterHealthCheck`).
 */
import type * as pulumi from "@pulumi/pulumi";

/**
 * The caller's options plus the outputs kept secret in state: always `primary` and `secondary`
 * (the endpoint inputs carry the nodes' admin passwords), and the resource's own `secretOutputs`.
 * Outputs a provider returns are plaintext unless named here (pulumi-notes B2 pitfall 6).
 */
export function configResourceOptions(
  opts: pulumi.CustomResourceOptions | undefined,
  ...secretOutputs: string[]
): pulumi.CustomResourceOptions {
  return {
    ...opts,
    additionalSecretOutputs: [
      ...(opts?.additionalSecretOutputs ?? []),
      "primary",
      "secondary",
      ...secretOutputs,
    ],
  };
}
