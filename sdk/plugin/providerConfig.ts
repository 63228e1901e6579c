/**
 * The provider's configuration: how to reach both nodes of one cluster. It is the only place the
 * node credentials live, so rotating a password is one provider update and no resource changes.
 */
import { endpointProblems, type EndpointInput } from "../providers/endpointInputs";
import type { CheckFailure } from "../providers/checkFailures";
import type { TlsOptions } from "../pfsense/types";
import { haError } from "../plan/errors";
import { isUnknown } from "../providers/unknowns";
import { unwrapSecrets } from "./secretValues";

/** One node as the provider configuration gives it (units as in the schema). */
export interface NodeConfig {
  url: string;
  username: string;
  password: string;
  tls?: TlsOptions;
  /** Whole-call limit per XML-RPC call, seconds. */
  callTimeoutSeconds?: number;
}

/** The configuration, plain. */
export interface ClusterConnection {
  primary: EndpointInput;
  secondary: EndpointInput;
  /** Bound on waiting for pfSense's own sync, ms (undefined: the library default). */
  syncWaitMs?: number;
}

/** Config keys the engine adds to every provider's inputs, which are not ours to check. */
const ENGINE_KEYS = new Set(["version", "pluginDownloadURL"]);

/** The provider inputs as plain data, from the ConfigureRequest's `args` or its `variables`. */
export function configInputs(
  args: Record<string, unknown> | undefined,
  variables: ReadonlyMap<string, string>,
): Record<string, unknown> {
  if (args !== undefined && Object.keys(args).length > 0) {
    return unwrapSecrets(args).plain as Record<string, unknown>;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of variables) {
    const key = k.replace(/^pfsense-ha:(config:)?/, "");
    try {
      out[key] = JSON.parse(v);
    } catch {
      out[key] = v;
    }
  }
  return out;
}

function endpoint(v: unknown): EndpointInput {
  const n = (v ?? {}) as Partial<NodeConfig>;
  const e: EndpointInput = {
    url: n.url as string,
    username: n.username as string,
    password: n.password as string,
  };
  if (n.tls !== undefined) e.tls = n.tls;
  if (typeof n.callTimeoutSeconds === "number") {
    e.callTimeoutMs = Math.round(n.callTimeoutSeconds * 1000);
  }
  return e;
}

/** The configuration from plain provider inputs. Throws E_INVALID_INPUT naming the first problem. */
export function clusterConnection(inputs: Record<string, unknown>): ClusterConnection {
  const problems = configProblems(inputs);
  if (problems.length > 0) throw new Error(problems[0]?.reason);
  const c: ClusterConnection = {
    primary: endpoint(inputs.primary),
    secondary: endpoint(inputs.secondary),
  };
  if (typeof inputs.syncWaitSeconds === "number") {
    c.syncWaitMs = Math.round(inputs.syncWaitSeconds * 1000);
  }
  return c;
}

/** `checkConfig`: every problem of the inputs (unknown values skipped), never echoing a password. */
export function configProblems(inputs: Record<string, unknown>): CheckFailure[] {
  const out: CheckFailure[] = [];
  for (const role of ["primary", "secondary"] as const) {
    const v = inputs[role];
    out.push(
      ...endpointProblems(v === undefined || isUnknown(v) ? (v as undefined) : endpoint(v), role),
    );
  }
  const wait = inputs.syncWaitSeconds;
  if (wait !== undefined && !isUnknown(wait) && !(typeof wait === "number" && wait >= 0)) {
    out.push({
      property: "syncWaitSeconds",
      reason: haError({
        code: "E_INVALID_INPUT",
        field: "syncWaitSeconds",
        value: String(wait),
        message: "is not a number of seconds",
        fix: "give seconds >= 0, e.g. 30, or leave it unset",
      }).message,
    });
  }
  for (const k of Object.keys(inputs)) {
    if (ENGINE_KEYS.has(k) || ["primary", "secondary", "syncWaitSeconds"].includes(k)) continue;
    out.push({
      property: k,
      reason: haError({
        code: "E_INVALID_INPUT",
        field: k,
        message: "is not a setting of the pfsense-ha provider",
        fix: "use primary, secondary and syncWaitSeconds",
      }).message,
    });
  }
  return out;
}

/** The provider settings whose change is shown as a provider update (never a replace). */
export function changedConfigKeys(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  const changed: string[] = [];
  for (const k of [...keys].sort()) {
    if (ENGINE_KEYS.has(k)) continue;
    const a = olds[k];
    const b = news[k];
    if (a !== null && typeof a === "object" && b !== null && typeof b === "object") {
      for (const sub of new Set([...Object.keys(a), ...Object.keys(b)])) {
        const x = (a as Record<string, unknown>)[sub];
        const y = (b as Record<string, unknown>)[sub];
        if (isUnknown(y) || JSON.stringify(x) !== JSON.stringify(y)) changed.push(`${k}.${sub}`);
      }
    } else if (isUnknown(b) || JSON.stringify(a) !== JSON.stringify(b)) {
      changed.push(k);
    }
  }
  return changed;
}
