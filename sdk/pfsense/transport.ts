/**
 * One XML-RPC call to a pfSense node: POST /xmlrpc.php, pre-emptive HTTP Basic auth (§3.1:
 * there is never a challenge), connect and overall timeouts, typed errors, and bounded retries
 * with backoff for transport failures of idempotent calls only. The request is the `xmlrpc`
 * package's serialization, sent as its client sends it; the reply is decoded by
 * codec/xmlrpcDecode.ts, which answers as the package does at a fraction of its CPU. Every
 * callback settles the promise exactly once and nothing is thrown inside one (pulumi-notes B2
 * pitfall 14).
 */
import http from "node:http";
import https from "node:https";
import type tls from "node:tls";
import { createHash } from "node:crypto";
import { haError, isHaError, type PfSenseHaError } from "../plan/errors";
import {
  AUTH_FAILURE_MEMO_MS,
  forgetRefused,
  rememberRefused,
  wasRefused,
} from "./authFailureMemo";
import type { PhpValue } from "../codec/phpValue";
import { decodeReplyXml, faultError } from "../codec/xmlrpcDecode";
import type { ClientStats, NodeEndpoint } from "./types";
import { createVerifyingAgent } from "./tlsConnect";
import { classifyError, type ClassifiedError } from "./faultMapping";
import { displayUrl, nodeLabel } from "./endpointLabel";

/** Default TCP+TLS connect limit (ms). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Default whole-call limit (ms); above nginx's 180 s cut (§2.1). */
export const DEFAULT_CALL_TIMEOUT_MS = 200_000;
/** Default attempts for idempotent calls. */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** Default first backoff (ms). */
export const DEFAULT_RETRY_BACKOFF_MS = 250;

/** Options of one call. */
export interface CallOptions {
  /** Safe to repeat (reads): transport failures are retried with backoff. */
  idempotent: boolean;
}

const plainHttpWarned = new Set<string>();

/** Says once per node that its password travels unencrypted (http allowed for a lab). */
function warnPlainHttp(ep: NodeEndpoint): void {
  const label = nodeLabel(ep);
  if (plainHttpWarned.has(label)) return;
  plainHttpWarned.add(label);
  process.emitWarning(
    `pfsense-ha: PLAIN HTTP to ${label}: the node password and the synced secrets travel unencrypted. Use https:// outside labs.`,
    { code: "PFSENSE_HA_PLAIN_HTTP" },
  );
}

// The package's request serializer is not in its typings; it is a plain CommonJS module.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Serializer = require("xmlrpc/lib/serializer") as {
  serializeMethodCall(method: string, params: unknown[], encoding?: string): string;
};

/** Parsed target of an endpoint URL. */
function target(ep: NodeEndpoint): { host: string; port: number; path: string; secure: boolean } {
  let u: URL;
  try {
    u = new URL(ep.url);
  } catch {
    throw haError({
      code: "E_INVALID_INPUT",
      message: "the node URL is not a valid URL",
      field: `node ${ep.name ?? "?"}.url`,
      fix: "use https://host[:port]",
    });
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    throw haError({
      code: "E_INVALID_INPUT",
      message: `unsupported URL scheme ${u.protocol}`,
      field: `node ${ep.name ?? "?"}.url`,
      value: displayUrl(ep),
      fix: "use https://host[:port]",
    });
  }
  const secure = u.protocol === "https:";
  if (!secure && !ep.tls?.insecureSkipTlsVerify) {
    // Plain http would send the node password (root-equivalent, §11 gotcha 22) in clear.
    throw haError({
      code: "E_TLS",
      message: "the node URL uses plain http, which would send the password unencrypted",
      field: `node ${ep.name ?? "?"}.url`,
      value: displayUrl(ep),
      fix: "use https:// (pfSense's GUI default); for a lab only, set tls.insecureSkipTlsVerify: true to allow http",
    });
  }
  if (!secure) warnPlainHttp(ep);
  const path = u.pathname && u.pathname !== "/" ? u.pathname : "/xmlrpc.php";
  return {
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port: u.port ? Number(u.port) : secure ? 443 : 80,
    path,
    secure,
  };
}

/** One attempt; resolves with the decoded reply or rejects with a ClassifiedError wrapper. */
function attemptOnce(
  ep: NodeEndpoint,
  method: string,
  params: PhpValue[],
  stats: ClientStats,
): Promise<{ ok: true; value: unknown } | { ok: false; failure: ClassifiedError }> {
  return new Promise((resolve) => {
    const t = target(ep);
    const connectMs = ep.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const callMs = ep.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    let settled = false;
    let socket: tls.TLSSocket | undefined;
    let responseStarted = false;

    const settle = (
      r: { ok: true; value: unknown } | { ok: false; failure: ClassifiedError },
    ): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(callTimer);
      if (socket) {
        stats.bytesSent += socket.bytesWritten ?? 0;
        stats.bytesReceived += socket.bytesRead ?? 0;
        socket.destroy();
      }
      resolve(r);
    };
    const fail = (raw: unknown): void =>
      settle({ ok: false, failure: classifyError(ep, method, raw, responseStarted) });
    const timeout = (phase: "connect" | "call", ms: number): void => {
      const error: PfSenseHaError = haError({
        code: "E_TIMEOUT",
        message:
          phase === "connect"
            ? `${method}: no TLS connection within ${ms} ms`
            : `${method}: no complete reply within ${ms} ms${responseStarted ? " (the reply had started)" : ""}; a write may still complete on the node`,
        field: nodeLabel(ep),
        fix:
          phase === "connect"
            ? "check that the node is reachable (address, port, firewall, login protection)"
            : "raise the node's callTimeoutSeconds in the Cluster arguments, or check the node's load",
      });
      settle({ ok: false, failure: { error, retryable: !responseStarted } });
    };
    const callTimer = setTimeout(() => timeout("call", callMs), callMs);
    const connectTimer = setTimeout(() => timeout("connect", connectMs), connectMs);

    const agent = t.secure
      ? createVerifyingAgent(ep, {
          onSocket: (s) => {
            socket = s;
          },
          onConnected: () => {
            clearTimeout(connectTimer);
            socket?.on("data", () => {
              responseStarted = true;
            });
          },
          onFailure: (e) => fail(e),
        })
      : undefined;
    const auth = "Basic " + Buffer.from(`${ep.username}:${ep.password}`, "utf8").toString("base64");
    const options = {
      host: t.host,
      port: t.port,
      path: t.path,
      agent,
      headers: {
        Authorization: auth,
        Connection: "close",
        "User-Agent": "pulumi-pfsense-ha",
        "Content-Type": "text/xml; charset=utf-8",
        Accept: "text/xml",
        "Accept-Charset": "UTF8",
      },
    };
    if (!t.secure) {
      // Plain http (tests/labs only): no agent hooks, count on the request's socket instead.
      clearTimeout(connectTimer);
    }
    try {
      post(
        t.secure,
        { ...options, method: "POST" },
        Serializer.serializeMethodCall(method, params, "utf8"),
        {
          onReply: (value) => settle({ ok: true, value }),
          onError: fail,
        },
      );
    } catch (e) {
      fail(e);
    }
  });
}

/**
 * The package client's exchange: POST the call, read the whole reply, decode it whatever the
 * status (a 404 aside); failures carry `res.statusCode` and `body` as the package's do, for
 * faultMapping.ts.
 */
function post(
  secure: boolean,
  options: https.RequestOptions,
  xml: string,
  to: { onReply: (value: unknown) => void; onError: (e: unknown) => void },
): void {
  const headers = { ...options.headers, "Content-Length": Buffer.byteLength(xml, "utf8") };
  const request = (secure ? https : http).request({ ...options, headers }, (res) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("error", to.onError);
    res.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const enrich = (e: Error): Error =>
        Object.assign(e, { res: { statusCode: res.statusCode }, body });
      if (res.statusCode === 404) return to.onError(enrich(new Error("Not Found")));
      try {
        const r = decodeReplyXml(body);
        if (r.kind === "fault") to.onError(enrich(faultError(r.faultCode, r.faultString)));
        else to.onReply(r.value);
      } catch (e) {
        to.onError(enrich(e instanceof Error ? e : new Error(String(e))));
      }
    });
  });
  request.on("error", to.onError);
  request.end(xml, "utf8");
}

/** Pause helper. */
function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Calls `method` with `params` (the caller appends the trailing timeout, §4). Retries only
 * idempotent calls, only for retryable transport failures, at most `maxAttempts` times.
 */
export async function callNode(
  ep: NodeEndpoint,
  stats: ClientStats,
  method: string,
  params: PhpValue[],
  opts: CallOptions,
): Promise<unknown> {
  refuseRememberedLogin(ep, method);
  try {
    const v = await callWithRetries(ep, stats, method, params, opts);
    loginAccepted(ep);
    return v;
  } catch (e) {
    if (isHaError(e) && e.code === "E_AUTH") loginRefused(ep);
    throw e;
  }
}

/** In-process view of the refused-login memo, so the shared file is read once per credential. */
const loginState = new Map<string, "refused" | "accepted" | "unknown">();
const loginKey = (ep: NodeEndpoint): string =>
  `${ep.url}\0${ep.username}\0${createHash("sha256").update(ep.password).digest("hex")}`;

/** Fails at once, with no attempt, for credentials the node refused earlier in this run. */
function refuseRememberedLogin(ep: NodeEndpoint, method: string): void {
  const key = loginKey(ep);
  let state = loginState.get(key);
  if (state === undefined) {
    state = wasRefused(ep) ? "refused" : "unknown";
    loginState.set(key, state);
  }
  if (state !== "refused") return;
  throw haError({
    code: "E_AUTH",
    message: `${method}: not attempted: the node refused user "${ep.username}" with this password within the last ${AUTH_FAILURE_MEMO_MS / 60_000} minutes, and every further failure feeds pfSense's login protection`,
    field: nodeLabel(ep),
    fix: "correct the username or password of this node; the refusal is forgotten when the credentials change, or after that time",
  });
}

function loginRefused(ep: NodeEndpoint): void {
  loginState.set(loginKey(ep), "refused");
  rememberRefused(ep);
}

function loginAccepted(ep: NodeEndpoint): void {
  const key = loginKey(ep);
  if (loginState.get(key) === "accepted") return;
  loginState.set(key, "accepted");
  forgetRefused(ep);
}

async function callWithRetries(
  ep: NodeEndpoint,
  stats: ClientStats,
  method: string,
  params: PhpValue[],
  opts: CallOptions,
): Promise<unknown> {
  const max = opts.idempotent ? Math.max(1, Math.floor(ep.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) : 1;
  const backoff = ep.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS;
  let last: PfSenseHaError | undefined;
  let attempts = 0;
  for (let attempt = 1; attempt <= max; attempt++) {
    stats.calls++;
    attempts = attempt;
    const r = await attemptOnce(ep, method, params, stats);
    if (r.ok) return r.value;
    last = r.failure.error;
    const code = last.code;
    if (!r.failure.retryable || code === "E_AUTH" || code === "E_PRIVILEGE" || attempt === max)
      break;
    await sleep(backoff * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
  }
  if (last && attempts > 1) {
    // Say how hard we tried; the last failure stays available as the cause.
    const m = /^\[[A-Z_]+\] (?:.*?\): )?(.*?)\.?(?: Fix: .*)?$/s.exec(last.message);
    throw haError(
      {
        code: last.code,
        message: `${m?.[1] ?? last.message} — gave up after ${attempts} attempts with backoff`,
        field: last.field,
        value: last.value,
        fix: last.fix,
      },
      last,
    );
  }
  throw last ?? new Error("unreachable");
}
