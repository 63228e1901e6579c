/**
 * SyncInterfaceRules: the firewall rules Netgate's HA guide asks for on the Sync interface, on
 * both nodes ("rules to only pass traffic to the firewall GUI port and for pfsync").
 */
import * as pulumi from "@pulumi/pulumi";
import type { NodeDrift } from "../providers/nodeDrift";
import type { Cluster } from "./cluster";
import type { HaSyncSettings } from "./haSyncSettings";
import { outputsRegistered } from "./outputsRegistration";
import { childOptions, configResourceOptions } from "./configResourceOptions";

/** Arguments of {@link SyncInterfaceRules}. */
export interface SyncInterfaceRulesArgs {
  cluster: Cluster;
  /**
   * The cluster's sync settings: the rules take its sync interface and both sync addresses (and
   * are written after it). Either this or `syncInterface`.
   */
  hasync?: HaSyncSettings;
  /** Assignment name of the sync interface (`opt1`). Default: `hasync.syncInterface`. */
  syncInterface?: pulumi.Input<string>;
  /**
   * The primary's sync address. Default: `hasync.primarySyncAddress`, else the primary's own
   * address on the sync interface.
   */
  primarySyncAddress?: pulumi.Input<string>;
  /**
   * The secondary's sync address. Default: `hasync.secondarySyncAddress`, else the secondary's
   * own address on the sync interface.
   */
  secondarySyncAddress?: pulumi.Input<string>;
}

/** The custom resource behind {@link SyncInterfaceRules}. */
export class SyncInterfaceRulesConfig extends pulumi.CustomResource {
  /** The rule set's identity (in each owned rule's `created/username` marker). */
  declare readonly rulesetId: pulumi.Output<string>;
  /** The primary's GUI port (TCP), from its `system/webgui`. */
  declare readonly primaryGuiPort: pulumi.Output<string>;
  /** The secondary's GUI port (TCP), from its `system/webgui`. */
  declare readonly secondaryGuiPort: pulumi.Output<string>;
  /** The four rules both nodes hold, one line each. */
  declare readonly rules: pulumi.Output<string[]>;
  /** Drift found by the last refresh, per node. */
  declare readonly drift: pulumi.Output<NodeDrift>;

  constructor(name: string, props: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
    super(
      "pfsense-ha:index:SyncInterfaceRulesConfig",
      name,
      {
        rulesetId: undefined,
        primaryGuiPort: undefined,
        secondaryGuiPort: undefined,
        rules: undefined,
        trackers: undefined,
        drift: undefined,
        syncedBy: undefined,
        ...props,
      },
      configResourceOptions("SyncInterfaceRulesConfig", opts),
    );
  }
}

/**
 * Pass rules on the HA sync interface, on both nodes: pfsync, and TCP to the node's own GUI port
 * (pfSense's XML-RPC config sync), each from the peer's sync address to the node's own. Both
 * nodes hold the same four rules (one pair per direction), so pfSense's own sync of the `rules`
 * area, which copies the primary's whole `filter` to the secondary, leaves both right. Every
 * other firewall rule stays as it is, in order; the rules are appended after them.
 *
 * @example
 * const sync = new HaSyncSettings("sync", { cluster, syncInterface: "opt1", username, password });
 * new SyncInterfaceRules("sync-rules", { cluster, hasync: sync });
 */
export class SyncInterfaceRules extends pulumi.ComponentResource {
  /** The rule set's identity (in each owned rule's `created/username` marker). */
  readonly rulesetId: pulumi.Output<string>;
  /** The primary's GUI port (TCP), from its `system/webgui` (default 443 for https, 80 for http). */
  readonly primaryGuiPort: pulumi.Output<string>;
  /** The secondary's GUI port (TCP). */
  readonly secondaryGuiPort: pulumi.Output<string>;
  /** The four rules both nodes hold, one line each (`opt1 pass inet pfsync from … to …`). */
  readonly rules: pulumi.Output<string[]>;
  /** Drift found by the last refresh, per node. */
  readonly drift: pulumi.Output<NodeDrift>;

  constructor(name: string, args: SyncInterfaceRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pfsense-ha:index:SyncInterfaceRules", name, {}, opts);
    const h = args.hasync;
    const config = new SyncInterfaceRulesConfig(
      name,
      {
        name,
        syncInterface: args.syncInterface ?? h?.syncInterface,
        primarySyncAddress: args.primarySyncAddress ?? h?.primarySyncAddress,
        secondarySyncAddress: args.secondarySyncAddress ?? h?.secondarySyncAddress,
      },
      childOptions(this, args.cluster, opts, h ? [h] : []),
    );
    this.rulesetId = config.rulesetId;
    this.primaryGuiPort = config.primaryGuiPort;
    this.secondaryGuiPort = config.secondaryGuiPort;
    this.rules = config.rules;
    this.drift = config.drift;
    outputsRegistered(this);
  }
}
