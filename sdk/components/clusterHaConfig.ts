/**
 * ClusterHaConfig: a cluster's CARP VIPs, outbound NAT rules and DHCP failover declared at once,
 * applied with one config revision per node per `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { NodeDrift } from "../providers/nodeDrift";
import type { CarpVipArgs } from "./carpVip";
import type { Cluster } from "./cluster";
import { outputsRegistered } from "./outputsRegistration";
import { childOptions, configResourceOptions } from "./configResourceOptions";
import type { DhcpFailoverArgs } from "./dhcpFailover";
import type { OutboundNatRuleArgs } from "./outboundNatRule";

/** One inline CARP VIP: the arguments of {@link CarpVip} without `cluster`. */
export type ClusterHaVipArgs = Omit<CarpVipArgs, "cluster">;

/**
 * One inline outbound NAT rule: the arguments of {@link OutboundNatRule} without `cluster`;
 * `translation` is the key of an entry in `carpVips` (`"wan-vip"`) or a VIP address.
 */
export type ClusterHaNatArgs = Omit<OutboundNatRuleArgs, "cluster" | "translation"> & {
  translation: pulumi.Input<string>;
};

/**
 * One inline DHCP failover: the arguments of {@link DhcpFailover} without `cluster`; `vip` is
 * the key of an entry in `carpVips` (`"lan-vip"`) or a VIP address.
 */
export type ClusterHaDhcpArgs = Omit<DhcpFailoverArgs, "cluster" | "vip"> & {
  vip: pulumi.Input<string>;
};

/** Arguments of {@link ClusterHaConfig}. Keys name the items (stable: renaming replaces). */
export interface ClusterHaConfigArgs {
  /** The cluster whose two nodes carry everything below. */
  cluster: Cluster;
  /** CARP VIPs by key. Default none. */
  carpVips?: Record<string, ClusterHaVipArgs>;
  /** Outbound NAT rules by key. Default none. */
  outboundNat?: Record<string, ClusterHaNatArgs>;
  /** DHCP failover per LAN-side interface, by key (one entry per interface). Default none. */
  dhcpFailover?: Record<string, ClusterHaDhcpArgs>;
}

/** A VIP as the nodes hold it (see {@link CarpVip}'s outputs of the same names). */
export interface ClusterHaVipState {
  /** pfSense's identity of the VIP (same on both nodes). */
  uniqid: string;
  /** Allocated (or given) VHID, 1-255. */
  vhid: number;
  /** The VIP address. */
  address: string;
  /** Interface assignment name. */
  interface: string;
  /** Prefix length of the interface network. */
  subnetBits: number;
  /** advbase on both nodes, seconds. */
  advbase: number;
  /** advskew on the primary. */
  primaryAdvskew: number;
  /** advskew on the secondary (primary + 100, capped at 254). */
  secondaryAdvskew: number;
  /** Planned primary node address on the interface. */
  primaryAddress: string;
  /** Planned secondary node address on the interface. */
  secondaryAddress: string;
  /** Who delivered the secondary's view: `"pfsense"` (its own sync) or `"library"`. */
  syncedBy: string;
}

/** The custom resource behind {@link ClusterHaConfig}. */
export class ClusterHaConfigState extends pulumi.CustomResource {
  /** Every item's recorded state by kind and key (no secrets). */
  declare readonly items: pulumi.Output<{
    carpVips: Record<string, ClusterHaVipState>;
    outboundNat: Record<string, { ruleId: string; target: string; mode: string }>;
    dhcpFailover: Record<string, { primaryPeer: string; secondaryPeer: string }>;
  }>;
  /** Drift found by the last refresh (item by item), or items not yet converged. */
  declare readonly drift: pulumi.Output<NodeDrift>;

  constructor(name: string, props: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
    super(
      "pfsense-ha:index:ClusterHaConfigState",
      name,
      { items: undefined, adoptedVips: undefined, drift: undefined, ...props },
      configResourceOptions("ClusterHaConfigState", opts, "carpPasswords", "adoptedVips"),
    );
  }
}

/**
 * A whole cluster's HA settings in one resource: every `pulumi up` that changes any of them
 * makes exactly one config revision on each node (pfSense keeps 30 by default), where one
 * resource per item makes one per batch of items the engine hands over together.
 * Items behave as the per-item components do (same planning, checks, adoption rules, sync
 * handling); an item that fails is named and retried by the next `up`, the others stay applied.
 * Use either this or the per-item components for a given VIP, rule or interface, not both.
 *
 * @example
 * const ha = new ClusterHaConfig("site", {
 *   cluster,
 *   carpVips: {
 *     "wan-vip": { interface: "wan", subnet: "203.0.113.0/29", layout: "wan" },
 *     "lan-vip": { interface: "lan", subnet: "192.168.1.0/24" },
 *   },
 *   outboundNat: { lan: { interface: "wan", source: "192.168.1.0/24", translation: "wan-vip" } },
 *   dhcpFailover: { lan: { interface: "lan", vip: "lan-vip", rangeFrom: "192.168.1.100", rangeTo: "192.168.1.199" } },
 * });
 * export const wanVip = ha.carpVips.apply((v) => v["wan-vip"].address);
 */
export class ClusterHaConfig extends pulumi.ComponentResource {
  /** The VIPs as the nodes hold them, by key. */
  readonly carpVips: pulumi.Output<Record<string, ClusterHaVipState>>;
  /** Drift found by the last refresh, per node, one line per item field. */
  readonly drift: pulumi.Output<NodeDrift>;

  constructor(name: string, args: ClusterHaConfigArgs, opts?: pulumi.ComponentResourceOptions) {
    // Component inputs are stored in state (pitfall 7): pass nothing secret to super().
    super("pfsense-ha:index:ClusterHaConfig", name, {}, opts);
    const cluster = args.cluster;
    const vips = args.carpVips ?? {};
    const passwords: Record<string, pulumi.Input<string>> = {};
    const carpVips: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(vips)) {
      passwords[key] =
        v.password ??
        new random.RandomPassword(
          `${name}-${key}-password`,
          { length: 19, special: false, upper: true, lower: true, numeric: true },
          { parent: this },
        ).result;
      const ifName = pulumi.output(v.interface);
      carpVips[key] = {
        ...v,
        password: undefined,
        advbase: v.advbase ?? cluster.advbase,
        reservedVhids: ifName.apply((i) => cluster.reservedVhids[i] ?? []),
      };
    }
    const outboundNat: Record<string, unknown> = {};
    for (const [key, n] of Object.entries(args.outboundNat ?? {})) {
      const { translation, ...rest } = n;
      outboundNat[key] = { ...rest, target: translation };
    }
    const state = new ClusterHaConfigState(
      name,
      {
        name,
        carpVips,
        carpPasswords: pulumi.secret(passwords),
        outboundNat,
        dhcpFailover: args.dhcpFailover ?? {},
      },
      childOptions(this, cluster, opts),
    );
    this.carpVips = state.items.apply((i) => i?.carpVips ?? {});
    this.drift = state.drift;
    outputsRegistered(this);
  }
}
