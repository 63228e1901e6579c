/**
 * DhcpFailover: ISC DHCP failover on one interface of both nodes.
 */
import * as pulumi from "@pulumi/pulumi";
import type { NodeDrift } from "../providers/nodeDrift";
import { vipReference, type CarpVip } from "./carpVip";
import type { Cluster } from "./cluster";
import { outputsRegistered } from "./outputsRegistration";
import { childOptions, configResourceOptions } from "./configResourceOptions";

/** Arguments of {@link DhcpFailover}. */
export interface DhcpFailoverArgs {
  cluster: Cluster;
  /** Interface assignment name (`lan`). */
  interface: pulumi.Input<string>;
  /** The interface's CARP VIP (or its address): handed out as gateway and DNS by default. */
  vip: CarpVip | pulumi.Input<string>;
  /** First address of the pool (IPv4, inside the interface subnet). */
  rangeFrom: pulumi.Input<string>;
  /** Last address of the pool (inclusive). */
  rangeTo: pulumi.Input<string>;
  /** DNS servers handed out (at most 4). Default: the VIP. */
  dnsServers?: pulumi.Input<pulumi.Input<string>[]>;
  /** Gateway handed out. Default: the VIP. */
  gateway?: pulumi.Input<string>;
  /**
   * Kea backend only: the primary's Kea HA listener address (`kea/ha/localip`). Give it with
   * {@link keaSecondaryAddress} or not at all. Default: the primary's address on `interface`.
   */
  keaPrimaryAddress?: pulumi.Input<string>;
  /** Kea backend only: the secondary's Kea HA listener address. Default: its address on `interface`. */
  keaSecondaryAddress?: pulumi.Input<string>;
  /** Kea backend only: the primary's Kea HA listener TCP port. Give it with {@link keaSecondaryPort}. Default 8765. */
  keaPrimaryPort?: pulumi.Input<number>;
  /** Kea backend only: the secondary's Kea HA listener TCP port. Default 8765. */
  keaSecondaryPort?: pulumi.Input<number>;
  /**
   * Kea backend only: DHCPv6 HA too. Both nodes' `kea6/ha` get the same hot-standby pair as
   * `kea/ha` (roles `primary` / `standby`, each node's listener and the peer's), on the same
   * listener addresses and their own ports. The DHCPv6 server's own settings (`dhcpdv6`, Services
   * > DHCPv6 Server) stay as they are. pfSense's sync carries `kea6` only with the `kea6` area and
   * a `dhcpdv6` section on the primary; otherwise the library writes the secondary. Needs pfSense
   * 2.8+ (E_UNSUPPORTED_VERSION) and Kea on both nodes (E_KEA_HA). Default false.
   */
  keaDhcpv6?: pulumi.Input<boolean>;
  /** With {@link keaDhcpv6}: the primary's DHCPv6 HA listener TCP port. Give it with {@link keaDhcpv6SecondaryPort}. Default 8766 (pfSense's: the DHCPv4 port + 1). */
  keaDhcpv6PrimaryPort?: pulumi.Input<number>;
  /** With {@link keaDhcpv6}: the secondary's DHCPv6 HA listener TCP port. Default 8766. */
  keaDhcpv6SecondaryPort?: pulumi.Input<number>;
}

/** The custom resource behind {@link DhcpFailover}. */
export class DhcpFailoverConfig extends pulumi.CustomResource {
  /** Gateway handed out. */
  declare readonly gateway: pulumi.Output<string>;
  /** DNS servers handed out. */
  declare readonly dnsServers: pulumi.Output<string[]>;
  /** Failover peer on the primary (the secondary's interface address). */
  declare readonly primaryPeer: pulumi.Output<string>;
  /** Failover peer on the secondary (the primary's interface address). */
  declare readonly secondaryPeer: pulumi.Output<string>;
  /** `isc` or `kea`: the DHCP backend both nodes run. */
  declare readonly dhcpBackend: pulumi.Output<string>;
  /** Kea HA role of the primary node (`primary`); "" on ISC. */
  declare readonly primaryRole: pulumi.Output<string>;
  /** Kea HA role of the secondary node (`standby`); "" on ISC. */
  declare readonly secondaryRole: pulumi.Output<string>;
  /** Kea DHCPv6 HA role of the primary (`primary`); "" when keaDhcpv6 is off. */
  declare readonly dhcpv6PrimaryRole: pulumi.Output<string>;
  /** Kea DHCPv6 HA role of the secondary (`standby`); "" when keaDhcpv6 is off. */
  declare readonly dhcpv6SecondaryRole: pulumi.Output<string>;
  /** Drift found by the last refresh, per node. */
  declare readonly drift: pulumi.Output<NodeDrift>;

  constructor(name: string, props: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
    super(
      "pfsense-ha:index:DhcpFailoverConfig",
      name,
      {
        primaryPeer: undefined,
        secondaryPeer: undefined,
        dhcpBackend: undefined,
        primaryRole: undefined,
        secondaryRole: undefined,
        dhcpv6PrimaryRole: undefined,
        dhcpv6SecondaryRole: undefined,
        priorPrimary: undefined,
        priorSecondary: undefined,
        drift: undefined,
        syncedBy: undefined,
        ...props,
      },
      // The prior dhcpd settings are recorded whole (restored on delete), and pfSense keeps
      // secrets there (the dynamic DNS key `ddnsdomainkey`, `omapi_key`).
      configResourceOptions("DhcpFailoverConfig", opts, "priorPrimary", "priorSecondary"),
    );
  }
}

/**
 * DHCP failover on an interface: gateway and DNS = the interface's CARP VIP, range validated, and
 * the failover set up for the DHCP backend both nodes run (`dhcpbackend`):
 * - ISC dhcpd: each node's failover peer = the other node's interface address, and the primary's
 *   VIP skew below 20 so that its dhcpd takes the "primary" role (§8.6);
 * - Kea (pfSense 2.8 / master): Kea HA hot standby (`kea/ha`): role `primary` on the primary node
 *   and `standby` on the secondary, each node's own HA listener and the peer's; refused with
 *   `E_UNSUPPORTED_VERSION` on a version whose Kea has no HA (2.7.x). Kea HA is one setting per
 *   node: several DhcpFailovers on Kea must give the same peers. `keaDhcpv6: true` configures
 *   the DHCPv6 pair (`kea6/ha`) the same way (listener ports 8766 by default).
 *
 * @example
 * new DhcpFailover("lan-dhcp", { cluster, interface: "lan", vip: lanVip, rangeFrom: "192.168.99.10", rangeTo: "192.168.99.99" });
 */
export class DhcpFailover extends pulumi.ComponentResource {
  /** Gateway handed out. */
  readonly gateway: pulumi.Output<string>;
  /** DNS servers handed out. */
  readonly dnsServers: pulumi.Output<string[]>;
  /** Failover peer on the primary (the secondary's interface address). */
  readonly primaryPeer: pulumi.Output<string>;
  /** Failover peer on the secondary (the primary's interface address). */
  readonly secondaryPeer: pulumi.Output<string>;
  /** `isc` or `kea`: the DHCP backend both nodes run. */
  readonly dhcpBackend: pulumi.Output<string>;
  /** Kea HA role of the primary node (`primary`); "" on ISC. */
  readonly primaryRole: pulumi.Output<string>;
  /** Kea HA role of the secondary node (`standby`); "" on ISC. */
  readonly secondaryRole: pulumi.Output<string>;
  /** Kea DHCPv6 HA role of the primary (`primary`); "" when keaDhcpv6 is off. */
  readonly dhcpv6PrimaryRole: pulumi.Output<string>;
  /** Kea DHCPv6 HA role of the secondary (`standby`); "" when keaDhcpv6 is off. */
  readonly dhcpv6SecondaryRole: pulumi.Output<string>;
  /** Drift found by the last refresh, per node. */
  readonly drift: pulumi.Output<NodeDrift>;

  constructor(name: string, args: DhcpFailoverArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pfsense-ha:index:DhcpFailover", name, {}, opts);
    const c = args.cluster;
    const vip = vipReference(args.vip);
    const config = new DhcpFailoverConfig(
      name,
      {
        name,
        interface: args.interface,
        vip: vip.address,
        rangeFrom: args.rangeFrom,
        rangeTo: args.rangeTo,
        dnsServers: args.dnsServers,
        gateway: args.gateway,
        keaPrimaryAddress: args.keaPrimaryAddress,
        keaSecondaryAddress: args.keaSecondaryAddress,
        keaPrimaryPort: args.keaPrimaryPort,
        keaSecondaryPort: args.keaSecondaryPort,
        keaDhcpv6: args.keaDhcpv6,
        keaDhcpv6PrimaryPort: args.keaDhcpv6PrimaryPort,
        keaDhcpv6SecondaryPort: args.keaDhcpv6SecondaryPort,
      },
      childOptions(this, c, opts, vip.dependsOn),
    );
    this.gateway = config.gateway;
    this.dnsServers = config.dnsServers;
    this.primaryPeer = config.primaryPeer;
    this.secondaryPeer = config.secondaryPeer;
    this.dhcpBackend = config.dhcpBackend;
    this.primaryRole = config.primaryRole;
    this.secondaryRole = config.secondaryRole;
    this.dhcpv6PrimaryRole = config.dhcpv6PrimaryRole;
    this.dhcpv6SecondaryRole = config.dhcpv6SecondaryRole;
    this.drift = config.drift;
    outputsRegistered(this);
  }
}
