/**
 * The cluster: both nodes' endpoints and cluster-wide defaults. Not a component: it makes the
 * cluster's {@link Provider} (which holds the endpoints) and every HA component takes it as
 * `cluster`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { TlsOptions } from "../pfsense/types";
import { ClusterBackupConfig } from "./clusterBackup";
import { Provider } from "./provider";

/** How to reach one pfSense node's XML-RPC API. */
export interface NodeEndpointArgs {
  /** `https://host:port` of the node's web GUI; `/xmlrpc.php` is added. */
  url: pulumi.Input<string>;
  /** A user holding the "System - HA node sync" privilege (usually `admin`). */
  username: pulumi.Input<string>;
  /** That user's password. Always stored as a Pulumi secret (wrapped if given in plain text). */
  password: pulumi.Input<string>;
  /**
   * How to trust the node's certificate: `{ fingerprint256 }` (pin, recommended for pfSense's
   * self-signed GUI certificate), `{ caCertPem }`, or `{ insecureSkipTlsVerify: true }` (lab
   * only). Default: the system's CAs.
   */
  tls?: pulumi.Input<TlsOptions>;
  /**
   * Limit for one XML-RPC call to this node, seconds. Default 200 (pfSense's nginx cuts a
   * request at 180 s; a restore that re-applies many VIPs can take long).
   */
  callTimeoutSeconds?: number;
}

/** Arguments of {@link Cluster}. */
export interface ClusterArgs {
  /**
   * Name of the cluster's provider resource. Default `"cluster"`; give each cluster of one
   * program its own.
   */
  name?: string;
  /** The node that normally holds every CARP VIP (MASTER) and pushes config to the secondary. */
  primary: NodeEndpointArgs;
  /** The standby node. */
  secondary: NodeEndpointArgs;
  /** Default CARP advertisement base for the cluster's VIPs, seconds 1-254. Default 1. */
  advbase?: number;
  /**
   * VHIDs never to allocate, per interface assignment name, e.g. `{ wan: [1, 2] }` for the ISP's
   * VRRP groups on the WAN segment.
   */
  reservedVhids?: Record<string, number[]>;
  /**
   * How long to wait for pfSense's own XML-RPC sync to deliver a change to the secondary before
   * the library writes the secondary itself, seconds. Default 30.
   */
  syncWaitSeconds?: number;
}

/** One node's endpoint as the program reads it (password secret). */
export interface EndpointResourceInput {
  /** As {@link NodeEndpointArgs.url}. */
  url: pulumi.Input<string>;
  /** As {@link NodeEndpointArgs.username}. */
  username: pulumi.Input<string>;
  /** The password, always a secret output. */
  password: pulumi.Output<string>;
  /** As {@link NodeEndpointArgs.tls}. */
  tls?: pulumi.Input<TlsOptions>;
  /** Per-call limit, ms (from {@link NodeEndpointArgs.callTimeoutSeconds}); default 200000. */
  callTimeoutMs?: number;
}

/**
 * A two-node pfSense HA cluster. Holds no state: it is how components find both nodes.
 *
 * @example
 * const cluster = new Cluster({
 *   primary: { url: "https://10.0.0.1", username: "admin", password: cfg.requireSecret("pw1"), tls: { fingerprint256: "AB:..." } },
 *   secondary: { url: "https://10.0.0.2", username: "admin", password: cfg.requireSecret("pw2"), tls: { fingerprint256: "CD:..." } },
 *   reservedVhids: { wan: [1, 2] },
 * });
 */
export class Cluster {
  /** Primary node endpoint, as given. */
  readonly primary: NodeEndpointArgs;
  /** Secondary node endpoint, as given. */
  readonly secondary: NodeEndpointArgs;
  /** Cluster default advbase (undefined: the library default, 1). */
  readonly advbase?: number;
  /** Reserved VHIDs per interface. */
  readonly reservedVhids: Readonly<Record<string, number[]>>;
  /** Bound on waiting for pfSense's own sync, seconds. */
  readonly syncWaitSeconds?: number;
  /** The cluster's provider: every component of the cluster is served by it. */
  readonly provider: pulumi.ProviderResource;
  /**
   * The record of both nodes before the stack's last `up` (`<name>-backup`), which every
   * resource of the cluster's components depends on; `pfsense-ha rollback` restores from it.
   * For programs in other languages, `construct` makes one per provider (`<provider>-backup`).
   */
  readonly backup?: ClusterBackupConfig;

  /**
   * @param args both nodes and the cluster defaults.
   * @param provider an existing provider of the cluster (default: the cluster makes its own).
   * @param withBackup make the cluster's {@link backup} record (default true). Without it,
   *   `pfsense-ha rollback` has nothing to restore from.
   */
  constructor(args: ClusterArgs, provider?: pulumi.ProviderResource, withBackup = true) {
    this.primary = args.primary;
    this.secondary = args.secondary;
    this.advbase = args.advbase;
    this.reservedVhids = args.reservedVhids ?? {};
    this.syncWaitSeconds = args.syncWaitSeconds;
    this.provider =
      provider ??
      new Provider(args.name ?? "cluster", {
        primary: args.primary,
        secondary: args.secondary,
        syncWaitSeconds: args.syncWaitSeconds,
      });
    if (withBackup) {
      this.backup = new ClusterBackupConfig(`${args.name ?? "cluster"}-backup`, {
        provider: this.provider,
      });
    }
  }

  /**
   * @internal A cluster around an existing provider (the components' `construct` for other
   * languages, whose programs declare the provider themselves). Its endpoints are not known here.
   */
  static fromProvider(
    provider: pulumi.ProviderResource,
    defaults: Pick<ClusterArgs, "advbase" | "reservedVhids"> = {},
    backup?: ClusterBackupConfig,
  ): Cluster {
    const unknown: NodeEndpointArgs = { url: "", username: "", password: "" };
    const c = new Cluster({ primary: unknown, secondary: unknown, ...defaults }, provider, false);
    (c as { backup?: ClusterBackupConfig }).backup = backup;
    return c;
  }

  /**
   * @internal The endpoints as the program reads the nodes itself ({@link clusterHealthOutput}),
   * passwords marked secret.
   */
  endpointInputs(): { primary: EndpointResourceInput; secondary: EndpointResourceInput } {
    const one = (e: NodeEndpointArgs): EndpointResourceInput => ({
      url: e.url,
      username: e.username,
      password: pulumi.secret(e.password),
      tls: e.tls,
      callTimeoutMs:
        e.callTimeoutSeconds === undefined ? undefined : Math.round(e.callTimeoutSeconds * 1000),
    });
    return { primary: one(this.primary), secondary: one(this.secondary) };
  }
}
