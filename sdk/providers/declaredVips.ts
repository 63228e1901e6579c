/**
 * The VIPs this program declares, as `check` saw them: two resources of one program must not
 * ask for the same address or the same explicit VHID on one cluster's interface. Each resource
 * registers at `check` (preview and up run every resource's check before its create), so the
 * second of two clashing resources fails at preview with nothing written. Module-level state
 * of the provider process, keyed by resource label; a resource checked again replaces its entry.
 */
import { haError, type VirtualIp } from "../plan";
import { addressFamily, sameAddress } from "./addressText";

/** One resource's declared VIP. */
export interface DeclaredVip {
  /** The cluster, as its primary's URL. */
  cluster: string;
  interface: string;
  /** The VIP address (planned or given). */
  address: string;
  /** The VHID when given explicitly. */
  vhid?: number;
  /** The primary's advskew (planned or given). */
  skew?: number;
}

const declared = new Map<string, DeclaredVip>();

/** Other resources' declarations on one cluster's interface. */
function others(label: string, cluster: string, ifName: string): [string, DeclaredVip][] {
  return [...declared].filter(
    ([l, o]) => l !== label && o.cluster === cluster && o.interface === ifName,
  );
}

/**
 * Registers a resource's VIP; throws E_ADDRESS_CONFLICT or E_VHID_CONFLICT naming the other
 * resource when one already declared the address or the explicit VHID.
 */
export function declareVip(label: string, v: DeclaredVip): void {
  for (const [other, o] of others(label, v.cluster, v.interface)) {
    if (sameAddress(o.address, v.address)) {
      throw haError({
        code: "E_ADDRESS_CONFLICT",
        field: `${label}.address`,
        value: v.address,
        message: `${other} declares the same VIP address on ${v.interface}`,
        fix: "give each resource its own address, or remove one of them",
      });
    }
    if (v.vhid !== undefined && o.vhid === v.vhid) {
      throw haError({
        code: "E_VHID_CONFLICT",
        field: `${label}.vhid`,
        value: String(v.vhid),
        message: `${other} declares the same VHID on ${v.interface}`,
        fix: "give each VIP its own VHID, or leave vhid unset to take the lowest free one",
      });
    }
  }
  declared.set(label, v);
}

/**
 * VHIDs other resources of this program declared explicitly on the interface: a VIP whose VHID
 * is allocated keeps off them, so a resource created later with its explicit VHID still gets it.
 */
export function declaredVhids(
  inp: { primary: { url: string }; interface: string },
  label: string,
): number[] {
  return others(label, inp.primary.url, inp.interface).flatMap(([, o]) =>
    o.vhid === undefined ? [] : [o.vhid],
  );
}

/**
 * The CARP VIPs the program declares on a cluster's interface, as the primary will hold them
 * (no uniqid or VHID yet): what NAT rules and DHCP failover may point at before they exist.
 */
export function declaredVipsOn(cluster: string, ifName: string): VirtualIp[] {
  return [...declared.values()]
    .filter((d) => d.cluster === cluster && d.interface === ifName)
    .map((d) => ({
      mode: "carp",
      interface: d.interface,
      type: "single",
      subnet: d.address,
      subnetBits: addressFamily(d.address) === 6 ? 128 : 32,
      advskew: d.skew ?? 0,
    }));
}

/** Forgets a resource's declaration (it was deleted). */
export function forgetVip(label: string): void {
  declared.delete(label);
}

/** Forgets every declaration (tests that play several programs in one process). */
export function forgetDeclaredVips(): void {
  declared.clear();
}
