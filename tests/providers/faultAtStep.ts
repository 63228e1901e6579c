/**
 * Arms a real emulator fault at a precise step of a provider's work: just before the node's next
 * write (conditional or plain `restore_config_section`) or right after it (the read-back). The session's client is
 * wrapped so the fault is armed at that moment; the failure itself is the emulator's (dropped
 * connection, HTTP 500/504) on real HTTPS.
 */
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
  const client = getNodeSession(toNodeEndpoint(ep, role)).client as unknown as Record<
    "restoreSections" | "conditionalRestore",
    (...args: unknown[]) => Promise<unknown>
  >;
  // Both write paths: the conditional restore (exec_php) and the plain one (its fallback).
  const methods = ["restoreSections", "conditionalRestore"] as const;
  const originals = methods.map((m) => client[m].bind(client));
  methods.forEach((m, i) => {
    client[m] = async (...args: unknown[]) => {
      methods.forEach((k, j) => (client[k] = originals[j])); // one shot
      if (when === "before-write") await arm(node);
      try {
        return await originals[i](...args);
      } finally {
        // Also when the write's reply was lost: the fault then meets what follows it.
        if (when === "after-write") await arm(node);
      }
    };
  });
}
