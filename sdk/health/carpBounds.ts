/**
 * How long a CARP handover may take (design/pfsense-xmlrpc.md §8.5): a backup declares the master
 * dead after 3 × advbase + advskew/256 seconds without a good advertisement (its own configured
 * skew). In maintenance mode the demoted master keeps advertising a worse skew, so with preempt
 * (always on in pfSense) the backup usually takes over within one advertisement; the full
 * master-down interval is the upper bound. Real peers add delivery and polling delays, hence the
 * slack (ucarp adds up to ~1 s of pcap delay plus one poll period, design/ucarp-notes.md §3).
 */

/** Default slack on top of the CARP bound, in ms: one advert at advbase 1 plus polling and RPC time. */
export const DEFAULT_HANDOVER_SLACK_MS = 3000;

/** Master-down interval of a backup with (advbase s, advskew), in ms: (3·advbase + advskew/256)·1000. */
export function masterDownMs(advbase: number, advskew: number): number {
  return (3 * advbase + advskew / 256) * 1000;
}

/** The handover bound for one VHID: master-down interval of the node taking over, plus slack (ms). */
export function handoverBoundMs(
  advbase: number,
  takerSkew: number,
  slackMs = DEFAULT_HANDOVER_SLACK_MS,
): number {
  return masterDownMs(advbase, takerSkew) + slackMs;
}
