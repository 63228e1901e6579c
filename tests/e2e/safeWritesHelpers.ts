/**
 * Pieces of the "Safe writes" end-to-end suite (safeWrites.test.ts): a program of N CarpVips on
 * one interface, HA sync configured on the emulated pair by hand (as an admin would, outside the
 * stack), GUI users editing a node while the engine runs, fault arming at a chosen request, and
 * a look at which processes write to the nodes. Ground truth stays the nodes' own config.xml.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import type { automation } from "@pulumi/pulumi";
import * as ha from "../../sdk";
import {
  parseConditionalRestoreSnippet,
  parseReadSnippet,
} from "../../sdk/codec/conditionalSnippets";
import { leaf, toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { PAIR_SYNC_IPS, type EmulatedNode, type EmulatedPair } from "../../sdk/emulator";
import { stackNodes } from "./clusterProgram";
import { carpVips, editConfig, type RawCarpVip } from "./nodeConfig";

// ------------------------------------------------------------------ the program

/** One interface of the pair topology (contracts.md), as a CarpVip needs it. */
export interface Segment {
  interface: "wan" | "lan";
  subnet: string;
  primaryAddress: string;
  secondaryAddress: string;
}

export const WAN: Segment = {
  interface: "wan",
  subnet: "192.168.1.0/24",
  primaryAddress: "192.168.1.1",
  secondaryAddress: "192.168.1.2",
};

export const LAN: Segment = {
  interface: "lan",
  subnet: "192.168.99.0/24",
  primaryAddress: "192.168.99.1",
  secondaryAddress: "192.168.99.2",
};

/** A stack's VIPs: one CarpVip per address, all on one segment. */
export interface VipFleet {
  /** Resource name prefix (`<prefix>-<i>`), also the VIPs' description prefix. */
  prefix: string;
  segment: Segment;
  addresses: string[];
  /** Explicit CARP password (no random plugin offline). */
  password: string;
  /** The cluster's bound on waiting for pfSense's own sync, seconds (library default 30). */
  syncWaitSeconds?: number;
}

/** `count` consecutive host addresses `base.first`, `base.first+1`, … (last octet). */
export function hostRange(base: string, first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${base}.${first + i}`);
}

/** The description a fleet's VIP carries on the nodes. */
export function fleetDescription(prefix: string, i: number): string {
  return `${prefix} VIP ${i}`;
}

/**
 * The program: the pair from stack config (as clusterProgram does), then the fleet's VIPs. No
 * HaSyncSettings: whatever HA sync the pair has was configured outside the stack.
 */
export function vipFleetProgram(fleet: () => VipFleet): automation.PulumiFn {
  return async () => {
    const f = fleet();
    const cluster = new ha.Cluster({ ...stackNodes(), syncWaitSeconds: f.syncWaitSeconds });
    const password = pulumi.secret(f.password);
    const vips = f.addresses.map(
      (address, i) =>
        new ha.CarpVip(`${f.prefix}-${i}`, {
          cluster,
          ...f.segment,
          address,
          password,
          description: fleetDescription(f.prefix, i),
        }),
    );
    return {
      uniqids: pulumi.all(vips.map((v) => v.uniqid)),
      vhids: pulumi.all(vips.map((v) => v.vhid)),
    };
  };
}

// ------------------------------------------------------------------ HA sync by hand

/**
 * Configures HA sync on the pair as an admin would in System > High Avail. Sync, outside any
 * stack: pfsync on both nodes; on the primary, XML-RPC sync to the secondary's sync address
 * (172.16.1.2, which the emulator routes to the secondary through `primary.syncPeers`) with the
 * secondary's admin credentials and the given areas. Waits for the resulting push to settle.
 */
export async function configureHaSyncByHand(
  pair: EmulatedPair,
  areas: string[] = ["virtualip"],
): Promise<void> {
  editConfig(pair.secondary, (tree) => {
    tree.hasync = {
      pfsyncenabled: "on",
      pfsyncinterface: "opt1",
      pfsyncpeerip: PAIR_SYNC_IPS.primary,
    };
  });
  editConfig(pair.primary, (tree) => {
    const h: PhpStruct = {
      pfsyncenabled: "on",
      pfsyncinterface: "opt1",
      pfsyncpeerip: PAIR_SYNC_IPS.secondary,
      synchronizetoip: PAIR_SYNC_IPS.secondary,
      username: pair.secondary.username,
      password: pair.secondary.password,
    };
    for (const a of areas) h[`synchronize${a}`] = "on";
    tree.hasync = h;
  });
  await settle(pair);
}

/** Waits until neither node has a sync run queued or running. */
export async function settle(pair: EmulatedPair): Promise<void> {
  await pair.primary.syncIdle();
  await pair.secondary.syncIdle();
}

// ------------------------------------------------------------------ GUI users

/** A PHP uniqid()-shaped identifier (13 hex digits), as the GUI gives a new VIP. */
function guiUniqid(): string {
  return randomBytes(7).toString("hex").slice(0, 13);
}

/**
 * Adds a CARP VIP on `node` as pfSense's GUI would (firewall_virtual_ip_edit.php): the lowest
 * VHID the node does not use on that interface, a fresh uniqid, appended to the list, saved with
 * write_config. Returns the VIP as config.xml will hold it.
 */
export function guiAddCarpVip(
  node: EmulatedNode,
  seg: Segment,
  address: string,
  descr: string,
): RawCarpVip {
  let added: RawCarpVip | undefined;
  editConfig(node, (tree) => {
    const section = toStruct(tree.virtualip);
    const list = toList(section.vip).map((v) => toStruct(v));
    const used = new Set(
      list
        .filter((v) => leaf(v.mode) === "carp" && leaf(v.interface) === seg.interface)
        .map((v) => Number(leaf(v.vhid))),
    );
    let vhid = 1;
    while (used.has(vhid)) vhid++;
    const uniqid = guiUniqid();
    list.push({
      mode: "carp",
      interface: seg.interface,
      vhid: String(vhid),
      advskew: "0",
      advbase: "1",
      password: "gui-carp-pass",
      uniqid,
      descr,
      type: "single",
      subnet_bits: seg.subnet.split("/")[1],
      subnet: address,
    });
    section.vip = list;
    tree.virtualip = section;
    added = { interface: seg.interface, address, vhid, advskew: 0, descr, uniqid };
  });
  return added!;
}

/** Adds a host alias (Firewall > Aliases), a section the library never reads or writes. */
export function guiAddAlias(node: EmulatedNode, name: string, address: string): void {
  editConfig(node, (tree) => {
    const section = toStruct(tree.aliases);
    const list = toList(section.alias);
    list.push({ name, type: "host", address, descr: "added in the GUI", detail: "" });
    section.alias = list;
    tree.aliases = section;
  });
}

/** The node's alias names. */
export function aliasNames(node: EmulatedNode): string[] {
  return toList(toStruct(node.config().aliases).alias).map((a) => leaf(toStruct(a).name));
}

/**
 * Sets the end of an interface's DHCP range (Services > DHCP Server): a section the library
 * reads (so the save moves the write token) but that a CarpVip stack never writes.
 */
export function guiSetDhcpRangeEnd(node: EmulatedNode, ifName: string, to: string): void {
  editConfig(node, (tree) => {
    const dhcpd = toStruct(tree.dhcpd);
    const iface = toStruct(dhcpd[ifName]);
    iface.range = { ...toStruct(iface.range), to };
    dhcpd[ifName] = iface;
    tree.dhcpd = dhcpd;
  });
}

/**
 * A GUI user saving every `intervalMs` while the engine runs (each tick = one write_config).
 * Errors thrown by a tick are kept and rethrown by `stop()`, so a broken edit cannot pass silently.
 */
export class GuiUser {
  private timer?: NodeJS.Timeout;
  private error: unknown;
  ticks = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly tick: (n: number) => void,
  ) {}

  start(): this {
    this.timer = setInterval(() => {
      try {
        this.tick(this.ticks++);
      } catch (e) {
        this.error ??= e;
      }
    }, this.intervalMs);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.error !== undefined) throw this.error;
  }
}

// ------------------------------------------------------------------ faults at a chosen request

/**
 * Calls `arm` once, at the moment `node` starts running the first of the library's snippets of
 * that kind (`"read"`: the read-with-token snippet; `"write"`: the conditional restore) arriving
 * after this call, observed through the node's public exec_php handler lookup (the predicate
 * declines, so the node's own handler then runs the snippet). A fault the node takes after
 * running the method (`dropConnections(1, {afterProcessing})`, `httpError(504)`) hits that very
 * request; one it takes before running any method (`dropConnections(1)`, `httpError(500)`) hits
 * the node's next request, whatever it is (after a read: a read or the write that follows it).
 */
export function armAtFirst(
  node: EmulatedNode,
  kind: "read" | "write",
  arm: () => void,
): { fired: () => boolean } {
  let fired = false;
  const matches =
    kind === "read"
      ? (code: string) => parseReadSnippet(code) !== undefined
      : (code: string) => parseConditionalRestoreSnippet(code) !== undefined;
  node.registerExecPhp(
    (code) => {
      if (!fired && matches(code)) {
        fired = true;
        arm();
      }
      return false;
    },
    () => true,
  );
  return { fired: () => fired };
}

// ------------------------------------------------------------------ node views

/** The CARP VIPs of `node` whose description starts with the fleet's prefix. */
export function fleetVips(node: EmulatedNode, prefix: string): RawCarpVip[] {
  return carpVips(node).filter((v) => v.descr.startsWith(`${prefix} VIP `));
}

/** `items` grouped by `key`, keeping only keys that occur more than once. */
export function duplicates<T>(items: T[], key: (t: T) => string): string[] {
  const seen = new Map<string, number>();
  for (const i of items) seen.set(key(i), (seen.get(key(i)) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
}

// ------------------------------------------------------------------ writer processes

/** A dynamic-provider process started (indirectly) by this test process. */
export interface ProviderProcess {
  pid: number;
  /** The `pulumi` CLI process it runs under (one per engine operation). */
  cliPid: number;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // pid (comm) state ppid …; comm may hold spaces and parentheses.
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * The provider-plugin processes alive now below this process (Linux /proc; empty elsewhere):
 * node processes running `bin/pulumi-resource-pfsense-ha`, with the `pulumi` CLI above them.
 */
export function providerProcesses(): ProviderProcess[] {
  let pids: number[];
  try {
    pids = readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return [];
  }
  const out: ProviderProcess[] = [];
  for (const pid of pids) {
    if (!commandLine(pid).some((a) => a.includes("pulumi-resource-pfsense-ha"))) continue;
    let cliPid: number | undefined;
    let mine = false;
    for (let p = parentOf(pid); p !== undefined && p > 1; p = parentOf(p)) {
      const argv0 = commandLine(p)[0] ?? "";
      if (cliPid === undefined && /(^|\/)pulumi$/.test(argv0)) cliPid = p;
      if (p === process.pid) {
        mine = true;
        break;
      }
    }
    if (mine && cliPid !== undefined) out.push({ pid, cliPid });
  }
  return out;
}

/** Samples {@link providerProcesses} every `everyMs` until stopped; keeps the largest set seen. */
export class ProviderSampler {
  private timer?: NodeJS.Timeout;
  /** Largest number of provider processes alive at one sample, with their CLI parents. */
  widest: ProviderProcess[] = [];

  start(everyMs = 200): this {
    this.timer = setInterval(() => {
      const now = providerProcesses();
      if (now.length > this.widest.length) this.widest = now;
    }, everyMs);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

// ------------------------------------------------------------------ write outcomes

/**
 * Counts, on `node`, the library's conditional restores (observed through the exec_php handler
 * lookup, as {@link armAtFirst} does) and the restores that wrote (revisions by an XML-RPC
 * client), so a run can report how many writes met a conflict. Call `take()` for the counts since
 * the previous call.
 */
export function writeCounter(node: EmulatedNode): () => { attempts: number; applied: number } {
  let attempts = 0;
  node.registerExecPhp(
    (code) => {
      if (parseConditionalRestoreSnippet(code) !== undefined) attempts++;
      return false;
    },
    () => true,
  );
  const applied = () =>
    node.revisions.filter((r) => r.username.startsWith("(system)@127.0.0.1")).length;
  let last = { attempts: 0, applied: applied() };
  return () => {
    const now = { attempts, applied: applied() };
    const d = { attempts: now.attempts - last.attempts, applied: now.applied - last.applied };
    last = now;
    return d;
  };
}
