/**
 * VHID allocation per segment (one interface, i.e. one broadcast domain): CARP groups on a
 * segment must have distinct VHIDs, including groups we do not manage (other VIPs on the nodes,
 * the ISP's VRRP routers), because VHID selects the virtual MAC 00:00:5e:00:01:<vhid>.
 */
import { haError } from "./errors";

/** Lowest and highest CARP VHID (FreeBSD carp(4), pfSense GUI). */
export const VHID_MIN = 1;
/** Highest CARP VHID. */
export const VHID_MAX = 255;

/** One VIP asking for a VHID. */
export interface VhidRequest {
  /** Stable identity of the VIP (e.g. its Pulumi name or uniqid). */
  key: string;
  /** An explicit VHID, or the one allocated on an earlier run: honoured as is. */
  vhid?: number;
  /** How errors name the VIP (`CarpVip[wan]`). Default `<field>[<key>]`. */
  label?: string;
}

/** A VHID already present on the segment, owned by something outside this request. */
export interface VhidInUse {
  vhid: number;
  /** Who holds it, for error messages (uniqid or descr of the VIP). When it equals a request's
   * key, the entry is that request's own VHID (read back from a node) and does not clash. */
  owner: string;
}

/** Input of {@link allocateVhids}. */
export interface VhidAllocationInput {
  /** Segment (interface assignment name) the VHIDs live on, for messages. */
  segment: string;
  /** The cluster's VIPs on this segment. */
  requests: VhidRequest[];
  /** VHIDs present on the nodes on this segment (including unmanaged VIPs). */
  inUse: VhidInUse[];
  /** VHIDs never to allocate, e.g. the ISP's VRRP groups on the WAN. */
  reserved?: number[];
  /** Field prefix for errors. Default `CarpVip`: fields read `CarpVip[<key>].vhid`. */
  field?: string;
}

/**
 * Allocates one VHID per request key on one segment.
 *
 * - Requests with a `vhid` keep it (explicit, or allocated on a previous run: this is what
 *   makes allocation stable — adding or removing other VIPs never changes it). A clash with a
 *   VHID in use, a reserved VHID or another request is `E_VHID_CONFLICT` naming the holder.
 * - Requests without one get the lowest free VHID, in request order.
 * - VHIDs outside 1-255 are `E_VHID_RANGE`; no free VHID left is `E_VHID_EXHAUSTED`;
 *   a duplicate key is `E_INVALID_INPUT`.
 *
 * @returns key → VHID.
 */
export function allocateVhids(input: VhidAllocationInput): Record<string, number> {
  const base = input.field ?? "CarpVip";
  const seg = input.segment;
  const keys = new Set<string>();
  for (const r of input.requests) {
    if (keys.has(r.key)) {
      throw haError({
        code: "E_INVALID_INPUT",
        field: `${base}[${r.key}]`,
        value: r.key,
        message: `the VIP key appears twice on segment ${seg}`,
        fix: "give every VIP a unique name",
      });
    }
    keys.add(r.key);
  }

  // vhid → who holds it
  const holders = new Map<number, string>();
  for (const v of input.reserved ?? []) {
    checkRange(v, `${base}.reserved[${seg}]`, "a reserved VHID");
    holders.set(v, `the reserved VHID list of ${seg}`);
  }
  for (const u of input.inUse) {
    if (keys.has(u.owner)) continue; // our own VIP, as read back from a node
    if (!holders.has(u.vhid)) holders.set(u.vhid, `${u.owner} (already on ${seg})`);
  }

  const result: Record<string, number> = {};
  for (const r of input.requests) {
    if (r.vhid === undefined) continue;
    const field = `${r.label ?? `${base}[${r.key}]`}.vhid`;
    checkRange(r.vhid, field, "a VHID");
    const holder = holders.get(r.vhid);
    if (holder !== undefined) {
      throw haError({
        code: "E_VHID_CONFLICT",
        field,
        value: String(r.vhid),
        message: `VHID ${r.vhid} on ${seg} is already taken by ${holder}`,
        fix: `choose another VHID, or leave vhid unset to get the lowest free one`,
      });
    }
    holders.set(r.vhid, `VIP ${r.key}`);
    result[r.key] = r.vhid;
  }

  let next = VHID_MIN;
  for (const r of input.requests) {
    if (r.vhid !== undefined) continue;
    while (next <= VHID_MAX && holders.has(next)) next++;
    if (next > VHID_MAX) {
      throw haError({
        code: "E_VHID_EXHAUSTED",
        field: `${base}[${r.key}].vhid`,
        value: r.key,
        message: `no free VHID left on ${seg}: all of ${VHID_MIN}-${VHID_MAX} are used or reserved`,
        fix: "remove unused CARP VIPs or reserved VHIDs on this segment, or stack IP aliases on an existing CARP VIP instead of adding CARP VIPs",
      });
    }
    holders.set(next, `VIP ${r.key}`);
    result[r.key] = next;
  }
  return result;
}

function checkRange(v: number, field: string, what: string): void {
  if (!Number.isInteger(v) || v < VHID_MIN || v > VHID_MAX) {
    throw haError({
      code: "E_VHID_RANGE",
      field,
      value: String(v),
      message: `${what} must be an integer from ${VHID_MIN} to ${VHID_MAX}`,
      fix: `use a VHID between ${VHID_MIN} and ${VHID_MAX}`,
    });
  }
}
