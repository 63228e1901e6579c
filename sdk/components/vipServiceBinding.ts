/**
 * VipServiceBinding: an existing OpenVPN server or IPsec phase 1 bound to a CARP VIP.
 */
import * as pulumi from "@pulumi/pulumi";
import type { NodeDrift } from "../providers/nodeDrift";
import { CarpVip } from "./carpVip";
import type { Cluster } from "./cluster";
import { outputsRegistered } from "./outputsRegistration";
import { childOptions, configResourceOptions } from "./configResourceOptions";

/** Arguments of {@link VipServiceBinding}. */
export interface VipServiceBindingArgs {
  /** The cluster whose nodes hold the service. */
  cluster: Cluster;
  /**
   * The CARP VIP to bind to (pfSense stores the binding as the interface `_vip<its uniqid>`), or
   * that uniqid. The binding is made after the VIP and undone before it.
   */
  vip: CarpVip | pulumi.Input<string>;
  /** `"openvpn-server"` (VPN > OpenVPN > Servers) or `"ipsec-phase1"` (VPN > IPsec > Tunnels). */
  service: pulumi.Input<"openvpn-server" | "ipsec-phase1">;
  /**
   * The item's id as config.xml holds it: the server's `vpnid` (its device is `ovpns<vpnid>`) or
   * the phase 1's `ikeid` (its connection is `con<ikeid>`). Changing it replaces the binding.
   */
  id: pulumi.Input<string | number>;
  /**
   * Allow the binding to move the service to another interface than the one it listens on now
   * (the VIP's). Default false: a VIP on another interface is refused at preview.
   */
  moveInterface?: pulumi.Input<boolean>;
}

/** The custom resource behind {@link VipServiceBinding} (`pfsense-ha:index:VipServiceBindingConfig`). */
export class VipServiceBindingConfig extends pulumi.CustomResource {
  /** `_vip<uniqid>`: the item's `interface` on both nodes. */
  declare readonly boundInterface: pulumi.Output<string>;
  /** The VIP's address (an OpenVPN server's `ipaddr` too). */
  declare readonly vipAddress: pulumi.Output<string>;
  /** The primary item's `interface` before the binding (given back on delete). */
  declare readonly previousInterface: pulumi.Output<string>;
  /** OpenVPN: the primary server's `ipaddr` before (null: none). */
  declare readonly previousAddress: pulumi.Output<string | null>;
  /** Who delivered the secondary's binding: `"pfsense"` (its own sync) or `"library"`. */
  declare readonly syncedBy: pulumi.Output<string>;
  /** Drift found by the last refresh, per node (empty when in sync). */
  declare readonly drift: pulumi.Output<NodeDrift>;

  constructor(name: string, props: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
    super(
      "pfsense-ha:index:VipServiceBindingConfig",
      name,
      {
        boundInterface: undefined,
        vipAddress: undefined,
        vipInterface: undefined,
        previousInterface: undefined,
        previousAddress: undefined,
        secondaryPreviousInterface: undefined,
        secondaryPreviousAddress: undefined,
        syncedBy: undefined,
        drift: undefined,
        ...props,
      },
      configResourceOptions("VipServiceBindingConfig", opts),
    );
  }
}

/**
 * Binds an OpenVPN server or IPsec phase 1 that exists on the nodes (made in the GUI) to a CARP
 * VIP, so that only the MASTER runs it and peers follow the VIP on failover (pfSense starts no
 * OpenVPN instance and initiates no IPsec tunnel on a `_vip` interface in BACKUP). Only the item's
 * interface (and an OpenVPN server's bind address) changes; delete gives back what it had.
 *
 * @example
 * new VipServiceBinding("roadwarrior-on-vip", { cluster, vip: wanVip, service: "openvpn-server", id: 1 });
 */
export class VipServiceBinding extends pulumi.ComponentResource {
  /** `_vip<uniqid>`: the item's interface on both nodes. */
  readonly boundInterface: pulumi.Output<string>;
  /** The interface the item had before (given back on delete). */
  readonly previousInterface: pulumi.Output<string>;
  /** The VIP's address the service now listens on. */
  readonly vipAddress: pulumi.Output<string>;
  /** Drift found by the last refresh, per node (empty when in sync). */
  readonly drift: pulumi.Output<NodeDrift>;

  constructor(name: string, args: VipServiceBindingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pfsense-ha:index:VipServiceBinding", name, {}, opts);
    const vip = args.vip;
    const isVip = vip instanceof CarpVip;
    const config = new VipServiceBindingConfig(
      name,
      {
        name,
        service: args.service,
        // A number is taken as its digits (the provider's check stores the id as text).
        itemId: args.id,
        vipUniqid: isVip ? vip.uniqid : vip,
        moveInterface: args.moveInterface,
      },
      { ...childOptions(this, args.cluster, opts), dependsOn: isVip ? [vip] : [] },
    );
    this.boundInterface = config.boundInterface;
    this.previousInterface = config.previousInterface;
    this.vipAddress = config.vipAddress;
    this.drift = config.drift;
    outputsRegistered(this);
  }
}
