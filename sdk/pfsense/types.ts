/**
 * Public types of the pfSense node client (contracts.md, "sdk/pfsense"). Plain data and
 * interfaces only; the behaviour lives in client.ts, transport.ts and session.ts.
 */
import type { PhpStruct, PhpValue } from "../codec/phpValue";
import type { NodeHaConfig } from "../plan/model";

/** How the client trusts the node's HTTPS certificate. Default: verify against system CAs. */
export interface TlsOptions {
  /** PEM CA certificate (or the node's self-signed certificate) to trust instead of system CAs. */
  caCertPem?: string;
  /**
   * SHA-256 fingerprint pin of the node's certificate, `"AB:CD:..."` or plain hex, any case.
   * When set, the chain is not checked; the certificate must match the pin.
   */
  fingerprint256?: string;
  /** Lab only: accept any certificate. Logs a loud warning once per process. */
  insecureSkipTlsVerify?: boolean;
}

/** Where and how to reach one pfSense node. */
export interface NodeEndpoint {
  /** Label for messages (`primary`, `secondary`, ...). */
  name?: string;
  /** `https://host:port`; the path `/xmlrpc.php` is added when absent. */
  url: string;
  /** A user holding the "System - HA node sync" privilege (usually `admin`). */
  username: string;
  /** A secret: never logged, never in messages. */
  password: string;
  /** How to trust the node's certificate (default: the system's CAs). */
  tls?: TlsOptions;
  /** TCP + TLS handshake limit in ms (default 10000). */
  connectTimeoutMs?: number;
  /** Whole-call limit in ms (default 200000; nginx on pfSense cuts at 180 s, §2.1). */
  callTimeoutMs?: number;
  /** Attempts for idempotent reads on transport failures (default 3, minimum 1). */
  maxAttempts?: number;
  /** First retry pause in ms, doubled per attempt (default 250). */
  retryBackoffMs?: number;
}

/** Version-family behaviour the client relies on (§4, §5.1, §9.3, §12). */
export interface CapabilityProfile {
  /** `2.4`, `2.5.0-2.5.1`, `2.5.2-2.6`, `2.7`, `2.8` (2.8 / master / Plus). */
  family: "2.4" | "2.5.0-2.5.1" | "2.5.2-2.6" | "2.7" | "2.8";
  /** The trailing timeout int is required (2.5.2+); the client always sends it anyway. */
  requiresTimeoutParam: boolean;
  /** `hasync/pfhostid` exists (2.7.0+). */
  hasPfHostId: boolean;
  /** `hasync/adminsync` exists (2.5.0+). */
  hasAdminSync: boolean;
  /** `synchronizedhcrelay(6)` exist (2.6.0+; conservatively false for the 2.5.2-2.6 family). */
  hasDhcrelaySync: boolean;
  /** Outbound NAT target format (§9.3): "old" below config 23.0, "new" from 23.0. */
  natTargetFormat: "old" | "new";
  /** Sections the receiver replaces wholesale (§5.1 step 4). */
  fullReplaceSections: readonly string[];
  /** An empty full-replace section still replaces (2.7.0+ key-exists test). */
  emptySectionReplaces: boolean;
  /** The receiver keeps the old CARP address when a VIP with that address remains (2.6.0+). */
  keepsSharedVipAddress: boolean;
  /** pfSense Plus: mapped conservatively onto the newest CE family. */
  plus: boolean;
  /**
   * Kea HA (`kea/ha`, `kea6/ha`) and its sync transform exist: pfSense master since commit
   * a4cd7de16d (2024-07-12, then 2.8.0-DEVELOPMENT), so CE 2.8+ by the branch history; pfSense
   * Plus 24.08+ is assumed (no Plus source to confirm).
   */
  hasKeaHa: boolean;
  /** The `synchronizekea6` sync area exists (same commit as {@link hasKeaHa}). */
  hasKea6Sync: boolean;
}

/** `host_firmware_version` plus the derived profile. */
export interface FirmwareInfo {
  /** e.g. `2.7.2-RELEASE`. */
  productVersion: string;
  /** config.xml format version, e.g. `23.3` (§1.1). */
  configVersion: string;
  /** `pfSense`, `pfSense Plus`, ... */
  platform: string;
  /** FreeBSD release, e.g. `14.0`. */
  kernelVersion: string;
  profile: CapabilityProfile;
}

/** CARP runtime state read through exec_php (§8.1). */
export interface CarpRuntimeStatus {
  /** `net.inet.carp.allow` > 0. */
  allow: boolean;
  /** `net.inet.carp.demotion`. */
  demotion: number;
  /** Persistent maintenance mode flag (§8.3). */
  maintenance: boolean;
  /** State per CARP VIP uniqid. */
  vips: Record<string, "MASTER" | "BACKUP" | "INIT" | "">;
}

/** Counters per client, for the benchmark. Bytes are TLS-socket bytes (headers included). */
export interface ClientStats {
  calls: number;
  bytesSent: number;
  bytesReceived: number;
}

/** One node's XML-RPC API (§4), typed. Every failure is a PfSenseHaError. */
export interface NodeClient {
  readonly endpoint: NodeEndpoint;
  firmwareVersion(): Promise<FirmwareInfo>;
  backupSections(names: string[]): Promise<PhpStruct>;
  restoreSections(sections: PhpStruct): Promise<void>;
  /**
   * Reads `names` with the node's change token in one exec_php request; undefined when the node
   * did not run the snippet (exec_php unavailable), so the caller falls back to backupSections.
   * `known`: tokens of sections the caller holds; those still at that token are left out.
   */
  readWithToken(names: string[], known?: Record<string, string>): Promise<FirstRead | undefined>;
  /**
   * Restores `sections` only if every section in `expected` still has its token (decided on the
   * node, in the same request as the write). `readNames`: the sections read (and answered),
   * less those still at their `known` token.
   */
  conditionalRestore(
    expected: Record<string, string>,
    readNames: string[],
    sections: PhpStruct,
    description?: string,
    known?: Record<string, string>,
  ): Promise<ConditionalRestoreResult>;
  interfacesCarpConfigure(): Promise<void>;
  execPhp(code: string): Promise<PhpValue>;
  carpStatus(): Promise<CarpRuntimeStatus>;
  setMaintenanceMode(on: boolean): Promise<void>;
  syncNotices(): Promise<string[]>;
  readonly stats: ClientStats;
}

/** Sections read together with the node's change token of each (see conditionalSnippets). */
export interface TokenRead {
  sections: PhpStruct;
  tokens: Record<string, string>;
}

/** What the read snippet answers: the sections, their tokens and the node's firmware. */
export interface FirstRead extends TokenRead {
  /** The node's firmware, read in the same request. */
  firmware: FirmwareInfo;
}

/** The outcome of a conditional restore. */
export interface ConditionalRestoreResult {
  /**
   * `applied`; `conflict`: the sections changed since the read, nothing was written; `loop`: the
   * caller is the node's own sync target, so restore refuses (loop protection, nothing written).
   */
  status: "applied" | "conflict" | "loop";
  /** The sections read and the token as they are after the call (the write's read-back). */
  after: TokenRead;
}

/** `revision` of config.xml (§9.2 notes). */
export interface RevisionInfo {
  /** Unix time of the change, seconds, as text (one-second resolution). */
  time: string;
  /** What changed, as pfSense wrote it (`... from XMLRPC client.`). */
  description: string;
  /** Who changed it, e.g. `admin@192.168.1.10 (Local Database)`. */
  username: string;
}

/** A node's HA configuration as read (typed + the raw sections it came from). */
export interface NodeState {
  config: NodeHaConfig;
  revision: RevisionInfo;
  firmware: FirmwareInfo;
  /** Sections as read by backup_config_section. */
  raw: PhpStruct;
  /**
   * Set by `edit`: true when the batch carrying the edit wrote the node (on a primary with HA
   * sync, pfSense's own push follows, §6.1), false when there was nothing to write. Unset on
   * `read`.
   */
  written?: boolean;
}

/** A change to a node's typed config; mutate the draft in place. */
export type ConfigChange = (draft: NodeHaConfig) => void;

/** The one write path per node per process. */
/** How fresh a {@link NodeSession.read} must be. */
export interface ReadOptions {
  /**
   * Accept the snapshot of this process's last read of the node while reads keep coming (each
   * within SHARE_IDLE_MS of the one before, the snapshot at most SHARE_MAX_AGE_MS old) and this
   * process has not edited the node since. For refresh: one wave of reads, one point in time.
   */
  shared?: boolean;
  /**
   * Start without gathering: the caller has gathered already (ClusterHaConfig reads once for
   * all its items and hands their edits over in one round).
   */
  now?: boolean;
}

/** How an edit joins a batch. */
export interface EditOptions {
  /** Start the batch without gathering (see {@link ReadOptions.now}). */
  now?: boolean;
}

export interface NodeSession {
  readonly client: NodeClient;
  /**
   * The node's config. With `shared`, a snapshot this process read moments ago may answer
   * instead (see {@link ReadOptions}); otherwise a read that starts after the call.
   */
  read(options?: ReadOptions): Promise<NodeState>;
  /**
   * Queues `change` for the next batch. `label` names who asks (`CarpVip[wan]`) in the batch's
   * Config History entry.
   */
  edit(change: ConfigChange, label?: string, options?: EditOptions): Promise<NodeState>;
}
