/** Starts emulated nodes for the client tests (real HTTPS on loopback) and builds endpoints. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startNode, pairNodeConfigXml, type EmulatedNode } from "../../sdk/emulator";
import type { NodeEndpoint } from "../../sdk/pfsense";

/** A running node plus cleanup. */
export interface Harness {
  node: EmulatedNode;
  /** Endpoint pinned to the node's certificate fingerprint. */
  endpoint(overrides?: Partial<NodeEndpoint>): NodeEndpoint;
  close(): Promise<void>;
}

/** Starts one emulated node (pair topology, primary addresses) with a random admin password. */
export async function startHarness(
  opts: { version?: string; name?: string } = {},
): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), "pfsense-client-"));
  const password = `pw-${Math.random().toString(36).slice(2)}-Secret`;
  const node = await startNode({
    dir,
    name: opts.name ?? "primary",
    version: opts.version ?? "2.7.2",
    configXml: pairNodeConfigXml("primary"),
    adminPassword: password,
  });
  return {
    node,
    endpoint: (overrides = {}) => ({
      name: opts.name ?? "primary",
      url: node.url,
      username: node.username,
      password: node.password,
      tls: { fingerprint256: node.fingerprint256 },
      connectTimeoutMs: 3000,
      callTimeoutMs: 10000,
      retryBackoffMs: 20,
      ...overrides,
    }),
    close: async () => {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
