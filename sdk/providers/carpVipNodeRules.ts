/**
 * What a CarpVip must satisfy against the nodes' config, shared by `check` (preview, nothing
 * written) and the reconcile (inside the primary's edit): the interface and its subnet and
 * family, the nodes' own addresses, other VIPs' addresses and VHIDs, adoption candidates.
 */
import { allocateVhids, haError, planCarpTiming, type NodeHaConfig, type VirtualIp } from "../plan";
import type { NodeState } from "../pfsense/types";
import { addressFamily, addressInNetwork, sameAddress } from "./addressText";
import { resolveCarpVip, type CarpVipDesired, type CarpVipInputs } from "./carpVipSpec";
import { isClaimedVip } from "./vipClaims";

/** The interface's own network on a node, for an address given without a prefix. */
function interfaceNetwork(cfg: NodeHaConfig, ifName: string, family: 4 | 6): string | undefined {
  const i = cfg.interfaces[ifName];
  if (!i) return undefined;
  const addr = family === 4 ? i.ipaddr : i.ipaddrv6;
  const bits = family === 4 ? i.subnet : i.subnetv6;
  if (addr === undefined || bits === undefined || addressFamily(addr) !== family) return undefined;
  return `${addr}/${bits}`;
}

/** The desired VIP, its subnet taken from the node's interface when the inputs give none. */
export function resolveOnNode(inp: CarpVipInputs, cfg: NodeHaConfig): CarpVipDesired {
  const fam = addressFamily(inp.address) ?? addressFamily(inp.subnet) ?? 4;
  return resolveCarpVip(inp, interfaceNetwork(cfg, inp.interface, fam));
}

/** Refuses an interface assignment name that either node lacks. */
export function assertInterface(
  ifName: string,
  nodes: [string, NodeHaConfig][],
  lbl: string,
): void {
  for (const [role, cfg] of nodes) {
    if (cfg.interfaces[ifName]) continue;
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${lbl}.interface`,
      value: ifName,
      message: `the ${role} has no interface assigned as "${ifName}"`,
      fix: `use an assignment name both nodes have (${Object.keys(cfg.interfaces).join(", ")})`,
    });
  }
}

/** Checks the planned VIP against what both nodes hold (§7.3: XML-RPC writes skip GUI checks). */
export function checkAgainstNodes(
  d: CarpVipDesired,
  nodes: [string, NodeHaConfig][],
  lbl: string,
): void {
  assertInterface(d.interface, nodes, lbl);
  for (const [role, cfg] of nodes) {
    const i = cfg.interfaces[d.interface];
    const own = d.family === 4 ? i.ipaddr : i.ipaddrv6;
    const bits = d.family === 4 ? i.subnet : i.subnetv6;
    if (own === undefined || bits === undefined || addressFamily(own) !== d.family) {
      // CARP runs on the interface's own static address of the VIP's family (pfSense's GUI,
      // firewall_virtual_ip_edit.php, refuses a VIP without one; XML-RPC writes skip that check).
      throw haError({
        code: "E_FAMILY_MISMATCH",
        field: `${lbl}.address`,
        value: d.address,
        message: `the ${role}'s ${d.interface} has no static IPv${d.family} address${own ? ` (it is "${own}")` : ""}, so a CARP VIP of that family cannot run there`,
        fix: `give ${d.interface} a static IPv${d.family} address on both nodes, or use an IPv${d.family === 4 ? 6 : 4} VIP`,
      });
    }
    if (sameAddress(own, d.address)) {
      throw haError({
        code: "E_ADDRESS_CONFLICT",
        field: `${lbl}.address`,
        value: d.address,
        message: `the VIP address is the ${role}'s own address on ${d.interface}`,
        fix: "give the VIP a free address in the interface's subnet",
      });
    }
    if (!addressInNetwork(d.address, own, bits)) {
      throw haError({
        code: "E_ADDRESS_OUTSIDE_SUBNET",
        field: `${lbl}.address`,
        value: d.address,
        message: `the VIP is outside the ${role}'s ${d.interface} network ${own}/${bits}`,
        fix: `use an address inside ${own}/${bits}, or check the interface name`,
      });
    }
    if (bits !== d.subnetBits) {
      throw haError({
        code: "E_MASK_MISMATCH",
        field: `${lbl}.subnet`,
        value: `/${d.subnetBits}`,
        message: `the VIP prefix differs from the ${role}'s ${d.interface} prefix /${bits}`,
        fix: `use the interface's prefix /${bits}`,
      });
    }
  }
}

export function vhidOwner(v: VirtualIp): string {
  return `VIP ${v.subnet}${v.descr ? ` "${v.descr}"` : ""}${v.uniqid ? ` (uniqid ${v.uniqid})` : ""}`;
}

/**
 * Unicast CARP peers (pfSense Plus only): each node advertises to the other node's own address
 * on the VIP's interface, in the VIP's family.
 */
export function unicastPeers(
  d: CarpVipDesired,
  p: NodeState,
  s: NodeState,
  lbl: string,
): { primary: string; secondary: string } {
  for (const [role, n] of [
    ["primary", p],
    ["secondary", s],
  ] as const) {
    if (!n.firmware.profile.plus) {
      throw haError({
        code: "E_UNSUPPORTED_VERSION",
        field: `${lbl}.unicast`,
        value: n.firmware.productVersion,
        message: `unicast CARP needs pfSense Plus; the ${role} runs ${n.firmware.platform} ${n.firmware.productVersion} (CE has multicast CARP only)`,
        fix: "drop unicast, or upgrade both nodes to pfSense Plus",
      });
    }
  }
  const own = (n: NodeState): string | undefined => {
    const i = n.config.interfaces[d.interface];
    return d.family === 4 ? i?.ipaddr : i?.ipaddrv6;
  };
  const pa = own(p);
  const sa = own(s);
  if (!pa || !sa || addressFamily(pa) !== d.family || addressFamily(sa) !== d.family) {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${lbl}.unicast`,
      message: `unicast CARP needs a static IPv${d.family} address on ${d.interface} on both nodes`,
      fix: "assign static addresses on both nodes",
    });
  }
  return { primary: sa, secondary: pa };
}

/**
 * A hand-made CARP VIP this resource may take over with `adopt: true`: same interface and
 * address (and VHID when one is given), with a uniqid, owned by no resource of this process.
 */
export function adoptableVip(
  vips: VirtualIp[],
  d: CarpVipDesired,
  vhid: number | undefined,
): VirtualIp | undefined {
  return vips.find(
    (v) =>
      v.mode === "carp" &&
      v.interface === d.interface &&
      sameAddress(v.subnet, d.address) &&
      (vhid === undefined || v.vhid === vhid) &&
      typeof v.uniqid === "string" &&
      v.uniqid !== "" &&
      !isClaimedVip(v.uniqid),
  );
}

/** The CARP VIP at the desired address on its interface that a resource of this process owns. */
export function claimedVipAt(vips: VirtualIp[], d: CarpVipDesired): VirtualIp | undefined {
  return vips.find(
    (v) =>
      v.mode === "carp" &&
      v.interface === d.interface &&
      sameAddress(v.subnet, d.address) &&
      isClaimedVip(v.uniqid),
  );
}

/** Refuses when a VIP other than `own` already holds the address (any mode, any interface). */
export function assertAddressFree(
  vips: VirtualIp[],
  own: VirtualIp | undefined,
  d: CarpVipDesired,
  lbl: string,
): void {
  for (const v of vips) {
    if (v === own || !sameAddress(v.subnet, d.address)) continue;
    const adoptable = v.mode === "carp" && v.interface === d.interface && !isClaimedVip(v.uniqid);
    throw haError({
      code: "E_ADDRESS_CONFLICT",
      field: `${lbl}.address`,
      value: d.address,
      message: `the primary already has ${vhidOwner(v)} on ${v.interface} with this address`,
      fix: adoptable
        ? "set adopt: true to take it over (it is given back as it was on delete), or choose another address"
        : "choose another address, or remove the other VIP",
    });
  }
}

/** VHIDs other CARP VIPs hold on the interface, on either node. */
export function vhidsInUse(
  nodes: NodeHaConfig[],
  ifName: string,
  ownId: string | undefined,
): { vhid: number; owner: string }[] {
  return nodes
    .flatMap((c) => c.virtualIps)
    .filter(
      (v) =>
        v.mode === "carp" && v.interface === ifName && v.vhid !== undefined && v.uniqid !== ownId,
    )
    .map((v) => ({ vhid: v.vhid as number, owner: vhidOwner(v) }));
}

/** Refuses an explicit VHID another VIP holds (the allocator's E_VHID_CONFLICT). */
export function assertVhidFree(
  vhid: number,
  inUse: { vhid: number; owner: string }[],
  inp: CarpVipInputs,
  lbl: string,
): void {
  allocateVhids({
    segment: inp.interface,
    requests: [{ key: inp.name, vhid, label: lbl }],
    inUse,
    reserved: inp.reservedVhids,
    field: "CarpVip",
  });
}

/** The nodes' own addresses on the VIP's interface, in its family (the outputs report these). */
export function nodeAddresses(
  d: CarpVipDesired,
  p: NodeHaConfig,
  s: NodeHaConfig,
): { primary: string; secondary: string } {
  const own = (c: NodeHaConfig, fallback: string): string => {
    const i = c.interfaces[d.interface];
    const a = d.family === 4 ? i?.ipaddr : i?.ipaddrv6;
    return a !== undefined && addressFamily(a) === d.family ? a : fallback;
  };
  return { primary: own(p, d.primaryAddress), secondary: own(s, d.secondaryAddress) };
}

/**
 * Refuses a `primaryAddress`/`secondaryAddress` input that is not the node's own address on the
 * interface: the planner keeps the VIP off those addresses, so a wrong one could plan the VIP
 * onto a node.
 */
export function assertGivenNodeAddresses(
  inp: CarpVipInputs,
  d: CarpVipDesired,
  p: NodeHaConfig,
  s: NodeHaConfig,
  lbl: string,
): void {
  const own = nodeAddresses(d, p, s);
  for (const [key, role, given] of [
    ["primaryAddress", "primary", inp.primaryAddress],
    ["secondaryAddress", "secondary", inp.secondaryAddress],
  ] as const) {
    const actual = own[role];
    if (given === undefined || sameAddress(given, actual)) continue;
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${lbl}.${key}`,
      value: given,
      message: `the ${role}'s own address on ${d.interface} is ${actual}`,
      fix: `set ${key} to ${actual}, or leave it unset (it is read from the node)`,
    });
  }
}

/**
 * The rules that need only both nodes' config, before any edit: interface, subnet, family and
 * node addresses, DHCP failover's skew bound where dhcpd fails over on the interface, unicast
 * peers. Returns the desired VIP and the unicast peers (when asked for).
 */
export function planOnNodes(
  inp: CarpVipInputs,
  p: NodeState,
  s: NodeState,
  lbl: string,
): { d: CarpVipDesired; peers?: { primary: string; secondary: string } } {
  const nodes: [string, NodeHaConfig][] = [
    ["primary", p.config],
    ["secondary", s.config],
  ];
  assertInterface(inp.interface, nodes, lbl);
  const d = resolveOnNode(inp, p.config);
  checkAgainstNodes(d, nodes, lbl);
  assertGivenNodeAddresses(inp, d, p.config, s.config, lbl);
  if (d.family === 4 && p.config.dhcpd[d.interface]?.failoverPeerIp) {
    // DHCP failover runs here: dhcpd takes the primary role only below skew 20 (§8.6).
    planCarpTiming({
      advbase: d.advbase,
      primarySkew: d.primaryAdvskew,
      dhcpFailover: true,
      field: lbl,
    });
  }
  return { d, peers: inp.unicast ? unicastPeers(d, p, s, lbl) : undefined };
}
