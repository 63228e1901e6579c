/**
 * Arms a real emulator fault at a precise step of a provider's work: just before the node's next
 * `restore_config_section` (the write) or right after it (the read-back). The session's client is
 * wrapped so the fault is armed at that moment; the failure itself is the emulator's (dropped
 * connection, HTTP 500/504) on real HTTPS.
 */
import type { PhpStruct } from "../../sdk/codec/phpValue";
import type { EmulatedNode } from "../../sdk/emulator";
import { getNodeSession } from "../../sdk/pfsense";
import {
  toNodeEndpoint,
  type EndpointInput,
  type PairRole,
} from "../../sdk/providers/endpointInputs";

/** Arms `arm(node)` once, before or after the next write to the node of `ep`. */
export function armAtNextWrite(
  ep: EndpointInput,
  role: PairRole,
  node: EmulatedNode,
  when: "before-write" | "after-write",
  arm: (n: EmulatedNode) => void | Promise<void>,
): void {
  const client = getNodeSession(toNodeEndpoint(ep, role)).client as unknown as {
    restoreSections(p: PhpStruct): Promise<void>;
  };
  const original = client.restoreSections.bind(client);
  client.restoreSections = async (p: PhpStruct) => {
    client.restoreSections = original; // one shot
    if (when === "before-write") await arm(node);
    await original(p);
    if (when === "after-write") await arm(node);
  };
}
