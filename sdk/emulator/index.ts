/**
 * pfSense node emulator (package subpath `pulumi-pfsense-ha/emulator`): HTTPS XML-RPC endpoints on
 * 127.0.0.1 that behave like pfSense nodes on the wire (design/pfsense-xmlrpc.md §10).
 */
export { startNode, EmulatedNode, SOURCE_IP_HEADER } from "./node";
export type {
  NodeOptions,
  ExecPhpHandler,
  Notice,
  RevisionRecord,
  CarpRuntimeStatus,
} from "./node";
export { startPair, pairNodeConfigXml, describeNode, PAIR_SYNC_IPS } from "./pair";
export type { PairOptions, EmulatedPair, EndpointDescription } from "./pair";
export { FaultControl, LoginProtection } from "./faults";
export { CHECK_RELOAD_STATUS_TIMING, FilterSyncQueue } from "./syncTiming";
export type { SyncRunCounters, FilterSyncTiming } from "./syncTiming";
export type { FaultKind, LockoutOptions } from "./faults";
export { CarpCluster, effectiveSkew } from "./carpModel";
export type {
  CarpState,
  CarpStateSource,
  CarpNodeRuntime,
  AppliedCarpVip,
  CarpTimingOptions,
} from "./carpModel";
export { profileFor } from "./profiles";
export type { VersionProfile, ProfileName, MethodSignature, ParamType } from "./profiles";
export { buildSyncPayload, syncSectionList, syncVirtualIps } from "./syncPayload";
export {
  applyRestore,
  applyMergeConfig,
  applyMergeInstalledPackages,
  mergeTwoLevel,
} from "./receiverSemantics";
export { authenticate, hashPassword, verifyPassword, HA_SYNC_PRIV } from "./auth";
export { DEFAULT_CONFIG_XML } from "./defaultConfig";
export { PhpFatalError, PhpException } from "./phpErrors";
export { emulatedNodeStopper } from "./drillStopper";
export { registerCarpDrillHandlers, PFSYNC_SETUP_WAIT_MS } from "./carpDrillHandlers";
