/**
 * HaSyncSettings: pfsync on both nodes and pfSense's XML-RPC config sync from the primary.
 */
import * as pulumi from "@pulumi/pulumi";
import type { SyncArea } from "../plan/model";
import type { NodeDrift } from "../providers/nodeDrift";
import type { Cluster } from "./cluster";
import { outputsRegistered } from "./outputsRegistration";
import { childOptions, configResourceOptions } from "./configResourceOptions";

/** Arguments of {@link HaSyncSettings}. */
export interface HaSyncSettingsArgs {
  cluster: Cluster;
  /** Assignment name of the dedicated sync interface (pfsync and XML-RPC), e.g. `"opt1"`. */
  syncInterface: pulumi.Input<string>;
  /** The primary's address on the sync interface. Default: read from the primary. */
  primarySyncAddress?: pulumi.Input<string>;
  /** The secondary's address on the sync interface (the sync-to IP). Default: read from the secondary. */
  secondarySyncAddress?: pulumi.Input<string>;
  /** User the primary authenticates as on the secondary; needs "System - HA node sync". */
  username: pulumi.Input<string>;
  /** That user's password on the secondary. Stored as a secret. */
  password: pulumi.Input<string>;
  /**
   * Config areas the primary pushes. Default: all the version has (19 on 2.7; 20 on 2.8 / master,
   * with `kea6` = `synchronizekea6`, DHCPv6 and Kea DHCPv6). `kea6` on 2.7 is refused.
   *
   * Switching an area on makes the primary's first push replace those sections on the secondary
   * (pfSense replaces most of them wholesale): the secondary's own rules, port forwards, CARP
   * VIPs, DHCP settings, users … that the primary lacks, or holds in another version, are
   * deleted or replaced, and so are its copies of items the primary marks "nosync". Preview and
   * apply refuse that (`E_FIRST_SYNC_LOSS`, naming each item) unless the area is acknowledged
   * in `acknowledgeSecondaryDeletions`. Areas already synced by the primary are not checked.
   */
  areas?: pulumi.Input<SyncArea[]>;
  /**
   * Accept that the first sync of newly enabled areas deletes or replaces the secondary's own
   * items: `true` for every area, or the list of areas whose losses are accepted. The accepted
   * items are listed at preview (log and the planned `secondaryItemsLostAtFirstSync`) and in the
   * output `secondaryItemsLostAtFirstSync`. Default: nothing accepted (such a change is refused).
   */
  acknowledgeSecondaryDeletions?: pulumi.Input<boolean | SyncArea[]>;
  /** Let sync replace the admin account (pfSense 2.5+ "adminsync"). Default false. */
  adminSync?: pulumi.Input<boolean>;
  /** pfsync host id of the primary, 1-8 hex digits. Default: kept or generated. */
  primaryHostId?: pulumi.Input<string>;
  /** pfsync host id of the secondary (must differ). Default: kept or generated. */
  secondaryHostId?: pulumi.Input<string>;
}

/** The custom resource behind {@link HaSyncSettings}. */
export class HaSyncConfig extends pulumi.CustomResource {
  /** Assignment name of the sync interface. */
  declare readonly syncInterface: pulumi.Output<string>;
  /** The primary's sync address (pfsync peer of the secondary). */
  declare readonly primarySyncAddress: pulumi.Output<string>;
  /** The secondary's sync address (sync-to IP, pfsync peer of the primary). */
  declare readonly secondarySyncAddress: pulumi.Output<string>;
  /** Areas the primary pushes. */
  declare readonly areas: pulumi.Output<SyncArea[]>;
  /** pfsync host id of the primary (hex). */
  declare readonly primaryHostId: pulumi.Output<string>;
  /** pfsync host id of the secondary (hex). */
  declare readonly secondaryHostId: pulumi.Output<string>;
  /** pfSense product version of the pair. */
  declare readonly productVersion: pulumi.Output<string>;
  /** pfSense config version of the pair. */
  declare readonly configVersion: pulumi.Output<string>;
  /** Drift found by the last refresh, per node. */
  declare readonly drift: pulumi.Output<NodeDrift>;
  /** See {@link HaSyncSettings.secondaryItemsLostAtFirstSync}. */
  declare readonly secondaryItemsLostAtFirstSync: pulumi.Output<string[]>;

  constructor(name: string, props: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
    super(
      "pfsense-ha:index:HaSyncConfig",
      name,
      {
        productVersion: undefined,
        configVersion: undefined,
        priorPrimary: undefined,
        priorSecondary: undefined,
        drift: undefined,
        secondaryItemsLostAtFirstSync: undefined,
        ...props,
      },
      configResourceOptions("HaSyncConfig", opts, "password", "priorPrimary", "priorSecondary"),
    );
  }
}

/**
 * State sync (pfsync, both nodes, each peering the other's sync address, distinct host ids) and
 * configuration sync (XML-RPC, primary only; absent on the secondary). Checked before preview
 * and apply: both nodes reachable, same pfSense and config versions, same interface names, the
 * sync user's privilege on the secondary, and a sync-to IP that is the peer's own sync address.
 *
 * @example
 * new HaSyncSettings("sync", { cluster, syncInterface: "opt1", username: "admin", password: cfg.requireSecret("syncPassword") });
 */
export class HaSyncSettings extends pulumi.ComponentResource {
  /** Assignment name of the sync interface (for {@link SyncInterfaceRules}). */
  readonly syncInterface: pulumi.Output<string>;
  /** The primary's sync address (pfsync peer of the secondary). */
  readonly primarySyncAddress: pulumi.Output<string>;
  /** The secondary's sync address (sync-to IP, pfsync peer of the primary). */
  readonly secondarySyncAddress: pulumi.Output<string>;
  /** Areas the primary pushes. */
  readonly areas: pulumi.Output<SyncArea[]>;
  /** pfsync host id per node. */
  readonly primaryHostId: pulumi.Output<string>;
  /** See `primaryHostId`. */
  readonly secondaryHostId: pulumi.Output<string>;
  /** pfSense product and config versions of the pair (equal on both, checked). */
  readonly productVersion: pulumi.Output<string>;
  /** See `productVersion`. */
  readonly configVersion: pulumi.Output<string>;
  /** Drift found by the last refresh, per node. */
  readonly drift: pulumi.Output<NodeDrift>;
  /**
   * The secondary's items (acknowledged in `acknowledgeSecondaryDeletions`) that the first sync
   * of the areas switched on by the last create/update deleted or replaced, one line each:
   * `section: kind identity "description" (deleted|replaced)`. Empty when none.
   */
  readonly secondaryItemsLostAtFirstSync: pulumi.Output<string[]>;

  constructor(name: string, args: HaSyncSettingsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pfsense-ha:index:HaSyncSettings", name, {}, opts);
    const c = args.cluster;
    const config = new HaSyncConfig(
      name,
      {
        name,
        syncInterface: args.syncInterface,
        primarySyncAddress: args.primarySyncAddress,
        secondarySyncAddress: args.secondarySyncAddress,
        username: args.username,
        password: pulumi.secret(args.password),
        areas: args.areas,
        adminSync: args.adminSync,
        acknowledgeSecondaryDeletions: args.acknowledgeSecondaryDeletions,
        primaryHostId: args.primaryHostId,
        secondaryHostId: args.secondaryHostId,
      },
      childOptions(this, c, opts),
    );
    this.syncInterface = config.syncInterface;
    this.primarySyncAddress = config.primarySyncAddress;
    this.secondarySyncAddress = config.secondarySyncAddress;
    this.areas = config.areas;
    this.primaryHostId = config.primaryHostId;
    this.secondaryHostId = config.secondaryHostId;
    this.productVersion = config.productVersion;
    this.configVersion = config.configVersion;
    this.drift = config.drift;
    this.secondaryItemsLostAtFirstSync = config.secondaryItemsLostAtFirstSync;
    outputsRegistered(this);
  }
}
