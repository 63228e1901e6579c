/**
 * CarpVip: one CARP virtual IP on both nodes of a cluster.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { noDrift, type NodeDrift } from "../providers/nodeDrift";
import type { Cluster } from "./cluster";
import { outputsRegistered } from "./outputsRegistration";
import { childOptions, configResourceOptions } from "./configResourceOptions";

/** Arguments of {@link CarpVip}. */
export interface CarpVipArgs {
  /** The cluster whose two nodes carry the VIP. */
  cluster: Cluster;
  /** Interface assignment name the VIP lives on (`wan`, `lan`, `opt1`, ...); same on both nodes. */
  interface: pulumi.Input<string>;
  /**
   * The interface network in CIDR form, IPv4 or IPv6 (`192.168.1.0/24`, `2001:db8:1::/64`).
   * Optional when `address` carries its prefix (`192.168.1.100/24`) or when the primary's
   * interface address gives it.
   */
  subnet?: pulumi.Input<string>;
  /**
   * Address layout used to pick unspecified addresses: `"lan"` (VIP = first usable address,
   * primary second, secondary third) or `"wan"` (gateway first, primary, secondary, VIP fourth:
   * the /29 layout). Default `"lan"`.
   */
  layout?: pulumi.Input<"wan" | "lan">;
  /** The VIP address. Default: planned from `subnet` and `layout`. */
  address?: pulumi.Input<string>;
  /**
   * The primary's own address on the interface, which the planned VIP keeps off. Checked against
   * the node at preview. Default: the layout's slot (the output is always the node's address).
   */
  primaryAddress?: pulumi.Input<string>;
  /** The secondary's own address on the interface; as `primaryAddress`. */
  secondaryAddress?: pulumi.Input<string>;
  /**
   * CARP VHID 1-255. Default: the lowest VHID free on this interface on both nodes (VIPs the
   * library does not manage included) and not in the cluster's `reservedVhids`; allocated once at
   * create and kept in state. Changing it replaces the VIP (delete first).
   */
  vhid?: pulumi.Input<number>;
  /** Advertisement base, seconds 1-254, equal on both nodes. Default: the cluster's, else 1. */
  advbase?: pulumi.Input<number>;
  /**
   * The primary's advskew 0-239 (keep it below 140, and below 20 where DHCP failover runs).
   * The secondary gets skew + 100, capped at 254. Default 0.
   */
  skew?: pulumi.Input<number>;
  /**
   * CARP password, 1-19 printable ASCII characters without spaces. Default: a random 19-character
   * alphanumeric password (`@pulumi/random` RandomPassword), kept in state as a secret.
   */
  password?: pulumi.Input<string>;
  /** Description shown in pfSense's GUI. */
  description?: pulumi.Input<string>;
  /**
   * Unicast CARP (pfSense Plus only): each node advertises to the other node's own address on the
   * interface instead of multicast. Refused on pfSense CE. Default false.
   */
  unicast?: pulumi.Input<boolean>;
  /**
   * Take over a CARP VIP made outside this stack that has the same interface and address (and
   * `vhid`, when given) at create: its uniqid and VHID are kept, and delete gives it back as it
   * was; the preview shows it as the planned input `adopting` (uniqid, VHID, skew, description).
   * Default false: such a VIP makes preview and create fail with E_ADDRESS_CONFLICT, and
   * nothing is written.
   */
  adopt?: pulumi.Input<boolean>;
  /**
   * VHIDs never to allocate on this interface. Default: the cluster's `reservedVhids` for the
   * interface.
   */
  reservedVhids?: pulumi.Input<number[]>;
}

/** The custom resource behind {@link CarpVip} (type `pfsense-ha:index:CarpVipConfig`). */
export class CarpVipConfig extends pulumi.CustomResource {
  /** pfSense's identity of the VIP (same on both nodes). */
  declare readonly uniqid: pulumi.Output<string>;
  /** Allocated (or given) VHID, 1-255. */
  declare readonly vhid: pulumi.Output<number>;
  /** The VIP address. */
  declare readonly address: pulumi.Output<string>;
  /** The interface network, CIDR. */
  declare readonly network: pulumi.Output<string>;
  /** Prefix length of the interface network (the VIP's subnet_bits). */
  declare readonly subnetBits: pulumi.Output<number>;
  /** Address family, 4 or 6. */
  declare readonly family: pulumi.Output<number>;
  /** advbase on both nodes, seconds. */
  declare readonly advbase: pulumi.Output<number>;
  /** advskew on the primary. */
  declare readonly primaryAdvskew: pulumi.Output<number>;
  /** advskew on the secondary (primary + 100, capped at 254). */
  declare readonly secondaryAdvskew: pulumi.Output<number>;
  /** The CARP password (secret). */
  declare readonly password: pulumi.Output<string>;
  /** The primary's own address on the interface, as the node holds it. */
  declare readonly primaryAddress: pulumi.Output<string>;
  /** The secondary's own address on the interface, as the node holds it. */
  declare readonly secondaryAddress: pulumi.Output<string>;
  /** Interface assignment name. */
  declare readonly interface: pulumi.Output<string>;
  /** Drift found by the last refresh, per node (empty when in sync). */
  declare readonly drift: pulumi.Output<NodeDrift>;
  /** Who delivered the secondary's view: `"pfsense"` (its own sync) or `"library"`. */
  declare readonly syncedBy: pulumi.Output<string>;
  /** Unicast mode: the primary's peer (the secondary's address); "" in multicast mode. */
  declare readonly primaryPeer: pulumi.Output<string>;
  /** Unicast mode: the secondary's peer (the primary's address); "" in multicast mode. */
  declare readonly secondaryPeer: pulumi.Output<string>;

  constructor(name: string, props: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
    super(
      "pfsense-ha:index:CarpVipConfig",
      name,
      {
        uniqid: undefined,
        network: undefined,
        subnetBits: undefined,
        family: undefined,
        primaryAdvskew: undefined,
        secondaryAdvskew: undefined,
        drift: undefined,
        syncedBy: undefined,
        primaryPeer: undefined,
        secondaryPeer: undefined,
        ...props,
      },
      configResourceOptions("CarpVipConfig", opts, "password", "adoptedFrom"),
    );
  }
}

/**
 * A CARP virtual IP held by both nodes: the primary with `skew`, the secondary with skew + 100.
 * The VHID is allocated once and kept; the password is generated unless given.
 *
 * @example
 * const wanVip = new CarpVip("wan-vip", { cluster, interface: "wan", subnet: "203.0.113.0/29", layout: "wan" });
 * export const wanAddress = wanVip.address;
 */
export class CarpVip extends pulumi.ComponentResource {
  /** Allocated (or given) VHID. */
  readonly vhid: pulumi.Output<number>;
  /** The VIP address. */
  readonly address: pulumi.Output<string>;
  /** Prefix length of the interface network (the VIP's subnet_bits). */
  readonly subnetBits: pulumi.Output<number>;
  /** advskew on the primary. */
  readonly primaryAdvskew: pulumi.Output<number>;
  /** advskew on the secondary (primary + 100, capped at 254). */
  readonly secondaryAdvskew: pulumi.Output<number>;
  /** advbase on both nodes. */
  readonly advbase: pulumi.Output<number>;
  /** The CARP password (secret). */
  readonly password: pulumi.Output<string>;
  /** The primary's own address on the interface, as the node holds it. */
  readonly primaryAddress: pulumi.Output<string>;
  /** The secondary's own address on the interface, as the node holds it. */
  readonly secondaryAddress: pulumi.Output<string>;
  /** pfSense's identity of the VIP (same on both nodes). */
  readonly uniqid: pulumi.Output<string>;
  /** Interface assignment name. */
  readonly interface: pulumi.Output<string>;
  /** Drift found by the last refresh, per node (empty when in sync). */
  readonly drift: pulumi.Output<NodeDrift>;
  /** Unicast mode: the primary's peer (the secondary's address); "" in multicast mode. */
  readonly primaryPeer: pulumi.Output<string>;
  /** Unicast mode: the secondary's peer (the primary's address); "" in multicast mode. */
  readonly secondaryPeer: pulumi.Output<string>;

  constructor(name: string, args: CarpVipArgs, opts?: pulumi.ComponentResourceOptions) {
    // Component inputs are stored in state (pitfall 7): pass nothing secret to super().
    super("pfsense-ha:index:CarpVip", name, {}, opts);
    const cluster = args.cluster;
    // Marked secret explicitly: RandomPassword's own marking happens in the engine.
    const password = pulumi.secret(
      args.password ??
        new random.RandomPassword(
          `${name}-password`,
          { length: 19, special: false, upper: true, lower: true, numeric: true },
          { parent: this },
        ).result,
    );
    const ifName = pulumi.output(args.interface);
    const config = new CarpVipConfig(
      name,
      {
        name,
        interface: args.interface,
        subnet: args.subnet,
        layout: args.layout,
        address: args.address,
        primaryAddress: args.primaryAddress,
        secondaryAddress: args.secondaryAddress,
        vhid: args.vhid,
        advbase: args.advbase ?? cluster.advbase,
        skew: args.skew,
        password,
        description: args.description,
        unicast: args.unicast,
        adopt: args.adopt,
        // Left out when none: state stays small (leanCarpVipOutputs says why).
        reservedVhids: args.reservedVhids ?? ifName.apply((i) => cluster.reservedVhids[i]),
      },
      childOptions(this, cluster, opts),
    );
    this.vhid = config.vhid;
    this.address = config.address;
    this.subnetBits = config.subnetBits;
    this.primaryAdvskew = config.primaryAdvskew;
    this.secondaryAdvskew = config.secondaryAdvskew;
    this.advbase = config.advbase;
    this.password = pulumi.secret(config.password);
    this.primaryAddress = config.primaryAddress;
    this.secondaryAddress = config.secondaryAddress;
    this.uniqid = config.uniqid;
    this.interface = config.interface;
    // The resource leaves out what is empty (leanCarpVipOutputs); the component's outputs do not.
    this.drift = config.drift.apply((d) => d ?? noDrift());
    this.primaryPeer = config.primaryPeer.apply((p) => p ?? "");
    this.secondaryPeer = config.secondaryPeer.apply((p) => p ?? "");
    outputsRegistered(this);
  }
}

/**
 * True for a {@link CarpVip} (also one created by another copy of this library, where
 * `instanceof` would fail): a component resource with an `address` output.
 */
export function isCarpVip(v: unknown): v is CarpVip {
  return (
    v instanceof CarpVip ||
    (pulumi.ComponentResource.isInstance(v) &&
      pulumi.Output.isInstance((v as { address?: unknown }).address) &&
      pulumi.Output.isInstance((v as { vhid?: unknown }).vhid))
  );
}

/**
 * An argument that is a {@link CarpVip} or a VIP address, as a resource input: a CarpVip gives
 * its `address` output and becomes a dependency (created first, deleted last).
 */
export function vipReference(v: CarpVip | pulumi.Input<string>): {
  address: pulumi.Input<string>;
  dependsOn: pulumi.Resource[];
} {
  return isCarpVip(v) ? { address: v.address, dependsOn: [v] } : { address: v, dependsOn: [] };
}
