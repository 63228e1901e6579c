/**
 * The seam between the provider configuration and the resource code: the resource code reads
 * both nodes' endpoints (and the stack, for Config History) from its inputs, as it did when they
 * were inputs of every resource. The plugin adds them on the way in and removes them on the way
 * out, so they never reach a resource's state or the preview.
 */
import type { ClusterConnection } from "./providerConfig";
import { urnParts } from "./resourceKinds";
import { UNKNOWN } from "../providers/unknowns";

/** Members the plugin adds for the resource code and keeps out of state. */
const CONNECTION_KEYS = ["primary", "secondary", "stack", "syncWaitMs", "__provider"];

let connection: ClusterConnection | undefined;

/** Records the provider configuration (once per plugin process: one process per provider). */
export function setConnection(c: ClusterConnection | undefined): void {
  connection = c;
}

/** `plain` with the cluster's endpoints and the URN's stack (`project/stack`) added. */
export function withConnection(
  plain: Record<string, unknown> | undefined,
  urn: string,
): Record<string, unknown> {
  const { stack, project, name } = urnParts(urn);
  const base = withoutConnection(plain ?? {});
  return {
    ...base,
    name: base.name ?? name,
    primary: connection?.primary ?? UNKNOWN,
    secondary: connection?.secondary ?? UNKNOWN,
    syncWaitMs: connection?.syncWaitMs,
    stack: `${project}/${stack}`,
  };
}

/** A copy without the connection members (also those a 0.1 dynamic resource stored). */
export function withoutConnection<T>(v: T): T {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  return Object.fromEntries(
    Object.entries(v).filter(([k, x]) => !CONNECTION_KEYS.includes(k) && x !== undefined),
  ) as T;
}
