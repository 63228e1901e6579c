/**
 * CARP timing and role policy: who is master by default, and the rules that keep that true
 * after pfSense's sync transform and FreeBSD's advertisement clamp (design §8.5, §8.6, gotcha 9).
 */
import { haError } from "./errors";

/** pfSense's sync sender adds this to the primary's advskew for the secondary (§6.4). */
export const SECONDARY_SKEW_OFFSET = 100;
/** Highest configurable advskew / advbase (pfSense GUI and sync cap). */
export const MAX_ADVSKEW = 254;
/** Highest advbase pfSense accepts (seconds). */
export const MAX_ADVBASE = 254;
/** FreeBSD `CARP_MAXSKEW`: advertised skews are clamped to this (§8.5). */
export const CARP_ADVERTISED_SKEW_CLAMP = 240;
/** ISC dhcpd picks the "primary" failover role only where the CARP skew is below this (§8.6). */
export const DHCP_PRIMARY_SKEW_LIMIT = 20;

/** Timing of one CARP VIP on both nodes. */
export interface CarpTiming {
  /** Advertisement base in seconds, equal on both nodes. */
  advbase: number;
  /** advskew configured on the primary. */
  primarySkew: number;
  /** advskew the secondary ends up with: min(primarySkew + 100, 254). */
  secondarySkew: number;
}

/** Input of {@link planCarpTiming}. */
export interface CarpTimingInput {
  /** Seconds, 1-254. Default 1. */
  advbase?: number;
  /** Primary advskew, 0-254. Default 0. */
  primarySkew?: number;
  /** True when DHCP failover runs on the VIP's interface (requires primarySkew < 20). */
  dhcpFailover?: boolean;
  /** Field prefix for errors. Default `CarpVip`. */
  field?: string;
}

/**
 * The secondary's advskew for a primary advskew: +100 capped at 254, exactly what pfSense's
 * sync sender writes (§6.4). Throws `E_ADVSKEW_RANGE` outside 0-254.
 */
export function secondarySkewFor(primarySkew: number): number {
  checkSkewRange(primarySkew, "CarpVip.advskew");
  return Math.min(primarySkew + SECONDARY_SKEW_OFFSET, MAX_ADVSKEW);
}

/** The skew FreeBSD advertises and compares for a configured skew (no demotion): min(s, 240). */
export function advertisedSkew(configuredSkew: number): number {
  return Math.min(configuredSkew, CARP_ADVERTISED_SKEW_CLAMP);
}

/**
 * Plans the advbase and both skews of a CARP VIP.
 *
 * Rules (each violation a {@link PfSenseHaError} explaining it):
 * - `E_ADVBASE_RANGE`: advbase an integer 1-254 (one value, used on both nodes: pfSense syncs it
 *   unchanged, and a different advbase would change who wins the election).
 * - `E_ADVSKEW_RANGE`: primary skew an integer 0-254.
 * - `E_SKEW_ORDER`: the primary must stay strictly preferred after FreeBSD clamps advertised
 *   skews at 240: min(p, 240) < min(secondary, 240). This accepts primary skews 0-239. Note
 *   (gotcha 9): only a primary skew below 140 keeps maintenance mode (runtime skew 254,
 *   advertised 240) able to hand mastership to the secondary.
 * - `E_DHCP_SKEW`: with DHCP failover on the interface, the primary skew must be < 20, otherwise
 *   both dhcpd instances take the "secondary" role and leases stop (§8.6).
 */
export function planCarpTiming(input: CarpTimingInput = {}): CarpTiming {
  const base = input.field ?? "CarpVip";
  const advbase = input.advbase ?? 1;
  if (!Number.isInteger(advbase) || advbase < 1 || advbase > MAX_ADVBASE) {
    throw haError({
      code: "E_ADVBASE_RANGE",
      field: `${base}.advbase`,
      value: String(advbase),
      message: `advbase must be a whole number of seconds from 1 to ${MAX_ADVBASE}`,
      fix: "use advbase 1 (the default) unless the link needs slower advertisements",
    });
  }
  const primarySkew = input.primarySkew ?? 0;
  checkSkewRange(primarySkew, `${base}.advskew`);
  const secondarySkew = Math.min(primarySkew + SECONDARY_SKEW_OFFSET, MAX_ADVSKEW);
  if (advertisedSkew(primarySkew) >= advertisedSkew(secondarySkew)) {
    throw haError({
      code: "E_SKEW_ORDER",
      field: `${base}.advskew`,
      value: String(primarySkew),
      message:
        `the secondary gets advskew ${secondarySkew} (primary + ${SECONDARY_SKEW_OFFSET}, capped at ${MAX_ADVSKEW}) ` +
        `but FreeBSD advertises at most ${CARP_ADVERTISED_SKEW_CLAMP}, so both nodes would advertise ` +
        `${CARP_ADVERTISED_SKEW_CLAMP} and the primary would no longer be preferred`,
      fix: "use a primary advskew below 140 (0, the default, is best)",
    });
  }
  if (input.dhcpFailover && primarySkew >= DHCP_PRIMARY_SKEW_LIMIT) {
    throw haError({
      code: "E_DHCP_SKEW",
      field: `${base}.advskew`,
      value: String(primarySkew),
      message:
        `DHCP failover runs on this interface, and pfSense gives the dhcpd "primary" role only ` +
        `to a node whose CARP skew there is below ${DHCP_PRIMARY_SKEW_LIMIT}; with this skew both ` +
        `nodes would be dhcpd "secondary"`,
      fix: `use a primary advskew below ${DHCP_PRIMARY_SKEW_LIMIT} on this interface (0 is the default)`,
    });
  }
  return { advbase, primarySkew, secondarySkew };
}

function checkSkewRange(skew: number, field: string): void {
  if (!Number.isInteger(skew) || skew < 0 || skew > MAX_ADVSKEW) {
    throw haError({
      code: "E_ADVSKEW_RANGE",
      field,
      value: String(skew),
      message: `advskew must be an integer from 0 to ${MAX_ADVSKEW}`,
      fix: "use 0 (the default) on the primary; the secondary's skew is derived",
    });
  }
}
