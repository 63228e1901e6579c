/**
 * ClusterBackupConfig: the pre-write record of every `up` (issue 12). A {@link Cluster} makes
 * one; every resource of the cluster's components depends on it, so its provider `check` reads
 * both nodes before any of them writes. `pfsense-ha rollback` puts the recorded sections back.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * The custom resource holding the stack's record of both nodes before its last `up`: each
 * node's revision and the sections the library writes (virtualip, hasync, nat, dhcpd, filter,
 * kea, kea6, openvpn, ipsec), as one secret input. It writes nothing and never shows a
 * change; each `up` replaces the record. Read it with `pfsense-ha rollback --stack <name>`.
 */
export class ClusterBackupConfig extends pulumi.CustomResource {
  constructor(name: string, opts: pulumi.CustomResourceOptions) {
    super("pfsense-ha:index:ClusterBackupConfig", name, { name, snapshot: undefined }, opts);
  }
}
