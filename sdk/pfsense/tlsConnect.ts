/**
 * TLS policy for node connections: verified by default (system CAs or `caCertPem`), or a
 * SHA-256 certificate pin, or an explicit lab opt-out. The check completes on the TLS socket
 * before the socket is handed to the HTTP request, so no byte of the request (and thus no
 * Authorization header) is sent to an unverified peer.
 */
import https from "node:https";
import net from "node:net";
import tls from "node:tls";
import type { Duplex } from "node:stream";
import { haError } from "../plan/errors";
import type { NodeEndpoint } from "./types";
import { nodeLabel } from "./endpointLabel";

let insecureWarned = false;

/** Normalises a fingerprint to upper-case hex without separators. */
export function normaliseFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-fA-F]/g, "").toUpperCase();
}

/** Per-connection hooks the transport observes (socket for byte counts and aborts). */
export interface ConnectHooks {
  onSocket(socket: tls.TLSSocket): void;
  onConnected(): void;
  /** A classified failure before the socket was handed over (TLS, pin mismatch). */
  onFailure(err: Error): void;
}

/** The TLS options for `tls.connect` derived from an endpoint's policy. */
function tlsOptionsFor(ep: NodeEndpoint): tls.ConnectionOptions {
  const t = ep.tls ?? {};
  if (t.insecureSkipTlsVerify) {
    if (!insecureWarned) {
      insecureWarned = true;
      process.emitWarning(
        `pfsense-ha: TLS VERIFICATION DISABLED for ${nodeLabel(ep)} (insecureSkipTlsVerify: true). ` +
          "Anyone on the path can read the node password and the synced secrets. Use a CA or a fingerprint256 pin outside labs.",
        { code: "PFSENSE_HA_INSECURE_TLS" },
      );
    }
    return { rejectUnauthorized: false };
  }
  // A pin replaces chain validation (pfSense ships a self-signed GUI certificate).
  if (t.fingerprint256) return { rejectUnauthorized: false };
  return { rejectUnauthorized: true, ca: t.caCertPem ? [t.caCertPem] : undefined };
}

/**
 * An https.Agent (no keep-alive) whose sockets are only handed to the request after the TLS
 * handshake and the fingerprint pin check succeeded.
 */
export function createVerifyingAgent(ep: NodeEndpoint, hooks: ConnectHooks): https.Agent {
  const pin =
    ep.tls?.fingerprint256 && !ep.tls.insecureSkipTlsVerify
      ? normaliseFingerprint(ep.tls.fingerprint256)
      : undefined;
  const base = tlsOptionsFor(ep);
  const agent = new https.Agent({ keepAlive: false, maxSockets: 1 });
  (agent as unknown as { createConnection: unknown }).createConnection = (
    opts: https.RequestOptions,
    cb: (err: Error | null, s?: Duplex) => void,
  ): undefined => {
    const host = String(opts.hostname ?? opts.host ?? "localhost").replace(/^\[|\]$/g, "");
    const socket = tls.connect({
      ...base,
      host,
      port: Number(opts.port ?? 443),
      servername: net.isIP(host) === 0 ? host : undefined,
    });
    // A late error on a socket nobody listens to any more must never crash the process.
    socket.on("error", () => undefined);
    hooks.onSocket(socket);
    let done = false;
    socket.once("secureConnect", () => {
      if (done) return;
      done = true;
      if (pin) {
        const cert = socket.getPeerCertificate();
        const got = cert?.fingerprint256 ? normaliseFingerprint(cert.fingerprint256) : "";
        if (got !== pin) {
          const err = haError({
            code: "E_TLS",
            message:
              "the node's TLS certificate does not match the configured fingerprint256 pin; nothing was sent",
            field: nodeLabel(ep),
            value: cert?.fingerprint256 ?? "(no certificate)",
            fix: "check that the URL points at the right node; if its certificate was replaced on purpose, update tls.fingerprint256 (System > Cert. Manager shows the fingerprint)",
          });
          hooks.onFailure(err);
          socket.destroy();
          cb(err);
          return;
        }
      }
      hooks.onConnected();
      cb(null, socket);
    });
    socket.once("error", (e) => {
      if (done) return;
      done = true;
      hooks.onFailure(e);
      cb(e);
    });
    return undefined;
  };
  return agent;
}
