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
  out.push(...urlCredentialProblems(e, field), ...tlsProblems(e, field));
  if (!isUnknown(e.username) && (typeof e.username !== "string" || e.username === "")) {
    out.push(missing(`${field}.username`));
  }
  if (!isUnknown(e.password) && (typeof e.password !== "string" || e.password === "")) {
    out.push(missing(`${field}.password`));
  }
  return out;
}

/** A URL with `user:password@` would put the password in plain state and logs. */
function urlCredentialProblems(
  e: EndpointInput,
  field: string,
): { property: string; reason: string }[] {
  if (isUnknown(e.url)) return [];
  let u: URL;
  try {
    u = new URL(String(e.url));
  } catch {
    return [];
  }
  if (u.username === "" && u.password === "") return [];
  // The URL is not echoed: it holds the credentials. The property is left out for the same
  // reason (the engine prints a failing property's value).
  return [
    {
      property: "",
      reason: haError({
        code: "E_INVALID_INPUT",
        field: `${field}.url`,
        message: "the URL carries a user name or password",
        fix: "drop them from the URL and give them as username and password (a secret) instead",
      }).message,
    },
  ];
}

/** TLS options that contradict each other or the URL. */
function tlsProblems(e: EndpointInput, field: string): { property: string; reason: string }[] {
  const t = e.tls;
  if (isUnknown(t)) return [];
  const plainHttp = !isUnknown(e.url) && String(e.url).toLowerCase().startsWith("http:");
  if (plainHttp && !t?.insecureSkipTlsVerify) {
    return [
      {
        property: `${field}.url`,
        reason: haError({
          code: "E_TLS",
          field: `${field}.url`,
          message: "plain http would send the node password unencrypted",
          fix: "use https:// (pfSense's GUI default); for a lab only, set tls.insecureSkipTlsVerify: true to allow http",
        }).message,
      },
    ];
  }
  if (t === undefined || !t.insecureSkipTlsVerify) return [];
  const pinned = [t.fingerprint256 ? "fingerprint256" : "", t.caCertPem ? "caCertPem" : ""]
    .filter((x) => x !== "")
    .join(" and ");
  if (pinned === "") return [];
  return [
    {
      property: `${field}.tls`,
      reason: haError({
        code: "E_INVALID_INPUT",
        field: `${field}.tls`,
        message: `insecureSkipTlsVerify turns verification off, so the ${pinned} given beside it would be ignored`,
        fix: `drop insecureSkipTlsVerify to verify with the ${pinned}`,
      }).message,
    },
  ];
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
