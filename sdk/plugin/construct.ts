/**
 * `construct`: the components for programs in other languages (Pulumi YAML, Go). The plugin
 * builds the same TypeScript component the npm package exports, around the provider the program
 * passes as `providers`, and hands back its outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { haError } from "../plan/errors";
import { Cluster } from "../components/cluster";
import { ClusterBackupConfig } from "../components/clusterBackup";
import { CarpVip } from "../components/carpVip";
import { HaSyncSettings } from "../components/haSyncSettings";
import { OutboundNatRule } from "../components/outboundNatRule";
import { DhcpFailover } from "../components/dhcpFailover";
import { ClusterHaConfig } from "../components/clusterHaConfig";
import { SyncInterfaceRules } from "../components/syncInterfaceRules";
import { CarpIpAliases } from "../components/carpIpAliases";
import { VipServiceBinding } from "../components/vipServiceBinding";
import { COMPONENT_OUTPUTS } from "./schema";
import { PACKAGE } from "./resourceKinds";

type Inputs = Record<string, pulumi.Input<unknown>>;

const BUILDERS: Record<
  string,
  (
    name: string,
    cluster: Cluster,
    inputs: Inputs,
    opts: pulumi.ComponentResourceOptions,
  ) => pulumi.ComponentResource
> = {
  CarpVip: (n, cluster, i, o) => new CarpVip(n, { ...i, cluster } as never, o),
  HaSyncSettings: (n, cluster, i, o) => new HaSyncSettings(n, { ...i, cluster } as never, o),
  OutboundNatRule: (n, cluster, i, o) => new OutboundNatRule(n, { ...i, cluster } as never, o),
  DhcpFailover: (n, cluster, i, o) => new DhcpFailover(n, { ...i, cluster } as never, o),
  ClusterHaConfig: (n, cluster, i, o) => new ClusterHaConfig(n, { ...i, cluster } as never, o),
  SyncInterfaceRules: (n, cluster, i, o) =>
    new SyncInterfaceRules(n, { ...i, cluster } as never, o),
  // The CARP VIP arrives as its outputs (a component reference has no outputs to read here).
  CarpIpAliases: (n, cluster, i, o) => {
    const { vipUniqid, vipInterface, vipAddress, subnetBits, primaryAddress, secondaryAddress } = i;
    const vip = {
      uniqid: vipUniqid,
      interface: vipInterface,
      address: vipAddress,
      subnetBits,
      primaryAddress,
      secondaryAddress,
    };
    return new CarpIpAliases(n, { ...i, vip, cluster } as never, o);
  },
  VipServiceBinding: (n, cluster, i, o) => new VipServiceBinding(n, { ...i, cluster } as never, o),
};

/** The component names `construct` builds. */
export const CONSTRUCTED = Object.keys(BUILDERS);

/** The cluster provider a constructed component is given, or an error saying how to pass it. */
function clusterProvider(
  type: string,
  opts: pulumi.ComponentResourceOptions,
): pulumi.ProviderResource {
  const providers = opts.providers as Record<string, pulumi.ProviderResource> | undefined;
  const p = providers?.[PACKAGE];
  if (p === undefined) {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${type}.providers`,
      message: "no pfsense-ha provider was given",
      fix: "declare a pulumi:providers:pfsense-ha resource with both nodes and pass it in the component's options as providers: [${cluster}]",
    });
  }
  return p;
}

/**
 * One backup record per provider, as a TypeScript Cluster makes one: the first component the
 * program constructs around a provider registers it (`<provider name>-backup`), and every
 * component's resources depend on it, so its check reads both nodes before anything writes.
 * The engine runs one plugin process per provider, so this process sees all of its components.
 */
const backups = new Map<string, ClusterBackupConfig>();

async function backupOf(provider: pulumi.ProviderResource): Promise<ClusterBackupConfig> {
  const urn = await new Promise<string>((resolve) => provider.urn.apply(resolve));
  let b = backups.get(urn);
  if (b === undefined) {
    b = new ClusterBackupConfig(`${urn.split("::").pop() ?? "cluster"}-backup`, { provider });
    backups.set(urn, b);
  }
  return b;
}

/** Builds the component `type` and returns its URN and outputs. */
export async function constructComponent(
  name: string,
  type: string,
  inputs: Inputs,
  opts: pulumi.ComponentResourceOptions,
): Promise<pulumi.provider.ConstructResult> {
  const short = type.replace(`${PACKAGE}:index:`, "");
  const build = BUILDERS[short];
  if (build === undefined) throw new Error(`pfsense-ha: unknown component type ${type}`);
  const provider = clusterProvider(short, opts);
  const cluster = Cluster.fromProvider(provider, {}, await backupOf(provider));
  const c = build(name, cluster, inputs, opts) as unknown as Record<string, pulumi.Output<unknown>>;
  const state: Inputs = {};
  for (const k of Object.keys(COMPONENT_OUTPUTS[short] ?? {})) state[k] = c[k];
  return { urn: (c as unknown as pulumi.ComponentResource).urn, state };
}
