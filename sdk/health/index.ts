/**
 * Cluster health, maintenance mode and failover drills: orchestration over the node client
 * (sdk/pfsense). Package subpath `pulumi-pfsense-ha/health`.
 */
export { getClusterHealth, readNode } from "./clusterHealth";
export { evaluateHealth, gateVerdict, syncHealth, vhidRows } from "./healthVerdict";
export type { NodeReading } from "./healthVerdict";
export { waitForClusterHealth } from "./waitForHealth";
export type { WaitForHealthOptions, WaitForHealthResult } from "./waitForHealth";
export { enterMaintenance, leaveMaintenance } from "./maintenance";
export { disableCarp, enableCarp } from "./carpAllow";
export { probeNodePlatform } from "./nodePlatform";
export type { NodePlatform } from "./nodePlatform";
export { rebootStopper } from "./nodeStopper";
export type { NodeStopper, RebootStopperOptions } from "./nodeStopper";
export { DRILL_KINDS, disruptionFor } from "./drillKinds";
export type { Disruption, DrillKind, StopDrillOptions } from "./drillKinds";
export { runDrill } from "./drill";
export type {
  DrillOptions,
  DrillPhase,
  DrillProgress,
  DrillReport,
  DrillVhidResult,
} from "./drill";
export { DEFAULT_HANDOVER_SLACK_MS, handoverBoundMs, masterDownMs } from "./carpBounds";
export { formatHealthTable, formatDrillReport } from "./formatHealth";
export { serviceFindings, nodeServiceFindings } from "./serviceFindings";
export type * from "./types";
