/**
 * Plain-data shapes of cluster health, the gate verdict and drill reports. Everything here is
 * JSON-serialisable and free of secrets (node passwords and CARP passwords never appear).
 */
import type { NodeEndpoint, RevisionInfo } from "../pfsense";
import type { DriftItem } from "../plan";

/** The two nodes of a cluster, as endpoints (what `pfsense-ha-emulator pair` prints, too). */
export interface ClusterEndpoints {
  /** The node that normally holds every VIP (MASTER). */
  primary: NodeEndpoint;
  /** The standby node. */
  secondary: NodeEndpoint;
}

/** A CARP VIP's runtime state as pfSense reports it; `""` = not found (§8.1), `UNKNOWN` = node not read. */
export type VipState = "MASTER" | "BACKUP" | "INIT" | "" | "UNKNOWN";

/** One node's reading. */
export interface NodeHealth {
  /** Which node of the pair this reading is for. */
  role: "primary" | "secondary";
  /** `https://host:port` without credentials. */
  url: string;
  /** False when the node could not be read; see `error`. */
  reachable: boolean;
  /** Why it could not be read (a PfSenseHaError's code and one-line message; never a secret). */
  error?: { code: string; message: string };
  /** `net.inet.carp.allow` (§8.1). */
  carpAllowed?: boolean;
  /** `net.inet.carp.demotion`; non-zero = the node demoted itself (e.g. an interface went down). */
  demotion?: number;
  /** Persistent CARP maintenance mode (§8.3). */
  maintenance?: boolean;
  /** The node's latest config revision (§9.2). */
  revision?: RevisionInfo;
  /** e.g. `2.7.2-RELEASE`. */
  version?: string;
}

/** Which node(s) report MASTER for a VHID. */
export type MasterHolder = "primary" | "secondary" | "both" | "none";

/** One CARP VHID (one CARP VIP) across both nodes. */
export interface VhidHealth {
  /** Interface assignment name (`wan`, `lan`, ...). */
  interface: string;
  /** CARP virtual host id, 1-255. */
  vhid: number;
  /** pfSense uniqid of the VIP (shared by both nodes through sync). */
  uniqid: string;
  /** `address/bits`. */
  address: string;
  /** The VIP's description (pfSense `descr`), when it has one. */
  descr?: string;
  /** Seconds (from the primary's config, else the secondary's). */
  advbase: number;
  /** Configured advskew on each node (undefined where the VIP is missing). */
  primarySkew?: number;
  /** See `primarySkew`; normally the primary's skew + 100, capped at 254. */
  secondarySkew?: number;
  /** Runtime CARP state on the primary. */
  primary: VipState;
  /** Runtime CARP state on the secondary. */
  secondary: VipState;
  /** Which node(s) report MASTER. */
  master: MasterHolder;
  /** Exactly one MASTER and it is the primary. */
  ok: boolean;
}

/** XML-RPC configuration sync between the nodes (§6). */
export interface SyncHealth {
  /**
   * `in-sync`: the secondary holds exactly what pfSense's sync (or the library) derives from the
   * primary; `out-of-sync`: it differs (a sync still in flight, or one that never arrived);
   * `failing`: the primary filed sync failure notices; `unknown`: a node could not be read.
   * Content is compared, not clocks: the nodes' clocks need not agree.
   */
  status: "in-sync" | "out-of-sync" | "failing" | "unknown";
  /** The primary pushes config to the secondary (`hasync/synchronizetoip` set). */
  autoSync: boolean;
  /** Areas the primary syncs (`hasync` checkboxes). */
  areas: string[];
  /** The secondary's latest revision was written by the primary's sync: an XML-RPC restore
   * ("... from XMLRPC client.") whose caller is one of the primary's interface addresses. */
  secondaryLastWriteWasSync: boolean;
  /** The primary's latest config change, and the secondary's latest revision. */
  primaryRevision?: RevisionInfo;
  /** See `primaryRevision`. */
  secondaryRevision?: RevisionInfo;
  /** What differs between the secondary and its expected view (passwords shown as `(secret)`). */
  drift: DriftItem[];
  /** Sync failure notices filed on the primary (§6.6, id `sync_settings`). */
  notices: string[];
}

/** One reason the cluster is not healthy. */
export interface HealthProblem {
  /** Stable short code: `unreachable`, `carp-disabled`, `maintenance`, `demoted`, `vhid`, `vip-missing`, `sync-failing`, `sync-drift`, `no-vips`. */
  code: string;
  /** One line for humans (no secrets). */
  message: string;
}

/**
 * Configuration advice: a service that points at a node's own address where a CARP VIP would
 * fail over (serviceFindings.ts). A warning, not a problem: it does not make the cluster unhealthy.
 */
export interface HealthWarning {
  /** Stable short code: `service-on-node-address`. */
  code: "service-on-node-address";
  /** The node whose config holds it. */
  node: "primary" | "secondary";
  /** config.xml section: `openvpn`, `ipsec` or `dhcpd`. */
  section: "openvpn" | "ipsec" | "dhcpd";
  /** The item: `openvpn-server vpnid 1`, `ipsec phase1 ikeid 2`, `dhcpd lan`. */
  item: string;
  /** The member: `interface`, `gateway`, `dnsserver`, `failover_peerip`. */
  field: string;
  /** Its value as stored (`""` when absent). */
  value: string;
  /** One line for humans. */
  message: string;
  /** What to change. */
  fix: string;
}

/** Cluster health at one moment. */
export interface ClusterHealth {
  /** True when `problems` is empty. */
  healthy: boolean;
  /** ISO time of the reading (local clock; for humans only). */
  checkedAt: string;
  /** The primary's reading. */
  primary: NodeHealth;
  /** The secondary's reading. */
  secondary: NodeHealth;
  /** One row per CARP VIP, in the primary's config order, then secondary-only ones. */
  vhids: VhidHealth[];
  /** Configuration sync between the nodes. */
  sync: SyncHealth;
  /** Everything that makes the cluster unhealthy; empty when healthy. */
  problems: HealthProblem[];
  /** Services on node addresses instead of a CARP VIP (advice; do not affect `healthy`). */
  warnings: HealthWarning[];
}

/** The deployment gate's verdict (see {@link gateVerdict}). */
export interface GateVerdict {
  /** True when both nodes were read, at least one VHID exists, and on every VHID the primary is
   * the only MASTER (the secondary BACKUP). */
  ok: boolean;
  /** Why not, one line per VHID or node. */
  reasons: string[];
}
