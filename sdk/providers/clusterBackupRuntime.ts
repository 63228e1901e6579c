/**
 * Runtime of ClusterBackupConfig, the record `pfsense-ha rollback` restores from (issue 12).
 *
 * Its `check` reads both nodes — the shared read per node the other kinds' checks use
 * (nodeChecks.ts), so it costs no extra call when they follow within the shared-read window and
 * one per node when they come later — and returns the inputs with a `snapshot`:
 * each node's revision and every section the library can write (backup/snapshot.ts). Every other
 * resource of the cluster depends on this one, so its check runs before any of them writes.
 * `diff` ignores the snapshot: the engine then takes a same step, which keeps the new inputs
 * (with the fresh snapshot) in the checkpoint and shows no change (engine 3.259
 * `deploy.SameStep.Apply`, `backend.sameSnapshotMutation.mustWrite`). So every `up` records the
 * nodes as they were before it, and a preview shows nothing. The snapshot is a secret (it holds
 * CARP and HA sync passwords). Create, read, update and delete touch no node.
 */
import { snapshotOfCluster, type ClusterSnapshot } from "../backup/snapshot";
import { noteCheck } from "../pfsense/operationTracker";
import type { CheckFailure } from "./checkFailures";
import { endpointProblems, type EndpointInput } from "./endpointInputs";
import { readNodesForCheck } from "./nodeChecks";
import { containsUnknown } from "./unknowns";

/** Inputs of ClusterBackupConfig (the connection members are the plugin's, never stored). */
export interface ClusterBackupInputs {
  primary: EndpointInput;
  secondary: EndpointInput;
  /** The resource's name. */
  name?: string;
  /** `project/stack`, added by the plugin. */
  stack?: string;
  /** Both nodes before this `up` (set by `check`; a secret in state). */
  snapshot?: ClusterSnapshot;
}

/** Outputs: the name only (the snapshot lives in the inputs, which every `up` refreshes). */
export interface ClusterBackupOutputs {
  name?: string;
}

/** `check`: reads both nodes (failing with the read's typed error) and adds the snapshot. */
export async function checkClusterBackup(
  news: ClusterBackupInputs,
): Promise<{ inputs: ClusterBackupInputs; failures: CheckFailure[] }> {
  noteCheck();
  const failures: CheckFailure[] = [
    ...endpointProblems(news.primary, "primary"),
    ...endpointProblems(news.secondary, "secondary"),
  ];
  const { snapshot: _old, ...rest } = news;
  if (failures.length > 0 || containsUnknown([news.primary, news.secondary])) {
    return { inputs: rest, failures };
  }
  const r = await readNodesForCheck(news);
  if (!r.nodes) return { inputs: rest, failures: r.failures };
  return { inputs: { ...rest, snapshot: snapshotOfCluster(r.nodes[0], r.nodes[1]) }, failures };
}

/** The runtime provider (plain data; see resourceKinds.ts). */
export const clusterBackup = {
  check: async (_olds: unknown, news: ClusterBackupInputs) => checkClusterBackup(news),
  /** Never a change: the snapshot is recorded through the same step's new inputs. */
  diff: async () => ({ changes: false, replaces: [] as string[], deleteBeforeReplace: false }),
  create: async (inputs: ClusterBackupInputs) => ({
    id: "cluster-backup",
    outs: { name: inputs.name } as ClusterBackupOutputs,
  }),
  read: async (id: string, props: ClusterBackupOutputs) => ({ id, props }),
  update: async (_id: string, _olds: ClusterBackupOutputs, news: ClusterBackupInputs) => ({
    outs: { name: news.name } as ClusterBackupOutputs,
  }),
  delete: async () => undefined,
};
