/**
 * ClusterHealthGate: an opt-in check that makes `pulumi up` fail unless, after CARP has converged
 * (within a timeout), every VHID of the cluster has exactly one MASTER and it is the primary.
 */
import * as pulumi from "@pulumi/pulumi";
import { getClusterHealth } from "../health/clusterHealth";
import type { ClusterHealth } from "../health/types";
import { toNodeEndpoint, type EndpointInput } from "../providers/endpointInputs";
import type { GateVhid } from "../providers/healthGateRuntime";
import type { Cluster } from "./cluster";
import { outputsRegistered } from "./outputsRegistration";
import { childOptions, configResourceOptions } from "./configResourceOptions";

/**
 * The cluster's health as an output, read from both nodes when the program runs (preview and up):
 * CARP state per node and VHID, sync state, problems. Use it to export or log the state; to make
 * `pulumi up` fail on a bad state, use {@link ClusterHealthGate}. The result holds no secrets, so
 * it is not marked secret even though the endpoints are.
 *
 * @example
 * export const health = clusterHealthOutput(cluster).apply((h) => ({ healthy: h.healthy, problems: h.problems }));
 */
export function clusterHealthOutput(cluster: Cluster): pulumi.Output<ClusterHealth> {
  const e = cluster.endpointInputs();
  const health = pulumi
    .all([pulumi.output(e.primary), pulumi.output(e.secondary)])
    .apply(([p, s]) =>
      getClusterHealth({
        primary: toNodeEndpoint(p as EndpointInput, "primary"),
        secondary: toNodeEndpoint(s as EndpointInput, "secondary"),
      }),
    );
  return pulumi.unsecret(health);
}

/** Arguments of {@link ClusterHealthGate}. */
export interface ClusterHealthGateArgs {
  /** The cluster to check. */
  cluster: Cluster;
  /** How long to wait for convergence before failing the deployment, seconds. Default 60. */
  timeoutSeconds?: pulumi.Input<number>;
  /** Pause between readings, seconds. Default 1. */
  pollSeconds?: pulumi.Input<number>;
  /**
   * Also require full health: no maintenance mode, no demotion, the secondary in sync and no sync
   * failure notices. Default false (CARP roles only).
   */
  requireHealthy?: pulumi.Input<boolean>;
  /** Check on every `pulumi up` (preview then always shows the gate as an update). Default true;
   * false checks only when the gate itself is created or its settings change. */
  checkEveryUp?: pulumi.Input<boolean>;
}

/** The custom resource behind {@link ClusterHealthGate}. */
export class ClusterHealthCheck extends pulumi.CustomResource {
  /** True after a passing check (a failing check fails the deployment instead). */
  declare readonly ok: pulumi.Output<boolean>;
  /** Time of the reading (ISO). */
  declare readonly checkedAt: pulumi.Output<string>;
  /** How long the check waited for the cluster to pass, ms. */
  declare readonly waitedMs: pulumi.Output<number>;
  /** What each VHID showed at that reading. */
  declare readonly vhids: pulumi.Output<GateVhid[]>;

  constructor(name: string, props: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
    super(
      "pfsense-ha:index:ClusterHealthCheck",
      name,
      { ok: undefined, checkedAt: undefined, waitedMs: undefined, vhids: undefined, ...props },
      configResourceOptions("ClusterHealthCheck", opts),
    );
  }
}

/**
 * Fails `pulumi up` unless every VHID ends up MASTER on the primary and BACKUP on the secondary.
 * Give it `dependsOn` on the HA components so it runs after they are applied.
 *
 * @example
 * new ClusterHealthGate("gate", { cluster, timeoutSeconds: 60 }, { dependsOn: [wanVip, lanVip, sync] });
 */
export class ClusterHealthGate extends pulumi.ComponentResource {
  /** True after a passing check (a failing check fails the deployment instead). */
  readonly ok: pulumi.Output<boolean>;
  /** Time of the passing reading (ISO). */
  readonly checkedAt: pulumi.Output<string>;
  /** What each VHID showed at that reading. */
  readonly vhids: pulumi.Output<GateVhid[]>;

  constructor(name: string, args: ClusterHealthGateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pfsense-ha:index:ClusterHealthGate", name, {}, opts);
    const seconds = (v: pulumi.Input<number> | undefined) =>
      v === undefined ? undefined : pulumi.output(v).apply((s) => Math.round(s * 1000));
    const check = new ClusterHealthCheck(
      name,
      {
        timeoutMs: seconds(args.timeoutSeconds),
        pollMs: seconds(args.pollSeconds),
        requireHealthy: args.requireHealthy,
        checkEveryUp: args.checkEveryUp,
      },
      // Children do not inherit the component's dependsOn: pass it on so the check runs last.
      childOptions(this, args.cluster, opts, opts?.dependsOn),
    );
    this.ok = check.ok;
    this.checkedAt = check.checkedAt;
    this.vhids = check.vhids;
    outputsRegistered(this);
  }
}
