/**
 * The plugin's custom resource types: each `pfsense-ha:index:<Type>` token, the runtime kind that
 * implements it, the dynamic-resource type a stack of release 0.1 recorded for it (the alias that
 * migrates such stacks), and which of its values are secrets.
 */
import { providers, type RuntimeProvider } from "../providers/runtime";
import { healthGate } from "../providers/healthGateRuntime";
import { clusterBackup } from "../providers/clusterBackupRuntime";
import type { ValuePath } from "./secretValues";

/** The package name: provider type `pulumi:providers:pfsense-ha`, tokens `pfsense-ha:index:*`. */
export const PACKAGE = "pfsense-ha";

/** One custom resource type of the plugin. */
export interface ResourceKind {
  /** Type token, `pfsense-ha:index:<Type>`. */
  token: string;
  /** The class name (last token segment). */
  typeName: string;
  /** The 0.1 dynamic-resource type of the same resource (`pulumi-nodejs:dynamic/pfsense-ha:<Type>`). */
  legacyType: string;
  /** Values kept secret in state beyond those that arrive secret (a `*` matches any member). */
  secretPaths: ValuePath[];
  /** The CRUD implementation (plain data in and out). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  runtime: RuntimeProvider<any, any>;
}

function kind(
  typeName: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  runtime: RuntimeProvider<any, any>,
  ...secretPaths: ValuePath[]
): ResourceKind {
  return {
    token: `${PACKAGE}:index:${typeName}`,
    typeName,
    legacyType: `pulumi-nodejs:dynamic/${PACKAGE}:${typeName}`,
    secretPaths,
    runtime,
  };
}

/** Every custom resource type, by token. */
export const RESOURCE_KINDS: ReadonlyMap<string, ResourceKind> = new Map(
  [
    kind("CarpVipConfig", providers.carpVip, ["password"], ["adoptedFrom"]),
    kind("HaSyncConfig", providers.haSync, ["password"], ["priorPrimary"], ["priorSecondary"]),
    kind("OutboundNatConfig", providers.outboundNat),
    kind("SyncInterfaceRulesConfig", providers.syncRules),
    kind("DhcpFailoverConfig", providers.dhcpFailover, ["priorPrimary"], ["priorSecondary"]),
    kind("ClusterHaConfigState", providers.clusterHa, ["carpPasswords"], ["adoptedVips"]),
    kind("CarpIpAliasesConfig", providers.carpIpAliases),
    kind("VipServiceBindingConfig", providers.vipServiceBinding),
    kind("ClusterHealthCheck", healthGate as unknown as RuntimeProvider<unknown, unknown>),
    kind("ClusterBackupConfig", clusterBackup as unknown as RuntimeProvider<unknown, unknown>, [
      "snapshot",
    ]),
  ].map((k) => [k.token, k]),
);

/** The kind of a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`), or an error naming it. */
export function kindOfUrn(urn: string): ResourceKind {
  const type = urnParts(urn).type;
  const k = RESOURCE_KINDS.get(type);
  if (k === undefined) throw new Error(`pfsense-ha: unknown resource type ${type}`);
  return k;
}

/** Stack, project, type and name of a URN. The type is the last of a parent chain (`a$b`). */
export function urnParts(urn: string): {
  stack: string;
  project: string;
  type: string;
  name: string;
} {
  const rest = urn.replace(/^urn:pulumi:/, "");
  const [stack = "", project = "", qualifiedType = "", ...name] = rest.split("::");
  const type = qualifiedType.split("$").pop() ?? "";
  return { stack, project, type, name: name.join("::") };
}
