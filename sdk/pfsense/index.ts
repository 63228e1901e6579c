/**
 * pfSense node client (contracts.md "sdk/pfsense"): typed XML-RPC API, version profiles,
 * section codecs, CARP runtime, and the per-node session with coalesced, verified edits.
 */
export type {
  TlsOptions,
  NodeEndpoint,
  NodeClient,
  FirmwareInfo,
  CapabilityProfile,
  CarpRuntimeStatus,
  ClientStats,
  NodeSession,
  NodeState,
  RevisionInfo,
  ConfigChange,
} from "./types";
export { createNodeClient, DEFAULT_REMOTE_TIMEOUT_S, RESTORE_REMOTE_TIMEOUT_S } from "./client";
export {
  GATHER_MAX_MS,
  GATHER_MS,
  editsSettled,
  getNodeSession,
  isWriteUnsettled,
  resetNodeSessions,
  MAX_CONCURRENT_EDIT_RETRIES,
  type SessionStats,
  type NodeSessionImpl,
} from "./session";
export { parseFirmwareInfo, profileFor, natTargetFormatFor } from "./version";
export { normaliseFingerprint } from "./tlsConnect";
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_BACKOFF_MS,
} from "./transport";
export {
  decodeVip,
  encodeVip,
  decodeVirtualIps,
  encodeVirtualIpPayload,
  isKeptLocally,
} from "./sections/virtualip";
export { decodeHaSync, encodeHaSync, encodeHaSyncPayload } from "./sections/hasync";
export {
  decodeNat,
  encodeNat,
  decodeOutboundRule,
  encodeOutboundRule,
  type NatCtx,
} from "./sections/nat";
export {
  decodeDhcpd,
  encodeDhcpd,
  decodeDhcpdInterface,
  encodeDhcpdInterface,
} from "./sections/dhcpd";
export { decodeFilter, encodeFilter, decodeFilterRule, encodeFilterRule } from "./sections/filter";
export { decodeInterfaces } from "./sections/interfaces";
export {
  decodeOpenVpn,
  encodeOpenVpn,
  decodeOpenVpnServer,
  encodeOpenVpnServer,
} from "./sections/openvpn";
export {
  decodeIpsec,
  encodeIpsec,
  decodeIpsecPhase1,
  encodeIpsecPhase1,
  effectivePhase1Interface,
} from "./sections/ipsec";
export { decodeRevision, decodeConfigVersion, sameRevision } from "./sections/revision";
export {
  READ_SECTIONS,
  decodeNodeConfig,
  changedSections,
  encodeRestorePayload,
  type WritableSection,
} from "./sections/nodeConfig";
export { decodeCarpStatus, MARKERS } from "./carpRuntime";
export { displayUrl, nodeLabel } from "./endpointLabel";
