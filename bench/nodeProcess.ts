/**
 * One emulated pfSense node in a process of its own, started by bench/pairProcesses.ts with
 * `fork`. Two firewalls are two machines: in one Node process the secondary's write waits for
 * the primary's to finish, so a pair in one process answers a batch later than two boxes would.
 *
 * The parent sends one `start` message; the child answers with the endpoint. Afterwards it
 * answers `counters`, `virtualip` and `route` requests and stops on `stop`.
 */
import { describeNode, startNode, type EmulatedNode } from "../sdk/emulator";
import type { NodeRequest, NodeReply } from "./pairProcesses";

let node: EmulatedNode | undefined;

async function handle(msg: NodeRequest): Promise<NodeReply> {
  if (msg.op === "start") {
    node = await startNode(msg.options);
    return { op: "started", endpoint: describeNode(node) };
  }
  if (!node) throw new Error("bench node process: not started");
  switch (msg.op) {
    case "counters":
      return {
        op: "counters",
        calls: node.xmlrpcRequests,
        revisions: node.revisions.length,
      };
    case "virtualip":
      return { op: "virtualip", virtualip: node.config().virtualip };
    case "route":
      // The only sync route, as startPair sets it: the peer's sync address = its loopback URL.
      node.syncPeers[msg.ip] = msg.url;
      return { op: "ok" };
    case "stop":
      await node.stop();
      return { op: "ok" };
  }
}

process.on("message", (msg: NodeRequest & { seq: number }) => {
  handle(msg).then(
    (reply) => process.send?.({ ...reply, seq: msg.seq }),
    (e: unknown) => process.send?.({ op: "error", message: String(e), seq: msg.seq }),
  );
});
