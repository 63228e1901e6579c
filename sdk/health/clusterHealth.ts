/**
 * getClusterHealth: reads both nodes (config + revision, CARP runtime state, and the primary's
 * sync failure notices) in parallel and evaluates them. A node that cannot be read is reported,
 * not thrown: health is exactly the question "is something wrong?".
 */
import { getNodeSession, type NodeEndpoint } from "../pfsense";
import { displayUrl } from "../pfsense/endpointLabel";
import { evaluateHealth, type NodeReading } from "./healthVerdict";
import type { ClusterEndpoints, ClusterHealth } from "./types";

function errorOf(e: unknown): { code: string; message: string } {
  const code = (e as { code?: unknown })?.code;
  return {
    code: typeof code === "string" ? code : "E_UNKNOWN",
    message: e instanceof Error ? e.message : String(e),
  };
}

/** Reads one node. Never throws. */
export async function readNode(
  ep: NodeEndpoint,
  role: "primary" | "secondary",
  opts: { config: boolean; notices: boolean },
): Promise<NodeReading> {
  const labelled: NodeEndpoint = { ...ep, name: ep.name ?? role };
  const session = getNodeSession(labelled);
  const reading: NodeReading = { health: { role, url: displayUrl(ep), reachable: false } };
  try {
    const [state, carp, notices] = await Promise.all([
      opts.config ? session.read() : Promise.resolve(undefined),
      session.client.carpStatus(),
      opts.notices ? session.client.syncNotices() : Promise.resolve(undefined),
    ]);
    reading.carp = carp;
    reading.health = {
      ...reading.health,
      reachable: true,
      carpAllowed: carp.allow,
      demotion: carp.demotion,
      maintenance: carp.maintenance,
    };
    if (state) {
      reading.config = state.config;
      reading.health.revision = state.revision;
      reading.health.version = state.firmware.productVersion;
    }
    if (notices) reading.notices = notices;
  } catch (e) {
    reading.health.error = errorOf(e);
  }
  return reading;
}

/**
 * Reads both nodes and returns the cluster's health: per node CARP allowed / demotion /
 * maintenance and config revision; per CARP VIP (VHID) each node's MASTER/BACKUP/INIT state; the
 * config sync state (content of the secondary against the primary's derived view, plus the
 * primary's sync failure notices); and the list of problems (empty = healthy).
 *
 * Endpoints carry secrets; nothing returned contains them.
 */
export async function getClusterHealth(cluster: ClusterEndpoints): Promise<ClusterHealth> {
  const [p, s] = await Promise.all([
    readNode(cluster.primary, "primary", { config: true, notices: true }),
    readNode(cluster.secondary, "secondary", { config: true, notices: false }),
  ]);
  return evaluateHealth(p, s);
}
