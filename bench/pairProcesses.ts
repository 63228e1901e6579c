/**
 * The engine bench's emulated pair: the same two nodes as `startPair` (same configs, one admin
 * password, the same single sync route each way), each in a child process of its own
 * (bench/nodeProcess.ts), so the two handle a batch's writes at the same time as two firewalls
 * do. Measured at N = 256 with both in one process, the secondary's write began only when the
 * primary's ended, 60-100 ms later in every batch.
 *
 * The bench reads what it prints from the nodes over the IPC channel: request and revision
 * counters, and the `virtualip` section an `up` left behind.
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { PhpValue } from "../sdk/codec/phpValue";
import {
  PAIR_SYNC_IPS,
  pairNodeConfigXml,
  type EndpointDescription,
  type NodeOptions,
} from "../sdk/emulator";
import { randomAdminPassword } from "../sdk/emulator/auth";

type Role = "primary" | "secondary";

/** The node options that cross the IPC channel (plain data only). */
type StartOptions = Pick<
  NodeOptions,
  "name" | "dir" | "configXml" | "adminPassword" | "allowSourceIpHeader"
>;

/** What the bench asks a node process (bench/nodeProcess.ts). */
export type NodeRequest =
  | { op: "start"; options: StartOptions }
  | { op: "counters" }
  | { op: "virtualip" }
  | { op: "route"; ip: string; url: string }
  | { op: "stop" };

/** What a node process answers. */
export type NodeReply =
  | { op: "started"; endpoint: EndpointDescription }
  | { op: "counters"; calls: number; revisions: number }
  | { op: "virtualip"; virtualip: PhpValue | undefined }
  | { op: "ok" };

/** Per node: requests handled and config revisions made so far. */
export interface PairCounters {
  calls: Record<Role, number>;
  revisions: Record<Role, number>;
}

/** A pair whose nodes run in their own processes. */
export interface ProcessPair {
  describe(): Record<Role, EndpointDescription>;
  counters(): Promise<PairCounters>;
  /** The node's `virtualip` section as it is now. */
  virtualip(role: Role): Promise<PhpValue | undefined>;
  stop(): Promise<void>;
}

/** One node process and its request channel. */
class NodeProcess {
  private seq = 0;
  private readonly waiting = new Map<
    number,
    (m: NodeReply | { op: "error"; message: string }) => void
  >();

  constructor(private readonly child: ChildProcess) {
    child.on("message", (m: NodeReply & { seq: number }) => {
      this.waiting.get(m.seq)?.(m);
      this.waiting.delete(m.seq);
    });
    // A node that dies answers every open request, so the bench fails instead of hanging.
    child.on("exit", (code) => {
      for (const answer of this.waiting.values()) {
        answer({ op: "error", message: `the node process exited (code ${code})` });
      }
      this.waiting.clear();
    });
  }

  ask<K extends NodeReply["op"]>(
    req: NodeRequest,
    want: K,
  ): Promise<Extract<NodeReply, { op: K }>> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, (m) => {
        if (m.op === want) resolve(m as Extract<NodeReply, { op: K }>);
        else reject(new Error(`bench node process: ${"message" in m ? m.message : m.op}`));
      });
      this.child.send({ ...req, seq });
    });
  }

  async stop(): Promise<void> {
    await this.ask({ op: "stop" }, "ok").catch(() => undefined);
    this.child.kill();
  }
}

/** Starts the pair's two nodes under `dir` (DIR/primary, DIR/secondary), one process each. */
export async function startPairProcesses(dir: string): Promise<ProcessPair> {
  const adminPassword = randomAdminPassword();
  const procs: Partial<Record<Role, NodeProcess>> = {};
  const endpoints: Partial<Record<Role, EndpointDescription>> = {};
  try {
    for (const role of ["secondary", "primary"] as const) {
      const p = new NodeProcess(fork(join(__dirname, "nodeProcess.js"), { stdio: "inherit" }));
      procs[role] = p;
      const options: StartOptions = {
        name: role,
        dir: join(dir, role),
        configXml: pairNodeConfigXml(role),
        adminPassword,
        allowSourceIpHeader: true,
      };
      endpoints[role] = (await p.ask({ op: "start", options }, "started")).endpoint;
    }
  } catch (e) {
    await Promise.all(Object.values(procs).map((p) => p.stop()));
    throw e;
  }
  const primary = procs.primary as NodeProcess;
  const secondary = procs.secondary as NodeProcess;
  const ep = endpoints as Record<Role, EndpointDescription>;
  await primary.ask({ op: "route", ip: PAIR_SYNC_IPS.secondary, url: ep.secondary.url }, "ok");
  await secondary.ask({ op: "route", ip: PAIR_SYNC_IPS.primary, url: ep.primary.url }, "ok");
  return {
    describe: () => ep,
    async counters() {
      const [p, s] = await Promise.all([
        primary.ask({ op: "counters" }, "counters"),
        secondary.ask({ op: "counters" }, "counters"),
      ]);
      return {
        calls: { primary: p.calls, secondary: s.calls },
        revisions: { primary: p.revisions, secondary: s.revisions },
      };
    },
    async virtualip(role) {
      const p = role === "primary" ? primary : secondary;
      return (await p.ask({ op: "virtualip" }, "virtualip")).virtualip;
    },
    async stop() {
      await Promise.all([primary.stop(), secondary.stop()]);
    },
  };
}
