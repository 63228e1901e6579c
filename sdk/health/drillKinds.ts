/**
 * The three failover tests of pfSense's HA guide as drill disruptions: what each does to the
 * primary, how it is undone, and what must hold before it may start.
 *
 * - `maintenance`: persistent CARP maintenance mode (§8.3); the primary keeps advertising with
 *   advskew 254 (240 after the clamp), so the secondary preempts it.
 * - `disable-carp`: Status > CARP "Temporarily Disable CARP" (§8.2): the primary stops
 *   advertising at all, so the secondary takes over when its master-down timer runs out.
 * - `stop`: the primary goes off the network (the emulator stops the node; a real firewall is
 *   rebooted over XML-RPC and only when asked explicitly).
 */
import { haError } from "../plan/errors";
import { displayUrl } from "../pfsense";
import { disableCarp, enableCarp } from "./carpAllow";
import { enterMaintenance, leaveMaintenance } from "./maintenance";
import { probeNodePlatform } from "./nodePlatform";
import { rebootStopper, type NodeStopper } from "./nodeStopper";
import type { ClusterEndpoints, ClusterHealth } from "./types";

/** Which failover test a drill runs. */
export type DrillKind = "maintenance" | "disable-carp" | "stop";

/** Every drill kind, in the order the guide lists them. */
export const DRILL_KINDS: readonly DrillKind[] = ["maintenance", "disable-carp", "stop"];

/** One drill's action on the primary and its undo. */
export interface Disruption {
  kind: DrillKind;
  /** Reasons not to start, beyond the health gate (each starts with "not drilled"). */
  notReady(before: ClusterHealth): string[];
  /** Progress line and action that demote the primary. */
  demote: { message: string; run(): Promise<void> };
  /** Progress line and action that put the primary back; failback is timed from its return. */
  restore: { message: string; run(): Promise<void> };
  /** What to do by hand when `restore` failed. */
  byHand: string;
  /** The primary is off the network until `restore`: handover is judged on the secondary alone. */
  primaryOffline?: boolean;
}

/** Options that choose and allow the stop drill's action. */
export interface StopDrillOptions {
  /** How to stop the primary. Default: {@link rebootStopper} on the primary's endpoint. */
  stopper?: NodeStopper;
  /** Allow stopping a real firewall (a `firewall` stopper on a node that is not the emulator). */
  allowStop?: boolean;
}

const primaryInMaintenance = (h: ClusterHealth) =>
  h.primary.maintenance ? ["not drilled: the primary is already in maintenance mode"] : [];

/**
 * The disruption of `kind` on `cluster`'s primary. For `stop` with a `firewall` stopper it asks
 * the primary what it is first and throws `E_DRILL_REFUSED` (changing nothing) unless it is the
 * emulator or `allowStop` is set.
 */
export async function disruptionFor(
  kind: DrillKind,
  cluster: ClusterEndpoints,
  options: StopDrillOptions = {},
): Promise<Disruption> {
  const primary = cluster.primary;
  switch (kind) {
    case "maintenance":
      return {
        kind,
        notReady: (h) => [
          ...primaryInMaintenance(h),
          // A secondary in maintenance advertises as badly as the demoted primary (both clamp
          // to 240, §8.5), so it could never take over.
          ...(h.secondary.maintenance
            ? ["not drilled: the secondary is in maintenance mode and could not take over"]
            : []),
        ],
        demote: {
          message: "primary enters persistent CARP maintenance mode",
          run: () => enterMaintenance(primary),
        },
        restore: {
          message: "primary leaves maintenance mode",
          run: () => leaveMaintenance(primary),
        },
        byHand: "leave maintenance mode on the primary by hand (Status > CARP)",
      };
    case "disable-carp":
      return {
        kind,
        notReady: primaryInMaintenance,
        demote: {
          message: "primary: Temporarily Disable CARP (net.inet.carp.allow=0, VIPs down)",
          run: () => disableCarp(primary),
        },
        restore: {
          message: "primary: Enable CARP (VIPs re-applied, pfsync set up, allow=1)",
          run: () => enableCarp(primary),
        },
        byHand: "enable CARP on the primary by hand (Status > CARP, Enable CARP)",
      };
    case "stop": {
      const stopper = options.stopper ?? rebootStopper(primary);
      if (stopper.target === "firewall" && !options.allowStop) await refuseRealStop(cluster);
      return {
        kind,
        notReady: primaryInMaintenance,
        demote: {
          message: `primary stops (${stopper.method})`,
          run: () => stopper.stop(),
        },
        restore: {
          message: "primary starts again; waiting until it answers",
          run: () => stopper.start(),
        },
        byHand: "start the primary by hand (power it on or check its console)",
        primaryOffline: true,
      };
    }
  }
}

/** Throws E_DRILL_REFUSED unless the primary says it is the emulator. */
async function refuseRealStop(cluster: ClusterEndpoints): Promise<void> {
  let platform: string;
  try {
    const p = await probeNodePlatform(cluster.primary);
    if (p.emulator) return;
    platform = p.platform || "unknown";
  } catch (e) {
    platform = `unknown: ${e instanceof Error ? e.message : String(e)}`;
  }
  throw haError({
    code: "E_DRILL_REFUSED",
    message: `the stop drill would reboot the primary at ${displayUrl(cluster.primary)}, which is a real firewall (platform ${platform}), and it was not asked for explicitly`,
    field: "drill stop",
    fix: "pass --allow-stop (CLI) or allowStop: true (runDrill) when taking the primary down is acceptable, or run the maintenance or disable-carp drill, which keep it running",
  });
}
