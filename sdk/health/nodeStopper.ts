/**
 * How the "stop the primary" drill takes a node off the network and brings it back. Against the
 * emulator in the same process, `emulatedNodeStopper` (pulumi-pfsense-ha/emulator) stops and
 * restarts the node itself. Against anything else the only way over XML-RPC is pfSense's own
 * `pfsense.reboot` (src/usr/local/www/xmlrpc.php `reboot()` runs `/etc/rc.reboot`): the node goes
 * down and comes back by itself after its boot, so {@link rebootStopper} is a `firewall` stopper
 * and the drill refuses it unless asked explicitly (or the node is the emulator).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import { callNode } from "../pfsense/transport";
import { nodeLabel, type NodeEndpoint } from "../pfsense";
import { haError } from "../plan/errors";
import { DEFAULT_REMOTE_TIMEOUT_S } from "../pfsense/client";

const DOWN_CODES = new Set(["E_TRANSPORT", "E_TIMEOUT", "E_HTTP", "E_TLS"]);

/** Takes one node down and brings it back, for the stop drill. */
export interface NodeStopper {
  /**
   * `emulator`: a node under the caller's control (stopping it harms nothing);
   * `firewall`: a real node, which the drill stops only with `allowStop: true`.
   */
  target: "emulator" | "firewall";
  /** How the node is stopped, for progress lines, e.g. `XML-RPC reboot`. */
  method: string;
  /** Takes the node off the network; resolves once it no longer answers. */
  stop(): Promise<void>;
  /** Brings it back; resolves once it answers XML-RPC again (rejects after its timeout). */
  start(): Promise<void>;
}

/** Options of {@link rebootStopper}. */
export interface RebootStopperOptions {
  /** How long the node may take to go down after the reboot call, ms. Default 120 000. */
  shutdownTimeoutMs?: number;
  /** How long it may take to answer again after going down, ms. Default 600 000 (10 min). */
  bootTimeoutMs?: number;
  /** Pause between probes, ms. Default 200 while waiting for it to go down, 1000 for the boot. */
  pollMs?: number;
}

/** A stopper that reboots the node through XML-RPC (`pfsense.reboot`) and waits for its boot. */
export function rebootStopper(node: NodeEndpoint, opts: RebootStopperOptions = {}): NodeStopper {
  const stats = { calls: 0, bytesSent: 0, bytesReceived: 0 };
  // One attempt per probe and no session: a retried read could straddle a short outage.
  const probe: NodeEndpoint = { ...node, maxAttempts: 1 };
  // Any XML-RPC reply, even a fault, means the node is up; no connection or an HTTP error
  // (nginx before php-fpm) means it is not.
  const answers = () =>
    callNode(probe, stats, "pfsense.host_firmware_version", ["", DEFAULT_REMOTE_TIMEOUT_S], {
      idempotent: true,
    }).then(
      () => true,
      (e: unknown) => !DOWN_CODES.has((e as { code?: string }).code ?? ""),
    );
  const waitFor = async (up: boolean, timeoutMs: number, what: string) => {
    const pollMs = opts.pollMs ?? (up ? 1000 : 200);
    const t0 = performance.now();
    while ((await answers()) !== up) {
      if (performance.now() - t0 > timeoutMs)
        throw haError({
          code: "E_TIMEOUT",
          message: `the node did not ${what} within ${Math.round(timeoutMs / 1000)} s of the reboot`,
          field: nodeLabel(node),
          fix: up
            ? "check the firewall's console; raise bootTimeoutMs for slow boots"
            : "check that the reboot was accepted (System > General Logs)",
        });
      await sleep(pollMs);
    }
  };
  return {
    target: "firewall",
    method: "XML-RPC reboot",
    async stop() {
      await callNode(node, stats, "pfsense.reboot", [DEFAULT_REMOTE_TIMEOUT_S], {
        idempotent: false,
      });
      await waitFor(false, opts.shutdownTimeoutMs ?? 120_000, "go down");
    },
    async start() {
      await waitFor(true, opts.bootTimeoutMs ?? 600_000, "answer again");
    },
  };
}
