/**
 * The `pfsense-ha` provider's resource methods. Each one finds the resource's kind from its URN,
 * turns the wire values into plain data (secrets unwrapped, the cluster connection added), runs
 * the kind's plain-data implementation, and sends the answer back with the connection removed
 * and every secret wrapped again.
 */
import type * as pulumi from "@pulumi/pulumi";
import { kindOfUrn, type ResourceKind } from "./resourceKinds";
import { unwrapSecrets, wrapSecrets, type ValuePath } from "./secretValues";
import { withConnection, withoutConnection } from "./connectionInputs";
import type { DetailedDiff, PropertyChange } from "./grpcHooks";
import { importedState } from "./importIds";

type Plain = Record<string, unknown>;

function unwrap(v: unknown): { plain: Plain; secrets: ValuePath[] } {
  const { plain, secretPaths } = unwrapSecrets(v ?? {});
  return { plain: (plain ?? {}) as Plain, secrets: secretPaths };
}

/** What goes back to the engine: no connection, secrets wrapped. */
function answer(k: ResourceKind, v: unknown, ...secrets: ValuePath[][]): Plain {
  const paths = [...k.secretPaths, ...secrets.flat()];
  return wrapSecrets(withoutConnection(v ?? {}), paths) as Plain;
}

/** An error the engine records a partial state from: its properties go back like outputs. */
function answerError(k: ResourceKind, e: unknown, secrets: ValuePath[]): unknown {
  const err = e as { properties?: unknown };
  if (err !== null && typeof err === "object" && err.properties !== undefined) {
    err.properties = answer(k, err.properties, secrets);
  }
  return e;
}

/** The resource methods of the provider (construct and the schema are added by main.ts). */
export const resourceMethods: Required<
  Pick<pulumi.provider.Provider, "check" | "create" | "read" | "update" | "delete">
> & { diff(id: string, urn: string, olds: Plain, news: Plain): Promise<DetailedDiff> } = {
  async check(urn, olds, news) {
    const k = kindOfUrn(urn);
    const n = unwrap(news);
    const o = unwrap(olds);
    const oldInputs = Object.keys(o.plain).length === 0 ? o.plain : withConnection(o.plain, urn);
    const r = await k.runtime.check(oldInputs, withConnection(n.plain, urn));
    return { inputs: answer(k, r.inputs, n.secrets), failures: r.failures };
  },

  async diff(id, urn, olds, news) {
    const k = kindOfUrn(urn);
    const o = unwrap(olds).plain;
    const n = unwrap(news).plain;
    const r = (await k.runtime.diff(id, withConnection(o, urn), withConnection(n, urn))) as {
      changes: boolean;
      changed?: string[];
      replaces: string[];
      deleteBeforeReplace: boolean;
    };
    const detailed: Record<string, PropertyChange> = {};
    for (const f of r.changed ?? []) detailed[f] = r.replaces.includes(f) ? "replace" : "update";
    return {
      changes: r.changes,
      replaces: r.replaces,
      deleteBeforeReplace: r.deleteBeforeReplace,
      detailed,
    };
  },

  async create(urn, inputs) {
    const k = kindOfUrn(urn);
    const n = unwrap(inputs);
    try {
      const r = await k.runtime.create(withConnection(n.plain, urn));
      return { id: r.id, outs: answer(k, r.outs, n.secrets) };
    } catch (e) {
      throw answerError(k, e, n.secrets);
    }
  },

  async read(id, urn, props) {
    const k = kindOfUrn(urn);
    const p = unwrap(props);
    if (Object.keys(p.plain).length === 0) {
      // `pulumi import` or the `import` option: only the id is known.
      const seed = await importedState(k, id, withConnection({}, urn));
      if (seed === undefined) return { id: "", props: {} };
      const r = await k.runtime.read(seed.id, seed.props);
      return {
        id: r.id,
        props: answer(k, r.props),
        inputs: answer(k, { ...seed.inputs, name: seed.props.name }),
      };
    }
    const r = await k.runtime.read(id, withConnection(p.plain, urn));
    // No `inputs`: a refresh keeps the program's inputs; what it found is in the outputs.
    return { id: r.id, props: r.id === "" ? {} : answer(k, r.props, p.secrets) };
  },

  async update(id, urn, olds, news) {
    const k = kindOfUrn(urn);
    const o = unwrap(olds);
    const n = unwrap(news);
    try {
      const r = await k.runtime.update(
        id,
        withConnection(o.plain, urn),
        withConnection(n.plain, urn),
      );
      return { outs: answer(k, r.outs, n.secrets, o.secrets) };
    } catch (e) {
      throw answerError(k, e, [...n.secrets, ...o.secrets]);
    }
  },

  async delete(id, urn, props) {
    const k = kindOfUrn(urn);
    await k.runtime.delete(id, withConnection(unwrap(props).plain, urn));
  },
};
