/**
 * IP aliases stacked on a CARP VIP in the emulated kernel (`virtualip/vip` with `mode` `ipalias`
 * and `interface` `_vip<uniqid of the CARP VIP>`).
 *
 * pfSense RELENG_2_7_2 src/etc/inc/interfaces.inc `interface_ipalias_configure()` adds the
 * alias to the CARP VIP's real interface as `ifconfig <if> inet <addr>/<bits> alias vhid <N>`,
 * N being the CARP VIP's vhid at that moment: the address then belongs to that CARP group and
 * is MASTER or BACKUP with it. `interface_carp_configure(..., $ipalias_reload)` re-adds the
 * stacked aliases only when the GUI's apply saw the VHID change (firewall_virtual_ip.inc
 * `applyVIP()`); xmlrpc.php's receiver skips an alias whose fingerprint (interface, subnet,
 * subnet_bits) is unchanged and whose address exists (`does_vip_exist()`), so the binding stays
 * as applied. `interface_vip_bring_down()` removes the address. The status a GUI page shows for
 * an alias is pfsense-utils.inc `get_carp_bind_status('_vip<alias uniqid>')`: no vhid of its own,
 * so the state of the CARP VIP named by its interface.
 */
import { leaf, type PhpStruct } from "../codec/phpValue";
import type { CarpState } from "./carpModel";

/** One alias as applied: the CARP group (real interface assignment + vhid) it was bound to. */
export interface AppliedStackedAlias {
  /** `_vip<uniqid>` as configured. */
  parent: string;
  /** The CARP VIP's interface assignment name at apply time. */
  interface: string;
  /** The CARP VIP's vhid at apply time; 0 when the parent was missing (no CARP binding). */
  vhid: number;
  subnet: string;
  subnetBits: string;
}

/** The applied stacked aliases of one node, keyed by address (as xmlrpc.php keys old aliases). */
export class StackedAliasRuntime {
  readonly applied = new Map<string, AppliedStackedAlias>();

  /** `interface_ipalias_configure($vip)` for an alias on `_vip…`; `vips` is the VIP list now. */
  apply(v: PhpStruct, vips: PhpStruct[]): void {
    const parent = leaf(v.interface);
    if (!parent.startsWith("_vip")) return;
    const carp = vips.find((p) => `_vip${leaf(p.uniqid)}` === parent && leaf(p.mode) === "carp");
    this.applied.set(leaf(v.subnet), {
      parent,
      interface: carp ? leaf(carp.interface) : "",
      vhid: carp ? Number(leaf(carp.vhid)) : 0,
      subnet: leaf(v.subnet),
      subnetBits: leaf(v.subnet_bits),
    });
  }

  /** `does_vip_exist()` for an alias: its address is on the interface. */
  has(address: string): boolean {
    return this.applied.has(address);
  }

  /** `interface_vip_bring_down()`: the address leaves the interface. */
  remove(address: string): void {
    this.applied.delete(address);
  }

  clear(): void {
    this.applied.clear();
  }

  /**
   * State of every configured stacked alias, by address: the state of the CARP group it is bound
   * to ("" when it is not applied or has no CARP binding).
   */
  status(
    vips: PhpStruct[],
    stateOf: (ifc: string, vhid: number) => CarpState,
  ): Record<string, CarpState> {
    const out: Record<string, CarpState> = {};
    for (const v of vips) {
      if (leaf(v.mode) !== "ipalias" || !leaf(v.interface).startsWith("_vip")) continue;
      const a = this.applied.get(leaf(v.subnet));
      out[leaf(v.subnet)] = a && a.vhid > 0 ? stateOf(a.interface, a.vhid) : "";
    }
    return out;
  }
}
