/**
 * Finding a stack's backup record in its exported state (`pulumi stack export --show-secrets`,
 * which the Automation API's `exportStack` runs): each ClusterBackupConfig's recorded snapshot,
 * and the endpoints of the pfsense-ha provider that serves it.
 */
import { haError } from "../plan/errors";
import { clusterConnection } from "../plugin/providerConfig";
import type { EndpointInput } from "../providers/endpointInputs";
import type { ClusterSnapshot } from "./snapshot";

/** The resource type of the record. */
export const BACKUP_TYPE = "pfsense-ha:index:ClusterBackupConfig";

/** One cluster's record as the stack holds it. */
export interface StackBackup {
  /** The record's URN. */
  urn: string;
  /** Its resource name (`<cluster>-backup`). */
  name: string;
  /** The snapshot of the nodes before the stack's last `up`. */
  snapshot: ClusterSnapshot;
  primary: EndpointInput;
  secondary: EndpointInput;
  /** The provider's bound on waiting for pfSense's own sync, ms. */
  syncWaitMs?: number;
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** The plain value of an exported property tree (secrets as `--show-secrets` writes them). */
export function exportedPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(exportedPlain);
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  if (o[SIG_KEY] === SECRET_SIG) {
    if (typeof o.plaintext === "string") return exportedPlain(JSON.parse(o.plaintext));
    if ("value" in o) return exportedPlain(o.value);
    throw haError({
      code: "E_ROLLBACK_NO_BACKUP",
      message: "the exported state holds the backup only encrypted",
      fix: "export with secrets shown (the rollback command runs `pulumi stack export --show-secrets`)",
    });
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, exportedPlain(x)]));
}

interface ExportedResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  provider?: string;
}

/** Every backup record of an exported deployment (`{ resources: [...] }`). */
export function backupsOfDeployment(deployment: unknown, stack: string): StackBackup[] {
  const resources = ((deployment as { resources?: ExportedResource[] })?.resources ??
    []) as ExportedResource[];
  const out: StackBackup[] = [];
  for (const r of resources) {
    if (r.type !== BACKUP_TYPE) continue;
    const inputs = exportedPlain(r.inputs ?? {}) as { name?: string; snapshot?: ClusterSnapshot };
    const name = inputs.name ?? r.urn.split("::").pop() ?? "";
    if (!inputs.snapshot) {
      throw haError({
        code: "E_ROLLBACK_NO_BACKUP",
        field: name,
        message: `the stack "${stack}" holds no snapshot in ${name} (its check could not read the nodes)`,
        fix: "run `pulumi up` once with both nodes reachable; the snapshot is taken before its first write",
      });
    }
    const ref = r.provider ?? "";
    const sep = ref.lastIndexOf("::");
    const providerUrn = sep >= 0 ? ref.slice(0, sep) : ref;
    const provider = resources.find((p) => p.urn === providerUrn);
    if (!provider || !provider.type.startsWith("pulumi:providers:pfsense-ha")) {
      throw haError({
        code: "E_ROLLBACK_NO_BACKUP",
        field: name,
        message: `the stack "${stack}" does not hold the pfsense-ha provider of ${name}`,
        fix: "the record needs its cluster's provider in the same stack; run `pulumi up` once",
      });
    }
    const conn = clusterConnection(exportedPlain(provider.inputs ?? {}) as Record<string, unknown>);
    out.push({
      urn: r.urn,
      name,
      snapshot: inputs.snapshot,
      primary: conn.primary,
      secondary: conn.secondary,
      syncWaitMs: conn.syncWaitMs,
    });
  }
  if (out.length === 0) {
    throw haError({
      code: "E_ROLLBACK_NO_BACKUP",
      field: stack,
      message: `the stack "${stack}" holds no pfsense-ha backup record (ClusterBackupConfig)`,
      fix: "run `pulumi up` with this release of pulumi-pfsense-ha once: every up records the nodes before its first write",
    });
  }
  return out;
}
