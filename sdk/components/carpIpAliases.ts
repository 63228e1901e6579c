/**
 * CarpIpAliases: IP aliases stacked on one CARP VIP, on both nodes of a cluster.
 */
import * as pulumi from "@pulumi/pulumi";
import type { NodeDrift } from "../providers/nodeDrift";
import type { CarpVip } from "./carpVip";
import type { Cluster } from "./cluster";
import { outputsRegistered } from "./outputsRegistration";
import { childOptions, configResourceOptions } from "./configResourceOptions";

/**
 * The CARP VIP's outputs the aliases need, for a program that has the values but not the
 * {@link CarpVip} object (a Pulumi YAML or Go program through the plugin's `construct`, or a VIP
 * made by another stack).
 */
export interface CarpIpAliasParent {
  /** pfSense's uniqid of the CARP VIP (the CarpVip's `uniqid`). */
  uniqid: pulumi.Input<string>;
  /** Its interface assignment name (`lan`). */
  interface: pulumi.Input<string>;
  /** The VIP address. */
  address: pulumi.Input<string>;
  /** The prefix length of the VIP's network (the aliases' `subnet_bits`). */
  subnetBits: pulumi.Input<number>;
  /** The primary's own address on the interface. */
  primaryAddress: pulumi.Input<string>;
  /** The secondary's own address on the interface. */
  secondaryAddress: pulumi.Input<string>;
}

/** Arguments of {@link CarpIpAliases}. */
export interface CarpIpAliasesArgs {
  /** The cluster whose two nodes carry the VIP. */
  cluster: Cluster;
  /**
   * The CARP VIP to stack the addresses on. The aliases are created after it and deleted before
   * it (pfSense refuses to delete a CARP VIP while IP aliases are stacked on it). Given as its
   * outputs ({@link CarpIpAliasParent}), the order follows from the outputs alone.
   */
  vip: CarpVip | CarpIpAliasParent;
  /**
   * Alias addresses, in order, inside the VIP's network (bare, or with the network's prefix).
   * Default: none (all planned, see `count`).
   */
  addresses?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * How many aliases in all, 1-1024: the `addresses` first, the rest planned: the lowest free
   * usable addresses above the highest of the VIP and the two node addresses, then the free ones
   * between them; never below them (a WAN block's gateway). A planned address keeps its place on
   * later runs while it is free. Default: the number of `addresses`.
   */
  count?: pulumi.Input<number>;
  /** Addresses never to plan (a DHCP pool, static hosts). Default none. */
  exclude?: pulumi.Input<pulumi.Input<string>[]>;
  /** Description of every alias in pfSense's GUI. Default: none. */
  description?: pulumi.Input<string>;
}

/** The custom resource behind {@link CarpIpAliases} (type `pfsense-ha:index:CarpIpAliasesConfig`). */
export class CarpIpAliasesConfig extends pulumi.CustomResource {
  /** `_vip<uniqid of the CARP VIP>`: the interface every alias is stacked on. */
  declare readonly parentInterface: pulumi.Output<string>;
  /** The alias addresses, given ones first, then planned. */
  declare readonly aliasAddresses: pulumi.Output<string[]>;
  /** pfSense's uniqid of each alias, in the order of `aliasAddresses` (same on both nodes). */
  declare readonly aliasUniqids: pulumi.Output<string[]>;
  /** Which of `aliasAddresses` were planned. */
  declare readonly planned: pulumi.Output<boolean[]>;
  /** Drift found by the last refresh, per node (empty when in sync). */
  declare readonly drift: pulumi.Output<NodeDrift>;
  /** Who delivered the secondary's view: `"pfsense"` (its own sync) or `"library"`. */
  declare readonly syncedBy: pulumi.Output<string>;

  constructor(name: string, props: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
    super(
      "pfsense-ha:index:CarpIpAliasesConfig",
      name,
      {
        parentInterface: undefined,
        aliasAddresses: undefined,
        aliasUniqids: undefined,
        planned: undefined,
        drift: undefined,
        syncedBy: undefined,
        ...props,
      },
      configResourceOptions("CarpIpAliasesConfig", opts),
    );
  }
}

/**
 * IP aliases stacked on a CARP VIP: extra addresses of the VIP's segment that fail over with it
 * (pfSense's recommendation for many addresses on one segment: one VHID, many aliases). pfSense
 * stores each as a `virtualip/vip` entry with `mode` `ipalias` and `interface` `_vip<uniqid>`;
 * its own `virtualip` sync copies them to the secondary unchanged.
 *
 * @example
 * const vip = new CarpVip("lan-vip", { cluster, interface: "lan", subnet: "192.168.1.0/24" });
 * const extra = new CarpIpAliases("lan-extra", { cluster, vip, count: 4 });
 * export const extraAddresses = extra.addresses;
 */
export class CarpIpAliases extends pulumi.ComponentResource {
  /** The alias addresses, given ones first, then planned. */
  readonly addresses: pulumi.Output<string[]>;
  /** pfSense's uniqid of each alias, in the order of `addresses`. */
  readonly uniqids: pulumi.Output<string[]>;
  /** `_vip<uniqid of the CARP VIP>`. */
  readonly parentInterface: pulumi.Output<string>;
  /** Drift found by the last refresh, per node (empty when in sync). */
  readonly drift: pulumi.Output<NodeDrift>;

  constructor(name: string, args: CarpIpAliasesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pfsense-ha:index:CarpIpAliases", name, {}, opts);
    const vip = args.vip;
    const config = new CarpIpAliasesConfig(
      name,
      {
        name,
        vipUniqid: vip.uniqid,
        vipInterface: vip.interface,
        vipAddress: vip.address,
        subnetBits: vip.subnetBits,
        primaryAddress: vip.primaryAddress,
        secondaryAddress: vip.secondaryAddress,
        addresses: args.addresses,
        count: args.count,
        exclude: args.exclude,
        description: args.description,
      },
      // Its outputs make the VIP a dependency already; dependsOn says so in the program too.
      childOptions(this, args.cluster, opts, vip instanceof pulumi.Resource ? [vip] : []),
    );
    this.addresses = config.aliasAddresses;
    this.uniqids = config.aliasUniqids;
    this.parentInterface = config.parentInterface;
    this.drift = config.drift;
    outputsRegistered(this);
  }
}
