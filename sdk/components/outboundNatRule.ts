/**
 * OutboundNatRule: translate an internal network to a CARP VIP on both nodes.
 */
import * as pulumi from "@pulumi/pulumi";
import type { NodeDrift } from "../providers/nodeDrift";
import { vipReference, type CarpVip } from "./carpVip";
import type { Cluster } from "./cluster";
import { outputsRegistered } from "./outputsRegistration";
import { childOptions, configResourceOptions } from "./configResourceOptions";

/** Arguments of {@link OutboundNatRule}. */
export interface OutboundNatRuleArgs {
  cluster: Cluster;
  /** Interface the traffic leaves through (`wan`). */
  interface: pulumi.Input<string>;
  /** Source network to translate (`192.168.99.0/24`); never `any` or the firewall itself. */
  source: pulumi.Input<string>;
  /** Translation address: a {@link CarpVip} on `interface` (recommended) or its address. */
  translation: CarpVip | pulumi.Input<string>;
  /** Outbound NAT mode to set: `"hybrid"` (default: automatic rules stay) or `"advanced"` (manual). */
  mode?: pulumi.Input<"hybrid" | "advanced">;
  /** Rule description in the GUI. */
  description?: pulumi.Input<string>;
  /** Destination network (`any` by default; prefix with `!` to negate). */
  destination?: pulumi.Input<string>;
  /** Protocol (`tcp`, `udp`, ...). Default: any. */
  protocol?: pulumi.Input<string>;
  /** Source port. */
  sourcePort?: pulumi.Input<string>;
  /** Destination port. */
  destinationPort?: pulumi.Input<string>;
  /**
   * Take over an outbound rule made outside this stack with the same interface, source and
   * translation at create; delete gives it back as it was. Default false: such a rule makes the
   * create fail, and nothing is written.
   */
  adopt?: pulumi.Input<boolean>;
}

/** The custom resource behind {@link OutboundNatRule}. */
export class OutboundNatConfig extends pulumi.CustomResource {
  /** The rule's identity marker (stored in the rule's `created` record on the nodes). */
  declare readonly ruleId: pulumi.Output<string>;
  /** The translation address. */
  declare readonly target: pulumi.Output<string>;
  /** Outbound NAT mode set on the nodes. */
  declare readonly mode: pulumi.Output<string>;
  /** Outbound mode the primary had before this resource set it (restored on delete). */
  declare readonly priorMode: pulumi.Output<string>;
  /** Drift found by the last refresh, per node. */
  declare readonly drift: pulumi.Output<NodeDrift>;

  constructor(name: string, props: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
    super(
      "pfsense-ha:index:OutboundNatConfig",
      name,
      { ruleId: undefined, priorMode: undefined, drift: undefined, syncedBy: undefined, ...props },
      configResourceOptions("OutboundNatConfig", opts),
    );
  }
}

/**
 * An outbound NAT rule translating `source` to a CARP VIP, on both nodes, plus the outbound mode.
 * Every other outbound rule, port forward and 1:1 entry stays as it is, in order.
 *
 * @example
 * new OutboundNatRule("lan-out", { cluster, interface: "wan", source: "192.168.99.0/24", translation: wanVip });
 */
export class OutboundNatRule extends pulumi.ComponentResource {
  /** The rule's identity marker (stored in the rule's `created` record on the nodes). */
  readonly ruleId: pulumi.Output<string>;
  /** The translation address. */
  readonly target: pulumi.Output<string>;
  /** Outbound NAT mode set on the nodes. */
  readonly mode: pulumi.Output<string>;
  /** Drift found by the last refresh, per node. */
  readonly drift: pulumi.Output<NodeDrift>;

  constructor(name: string, args: OutboundNatRuleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pfsense-ha:index:OutboundNatRule", name, {}, opts);
    const c = args.cluster;
    const translation = vipReference(args.translation);
    const config = new OutboundNatConfig(
      name,
      {
        name,
        interface: args.interface,
        source: args.source,
        target: translation.address,
        mode: args.mode,
        description: args.description,
        destination: args.destination,
        protocol: args.protocol,
        sourcePort: args.sourcePort,
        destinationPort: args.destinationPort,
        adopt: args.adopt,
      },
      childOptions(this, c, opts, translation.dependsOn),
    );
    this.ruleId = config.ruleId;
    this.target = config.target;
    this.mode = config.mode;
    this.drift = config.drift;
    outputsRegistered(this);
  }
}
