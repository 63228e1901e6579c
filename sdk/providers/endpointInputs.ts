/**
 * Node credentials as dynamic-resource inputs. Each HA resource carries both nodes' endpoints as
 * inputs (not captured in the provider closure, pulumi-notes B2 pitfall 1/6): the component marks
 * `password` secret, and the resource lists the endpoints in `additionalSecretOutputs`, so state
 * keeps them encrypted while read/delete (which only see state) can still reach the nodes.
 */
import { haError } from "../plan/errors";
import type { NodeEndpoint, TlsOptions } from "../pfsense/types";
import { isUnknown } from "./unknowns";

/** One node's endpoint as a resource input (plain data). */
export interface EndpointInput {
  /** `https://host:port` of the node's web GUI (XML-RPC at `/xmlrpc.php`). */
  url: string;
  /** A user holding the `system-xmlrpc-ha-sync` privilege (usually `admin`). */
  username: string;
  /** The user's password. A secret. */
  password: string;
  /** How to trust the node's certificate. */
  tls?: TlsOptions;
  /** Whole-call limit per XML-RPC call, ms (default: the client's, 200000). */
  callTimeoutMs?: number;
}

/** Which node of the pair an endpoint belongs to. */
export type PairRole = "primary" | "secondary";

/** Turns an endpoint input into the client's {@link NodeEndpoint}. */
export function toNodeEndpoint(e: EndpointInput, role: PairRole): NodeEndpoint {
  const ep: NodeEndpoint = {
    name: role,
    url: e.url,
    username: e.username,
    password: e.password,
    tls: e.tls,
  };
  if (e.callTimeoutMs !== undefined) ep.callTimeoutMs = e.callTimeoutMs;
  return ep;
}

/**
 * Validation messages for an endpoint input (unknown values skipped). The password is never
 * echoed: only its absence is reported.
 */
export function endpointProblems(
  e: EndpointInput | undefined,
  field: string,
): { property: string; reason: string }[] {
  if (e === undefined || isUnknown(e)) return e === undefined ? [missing(field)] : [];
  const out: { property: string; reason: string }[] = [];
  if (!isUnknown(e.url)) {
    let ok: boolean;
    try {
      const u = new URL(String(e.url));
      ok = u.protocol === "https:" || u.protocol === "http:";
    } catch {
      ok = false;
    }
    if (!ok) {
      out.push({
        property: `${field}.url`,
        reason: haError({
          code: "E_INVALID_INPUT",
          field: `${field}.url`,
          value: String(e.url),
          message: "not an http(s) URL",
          fix: "give the node's web GUI address, e.g. https://192.0.2.10:443",
        }).message,
      });
    }
  }
  if (!isUnknown(e.username) && (typeof e.username !== "string" || e.username === "")) {
    out.push(missing(`${field}.username`));
  }
  if (!isUnknown(e.password) && (typeof e.password !== "string" || e.password === "")) {
    out.push(missing(`${field}.password`));
  }
  return out;
}

function missing(field: string): { property: string; reason: string } {
  return {
    property: field,
    reason: haError({
      code: "E_INVALID_INPUT",
      field,
      message: "is required",
      fix: "set it on the Cluster's node endpoint",
    }).message,
  };
}
