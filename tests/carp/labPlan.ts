/**
 * The CARP plans the real-CARP suite runs: every value ucarp gets (addresses, VHIDs, advbase,
 * both skews, the password) is computed by the library's planner, exactly as the components do
 * for a real cluster. All inputs live here, in one place.
 *
 * Addresses are TEST-NET-2 (198.51.100.0/24) and exist only inside the lab's namespaces.
 */
import {
  allocateVhids,
  generateCarpPassword,
  planAddresses,
  planCarpTiming,
  type CarpTimingInput,
} from "../../sdk/plan";

/** The lab segment (one bridge). */
export const LAB_SUBNET = "198.51.100.0/24";

/** One VIP request as a user would declare it: a key, an optional address, timing inputs. */
export interface LabVipInput extends CarpTimingInput {
  key: string;
  address: string;
}

/** The VIPs of the main election suite: several skews and advbase values on one segment. */
export const ELECTION_VIPS: LabVipInput[] = [
  { key: "gw", address: "198.51.100.101", advbase: 1, primarySkew: 0 },
  { key: "dns", address: "198.51.100.102", advbase: 1, primarySkew: 50 },
  { key: "slow", address: "198.51.100.103", advbase: 2, primarySkew: 0 },
];

/** VHIDs already taken on the lab segment (e.g. an ISP's VRRP group), so allocation is exercised. */
export const LAB_VHIDS_IN_USE = [{ vhid: 1, owner: "isp-vrrp" }];
/** VHIDs reserved on the lab segment. */
export const LAB_VHIDS_RESERVED = [2, 3];

/** One planned CARP VIP with the values both nodes configure. */
export interface PlannedLabVip {
  key: string;
  vip: string;
  vhid: number;
  advbase: number;
  primarySkew: number;
  secondarySkew: number;
  /** Shared CARP password (a secret). */
  password: string;
}

/** The planned lab cluster. */
export interface LabPlan {
  prefixLength: number;
  primaryAddress: string;
  secondaryAddress: string;
  vips: PlannedLabVip[];
}

/** Plans the lab cluster with the library: addresses, VHIDs, timing, passwords. */
export function planLab(inputs: LabVipInput[] = ELECTION_VIPS): LabPlan {
  const vhids = allocateVhids({
    segment: "lab",
    requests: inputs.map((i) => ({ key: i.key })),
    inUse: LAB_VHIDS_IN_USE,
    reserved: LAB_VHIDS_RESERVED,
  });
  const addressPlans = inputs.map((i) =>
    planAddresses({ subnet: LAB_SUBNET, layout: "lan", vip: i.address, field: `lab[${i.key}]` }),
  );
  const first = addressPlans[0];
  return {
    prefixLength: first.prefix,
    primaryAddress: first.primary,
    secondaryAddress: first.secondary,
    vips: inputs.map((i, n) => {
      const timing = planCarpTiming({ ...i, field: `lab[${i.key}]` });
      return {
        key: i.key,
        vip: addressPlans[n].vip,
        vhid: vhids[i.key],
        advbase: timing.advbase,
        primarySkew: timing.primarySkew,
        secondarySkew: timing.secondarySkew,
        password: generateCarpPassword(),
      };
    }),
  };
}

/**
 * Bounds from design/ucarp-notes.md §9 for a backup with (advbase b, advskew k) taking over after
 * its master stops, in milliseconds after the stop: not before 3b + k/256 − b_master − 0.2 s, and
 * within 3b + k/256 + (b + k/256) + 1.5 s (ucarp's ~1 s pcap delivery delay plus one poll period
 * on top of CARP's master-down interval).
 */
export function ucarpFailoverBoundsMs(
  backup: { advbase: number; advskew: number },
  masterAdvbase: number,
): { minMs: number; maxMs: number } {
  const down = 3 * backup.advbase + backup.advskew / 256;
  const poll = backup.advbase + backup.advskew / 256;
  return {
    minMs: Math.max(0, (down - masterAdvbase - 0.2) * 1000),
    maxMs: (down + poll + 1.5) * 1000,
  };
}

/** Preemption bound (ucarp-notes §9.6): the preferred node is MASTER again within
 * advbase_peer + advskew_peer/256 + 1 s, plus a margin (here 1.5 s, for the restart itself). */
export function ucarpPreemptBoundMs(peer: { advbase: number; advskew: number }): number {
  return (peer.advbase + peer.advskew / 256 + 1 + 1.5) * 1000;
}

/** Convergence wait after a cold start (ucarp-notes §9.4): 3·max(b) + max(k)/256 + max(b) + 1.5 s. */
export function ucarpConvergenceMs(peers: { advbase: number; advskew: number }[]): number {
  const b = Math.max(...peers.map((p) => p.advbase));
  const k = Math.max(...peers.map((p) => p.advskew));
  return (3 * b + k / 256 + b + 1.5) * 1000;
}
