/**
 * The planning core: pure functions over plain data (no I/O, no Pulumi). Every rejection is a
 * {@link PfSenseHaError} with a stable code, the field, the value and the fix.
 */
export * from "./errors";
export * from "./model";
export { planAddresses, checkVipMask, LAYOUT_SLOTS } from "./addressPlan";
export type { AddressPlanInput, AddressPlan } from "./addressPlan";
export { allocateVhids, VHID_MIN, VHID_MAX } from "./vhidAllocator";
export type { VhidAllocationInput, VhidRequest, VhidInUse } from "./vhidAllocator";
export {
  planCarpTiming,
  secondarySkewFor,
  advertisedSkew,
  SECONDARY_SKEW_OFFSET,
  MAX_ADVSKEW,
  MAX_ADVBASE,
  CARP_ADVERTISED_SKEW_CLAMP,
  DHCP_PRIMARY_SKEW_LIMIT,
} from "./skewPolicy";
export type { CarpTiming, CarpTimingInput } from "./skewPolicy";
export {
  validateCarpPassword,
  generateCarpPassword,
  CARP_PASSWORD_MAX_BYTES,
  CARP_PASSWORD_ALPHABET,
} from "./carpPassword";
export type { RandomSource } from "./carpPassword";
export { deriveSecondary, isSyncedVip } from "./secondaryDerivation";
export type { SecondaryContext } from "./secondaryDerivation";
export { secondaryDrift } from "./secondaryDrift";
export type { DriftItem } from "./secondaryDrift";
export { checkOutboundNatRule } from "./natSafety";
export type { NatSafetyContext } from "./natSafety";
export { planDhcpFailover, DHCP_MAX_DNS_SERVERS } from "./dhcpPlan";
export type { DhcpFailoverInput } from "./dhcpPlan";
export { planStackedAddresses, MAX_STACKED_ADDRESSES } from "./stackedAddresses";
export type { StackedAddressInput, StackedAddressPlan } from "./stackedAddresses";
