/**
 * VIPs claimed by CarpVip resources in this process. Adoption takes over an *unmanaged* VIP; two
 * resources declaring the same address in one program must not both adopt one VIP (the second
 * gets E_ADDRESS_CONFLICT instead). Every resource that creates, adopts, diffs, reads or updates a
 * VIP claims its uniqid here; module-level state shared by all providers of the process, since the
 * runtime entry is loaded once.
 */
const claimed = new Set<string>();

/** Records that a resource owns this uniqid. */
export function claimVip(uniqid: string | undefined): void {
  if (uniqid) claimed.add(uniqid);
}

/** True when some resource of this process owns the uniqid. */
export function isClaimedVip(uniqid: string | undefined): boolean {
  return uniqid !== undefined && claimed.has(uniqid);
}

/** Forgets a uniqid (its resource deleted it). */
export function releaseVip(uniqid: string): void {
  claimed.delete(uniqid);
}
