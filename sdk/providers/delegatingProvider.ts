/**
 * The dynamic providers Pulumi serializes into state. Each method only loads the package's
 * runtime entry *by package name* and delegates (pulumi-notes B2 pitfalls 1-2):
 * - nothing but the plain string `kind` is captured, so serialization never drags in clients,
 *   sockets or Pulumi objects, and the `__provider` text is small and byte-stable across releases;
 * - the code that runs is the *installed* library, so fixes to read/delete reach existing stacks.
 * `require` is never captured by Pulumi's closure serializer; inside the dynamic-provider process
 * it resolves from the program directory's node_modules (the package itself, or the repository's
 * self-link, scripts/setup.d/05-self-link.sh).
 */
import type * as pulumi from "@pulumi/pulumi";

/** The provider kinds the runtime entry implements. */
export type ProviderKind =
  | "carpVip"
  | "haSync"
  | "outboundNat"
  | "dhcpFailover"
  | "clusterHa"
  | "syncRules"
  | "carpIpAliases"
  | "vipServiceBinding";

/** The package subpath every serialized provider requires. */
export const RUNTIME_ENTRY = "pulumi-pfsense-ha/runtime";

/** A provider object whose methods delegate to `require("pulumi-pfsense-ha/runtime")`. */
export function delegatingProvider(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    check: (olds, news) => require("pulumi-pfsense-ha/runtime").providers[kind].check(olds, news),
    diff: (id, olds, news) =>
      require("pulumi-pfsense-ha/runtime").providers[kind].diff(id, olds, news),
    create: (inputs) => require("pulumi-pfsense-ha/runtime").providers[kind].create(inputs),
    read: (id, props) => require("pulumi-pfsense-ha/runtime").providers[kind].read(id, props),
    update: (id, olds, news) =>
      require("pulumi-pfsense-ha/runtime").providers[kind].update(id, olds, news),
    delete: (id, props) => require("pulumi-pfsense-ha/runtime").providers[kind].delete(id, props),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}
