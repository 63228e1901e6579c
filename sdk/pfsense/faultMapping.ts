/**
 * Turns what the `xmlrpc` package reports (faults, HTTP statuses, socket and TLS errors) into
 * the library's typed errors (sdk/plan/errors.ts). Messages name the node and the method,
 * never the password.
 */
import { haError, isHaError, type PfSenseHaError } from "../plan/errors";
import type { NodeEndpoint } from "./types";
import { nodeLabel } from "./endpointLabel";
import { phpErrorInBody } from "./phpErrorBody";

/** Which pfSense versions lack a method (§4 table), for -32601 messages. */
const MISSING_IN: Record<string, string> = {
  "pfsense.filter_configure":
    "pfSense 2.5.0 and later (it became private; restore applies services itself)",
  "pfsense.captive_portal_sync": "pfSense 2.4.x and earlier (added in 2.5.0)",
  "pfsense.get_notices": "pfSense 2.4.0 and later (removed; read notices through exec_php)",
  "pfsense.merge_installedpackages_section":
    "pfSense 2.3.x (named merge_installedpackages_section_xmlrpc there)",
};

/** A classified failure plus whether a retry could help (transport-level, before a reply). */
export interface ClassifiedError {
  error: PfSenseHaError;
  retryable: boolean;
}

const TRANSPORT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENETDOWN",
  "EAI_AGAIN",
  "ENOTFOUND",
  "ECONNABORTED",
  "ERR_STREAM_PREMATURE_CLOSE",
]);

/** True for OpenSSL / Node TLS failures (certificate, handshake, protocol). */
function isTlsError(e: { code?: unknown; message?: string }): boolean {
  const code = typeof e.code === "string" ? e.code : "";
  return (
    code.startsWith("ERR_SSL_") ||
    code.startsWith("ERR_TLS_") ||
    /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH|ALTNAME/.test(code) ||
    /SSL routines|certificate/i.test(e.message ?? "")
  );
}

/** Maps an XML-RPC fault code/string to a typed error (§2.3, §3.1). */
export function faultToError(
  ep: NodeEndpoint,
  method: string,
  code: number,
  faultString: string,
): PfSenseHaError {
  const field = nodeLabel(ep);
  const fs = faultString.slice(0, 300);
  switch (code) {
    case -1:
      return haError({
        code: "E_AUTH",
        message: `${method}: authentication failed for user "${ep.username}" (fault -1 "${fs}"); exactly one attempt was made and it is not retried, because every failure feeds pfSense's login protection, which blocks the caller's address after a few failures`,
        field,
        fix: "check the username and password of this node (a locked-out address must wait for the block to expire or be added to System > Advanced > Admin Access > Login Protection pass list)",
      });
    case -2:
      return haError({
        code: "E_PRIVILEGE",
        message: `${method}: user "${ep.username}" authenticated but lacks the privilege "System - HA node sync" (system-xmlrpc-ha-sync) (fault -2 "${fs}")`,
        field,
        fix: 'in System > User Manager, give the user (or one of its groups) the privilege "System - HA node sync"; "WebCfg - All pages" (page-all) is not enough',
      });
    case -32601:
      return haError({
        code: "E_METHOD_NOT_FOUND",
        message: `${method} does not exist on this node (fault -32601)${MISSING_IN[method] ? `; it is missing in ${MISSING_IN[method]}` : "; every pfSense 2.4+ has it, so the endpoint is probably not pfSense's xmlrpc.php"}`,
        field,
        fix: "check the node URL and its pfSense version (2.4.0 or later is required)",
      });
    case -32602:
      return haError({
        code: "E_INVALID_PARAMS",
        message: `${method}: the node rejected the parameters (fault -32602 "${fs}")`,
        field,
        fix: "this is a client bug or an unexpected pfSense version; report it with the node's version",
      });
    default:
      return haError({
        code: "E_FAULT",
        message: `${method}: the node answered with XML-RPC fault ${code} "${fs}"`,
        field,
        fix: "see the node's system log (Status > System Logs) for the PHP error",
      });
  }
}

/** Removes the endpoint's password from text quoted off the node (PHP may echo arguments). */
function withoutSecret(ep: NodeEndpoint, text: string): string {
  return ep.password ? text.split(ep.password).join("***") : text;
}

/** A PHP error the node reported instead of an XML-RPC reply (phpErrorBody.ts). */
function phpError(
  ep: NodeEndpoint,
  method: string,
  status: number,
  php: { message: string; where?: string },
): PfSenseHaError {
  const noPackages =
    method === "pfsense.merge_installedpackages_section" && /array_merge/.test(php.message);
  return haError({
    code: "E_NODE_PHP_ERROR",
    message: withoutSecret(
      ep,
      `${method}: PHP failed on the node (HTTP ${status}${php.where ? `, in ${php.where}` : ""}): ${php.message}; the call ran into an error in pfSense's PHP, so its effects up to that point may have happened`,
    ),
    field: nodeLabel(ep),
    fix: noPackages
      ? "the node has no <installedpackages> section: install any package on it (System > Package Manager) first, then retry"
      : "this is not a URL or network problem: read the node's 'PHP errors' notice and Status > System Logs > General, and report the error with the node's pfSense version",
  });
}

/** Shape of the errors the `xmlrpc` package passes to its callback. */
interface XmlRpcLibError {
  code?: unknown;
  faultCode?: unknown;
  faultString?: unknown;
  message?: string;
  res?: { statusCode?: number };
  body?: string;
}

/**
 * A cause without the request object the xmlrpc package attaches (it holds the
 * Authorization header): only message and code survive.
 */
function safeCause(raw: unknown): Error {
  const e = (raw ?? {}) as { message?: unknown; code?: unknown };
  const c = new Error(typeof e.message === "string" ? e.message : String(raw));
  if (typeof e.code === "string") (c as Error & { code?: string }).code = e.code;
  return c;
}

/** Classifies an error reported by the xmlrpc client or the socket. */
export function classifyError(
  ep: NodeEndpoint,
  method: string,
  raw: unknown,
  responseStarted: boolean,
): ClassifiedError {
  if (isHaError(raw)) return { error: raw, retryable: false };
  const e = (raw ?? {}) as XmlRpcLibError;
  const field = nodeLabel(ep);
  if (typeof e.faultCode === "number" || (typeof e.faultCode === "string" && e.faultCode !== "")) {
    return {
      error: faultToError(
        ep,
        method,
        Number(e.faultCode),
        typeof e.faultString === "string" ? e.faultString : "",
      ),
      retryable: false,
    };
  }
  const status = e.res?.statusCode;
  const php =
    status !== undefined && typeof e.body === "string" ? phpErrorInBody(e.body) : undefined;
  if (php && status !== undefined) {
    return { error: phpError(ep, method, status, php), retryable: false };
  }
  if (status !== undefined && status !== 200) {
    return {
      error: haError(
        {
          code: "E_HTTP",
          message: `${method}: HTTP status ${status} instead of 200${status === 504 ? " (nginx on pfSense cuts calls at 180 s; the change may still complete on the node)" : ""}`,
          field,
          value: String(status),
          fix: "check that the URL is the node's web GUI (https, right port) and see the node's system log",
        },
        safeCause(raw),
      ),
      retryable: status === 502 || status === 503 || status === 504,
    };
  }
  if (status === 200) {
    return {
      error: haError(
        {
          code: "E_MALFORMED_REPLY",
          message: `${method}: the reply is not a valid XML-RPC response (${(e.message ?? "").slice(0, 200)})`,
          field,
          fix: "check that the URL points at pfSense's /xmlrpc.php and not at a proxy or another service",
        },
        safeCause(raw),
      ),
      retryable: false,
    };
  }
  if (isTlsError(e)) {
    return {
      error: haError(
        {
          code: "E_TLS",
          message: `${method}: TLS connection refused (${String(e.code ?? "")} ${(e.message ?? "").slice(0, 200)}); nothing was sent`,
          field,
          fix: "trust the node's certificate with tls.caCertPem or pin it with tls.fingerprint256 (insecureSkipTlsVerify only in labs)",
        },
        safeCause(raw),
      ),
      retryable: false,
    };
  }
  const code = typeof e.code === "string" ? e.code : "";
  if (TRANSPORT_CODES.has(code) || /socket hang up|ECONNRESET/i.test(e.message ?? "")) {
    return {
      error: haError(
        {
          code: "E_TRANSPORT",
          message: `${method}: connection failed (${code || e.message})${responseStarted ? " after part of the reply arrived" : ""}`,
          field,
          fix: "check that the node is up and reachable from here (address, port, firewall rules, login protection)",
        },
        safeCause(raw),
      ),
      retryable: true,
    };
  }
  return {
    error: haError(
      {
        code: "E_TRANSPORT",
        message: `${method}: call failed (${code ? code + " " : ""}${(e.message ?? String(raw)).slice(0, 200)})`,
        field,
        fix: "check the node URL and that the node is reachable",
      },
      safeCause(raw),
    ),
    retryable: false,
  };
}
