/**
 * Persistent CARP maintenance mode on one node (design/pfsense-xmlrpc.md §8.3): pfSense stores the
 * flag in config.xml and configures every CARP VIP with advskew 254 at runtime, so the node hands
 * its VIPs to the peer and keeps them handed over across reboots until maintenance is left.
 */
import { getNodeSession, type NodeEndpoint } from "../pfsense";

/** Puts the node into persistent CARP maintenance mode (verified by the node's reply). */
export async function enterMaintenance(node: NodeEndpoint): Promise<void> {
  await getNodeSession(node).client.setMaintenanceMode(true);
}

/** Takes the node out of persistent CARP maintenance mode (verified by the node's reply). */
export async function leaveMaintenance(node: NodeEndpoint): Promise<void> {
  await getNodeSession(node).client.setMaintenanceMode(false);
}
