/**
 * One provider object per resource kind, created once per process: the SDK caches the serialized
 * text per provider object, so sharing them keeps serialization to one run per kind.
 */
import { delegatingProvider } from "./delegatingProvider";

/** Provider of CarpVip's dynamic resource. */
export const carpVipProvider = delegatingProvider("carpVip");
/** Provider of HaSyncSettings' dynamic resource. */
export const haSyncProvider = delegatingProvider("haSync");
/** Provider of OutboundNatRule's dynamic resource. */
export const outboundNatProvider = delegatingProvider("outboundNat");
/** Provider of DhcpFailover's dynamic resource. */
export const dhcpFailoverProvider = delegatingProvider("dhcpFailover");
/** Provider of ClusterHaConfig's dynamic resource. */
export const clusterHaProvider = delegatingProvider("clusterHa");
