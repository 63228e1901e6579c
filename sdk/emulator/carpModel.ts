/**
 * CARP election model across emulated nodes (design/pfsense-xmlrpc.md §8.5, §10.7). Each node
 * keeps a runtime view (CARP allowed, demotion, applied VIPs); the cluster elects per
 * (interface, vhid): eligible = node running, CARP allowed, VIP applied; effective skew =
 * min((254 in maintenance mode, else advskew) + demotion, 240); lowest advbase + skew/256 is
 * MASTER. A state source hook lets a later mode take states from real CARP peers instead.
 *
 * A master that leaves the election silently (node stopped, CARP disabled with
 * `net.inet.carp.allow=0`) sends no further advertisement, so a backup only takes over once its
 * own master-down timer (3 × advbase + its advskew/256 s, §8.5) has run out after the last advert
 * it heard: with `masterDownScale` > 0 that wait is modelled from the moment the better node left.
 */

/** Runtime CARP state names as `get_carp_interface_status` reports them. */
export type CarpState = "MASTER" | "BACKUP" | "INIT" | "";

/** A VIP as applied to the (emulated) kernel. */
export interface AppliedCarpVip {
  interface: string;
  vhid: number;
  advbase: number;
  /** The configured advskew (maintenance mode is applied at election time). */
  advskew: number;
  subnet: string;
  /** ms timestamp when it was (re)applied: INIT → BACKUP → MASTER timing starts here. */
  appliedAt: number;
}

/** The per-node runtime view the election reads. */
export interface CarpNodeRuntime {
  readonly name: string;
  running(): boolean;
  carpAllow: boolean;
  demotion: number;
  maintenance(): boolean;
  /** Applied CARP VIPs keyed `<interface>_vip<vhid>`. */
  applied: Map<string, AppliedCarpVip>;
  /** ms timestamp when the node last left the election silently (stopped, CARP disallowed). */
  leftAt?: number;
}

/** Optional external source of truth (e.g. real ucarp peers); `undefined` = use the model. */
export type CarpStateSource = (
  node: string,
  vip: { interface: string; vhid: number },
) => CarpState | undefined;

/** Timing knobs; `masterDownScale` 0 collapses INIT/BACKUP transients (default), 1 = real time. */
export interface CarpTimingOptions {
  masterDownScale?: number;
}

/** Effective advertised skew (§8.5): configured (254 in maintenance) + demotion, clamped 0..240. */
export function effectiveSkew(advskew: number, maintenance: boolean, demotion: number): number {
  return Math.max(0, Math.min((maintenance ? 254 : advskew) + demotion, 240));
}

/** A cluster of nodes that hear each other's CARP advertisements. */
export class CarpCluster {
  private readonly nodes: CarpNodeRuntime[] = [];
  /** Replaceable state source (see {@link CarpStateSource}). */
  stateSource?: CarpStateSource;
  masterDownScale: number;

  constructor(opts: CarpTimingOptions & { stateSource?: CarpStateSource } = {}) {
    this.masterDownScale = opts.masterDownScale ?? 0;
    this.stateSource = opts.stateSource;
  }

  /** Adds a node's runtime view to the election. */
  join(node: CarpNodeRuntime): void {
    if (!this.nodes.includes(node)) this.nodes.push(node);
  }

  private eligible(n: CarpNodeRuntime, key: string): boolean {
    return n.running() && n.carpAllow && n.applied.has(key);
  }

  private advert(n: CarpNodeRuntime, key: string): number {
    const v = n.applied.get(key) as AppliedCarpVip;
    return v.advbase + effectiveSkew(v.advskew, n.maintenance(), n.demotion) / 256;
  }

  /** The state `node` reports for the VIP `<interface>_vip<vhid>` at time `now` (ms). */
  stateOf(node: CarpNodeRuntime, ifc: string, vhid: number, now = Date.now()): CarpState {
    const external = this.stateSource?.(node.name, { interface: ifc, vhid });
    if (external !== undefined) return external;
    const key = `${ifc}_vip${vhid}`;
    const mine = node.applied.get(key);
    if (!mine || !node.running()) return "";
    if (!node.carpAllow) return "INIT";
    const others = this.nodes.filter((n) => n !== node && this.eligible(n, key));
    const myAdvert = this.advert(node, key);
    const scaleMs = 1000 * this.masterDownScale;
    const masterDownS = (v: AppliedCarpVip) => 3 * v.advbase + v.advskew / 256;
    const wins = (n: CarpNodeRuntime) =>
      this.advert(n, key) < myAdvert || (this.advert(n, key) === myAdvert && n.name < node.name);
    // Lower advertisement wins. A better peer counts once it is heard: after its own master-down
    // time, or sooner, at our next advert, when it preempts us (preempt=1).
    const better = others.some((n) => {
      if (!wins(n)) return false;
      const theirs = n.applied.get(key) as AppliedCarpVip;
      return now - theirs.appliedAt >= Math.min(masterDownS(theirs), myAdvert) * scaleMs;
    });
    if (better) return "BACKUP";
    // A worse peer that may be MASTER by now is heard at its next advert, and we preempt it;
    // otherwise our master-down timer decides.
    const worseMasters = others.filter((n) => {
      const theirs = n.applied.get(key) as AppliedCarpVip;
      return !wins(n) && now - theirs.appliedAt >= masterDownS(theirs) * scaleMs;
    });
    const waitS = Math.min(masterDownS(mine), ...worseMasters.map((n) => this.advert(n, key)));
    // The wait runs from the VIP's (re)application, or from the last advert of a better master
    // that has since gone silent, whichever is later.
    const silentSince = this.nodes
      .filter(
        (n) =>
          n !== node &&
          n.leftAt !== undefined &&
          !this.eligible(n, key) &&
          n.applied.has(key) &&
          wins(n),
      )
      .map((n) => n.leftAt as number);
    const since = Math.max(mine.appliedAt, ...silentSince);
    const masterDownMs = waitS * scaleMs;
    return now - since < masterDownMs ? "BACKUP" : "MASTER";
  }
}
