/**
 * The `pfsense-ha` provider: one per cluster, holding how to reach both nodes. Its settings are
 * the only place the node credentials live; every resource of the cluster is served by it.
 */
import * as pulumi from "@pulumi/pulumi";
import type { NodeEndpointArgs } from "./cluster";

/** Arguments of {@link Provider}. */
export interface ProviderArgs {
  /** The node that normally holds every CARP VIP (MASTER) and pushes config to the secondary. */
  primary: pulumi.Input<NodeEndpointArgs>;
  /** The standby node. */
  secondary: pulumi.Input<NodeEndpointArgs>;
  /**
   * How long to wait for pfSense's own XML-RPC sync to deliver a change to the secondary before
   * the library writes the secondary itself, seconds. Default 30.
   */
  syncWaitSeconds?: pulumi.Input<number>;
}

/**
 * The provider of one cluster (`pulumi:providers:pfsense-ha`). A {@link Cluster} makes one; make
 * one yourself only to share it between programs' resources explicitly. Changing a password is an
 * update of this provider alone: the cluster's resources show no change.
 */
export class Provider extends pulumi.ProviderResource {
  constructor(name: string, args: ProviderArgs, opts?: pulumi.ResourceOptions) {
    // Each endpoint is one secret: the SDK makes a property secret as a whole once any member
    // (the password) is.
    const secretEndpoint = (e: pulumi.Input<NodeEndpointArgs>) => pulumi.secret(e);
    super(
      "pfsense-ha",
      name,
      {
        primary: secretEndpoint(args.primary),
        secondary: secretEndpoint(args.secondary),
        syncWaitSeconds: args.syncWaitSeconds,
      },
      opts,
    );
  }
}
