/**
 * The emulator's real-CARP mode (package subpath `pulumi-pfsense-ha/emulator/ucarp`):
 * startPairWithRealCarp gives an emulated pair whose CARP runs on real ucarp peers in private
 * network namespaces (see ucarpCarpSource.ts, ucarpLab.ts). Needs root (or CAP_SYS_ADMIN +
 * CAP_NET_ADMIN + CAP_NET_RAW) and the `ucarp` package; check `carpLabUnavailableReason()` first.
 *
 * @example
 * if (!(await carpLabUnavailableReason())) {
 *   const pair = await startPairWithRealCarp({ dir: "/tmp/pair" });
 *   // ... configure VIPs, then `pfsense-ha drill` against pair.describe()
 *   await pair.stop();
 * }
 */
import { startPair, type EmulatedPair, type PairOptions } from "./pair";
import { startUcarpCarpSource, type UcarpCarpSource } from "./ucarpCarpSource";

export { startUcarpCarpSource } from "./ucarpCarpSource";
export type { UcarpBackedNode, UcarpCarpSource, UcarpCarpSourceOptions } from "./ucarpCarpSource";
export { carpLabUnavailableReason, createCarpLab, sweepStaleCarpLabs } from "./ucarpLab";
export type {
  CarpLab,
  CarpLabOptions,
  LabSegment,
  StateChange,
  UcarpPeer,
  UcarpPeerSpec,
  UcarpState,
} from "./ucarpLab";

/** A pair in real-CARP mode. `stop()` stops the ucarp peers, the namespaces and both nodes. */
export interface RealCarpPair extends EmulatedPair {
  ucarp: UcarpCarpSource;
}

/** Starts a pair (see {@link startPair}) and puts its CARP election on real ucarp peers. */
export async function startPairWithRealCarp(opts: PairOptions): Promise<RealCarpPair> {
  const pair = await startPair(opts);
  let ucarp: UcarpCarpSource;
  try {
    ucarp = await startUcarpCarpSource({ nodes: [pair.primary, pair.secondary], carp: pair.carp });
  } catch (e) {
    await pair.stop();
    throw e;
  }
  return {
    ...pair,
    ucarp,
    async stop() {
      await ucarp.close();
      await pair.stop();
    },
  };
}
