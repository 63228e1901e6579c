/**
 * pulumi-pfsense-ha: declare a two-node pfSense HA cluster in a Pulumi program.
 *
 * Components (type tokens `pfsense-ha:index:<Name>`): {@link CarpVip}, {@link HaSyncSettings},
 * {@link OutboundNatRule}, {@link DhcpFailover}, all taking a {@link Cluster}. The planning core
 * (pure functions, no I/O) is exported too, as is the library's error family. The plan model's
 * rule type is exported as `OutboundNatRuleModel` (the name `OutboundNatRule` is the component).
 */
export * from "./plan";
export * from "./components";
// Explicit re-export: the component wins over the plan model's type of the same name.
export { OutboundNatRule } from "./components";
export type { OutboundNatRule as OutboundNatRuleModel } from "./plan";
export type { TlsOptions } from "./pfsense/types";
export type { NodeDrift } from "./providers/nodeDrift";
// Cluster health, maintenance mode, failover drills, and the opt-in deployment gate.
export * from "./health";
export {
  ClusterHealthGate,
  ClusterHealthCheck,
  clusterHealthOutput,
  type ClusterHealthGateArgs,
} from "./components/clusterHealthGate";
