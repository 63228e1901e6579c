/**
 * Real-CARP mode for the emulator: each emulated node's CARP VIPs are run as real `ucarp` peers in
 * private network namespaces (see ucarpLab.ts), and the nodes report the states those peers
 * actually reach, through the election model's state-source hook (carpModel.ts `CarpStateSource`).
 * A drill against such a pair therefore exercises real elections, real advertisement timing and
 * real preemption.
 *
 * A reconciler keeps the peers in step with each node's runtime view every `reconcileMs`:
 * - one peer per (node, applied CARP VIP) while the node runs and CARP is allowed;
 * - advskew = what FreeBSD would advertise: min((254 in maintenance mode, else the configured
 *   skew) + demotion, 240) (§8.5). ucarp has no runtime demotion, so a change restarts the peer
 *   with the new skew; the peer started in maintenance comes up BACKUP and stays there;
 * - vhid, advbase and password as configured on the node (the password read from its config);
 * - a stopped node, a disallowed CARP or a removed VIP stops the peer (SIGTERM, by PID).
 *
 * Addressing: every interface assignment (`wan`, `lan`, ...) becomes its own segment
 * 198.18.<i>.0/24 (RFC 2544 benchmarking space, inside the lab only): nodes take .250, .251, ...
 * and a VIP with VHID v takes .v — the VHID and password are what elections depend on, and no
 * address from a config is ever used on a wire.
 */
import { leaf, toList, toStruct, type PhpStruct } from "../codec/phpValue";
import {
  effectiveSkew,
  type CarpCluster,
  type CarpNodeRuntime,
  type CarpState,
  type CarpStateSource,
} from "./carpModel";
import { createCarpLab, type CarpLab, type UcarpPeer, type UcarpPeerSpec } from "./ucarpLab";

/** What the source needs of an emulated node (an `EmulatedNode` satisfies it). */
export interface UcarpBackedNode {
  readonly name: string;
  readonly runtime: CarpNodeRuntime;
  config(): PhpStruct;
}

/** Options of {@link startUcarpCarpSource}. */
export interface UcarpCarpSourceOptions {
  /** The nodes whose CARP runs on ucarp (usually a pair's primary and secondary). */
  nodes: UcarpBackedNode[];
  /** The election the nodes share; its `stateSource` is set while the source runs. */
  carp: CarpCluster;
  /** Interface assignments to give a segment; default every interface in the first node's config. */
  interfaces?: string[];
  /** Reconcile period in ms. Default 100. */
  reconcileMs?: number;
}

/** A running real-CARP source. */
export interface UcarpCarpSource {
  readonly lab: CarpLab;
  /** The hook installed on the election. */
  readonly stateSource: CarpStateSource;
  /** Lab address of a VIP (interface, vhid). */
  vipAddress(ifc: string, vhid: number): string;
  /** Brings the peers in line with the nodes now (also runs every `reconcileMs`). */
  reconcile(): void;
  /** Stops every peer, removes the namespaces and restores the model's own election. */
  close(): Promise<void>;
}

const FIRST_NODE_HOST = 250;

/**
 * Creates the lab and starts reconciling. Check `carpLabUnavailableReason()` first where
 * namespaces or ucarp may be missing.
 */
export async function startUcarpCarpSource(opts: UcarpCarpSourceOptions): Promise<UcarpCarpSource> {
  if (opts.nodes.length > 256 - FIRST_NODE_HOST)
    throw new Error("too many nodes for the lab addressing");
  const interfaces =
    opts.interfaces ?? Object.keys(toStruct(opts.nodes[0]?.config().interfaces)).sort();
  const segmentOf = new Map(interfaces.map((ifc, i) => [ifc, i]));
  const lab = await createCarpLab({
    nodes: opts.nodes.map((n) => n.name),
    segments: interfaces.map((ifc, i) => ({
      name: ifc,
      prefixLength: 24,
      addresses: Object.fromEntries(
        opts.nodes.map((n, k) => [n.name, `198.18.${i}.${FIRST_NODE_HOST + k}`]),
      ),
    })),
  });

  const vipAddress = (ifc: string, vhid: number): string => {
    const i = segmentOf.get(ifc);
    if (i === undefined) throw new Error(`interface ${ifc} has no lab segment`);
    if (vhid < 1 || vhid >= FIRST_NODE_HOST)
      throw new Error(`vhid ${vhid} outside the lab's 1-249`);
    return `198.18.${i}.${vhid}`;
  };

  const passwordOf = (node: UcarpBackedNode, ifc: string, vhid: number): string | undefined => {
    for (const v of toList(toStruct(node.config().virtualip).vip)) {
      const s = toStruct(v);
      if (leaf(s.mode) === "carp" && leaf(s.interface) === ifc && Number(leaf(s.vhid)) === vhid)
        return leaf(s.password).replace(/ /g, ""); // pfSense strips spaces before ifconfig (§8.4)
    }
    return undefined;
  };

  const running = new Map<string, { spec: UcarpPeerSpec; peer: UcarpPeer }>();
  /** Per-key chain so a restart's stop completes before its start. */
  const chains = new Map<string, Promise<void>>();
  const enqueue = (key: string, step: () => Promise<void>) => {
    const next = (chains.get(key) ?? Promise.resolve()).then(step, step).catch(() => undefined);
    chains.set(key, next);
  };
  const same = (a: UcarpPeerSpec, b: UcarpPeerSpec) =>
    a.vhid === b.vhid &&
    a.advbase === b.advbase &&
    a.advskew === b.advskew &&
    a.password === b.password &&
    a.vip === b.vip;

  let closed = false;
  const reconcile = () => {
    if (closed) return;
    const desired = new Map<string, UcarpPeerSpec>();
    for (const node of opts.nodes) {
      const rt = node.runtime;
      if (!rt.running() || !rt.carpAllow) continue;
      for (const v of rt.applied.values()) {
        if (!segmentOf.has(v.interface)) continue;
        const password = passwordOf(node, v.interface, v.vhid);
        if (!password) continue;
        desired.set(`${node.name}/${v.interface}/${v.vhid}`, {
          node: node.name,
          segment: v.interface,
          vhid: v.vhid,
          vip: vipAddress(v.interface, v.vhid),
          advbase: v.advbase,
          advskew: effectiveSkew(v.advskew, rt.maintenance(), rt.demotion),
          password,
          preempt: true, // pfSense sets net.inet.carp.preempt=1
        });
      }
    }
    for (const [key, cur] of running) {
      const want = desired.get(key);
      if (want && same(want, cur.spec)) continue;
      running.delete(key);
      enqueue(key, () => lab.stop(cur.peer));
    }
    for (const [key, spec] of desired) {
      if (running.has(key)) continue;
      const entry = { spec, peer: undefined as unknown as UcarpPeer };
      running.set(key, entry);
      enqueue(key, async () => {
        if (closed || running.get(key) !== entry) return;
        entry.peer = lab.start(spec);
      });
    }
  };

  const stateSource: CarpStateSource = (node, vip): CarpState | undefined => {
    reconcile();
    const cur = running.get(`${node}/${vip.interface}/${vip.vhid}`);
    // Not wanted (node down, CARP off, VIP not applied): the model's answer ("" / INIT) is right.
    if (!cur) return undefined;
    // Wanted but still starting (e.g. restarting with a new skew): not in the election yet.
    return cur.peer?.running ? cur.peer.state : "INIT";
  };

  const timer = setInterval(reconcile, opts.reconcileMs ?? 100);
  timer.unref();
  opts.carp.stateSource = stateSource;
  reconcile();

  return {
    lab,
    stateSource,
    vipAddress,
    reconcile,
    async close() {
      closed = true;
      clearInterval(timer);
      if (opts.carp.stateSource === stateSource) opts.carp.stateSource = undefined;
      await Promise.all(chains.values());
      await lab.close();
    },
  };
}
