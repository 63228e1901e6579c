/**
 * The public components (package root `pulumi-pfsense-ha`).
 */
export { Cluster, type ClusterArgs, type NodeEndpointArgs } from "./cluster";
export { ClusterBackupConfig } from "./clusterBackup";
export { Provider, type ProviderArgs } from "./provider";
export { CarpVip, CarpVipConfig, type CarpVipArgs } from "./carpVip";
export { HaSyncSettings, HaSyncConfig, type HaSyncSettingsArgs } from "./haSyncSettings";
export { OutboundNatRule, OutboundNatConfig, type OutboundNatRuleArgs } from "./outboundNatRule";
export { DhcpFailover, DhcpFailoverConfig, type DhcpFailoverArgs } from "./dhcpFailover";
export {
  SyncInterfaceRules,
  SyncInterfaceRulesConfig,
  type SyncInterfaceRulesArgs,
} from "./syncInterfaceRules";
export {
  ClusterHaConfig,
  ClusterHaConfigState,
  type ClusterHaConfigArgs,
  type ClusterHaVipArgs,
  type ClusterHaNatArgs,
  type ClusterHaDhcpArgs,
  type ClusterHaVipState,
} from "./clusterHaConfig";
export { CarpIpAliases, CarpIpAliasesConfig, type CarpIpAliasesArgs } from "./carpIpAliases";
export {
  VipServiceBinding,
  VipServiceBindingConfig,
  type VipServiceBindingArgs,
} from "./vipServiceBinding";
