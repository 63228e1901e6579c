/**
 * The pre-write record of an `up` (issue 12, "Backup and rollback"): per node, the revision the
 * node was at and the content of every section the library can write, as config.xml held them.
 * The cluster's ClusterBackupConfig takes it in its `check`, before any other resource of the
 * `up` writes, and the stack keeps it (as a secret) until the next `up` replaces it.
 */
import type { PhpStruct, PhpValue } from "../codec/phpValue";
import { cloneValue } from "../codec/phpValue";
import { decodeConfigVersion } from "../pfsense/sections/revision";
import { WRITABLE_SECTIONS, type WritableSection } from "../pfsense/sections/nodeConfig";
import type { NodeState, RevisionInfo } from "../pfsense/types";

/** The sections a snapshot holds: every section the library writes (sections/nodeConfig.ts). */
export const BACKUP_SECTIONS: readonly WritableSection[] = WRITABLE_SECTIONS;

/** One node as it was before the `up`. */
export interface NodeSnapshot {
  /** The node's revision then: `time` is config.xml's `revision/time` (Unix seconds). */
  revision: { time: number; description: string; username: string };
  /** config.xml format version (`version`), to decode the sections with the right codecs. */
  configVersion: string;
  /** pfSense's product version, e.g. `2.7.2-RELEASE` (for messages). */
  productVersion: string;
  /** Each of {@link BACKUP_SECTIONS} as the node held it; a section the node lacked is absent. */
  sections: Partial<Record<WritableSection, PhpValue>>;
}

/** Both nodes before the `up`, and when the record was taken. */
export interface ClusterSnapshot {
  /** ISO 8601 time the nodes were read. */
  takenAt: string;
  primary: NodeSnapshot;
  secondary: NodeSnapshot;
}

/** The revision as the snapshot keeps it (time as a number). */
export function snapshotRevision(r: RevisionInfo): NodeSnapshot["revision"] {
  const t = Number(r.time);
  return {
    time: Number.isFinite(t) ? t : 0,
    description: r.description,
    username: r.username,
  };
}

/** The snapshot of one node from a session read (its raw sections). */
export function snapshotOfNode(state: NodeState): NodeSnapshot {
  const sections: Partial<Record<WritableSection, PhpValue>> = {};
  for (const s of BACKUP_SECTIONS) {
    const v = state.raw[s];
    if (v !== undefined) sections[s] = cloneValue(v);
  }
  return {
    revision: snapshotRevision(state.revision),
    configVersion: decodeConfigVersion(state.raw.version) || state.firmware.configVersion,
    productVersion: state.firmware.productVersion,
    sections,
  };
}

/** Both nodes' snapshot from their reads. */
export function snapshotOfCluster(primary: NodeState, secondary: NodeState): ClusterSnapshot {
  return {
    takenAt: new Date().toISOString(),
    primary: snapshotOfNode(primary),
    secondary: snapshotOfNode(secondary),
  };
}

/** A snapshot's sections as a raw tree (for the section codecs). */
export function snapshotTree(n: NodeSnapshot): PhpStruct {
  return { ...n.sections } as PhpStruct;
}
