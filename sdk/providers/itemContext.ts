/**
 * How an aggregate (ClusterHaConfig) runs one item through the item's own reconcile: with member
 * views of the node sessions (one write per node for all items) and the VIPs planned beside it,
 * which NAT rules and DHCP failover may point at before they exist on the nodes.
 */
import type { VirtualIp } from "../plan";
import type { NodePair } from "./nodePair";

/** Absent for a standalone resource. */
export interface ItemContext {
  /** The sessions to use instead of the endpoints' own. */
  pair: NodePair;
  /** CARP VIPs the same aggregate creates or keeps, as the primary will hold them. */
  plannedVips: VirtualIp[];
}

/** The item's pair: the aggregate's member views, else the endpoints' sessions. */
export function pairFor(ctx: ItemContext | undefined, open: () => NodePair): NodePair {
  return ctx?.pair ?? open();
}

/**
 * Read options for the item's first read: inside an aggregate, the snapshot the aggregate read
 * a moment ago (one read per node for all items); standalone, a fresh read.
 */
export function firstReadOptions(ctx: ItemContext | undefined): { shared?: boolean } {
  return ctx ? { shared: true } : {};
}
