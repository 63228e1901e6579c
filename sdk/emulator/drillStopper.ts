/**
 * The stop drill's stopper for an emulated node in the same process: `stop()` stops the node (it
 * drops its connections and leaves the CARP election without a last advertisement, like a
 * firewall that lost power) and `start()` boots it again from its config.xml on the same port and
 * certificate (`EmulatedNode.restart()`).
 *
 * @example
 * const r = await runDrill(endpoints, { kind: "stop", stopper: emulatedNodeStopper(pair.primary) });
 */
import type { NodeStopper } from "../health/nodeStopper";
import type { EmulatedNode } from "./node";

/** A {@link NodeStopper} (target `emulator`) that stops and restarts `node`. */
export function emulatedNodeStopper(node: EmulatedNode): NodeStopper {
  return {
    target: "emulator",
    method: "emulated node stopped",
    stop: () => node.stop(),
    start: () => node.restart(),
  };
}
