/**
 * startPairWithRealCarp: an emulated pair whose CARP runs on real ucarp peers in private network
 * namespaces (see ucarpCarpSource.ts). Needs root (or CAP_SYS_ADMIN + CAP_NET_ADMIN +
 * CAP_NET_RAW) and the `ucarp` package; check `carpLabUnavailableReason()` first.
 */
import { startPair, type EmulatedPair, type PairOptions } from "../../sdk/emulator";
import { startUcarpCarpSource, type UcarpCarpSource } from "./ucarpCarpSource";

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
