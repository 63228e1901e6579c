/**
 * What `@pulumi/pulumi/provider`'s gRPC server (3.259) leaves out, added around it: it answers
 * `Configure` without reading the configuration, `CheckConfig`/`DiffConfig` with UNIMPLEMENTED,
 * and `Diff` without a detailed diff, and its `Read` fails when an import sends no properties. The server object is built inside `provider.main`, so the
 * hook wraps it where it is registered (grpc-js `Server.addService`) and replaces those five
 * handlers; every other method stays the SDK's.
 */
import * as path from "node:path";
import type { CheckFailure } from "../providers/checkFailures";

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
// The SDK's own copies: the hook must patch the grpc-js instance the SDK registers with.
const sdkDir = path.dirname(require.resolve("@pulumi/pulumi"));
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const provproto = require("@pulumi/pulumi/proto/provider_pb");
const structproto = require(
  require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdkDir] }),
);

/** A property's change as the engine displays it. */
export type PropertyChange = "update" | "replace" | "add" | "delete";

/** A diff with the per-property detail the engine shows in `preview --diff`. */
export interface DetailedDiff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** Property path → change. */
  detailed: Record<string, PropertyChange>;
}

/** The handlers the hook calls, in plain data. */
export interface PluginHooks {
  configure(args: Record<string, unknown> | undefined, variables: Map<string, string>): void;
  checkConfig(news: Record<string, unknown>): CheckFailure[];
  diffConfig(olds: Record<string, unknown>, news: Record<string, unknown>): DetailedDiff;
  diff(
    id: string,
    urn: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<DetailedDiff>;
  /** Read; `props` is empty for an import (the SDK's handler fails on the missing struct). */
  read(
    id: string,
    urn: string,
    props: Record<string, unknown>,
  ): Promise<{ id?: string; props?: unknown; inputs?: unknown }>;
}

type Callback = (err: unknown, resp?: unknown) => void;

const KIND = {
  update: provproto.PropertyDiff.Kind.UPDATE,
  replace: provproto.PropertyDiff.Kind.UPDATE_REPLACE,
  add: provproto.PropertyDiff.Kind.ADD,
  delete: provproto.PropertyDiff.Kind.DELETE,
};

function diffResponse(d: DetailedDiff): unknown {
  const resp = new provproto.DiffResponse();
  const C = provproto.DiffResponse.DiffChanges;
  resp.setChanges(d.changes ? C.DIFF_SOME : C.DIFF_NONE);
  resp.setReplacesList(d.replaces);
  resp.setDeletebeforereplace(d.deleteBeforeReplace);
  resp.setDiffsList([...new Set(Object.keys(d.detailed).map((p) => p.split(".")[0]))]);
  const map = resp.getDetaileddiffMap();
  for (const [p, change] of Object.entries(d.detailed)) {
    const pd = new provproto.PropertyDiff();
    pd.setKind(KIND[change]);
    pd.setInputdiff(false);
    map.set(p, pd);
  }
  resp.setHasdetaileddiff(true);
  return resp;
}

function guarded(cb: Callback, f: () => unknown): void {
  Promise.resolve()
    .then(f)
    .then(
      (resp) => cb(null, resp),
      (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))),
    );
}

function handlers(hooks: PluginHooks): Record<string, (call: any, cb: Callback) => void> {
  return {
    configure: (call, cb) =>
      guarded(cb, () => {
        const req = call.request;
        const vars = new Map<string, string>(req.getVariablesMap().entries());
        hooks.configure(req.getArgs()?.toJavaScript(), vars);
        const resp = new provproto.ConfigureResponse();
        resp.setAcceptsecrets(true);
        resp.setAcceptresources(true);
        resp.setAcceptoutputs(true);
        return resp;
      }),
    checkConfig: (call, cb) =>
      guarded(cb, () => {
        const req = call.request;
        const resp = new provproto.CheckResponse();
        resp.setInputs(req.getNews()); // as sent: secrets stay wrapped
        resp.setFailuresList(
          hooks.checkConfig(req.getNews().toJavaScript()).map((f) => {
            const pf = new provproto.CheckFailure();
            pf.setProperty(f.property);
            pf.setReason(f.reason);
            return pf;
          }),
        );
        return resp;
      }),
    diffConfig: (call, cb) =>
      guarded(cb, () => {
        const req = call.request;
        const olds = (req.getOldInputs() ?? req.getOlds())?.toJavaScript() ?? {};
        return diffResponse(hooks.diffConfig(olds, req.getNews().toJavaScript()));
      }),
    read: (call, cb) =>
      guarded(cb, async () => {
        const req = call.request;
        const r = await hooks.read(
          req.getId(),
          req.getUrn(),
          req.getProperties()?.toJavaScript() ?? {},
        );
        const resp = new provproto.ReadResponse();
        resp.setId(r.id ?? "");
        resp.setProperties(structproto.Struct.fromJavaScript(r.props ?? {}));
        if (r.inputs !== undefined) resp.setInputs(structproto.Struct.fromJavaScript(r.inputs));
        return resp;
      }),
    diff: (call, cb) =>
      guarded(cb, async () => {
        const req = call.request;
        const d = await hooks.diff(
          req.getId(),
          req.getUrn(),
          req.getOlds().toJavaScript(),
          req.getNews().toJavaScript(),
        );
        return diffResponse(d);
      }),
  };
}

/** Installs the hook; call once, before `provider.main`. */
export function installPluginHooks(hooks: PluginHooks): void {
  const proto = grpc.Server.prototype;
  const original = proto.addService;
  proto.addService = function (this: unknown, service: unknown, impl: Record<string, unknown>) {
    if (service === provrpc.ResourceProviderService) {
      const own = handlers(hooks);
      // Bound copies of the SDK's methods, ours in place of those it lacks.
      const merged: Record<string, unknown> = {};
      for (const name of Object.keys(service as object)) {
        const m = (impl as any)[name];
        merged[name] = own[name] ?? (typeof m === "function" ? m.bind(impl) : m);
      }
      return original.call(this, service, merged);
    }
    return original.call(this, service, impl);
  };
}
/* eslint-enable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
