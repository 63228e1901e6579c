/**
 * Reading and editing an emulated node's config.xml tree directly, as a person at the node's GUI
 * would: the e2e suites' ground truth (never the library's own view of the node).
 */
import { leaf, toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import type { EmulatedNode } from "../../sdk/emulator";

/** One CARP VIP as config.xml holds it. */
export interface RawCarpVip {
  interface: string;
  address: string;
  vhid: number;
  advskew: number;
  descr: string;
  uniqid: string;
}

/** The node's CARP VIPs. */
export function carpVips(node: EmulatedNode): RawCarpVip[] {
  return toList(toStruct(node.config().virtualip).vip)
    .map((v) => toStruct(v))
    .filter((v) => leaf(v.mode) === "carp")
    .map((v) => ({
      interface: leaf(v.interface),
      address: leaf(v.subnet),
      vhid: Number(leaf(v.vhid)),
      advskew: Number(leaf(v.advskew)),
      descr: leaf(v.descr),
      uniqid: leaf(v.uniqid),
    }));
}

/** The node's DHCP range on an interface. */
export function dhcpRange(node: EmulatedNode, ifName: string): { from: string; to: string } {
  const range = toStruct(toStruct(toStruct(node.config().dhcpd)[ifName]).range);
  return { from: leaf(range.from), to: leaf(range.to) };
}

/** The node's outbound NAT mode and rules' translation targets. */
export function outboundNat(node: EmulatedNode): { mode: string; targets: string[] } {
  const outbound = toStruct(toStruct(node.config().nat).outbound);
  return {
    mode: leaf(outbound.mode),
    targets: toList(outbound.rule).map((r) => leaf(toStruct(r).target)),
  };
}

/** Edits the node's config like a GUI save (a new revision; on a primary it triggers auto-sync). */
export function editConfig(node: EmulatedNode, change: (tree: PhpStruct) => void): void {
  const tree = node.config();
  change(tree);
  node.writeConfigAs(tree, "Edited by hand in the GUI (e2e drift test)");
}

/** Sets `advskew` of the CARP VIP with the given address. */
export function setAdvskew(node: EmulatedNode, address: string, advskew: number): void {
  editConfig(node, (tree) => {
    const vip = toList(toStruct(tree.virtualip).vip)
      .map((v) => toStruct(v))
      .find((v) => leaf(v.subnet) === address);
    if (!vip) throw new Error(`no VIP ${address} on ${node.name}`);
    vip.advskew = String(advskew);
  });
}

/**
 * The whole config tree, item for item, as destroy must leave it: without `revision` (every write
 * changes it by design) and without empty top-level sections (pfSense writes a section whose last
 * item was removed as an empty element, e.g. `<virtualip></virtualip>`; it holds no items, so it
 * counts as absent).
 */
export function comparableConfig(node: EmulatedNode): PhpStruct {
  const tree = node.config();
  delete tree.revision;
  for (const [k, v] of Object.entries(tree)) if (v === "") delete tree[k];
  return tree;
}

/** One VLAN interface to add to a node (as an admin would before running vlan-fleet). */
export interface VlanInterface {
  tag: number;
  /** Assignment name, e.g. `opt2`. */
  interface: string;
  /** The node's own address on it. */
  address: string;
  prefix: number;
}

/** Adds VLANs on the LAN NIC and assigns them (both `<vlans>` and `<interfaces>` entries). */
export function addVlanInterfaces(node: EmulatedNode, vlans: VlanInterface[]): void {
  editConfig(node, (tree) => {
    const parent = leaf(toStruct(toStruct(tree.interfaces).lan).if);
    const vlanSection = toStruct(tree.vlans);
    const list = toList(vlanSection.vlan);
    const ifs = toStruct(tree.interfaces);
    for (const v of vlans) {
      const vlanif = `${parent}.${v.tag}`;
      list.push({ if: parent, tag: String(v.tag), pcp: "", descr: `VLAN ${v.tag}`, vlanif });
      ifs[v.interface] = {
        enable: "",
        if: vlanif,
        descr: `VLAN${v.tag}`,
        ipaddr: v.address,
        subnet: String(v.prefix),
      };
    }
    vlanSection.vlan = list;
    tree.vlans = vlanSection;
    tree.interfaces = ifs;
  });
}

/** One IP alias as config.xml holds it. */
export interface RawIpAlias {
  interface: string;
  address: string;
  subnetBits: number;
  uniqid: string;
  descr: string;
}

/** The node's IP alias VIPs (stacked on a CARP VIP or not). */
export function ipAliases(node: EmulatedNode): RawIpAlias[] {
  return toList(toStruct(node.config().virtualip).vip)
    .map((v) => toStruct(v))
    .filter((v) => leaf(v.mode) === "ipalias")
    .map((v) => ({
      interface: leaf(v.interface),
      address: leaf(v.subnet),
      subnetBits: Number(leaf(v.subnet_bits)),
      uniqid: leaf(v.uniqid),
      descr: leaf(v.descr),
    }));
}
