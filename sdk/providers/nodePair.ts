/**
 * The two node sessions one HA resource works with. Sessions come from the client's per-URL
 * registry (one lock and one write queue per node per process), so every resource of a
 * deployment shares them and concurrent edits coalesce.
 */
import { getNodeSession } from "../pfsense";
import type { NodeSession, NodeState } from "../pfsense/types";
import { toNodeEndpoint, type EndpointInput } from "./endpointInputs";

/** Both nodes of a cluster. */
export interface NodePair {
  primary: NodeSession;
  secondary: NodeSession;
}

/** Opens (or reuses) the sessions for the endpoints recorded on a resource. */
export function openPair(inputs: { primary: EndpointInput; secondary: EndpointInput }): NodePair {
  return {
    primary: getNodeSession(toNodeEndpoint(inputs.primary, "primary")),
    secondary: getNodeSession(toNodeEndpoint(inputs.secondary, "secondary")),
  };
}

/** Both nodes as a refresh reads them: one shared read per node for the whole wave of reads. */
export function readBoth(pair: NodePair): Promise<[NodeState, NodeState]> {
  return Promise.all([pair.primary.read({ shared: true }), pair.secondary.read({ shared: true })]);
}
