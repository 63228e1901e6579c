/**
 * Which of the secondary's items a sync payload deletes or replaces, by the receiver's rules
 * (pfSense 2.7.2 `src/usr/local/www/xmlrpc.php`, `restore_config_section()`; design
 * pfsense-xmlrpc.md §5.1, §5.2):
 * - full-replace sections (`$syncd_full_sections`: filter, nat, aliases, dhcpd, …) replace the
 *   node's section wholesale: every item the payload lacks is gone;
 * - every other key goes through `array_merge_recursive_unique($config, $sections)` with two
 *   arguments, so each child the payload carries replaces the node's child whole
 *   (`staticroutes/route`, `gateways/gateway_item`, `system/authserver`), children it lacks
 *   survive (a secondary-only `gateways/gateway_group`);
 * - `virtualip/vip` is replaced, then the node's own IP alias / proxy ARP VIPs on real
 *   interfaces are put back (`$vipbackup`);
 * - users and groups are add/delete sets by name, sparing low ids (`$u2keep`, `$g2keep`).
 * Pure.
 */
import { isStruct, leaf, toList, toStruct, type PhpStruct, type PhpValue } from "../codec/phpValue";
import { canonicalJson } from "./sections/canonicalJson";
import { decodeVip, isKeptLocally } from "./sections/virtualip";
import { ITEM_KINDS, vipIdentity, type ItemKind } from "./syncItemKinds";

/** One item of the secondary that the push would take away. */
export interface SecondaryLoss {
  /** Top-level config section, e.g. `nat`. */
  section: string;
  /** What the GUI calls the item, e.g. "port forward"; "settings" for section-level values. */
  kind: string;
  /** pfSense's identity of the item (see syncItemKinds.ts). */
  identity: string;
  /** The item's description (`descr`), "" when it has none. */
  description: string;
  /** Deleted (nothing of that identity arrives) or replaced (the primary's version arrives). */
  fate: "deleted" | "replaced";
}

/** 2.7.2's `$syncd_full_sections` (xmlrpc.php), plus captiveportal, which is also replaced. */
const FULL_REPLACE = new Set([
  "aliases", "ca", "cert", "crl", "dhcpd", "dhcrelay", "dhcrelay6", "dnshaper", "dnsmasq",
  "filter", "ipsec", "nat", "openvpn", "schedules", "shaper", "unbound", "wol", "captiveportal",
]); // prettier-ignore

/** Sections whose receiver handling is not modelled item by item (voucher rolls, §5.1 step 5). */
const NOT_MODELLED = new Set(["voucher"]);

/** PHP's loose `==` on config arrays, as canonical text: leaves as strings, lists as arrays. */
function norm(v: PhpValue | undefined): unknown {
  if (v === undefined || v === false) return undefined;
  if (v === true) return "";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.map(norm);
  const keys = Object.keys(v);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) return toList(v).map(norm);
  return Object.fromEntries(keys.map((k) => [k, norm(v[k])]));
}

const same = (a: PhpValue | undefined, b: PhpValue | undefined): boolean =>
  canonicalJson(norm(a)) === canonicalJson(norm(b));

interface Located {
  parent: string;
  key: string;
  item: PhpStruct;
}

/** The items at `path` (below the root), with the keys of the `*` steps as their parent. */
function itemsAt(root: PhpValue | undefined, path: readonly string[], parent = ""): Located[] {
  const [head, ...rest] = path;
  if (!isStruct(root)) return [];
  if (head === "*") {
    return Object.entries(root).flatMap(([k, v]) =>
      rest.length === 0
        ? isStruct(v) ? [{ parent, key: k, item: v }] : []
        : itemsAt(v, rest, `${parent}/${k}`),
    ); // prettier-ignore
  }
  if (rest.length > 0) return itemsAt(root[head], rest, parent);
  return toList(root[head]).flatMap((v, i) =>
    isStruct(v) ? [{ parent, key: String(i), item: v }] : [],
  );
}

/** A copy of `tree` without what lies at `path` (every `*` child). */
function without(tree: PhpValue | undefined, path: readonly string[]): PhpValue | undefined {
  if (!isStruct(tree) || path.length === 0) return tree;
  const [head, ...rest] = path;
  const out: PhpStruct = { ...tree };
  for (const k of head === "*" ? Object.keys(out) : [head]) {
    if (rest.length === 0) delete out[k];
    else if (out[k] !== undefined) out[k] = without(out[k], rest) as PhpValue;
  }
  return out;
}

/** Kinds nested inside `k`'s items, as paths relative to the item. */
function nestedPaths(k: ItemKind, section: string): string[][] {
  return kindsOf(section)
    .filter((n) => n.path.length > k.path.length && k.path.every((s, i) => n.path[i] === s))
    .map((n) => n.path.slice(k.path.length));
}

function kindsOf(section: string): ItemKind[] {
  return ITEM_KINDS.filter((k) => k.path[0] === section);
}

function itemLosses(section: string, k: ItemKind, s: PhpStruct, p: PhpStruct): SecondaryLoss[] {
  const strip = (i: PhpStruct) =>
    nestedPaths(k, section).reduce<PhpValue>((t, n) => without(t, n) as PhpValue, i);
  const sent = itemsAt(p, k.path);
  const out: SecondaryLoss[] = [];
  for (const own of itemsAt(s, k.path)) {
    // Keyed children (`dhcpd/lan`) match only their own key; list items match anywhere.
    const keyed = k.path[k.path.length - 1] === "*";
    const peers = sent.filter((x) => x.parent === own.parent && (!keyed || x.key === own.key));
    if (peers.some((x) => same(strip(x.item), strip(own.item)))) continue;
    const identity = `${own.parent ? `${own.parent.slice(1)} ` : ""}${k.id(own.item, own.key)}`;
    const replaced = peers.some((x) => k.id(x.item, x.key) === k.id(own.item, own.key));
    out.push({
      section,
      kind: k.kind,
      identity,
      description: leaf(own.item.descr),
      fate: replaced ? "replaced" : "deleted",
    });
  }
  return out;
}

/** Leaves of a tree as `a/b/c` → canonical value. */
function leaves(v: PhpValue | undefined, at = "", out = new Map<string, string>()) {
  if (v === undefined || v === false) return out;
  if (isStruct(v) || Array.isArray(v)) {
    for (const [k, c] of Object.entries(v)) leaves(c, at ? `${at}/${k}` : k, out);
  } else if (at !== "") out.set(at, canonicalJson(norm(v)));
  // (A section held as "" is an empty `<section></section>`, not a setting.)
  return out;
}

/** Section-level values (outside every item list) the secondary has and would lose. */
function settingLosses(section: string, s: PhpStruct, p: PhpStruct): SecondaryLoss[] {
  const bare = (t: PhpStruct) =>
    kindsOf(section).reduce<PhpValue | undefined>((x, k) => without(x, k.path), t);
  const mine = leaves(toStruct(bare(s) as PhpStruct)[section]);
  const theirs = leaves(toStruct(bare(p) as PhpStruct)[section]);
  const lost = [...mine].filter(([k, v]) => theirs.get(k) !== v).map(([k]) => k);
  if (lost.length === 0) return [];
  const shown = lost.slice(0, 4).join(", ") + (lost.length > 4 ? `, +${lost.length - 4} more` : "");
  const fate = lost.every((k) => theirs.has(k)) ? "replaced" : "deleted";
  return [{ section, kind: "settings", identity: shown, description: "", fate }];
}

/** Losses in one section: `sent` is what arrives, `own` the secondary's current value. */
function sectionLosses(
  section: string,
  own: PhpValue | undefined,
  sent: PhpValue,
): SecondaryLoss[] {
  if (own === undefined || NOT_MODELLED.has(section)) return [];
  let mine = own;
  // Two-level merge: only the children the payload carries replace the node's.
  if (!FULL_REPLACE.has(section)) {
    const carried = new Set(isStruct(sent) ? Object.keys(sent) : []);
    mine = isStruct(own)
      ? Object.fromEntries(Object.entries(own).filter(([k]) => carried.has(k)))
      : own;
  }
  const s: PhpStruct = { [section]: mine };
  const p: PhpStruct = { [section]: sent };
  return [
    ...kindsOf(section).flatMap((k) => itemLosses(section, k, s, p)),
    ...settingLosses(section, s, p),
  ];
}

/** `virtualip`: the node keeps its own IP aliases / proxy ARP; the rest is the payload's list. */
function vipLosses(own: PhpValue | undefined, sent: PhpValue): SecondaryLoss[] {
  const arriving = toList(toStruct(sent).vip).filter(isStruct);
  const out: SecondaryLoss[] = [];
  for (const v of toList(toStruct(own).vip)) {
    if (!isStruct(v) || isKeptLocally(decodeVip(v))) continue;
    if (arriving.some((a) => same(a, v))) continue;
    const identity = vipIdentity(v);
    const replaced = arriving.some((a) => vipIdentity(a) === identity);
    out.push({
      section: "virtualip",
      kind: `${leaf(v.mode)} VIP`,
      identity,
      description: leaf(v.descr),
      fate: replaced ? "replaced" : "deleted",
    });
  }
  return out;
}

/** Users and groups: `$u2add`/`$u2del` and `$g2add`/`$g2del` of restore_config_section. */
function accountLosses(own: PhpStruct, sent: PhpStruct, adminSync: boolean): SecondaryLoss[] {
  const out: SecondaryLoss[] = [];
  const plan = (list: "user" | "group", idKey: string, low: number, spareLow: boolean) => {
    const arriving = toList(sent[list]).filter(isStruct);
    for (const mine of toList(own[list]).filter(isStruct)) {
      const name = leaf(mine.name);
      const id = Number(leaf(mine[idKey]));
      const theirs = arriving.find((a) => leaf(a.name) === name);
      let fate: SecondaryLoss["fate"] | undefined;
      if (theirs === undefined) fate = id < low || id > 65000 ? undefined : "deleted";
      else if (Number(leaf(theirs[idKey])) < low && spareLow) fate = undefined;
      else if (!same(theirs, mine)) fate = "replaced";
      if (fate === undefined) continue;
      const kind = list === "user" ? "user" : "group";
      out.push({ section: "system", kind, identity: name, description: leaf(mine.descr), fate });
    }
  };
  // Both lists must be non-empty or the receiver skips accounts entirely (xmlrpc.php).
  if (toList(sent.user).length > 0 && toList(sent.group).length > 0) {
    plan("group", "gid", 1999, true);
    plan("user", "uid", 2000, !adminSync);
  }
  if (sent.authserver !== undefined) {
    const k = ITEM_KINDS.find((x) => x.path.join("/") === "system/authserver") as ItemKind;
    const s = { system: { authserver: own.authserver ?? [] } };
    out.push(...itemLosses("system", k, s, { system: { authserver: sent.authserver } }));
  }
  return out;
}

/** Everything of the secondary that `payload`, restored there, deletes or replaces. */
export function secondaryLosses(
  payload: PhpStruct,
  secondary: PhpStruct,
  adminSync: boolean,
): SecondaryLoss[] {
  return Object.entries(payload).flatMap(([section, sent]) => {
    if (section === "virtualip") return vipLosses(secondary.virtualip, sent);
    if (section === "system") {
      return accountLosses(toStruct(secondary.system), toStruct(sent), adminSync);
    }
    return sectionLosses(section, secondary[section], sent);
  });
}
