/**
 * "Nothing lost" after a write, item by item: every item the node held when the batch read it,
 * and that no edit of the batch removed or replaced, must still be on the node after the write.
 * Items are matched by identity (a VIP's uniqid, a DHCP interface key, a NAT rule's content, as
 * unowned rules carry no identity of their own), so a reorder is no loss. A lost item is put back
 * by the session (restoreLostItems) and reported.
 */
import type {
  FilterRule,
  IpsecPhase1,
  NodeHaConfig,
  OpenVpnServer,
  OutboundNatRule,
  VirtualIp,
} from "../plan/model";
import { canonicalJson } from "./sections/canonicalJson";
import type { WritableSection } from "./sections/nodeConfig";

/** One item the write lost. */
export interface LostItem {
  section: WritableSection;
  /** Identity for messages (`vip 5f1c…`, `dhcpd lan`, `nat rule …`). */
  identity: string;
}

const vipKey = (v: VirtualIp): string =>
  v.uniqid ? `vip ${v.uniqid}` : `vip ${v.mode} ${v.interface} ${v.subnet}`;
const natKey = (r: OutboundNatRule): string => `nat rule ${canonicalJson(r)}`;
const filterKey = (r: FilterRule): string => `filter rule ${canonicalJson(r)}`;

interface ItemList<T> {
  section: WritableSection;
  items(c: NodeHaConfig): T[];
  key(item: T): string;
  put(c: NodeHaConfig, item: T): void;
}

const LISTS: ItemList<unknown>[] = [
  {
    section: "virtualip",
    items: (c) => c.virtualIps,
    key: (v) => vipKey(v as VirtualIp),
    put: (c, v) => void c.virtualIps.push(structuredClone(v as VirtualIp)),
  },
  {
    section: "nat",
    items: (c) => c.natRules,
    key: (r) => natKey(r as OutboundNatRule),
    put: (c, r) => void c.natRules.push(structuredClone(r as OutboundNatRule)),
  },
  {
    section: "filter",
    items: (c) => c.filterRules ?? [],
    key: (r) => filterKey(r as FilterRule),
    put: (c, r) => void (c.filterRules ??= []).push(structuredClone(r as FilterRule)),
  },
  {
    // By id: a binding edits a server's interface, which must not read as a loss.
    section: "openvpn",
    items: (c) => c.openvpnServers ?? [],
    key: (v) => `openvpn-server vpnid ${(v as OpenVpnServer).vpnid}`,
    put: (c, v) => void (c.openvpnServers ??= []).push(structuredClone(v as OpenVpnServer)),
  },
  {
    section: "ipsec",
    items: (c) => c.ipsecPhase1 ?? [],
    key: (v) => `ipsec phase1 ikeid ${(v as IpsecPhase1).ikeid}`,
    put: (c, v) => void (c.ipsecPhase1 ??= []).push(structuredClone(v as IpsecPhase1)),
  },
  {
    section: "dhcpd",
    items: (c) => Object.keys(c.dhcpd),
    key: (k) => `dhcpd ${k as string}`,
    put: () => undefined, // replaced in restoreLostItems (needs the base's value)
  },
];

/** Items of `base` that `draft` kept (the batch meant to keep them) but `after` lacks. */
export function lostItems(
  base: NodeHaConfig,
  draft: NodeHaConfig,
  after: NodeHaConfig,
  written: Iterable<WritableSection>,
): LostItem[] {
  const sections = new Set(written);
  const out: LostItem[] = [];
  for (const l of LISTS) {
    if (!sections.has(l.section)) continue;
    const kept = new Set(l.items(draft).map(l.key));
    const now = new Set(l.items(after).map(l.key));
    for (const item of l.items(base)) {
      const k = l.key(item);
      if (kept.has(k) && !now.has(k)) out.push({ section: l.section, identity: k });
    }
  }
  return out;
}

/** Puts the `lost` items back into `draft` (a copy of the node's current config), from `base`. */
export function restoreLostItems(draft: NodeHaConfig, base: NodeHaConfig, lost: LostItem[]): void {
  const wanted = new Set(lost.map((l) => l.identity));
  for (const l of LISTS) {
    for (const item of l.items(base)) {
      if (!wanted.has(l.key(item))) continue;
      if (l.section === "dhcpd") {
        const k = item as string;
        draft.dhcpd[k] = structuredClone(base.dhcpd[k]);
      } else l.put(draft, item);
    }
  }
}
