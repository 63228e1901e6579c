/**
 * A real-CARP laboratory: Linux network namespaces joined by a bridge, with Debian's `ucarp`
 * (a user-space CARP that elects, authenticates and times exactly like BSD CARP for one IPv4 VIP
 * per VHID) running as the firewall nodes' CARP stack. Built after design/ucarp-notes.md §8-§9:
 *
 * - one `sw` namespace holding bridge `br0`, one namespace per node with a veth `eth0` on it;
 *   namespace names carry a unique prefix per lab, so parallel runs never meet;
 * - one ucarp process per (node, VHID), started with `-z` (graceful stop runs the down script)
 *   and `-f none` (state changes arrive on stderr as `Switching to state: X`, which is how the lab
 *   tracks each process's state, event-driven);
 * - up/down scripts only add/remove the VIP (they must be fast: ucarp waits for them);
 * - the password goes through a 0600 file (`-o`), never the command line;
 * - processes are stopped by PID only; namespaces are deleted on close and, as a safety net,
 *   on process exit.
 *
 * Everything runs inside namespaces the lab itself created; nothing touches the host's network.
 */
import { spawn, execFile, execFileSync, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { haError } from "../plan/errors";

const run = promisify(execFile);

/** CARP state of one ucarp process as the lab sees it (a stopped process counts as INIT). */
export type UcarpState = "INIT" | "BACKUP" | "MASTER";

/** One broadcast domain (a bridge); every node gets one interface on it. */
export interface LabSegment {
  /** Interface name inside each node's namespace (at most 15 characters), e.g. `eth0` or `wan`. */
  name: string;
  /** Prefix length of the segment (node addresses and VIPs), e.g. 24. */
  prefixLength: number;
  /** Each node's own IPv4 address on the segment (ucarp's `-s`), by node name. */
  addresses: Record<string, string>;
}

/** Options of {@link createCarpLab}. */
export interface CarpLabOptions {
  /** Node names, e.g. `["primary", "secondary"]`: one namespace each. */
  nodes: string[];
  /** At least one segment. */
  segments: LabSegment[];
  /** Namespace name prefix; default a unique `pha<pid>x<n>`. */
  namePrefix?: string;
}

/** One CARP group member: what a pfSense node would configure for one CARP VIP. */
export interface UcarpPeerSpec {
  /** Lab node name. */
  node: string;
  /** Segment (interface) name; default the first segment. */
  segment?: string;
  /** 1-255. */
  vhid: number;
  /** The CARP VIP (IPv4). */
  vip: string;
  /** Seconds, 1-255. */
  advbase: number;
  /** 0-254 (BSD rejects 255+; ucarp would wrap it silently, ucarp-notes §4). */
  advskew: number;
  /** At most 19 bytes (ucarp refuses more, BSD truncates). A secret: never logged. */
  password: string;
  /** Take over from a worse master (`-P`). pfSense always sets net.inet.carp.preempt=1. Default true. */
  preempt?: boolean;
}

/** A state change observed on one ucarp process. */
export interface StateChange {
  /** `performance.now()` milliseconds when the lab saw it. */
  atMs: number;
  node: string;
  segment: string;
  vhid: number;
  state: UcarpState;
}

/** A running (or stopped) ucarp process. */
export interface UcarpPeer {
  readonly spec: Readonly<UcarpPeerSpec>;
  readonly pid: number;
  /** Current state (INIT before the first transition and after exit). */
  readonly state: UcarpState;
  readonly running: boolean;
  /** Exit code once exited (null while running or when killed by a signal). */
  readonly exitCode: number | null;
  /** ucarp's stderr so far, with the password redacted. */
  output(): string;
}

/** The lab handle returned by {@link createCarpLab}. */
export interface CarpLab {
  /** Namespace name prefix (unique per lab). */
  readonly prefix: string;
  /** Node name → namespace name. */
  readonly namespaces: Readonly<Record<string, string>>;
  /** Every observed state change, in order. */
  readonly history: readonly StateChange[];
  /**
   * Starts one ucarp process. Validates the parameters first, as the library's planner does,
   * unless `allowInvalid` (negative tests that need ucarp's own reaction).
   */
  start(spec: UcarpPeerSpec, options?: { allowInvalid?: boolean }): UcarpPeer;
  /** Stops a peer by PID (SIGTERM: the down script removes the VIP), waiting for it to exit. */
  stop(peer: UcarpPeer, signal?: NodeJS.Signals): Promise<void>;
  /** The latest peer started for (node, vhid[, segment]), if any. */
  peer(node: string, vhid: number, segment?: string): UcarpPeer | undefined;
  /** Current state of (node, vhid[, segment]): INIT when no process runs. */
  state(node: string, vhid: number, segment?: string): UcarpState;
  /** Resolves when `condition()` holds (checked on every state change and every 100 ms);
   * rejects with `what` after `timeoutMs`. Returns the elapsed milliseconds. */
  waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<number>;
  /** Whether the node's interface on `segment` (default the first) carries `address`. */
  holdsAddress(node: string, address: string, segment?: string): Promise<boolean>;
  /** Subscribes to state changes; returns an unsubscribe function. */
  onChange(listener: (change: StateChange) => void): () => void;
  /** Stops every peer (by PID) and deletes the namespaces. Idempotent. */
  close(): Promise<void>;
}

/** Why the lab cannot run here, or undefined when it can. */
export async function carpLabUnavailableReason(): Promise<string | undefined> {
  try {
    await run("ucarp", ["--help"]).catch((e: { code?: unknown }) => {
      // `ucarp --help` exits non-zero; only a missing binary matters.
      if (e.code === "ENOENT") throw e;
    });
  } catch {
    return "ucarp is not installed (scripts/setup.d/30-debian-packages.sh installs it: apt-get install ucarp)";
  }
  const probe = `phaprobe${process.pid}`;
  try {
    await run("ip", ["netns", "add", probe]);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n").slice(-2).join(" ").trim() : String(e);
    return `network namespaces cannot be created here (\`ip netns add\` failed: ${msg}); needs root or CAP_SYS_ADMIN+CAP_NET_ADMIN`;
  }
  await run("ip", ["netns", "del", probe]).catch(() => undefined);
  return undefined;
}

let labCounter = 0;
const liveLabs = new Set<{ pids: Set<number>; namespaces: string[]; workDir: string }>();

// Safety net: if the test process exits without close() (a crash, a failed assertion that skipped
// the finaliser), stop our processes by PID and delete our namespaces synchronously.
process.on("exit", () => {
  for (const lab of liveLabs) cleanupSync(lab);
});

function cleanupSync(lab: { pids: Set<number>; namespaces: string[]; workDir: string }): void {
  for (const pid of lab.pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  for (const ns of [...lab.namespaces].reverse()) {
    try {
      execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
    } catch {
      // already gone
    }
  }
  rmSync(lab.workDir, { recursive: true, force: true });
  liveLabs.delete(lab);
}

/** Validates what ucarp would silently accept or BSD would reject (ucarp-notes §9.2). */
function checkSpec(spec: UcarpPeerSpec): void {
  const bad = (field: string, value: unknown, message: string) =>
    haError({ code: "E_INVALID_INPUT", field: `ucarp.${field}`, value: String(value), message });
  if (!Number.isInteger(spec.vhid) || spec.vhid < 1 || spec.vhid > 255)
    throw bad("vhid", spec.vhid, "vhid must be 1-255");
  if (!Number.isInteger(spec.advbase) || spec.advbase < 1 || spec.advbase > 255)
    throw bad("advbase", spec.advbase, "advbase must be 1-255");
  if (!Number.isInteger(spec.advskew) || spec.advskew < 0 || spec.advskew > 254)
    throw bad("advskew", spec.advskew, "advskew must be 0-254 (ucarp would wrap larger values)");
  if (Buffer.byteLength(spec.password) < 1 || Buffer.byteLength(spec.password) > 19)
    throw haError({
      code: "E_CARP_PASSWORD",
      field: "ucarp.password",
      message: "CARP password must be 1-19 bytes",
    });
}

/** True when a process with this PID exists (signal 0 probes without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes what labs of dead processes left behind (a test process killed with SIGKILL never runs
 * its exit handler): namespaces named `pha<pid>x<n>...` whose creator PID is gone. Processes still
 * inside them are killed by the PIDs `ip netns pids` lists, then the namespaces are deleted.
 * Returns the namespaces removed.
 */
export async function sweepStaleCarpLabs(): Promise<string[]> {
  const { stdout } = await run("ip", ["netns", "list"]);
  const stale = stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((ns) => {
      const m = /^pha(\d+)x\d+/.exec(ns ?? "");
      return m !== null && Number(m[1]) !== process.pid && !alive(Number(m[1]));
    });
  for (const ns of stale) {
    const pids = await run("ip", ["netns", "pids", ns]).then(
      (r) => r.stdout.split(/\s+/).filter(Boolean).map(Number),
      () => [] as number[],
    );
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await run("ip", ["netns", "del", ns]).catch(() => undefined);
  }
  return stale;
}

/**
 * Creates the namespaces, the bridge and one veth per node. Call {@link carpLabUnavailableReason}
 * first to skip cleanly where this is impossible.
 */
export async function createCarpLab(options: CarpLabOptions): Promise<CarpLab> {
  await sweepStaleCarpLabs().catch(() => undefined);
  const prefix = options.namePrefix ?? `pha${process.pid}x${labCounter++}`;
  const workDir = mkdtempSync(join(tmpdir(), "pha-carp-"));
  const sw = `${prefix}sw`;
  const namespaces: Record<string, string> = {};
  const created: string[] = [];
  const pids = new Set<number>();
  const handle = { pids, namespaces: created, workDir };
  liveLabs.add(handle);

  const ip = async (...args: string[]) => {
    await run("ip", args);
  };
  try {
    await ip("netns", "add", sw);
    created.push(sw);
    await ip("-n", sw, "link", "set", "lo", "up");
    await ip("-n", sw, "link", "add", "br0", "type", "bridge");
    await ip("-n", sw, "link", "set", "br0", "up");
    for (const node of options.nodes) {
      const ns = `${prefix}${node}`;
      await ip("netns", "add", ns);
      created.push(ns);
      namespaces[node] = ns;
      await ip("-n", ns, "link", "set", "lo", "up");
    }
    let port = 0;
    for (const [b, seg] of options.segments.entries()) {
      const br = `br${b}`;
      if (b > 0) {
        await ip("-n", sw, "link", "add", br, "type", "bridge");
        await ip("-n", sw, "link", "set", br, "up");
      }
      for (const node of options.nodes) {
        const ns = namespaces[node];
        const p = `p${port++}`; // lives in the sw namespace only, so short names never collide
        const address = seg.addresses[node];
        if (!address) throw new Error(`segment ${seg.name} has no address for node ${node}`);
        await ip("-n", ns, "link", "add", seg.name, "type", "veth", "peer", "name", p, "netns", sw);
        await ip("-n", sw, "link", "set", p, "master", br);
        await ip("-n", sw, "link", "set", p, "up");
        await ip("-n", ns, "addr", "add", `${address}/${seg.prefixLength}`, "dev", seg.name);
        await ip("-n", ns, "link", "set", seg.name, "up");
      }
    }
  } catch (e) {
    cleanupSync(handle);
    throw e;
  }

  // up/down scripts: called as <script> <iface> <vip> <xparam>; xparam carries the prefix length.
  const up = join(workDir, "vip-up");
  const down = join(workDir, "vip-down");
  writeFileSync(up, '#!/bin/sh\nip addr add "$2/$3" dev "$1" 2>/dev/null\nexit 0\n', {
    mode: 0o755,
  });
  writeFileSync(down, '#!/bin/sh\nip addr del "$2/$3" dev "$1" 2>/dev/null\nexit 0\n', {
    mode: 0o755,
  });

  const segments = new Map(options.segments.map((s) => [s.name, s]));
  const firstSegment = options.segments[0].name;
  const key = (node: string, vhid: number, segment = firstSegment) => `${node}/${segment}/${vhid}`;
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const history: StateChange[] = [];
  const peers = new Map<string, PeerImpl>();
  let passwordFiles = 0;
  let closed = false;

  class PeerImpl implements UcarpPeer {
    state: UcarpState = "INIT";
    running = true;
    exitCode: number | null = null;
    readonly exited: Promise<void>;
    private err = "";
    constructor(
      readonly spec: UcarpPeerSpec,
      readonly child: ChildProcess,
      private readonly secret: string,
    ) {
      let buf = "";
      child.stderr?.setEncoding("utf8");
      child.stderr?.on("data", (chunk: string) => {
        this.err += chunk;
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const m = /Switching to state: (MASTER|BACKUP|INIT)/.exec(line);
          if (m) this.transition(m[1] as UcarpState);
        }
      });
      child.stdout?.resume(); // INFO/DEBUG lines; not needed
      this.exited = new Promise((resolve) => {
        child.on("exit", (code) => {
          this.exitCode = code;
          this.running = false;
          pids.delete(this.pid);
          this.transition("INIT");
          resolve();
        });
      });
    }
    get pid(): number {
      return this.child.pid ?? -1;
    }
    transition(state: UcarpState): void {
      if (state === this.state) return;
      this.state = state;
      const change = {
        atMs: performance.now(),
        node: this.spec.node,
        segment: this.spec.segment ?? firstSegment,
        vhid: this.spec.vhid,
        state,
      };
      history.push(change);
      events.emit("change", change);
    }
    output(): string {
      return this.secret ? this.err.split(this.secret).join("***") : this.err;
    }
  }

  const lab: CarpLab = {
    prefix,
    namespaces,
    history,
    start(spec, opts) {
      if (closed) throw new Error("lab is closed");
      if (!opts?.allowInvalid) checkSpec(spec);
      const ns = namespaces[spec.node];
      const seg = segments.get(spec.segment ?? firstSegment);
      const src = seg?.addresses[spec.node];
      if (!ns || !seg || !src)
        throw new Error(`unknown lab node/segment ${spec.node}/${spec.segment}`);
      const pwFile = join(workDir, `pw${passwordFiles++}`);
      writeFileSync(pwFile, spec.password, { mode: 0o600 });
      const args = [
        "netns",
        "exec",
        ns,
        "ucarp",
        "-i",
        seg.name,
        "-s",
        src,
        "-v",
        String(spec.vhid),
        "-o",
        pwFile,
        "-a",
        spec.vip,
        "-b",
        String(spec.advbase),
        "-k",
        String(spec.advskew),
        "-u",
        up,
        "-d",
        down,
        "-x",
        String(seg.prefixLength),
        "-z",
        "-f",
        "none",
        ...(spec.preempt === false ? [] : ["-P"]),
      ];
      // `ip netns exec` execs into ucarp, so the child's PID is ucarp's own (ucarp-notes §2).
      const child = spawn("ip", args, { stdio: ["ignore", "pipe", "pipe"] });
      if (child.pid === undefined) throw new Error("could not start ucarp");
      pids.add(child.pid);
      const peer = new PeerImpl({ ...spec }, child, spec.password);
      peers.set(key(spec.node, spec.vhid, spec.segment), peer);
      return peer;
    },
    async stop(peer, signal = "SIGTERM") {
      const p = peer as PeerImpl;
      if (!p.running) return;
      try {
        process.kill(p.pid, signal);
      } catch {
        // exited meanwhile
      }
      const killed = await Promise.race([
        p.exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 3000).unref()),
      ]);
      if (!killed) {
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {
          // exited meanwhile
        }
        await p.exited;
      }
    },
    peer(node, vhid, segment) {
      return peers.get(key(node, vhid, segment));
    },
    state(node, vhid, segment) {
      return peers.get(key(node, vhid, segment))?.state ?? "INIT";
    },
    waitFor(condition, timeoutMs, what) {
      const started = performance.now();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (condition()) {
            finish();
            resolve(performance.now() - started);
          }
        };
        const timer = setInterval(check, 100);
        const timeout = setTimeout(() => {
          finish();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        const finish = () => {
          clearInterval(timer);
          clearTimeout(timeout);
          events.off("change", check);
        };
        events.on("change", check);
        check();
      });
    },
    async holdsAddress(node, address, segment = firstSegment) {
      const ns = namespaces[node];
      const { stdout } = await run("ip", ["-n", ns, "-j", "addr", "show", "dev", segment]);
      const parsed = JSON.parse(stdout) as { addr_info?: { local?: string }[] }[];
      return parsed.some((l) => (l.addr_info ?? []).some((a) => a.local === address));
    },
    onChange(listener) {
      events.on("change", listener);
      return () => events.off("change", listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...peers.values()].map((p) => lab.stop(p)));
      cleanupSync(handle);
    },
  };
  return lab;
}
