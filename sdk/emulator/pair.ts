/**
 * A primary/secondary pair of emulated nodes with the topology of contracts.md: wan
 * 192.168.1.1|2/24, lan 192.168.99.1|2/24, opt1 "SYNC" 172.16.1.1|2/24 (or a config.xml of each
 * node's own), a random admin password per start, a shared CARP election, and auto-sync routed
 * only through an explicit map from sync IP to the peer's loopback URL.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { dumpConfigXml, parseConfigXml } from "../codec/configXml";
import { toStruct, type PhpStruct } from "../codec/phpValue";
import { haError } from "../plan/errors";
import { randomAdminPassword } from "./auth";
import { CarpCluster, type CarpStateSource } from "./carpModel";
import { DEFAULT_CONFIG_XML } from "./defaultConfig";
import { startNode, type EmulatedNode, type NodeOptions } from "./node";

/** Options of {@link startPair}. */
export interface PairOptions {
  /** Base directory; nodes use DIR/primary and DIR/secondary. */
  dir: string;
  /** pfSense version of both nodes (default `2.7.2`); see also `secondaryVersion`. */
  version?: string;
  /** Version of the secondary when it should differ (config-version mismatch drills). */
  secondaryVersion?: string;
  /** Admin password of both nodes (default: random per start). */
  adminPassword?: string;
  /** Auto-sync delay after a write (default 100 ms; 1000 ms with `syncTiming: "realistic"`). */
  autoSyncDelayMs?: number;
  /**
   * Sync sender timing of both nodes (default `"fast"`); `"realistic"` models pfSense 2.7.2's
   * check_reload_status and `rc.filter_synchronize` (see `NodeOptions.syncTiming`). Its other
   * knobs (`syncRearmDelayMs`, `syncForgetAfterMs`, `syncScriptStartupMs`) go in `nodeOptions`.
   */
  syncTiming?: "fast" | "realistic";
  /** Pause between sync attempts (default: the profile's, 1000 ms on 2.6+). */
  syncRetryPauseMs?: number;
  /** CARP master-down timing scale: 0 = collapsed (default), 1 = real seconds. */
  carpMasterDownScale?: number;
  /** External CARP state source (e.g. real ucarp peers). */
  carpStateSource?: CarpStateSource;
  /**
   * Initial config.xml text of the primary (default: the pair topology,
   * {@link pairNodeConfigXml}). Its `admin` password is still replaced by `adminPassword`.
   * Mutually exclusive with `primaryConfigFile`.
   */
  primaryConfigXml?: string;
  /** Initial config.xml text of the secondary (as `primaryConfigXml`). */
  secondaryConfigXml?: string;
  /** Path of the primary's initial config.xml, read once at start (as `primaryConfigXml`). */
  primaryConfigFile?: string;
  /** Path of the secondary's initial config.xml, read once at start. */
  secondaryConfigFile?: string;
  /**
   * Sync-interface addresses of the two nodes (default {@link PAIR_SYNC_IPS}). They are the only
   * auto-sync routes: the primary reaches `secondary` (its `hasync/synchronizetoip` must be this
   * address) at the secondary's loopback URL and vice versa; no other address is ever dialled.
   * Custom configs with other sync addresses must pass theirs here.
   */
  syncIps?: { primary: string; secondary: string };
  /**
   * Extra options applied to both nodes. `configXml`/`configFile` are refused here: one config
   * cannot serve both nodes; use the per-node options above.
   */
  nodeOptions?: Partial<NodeOptions>;
}

/** Endpoint description as printed by the CLI. */
export interface EndpointDescription {
  url: string;
  username: string;
  password: string;
  fingerprint256: string;
}

/** What a client needs to reach `n`: the description the CLI prints. */
export function describeNode(n: EmulatedNode): EndpointDescription {
  return {
    url: n.url,
    username: n.username,
    password: n.password,
    fingerprint256: n.fingerprint256,
  };
}

/** A running pair. */
export interface EmulatedPair {
  primary: EmulatedNode;
  secondary: EmulatedNode;
  carp: CarpCluster;
  /** Stops both nodes. */
  stop(): Promise<void>;
  /** `{primary:{url,username,password,fingerprint256}, secondary:{...}}`. */
  describe(): { primary: EndpointDescription; secondary: EndpointDescription };
}

/** Sync-interface addresses of the pair topology. */
export const PAIR_SYNC_IPS = { primary: "172.16.1.1", secondary: "172.16.1.2" } as const;

/** The factory config turned into one pair member's config (interfaces and DHCP range). */
export function pairNodeConfigXml(role: "primary" | "secondary"): string {
  const tree: PhpStruct = parseConfigXml(DEFAULT_CONFIG_XML);
  const host = role === "primary" ? "1" : "2";
  const ifs = toStruct(tree.interfaces);
  ifs.wan = {
    enable: "",
    if: "em0",
    descr: "WAN",
    ipaddr: `192.168.1.${host}`,
    subnet: "24",
    blockbogons: "",
  };
  ifs.lan = { enable: "", if: "em1", descr: "LAN", ipaddr: `192.168.99.${host}`, subnet: "24" };
  ifs.opt1 = { enable: "", if: "em2", descr: "SYNC", ipaddr: `172.16.1.${host}`, subnet: "24" };
  tree.interfaces = ifs;
  const dhcpd = toStruct(tree.dhcpd);
  dhcpd.lan = { enable: "", range: { from: "192.168.99.100", to: "192.168.99.199" } };
  tree.dhcpd = dhcpd;
  const sys = toStruct(tree.system);
  sys.hostname = role === "primary" ? "fw1" : "fw2";
  tree.system = sys;
  return dumpConfigXml(tree);
}

type Role = "primary" | "secondary";

function refuse(field: string, message: string, fix: string): never {
  throw haError({ code: "E_INVALID_INPUT", message, field, fix });
}

/** The config.xml text a pair member starts from: its own option, else the pair topology. */
export function pairMemberConfigXml(opts: PairOptions, role: Role): string {
  if (opts.nodeOptions?.configXml !== undefined || opts.nodeOptions?.configFile !== undefined) {
    refuse(
      "nodeOptions.configXml",
      "startPair got a config in nodeOptions, which would give both nodes the same config",
      "Pass primaryConfigXml/secondaryConfigXml or primaryConfigFile/secondaryConfigFile.",
    );
  }
  const text = role === "primary" ? opts.primaryConfigXml : opts.secondaryConfigXml;
  const file = role === "primary" ? opts.primaryConfigFile : opts.secondaryConfigFile;
  if (text !== undefined && file !== undefined) {
    refuse(
      `${role}ConfigFile`,
      `startPair got both ${role}ConfigXml and ${role}ConfigFile`,
      `Pass only one of ${role}ConfigXml and ${role}ConfigFile.`,
    );
  }
  if (text !== undefined) return text;
  if (file !== undefined) return readFileSync(file, "utf8");
  return pairNodeConfigXml(role);
}

/** Starts a primary and a secondary on 127.0.0.1 (see {@link PairOptions}). */
export async function startPair(opts: PairOptions): Promise<EmulatedPair> {
  const configs = {
    primary: pairMemberConfigXml(opts, "primary"),
    secondary: pairMemberConfigXml(opts, "secondary"),
  };
  const syncIps = opts.syncIps ?? PAIR_SYNC_IPS;
  const adminPassword = opts.adminPassword ?? randomAdminPassword();
  const carp = new CarpCluster({
    masterDownScale: opts.carpMasterDownScale,
    stateSource: opts.carpStateSource,
  });
  const common = (role: Role): NodeOptions => ({
    ...opts.nodeOptions,
    name: role,
    dir: path.join(opts.dir, role),
    version: role === "secondary" ? (opts.secondaryVersion ?? opts.version) : opts.version,
    configXml: configs[role],
    adminPassword,
    allowSourceIpHeader: true,
    autoSyncDelayMs: opts.autoSyncDelayMs ?? opts.nodeOptions?.autoSyncDelayMs,
    syncRetryPauseMs: opts.syncRetryPauseMs ?? opts.nodeOptions?.syncRetryPauseMs,
    syncTiming: opts.syncTiming ?? opts.nodeOptions?.syncTiming,
    carp,
  });
  const secondary = await startNode(common("secondary"));
  let primary: EmulatedNode;
  try {
    primary = await startNode(common("primary"));
  } catch (e) {
    await secondary.stop();
    throw e;
  }
  // Only these two routes exist; a config address is never dialled.
  primary.syncPeers[syncIps.secondary] = secondary.url;
  secondary.syncPeers[syncIps.primary] = primary.url;
  return {
    primary,
    secondary,
    carp,
    async stop() {
      await Promise.all([primary.stop(), secondary.stop()]);
    },
    describe: () => ({ primary: describeNode(primary), secondary: describeNode(secondary) }),
  };
}
