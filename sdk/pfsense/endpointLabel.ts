/** How a node is named in messages: label and URL without credentials or path. */
import type { NodeEndpoint } from "./types";

/** `https://host:port` of an endpoint with any `user:pass@` and path removed. */
export function displayUrl(ep: NodeEndpoint): string {
  try {
    const u = new URL(ep.url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return "(invalid url)";
  }
}

/** `node primary (https://10.0.0.1:443)` — used as the `field` of every node I/O error. */
export function nodeLabel(ep: NodeEndpoint): string {
  return `node ${ep.name ?? "?"} (${displayUrl(ep)})`;
}
