/**
 * What a rollback would change on one node: each recorded section compared with what the node
 * holds now, item by item where the section is a list (a VIP by uniqid or `vhid@interface`, an
 * outbound NAT rule by the library's marker or its description, DHCP per interface, a filter
 * rule by tracker) and member by member inside an item. Pure; no secret is ever rendered
 * (members whose name says password are shown as `(secret)`).
 */
import { createHash } from "node:crypto";
import { isStruct, leaf, toList, toStruct, type PhpStruct } from "../codec/phpValue";
import type { PhpValue } from "../codec/phpValue";
import { canonicalJson } from "../pfsense/sections/canonicalJson";
import type { WritableSection } from "../pfsense/sections/nodeConfig";
import { NAT_MARKER_PREFIX } from "../providers/natRuleSpec";
import { BACKUP_SECTIONS, type NodeSnapshot } from "./snapshot";

/** What the rollback does to one item. */
export type ItemAction =
  /** the item exists now and did not before the up: the rollback removes it */
  | "remove"
  /** the item existed before the up and is gone now: the rollback puts it back */
  | "restore"
  /** the item exists in both with other members: the rollback puts the recorded ones back */
  | "revert";

/** One member of an item that the rollback changes. */
export interface FieldChange {
  /** Dotted member path inside the item, e.g. `advskew`, `range.to`. */
  field: string;
  /** The value now (`(absent)` when missing; `(secret)` for a password). */
  now: string;
  /** The value the rollback writes back. */
  back: string;
}

/** One item the rollback changes. */
export interface ItemChange {
  action: ItemAction;
  /** Human identity of the item, e.g. `CARP VIP 192.168.1.100/24 vhid 1@wan`. */
  item: string;
  /** For `revert`: the members that differ. */
  fields: FieldChange[];
}

/** One section of one node. */
export interface SectionPlan {
  section: WritableSection;
  /** False when the node holds the section as recorded (the rollback leaves it alone). */
  changed: boolean;
  items: ItemChange[];
}

/** Members never shown: passwords, pre-shared keys, the DHCP DNS-update (TSIG) key. */
// OpenVPN's static keys (`tls`, `shared_key`) and IPsec's `pre-shared-key` are secrets too.
const SECRET_MEMBER = /pass|secret|psk|pre-shared-key|^tls$|shared_key|^ddnsdomainkey$/i;

/** `v` with every secret member inside it replaced by `(secret)`. */
function masked(v: PhpValue): PhpValue {
  if (Array.isArray(v)) return v.map(masked);
  if (!isStruct(v)) return v;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k, SECRET_MEMBER.test(k) ? "(secret)" : masked(x)]),
  );
}

/** A value as the preview shows it. */
function show(v: PhpValue | undefined, secret: boolean): string {
  if (v === undefined || v === false) return "(absent)";
  if (secret) return "(secret)";
  if (typeof v === "string") return v === "" ? '""' : v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return canonicalJson(masked(v));
}

/** Absent, `""`, `false`, `[]` and `{}` all mean an empty section. */
function isEmpty(v: PhpValue | undefined): boolean {
  if (v === undefined || v === "" || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isStruct(v)) return Object.keys(v).length === 0;
  return false;
}

/** The comparable form of a section: `virtualip` ignores VIP order (restore reorders kept VIPs). */
function comparable(section: WritableSection, v: PhpValue | undefined): string {
  if (isEmpty(v)) return "";
  if (section === "virtualip") {
    const vips = toList(toStruct(v).vip).map(canonicalJson).sort();
    return canonicalJson({ ...toStruct(v), vip: vips });
  }
  return canonicalJson(v);
}

/** True when a node's section equals the recorded one. */
export function sectionsEqual(
  section: WritableSection,
  a: PhpValue | undefined,
  b: PhpValue | undefined,
): boolean {
  return comparable(section, a) === comparable(section, b);
}

/** The members of two items that differ, flattened to dotted paths (secrets masked). */
export function fieldChanges(
  now: PhpValue | undefined,
  back: PhpValue | undefined,
  prefix = "",
): FieldChange[] {
  const out: FieldChange[] = [];
  const a = toStruct(now);
  const b = toStruct(back);
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  for (const k of keys) {
    const path = prefix === "" ? k : `${prefix}.${k}`;
    const x = a[k];
    const y = b[k];
    if (canonicalJson(x ?? null) === canonicalJson(y ?? null)) continue;
    if (isStruct(x) && isStruct(y)) {
      out.push(...fieldChanges(x, y, path));
      continue;
    }
    const secret = SECRET_MEMBER.test(k);
    out.push({
      field: path,
      now: secret && x !== undefined && y !== undefined ? "(secret)" : show(x, secret),
      back: secret && x !== undefined && y !== undefined ? "(secret, recorded)" : show(y, secret),
    });
  }
  return out;
}

/** A list diff by identity: items keyed by `key`, labelled by `label`. */
function listChanges(
  now: PhpValue[],
  back: PhpValue[],
  key: (item: PhpStruct, index: number) => string,
  label: (item: PhpStruct, index: number) => string,
): ItemChange[] {
  const keyed = (list: PhpValue[]) =>
    new Map(list.map((v, i) => [key(toStruct(v), i), { v: toStruct(v), i }] as const));
  const a = keyed(now);
  const b = keyed(back);
  const out: ItemChange[] = [];
  for (const [k, { v, i }] of b) {
    const cur = a.get(k);
    if (!cur) out.push({ action: "restore", item: label(v, i), fields: [] });
    else if (canonicalJson(cur.v) !== canonicalJson(v)) {
      out.push({ action: "revert", item: label(v, i), fields: fieldChanges(cur.v, v) });
    }
  }
  for (const [k, { v, i }] of a) {
    if (!b.has(k)) out.push({ action: "remove", item: label(v, i), fields: [] });
  }
  const order = (list: Map<string, unknown>) =>
    [...list.keys()].filter((k) => a.has(k) && b.has(k));
  if (out.length === 0 && order(a).join("\n") !== order(b).join("\n")) {
    out.push({ action: "revert", item: "the order of the items", fields: [] });
  }
  return out;
}

const vipLabel = (v: PhpStruct): string => {
  const mode = leaf(v.mode);
  const what = mode === "carp" ? "CARP VIP" : mode === "ipalias" ? "IP alias" : `${mode} VIP`;
  const vhid =
    mode === "carp" ? ` vhid ${leaf(v.vhid)}@${leaf(v.interface)}` : ` on ${leaf(v.interface)}`;
  const descr = leaf(v.descr) === "" ? "" : ` "${leaf(v.descr)}"`;
  return `${what} ${leaf(v.subnet)}/${leaf(v.subnet_bits)}${vhid}${descr}`;
};

/** A VIP's identity: its uniqid, else `vhid@interface` for CARP, else mode/interface/address. */
export function vipIdentity(v: PhpStruct): string {
  const u = leaf(v.uniqid);
  if (u !== "") return `u:${u}`;
  if (leaf(v.mode) === "carp") return `c:${leaf(v.vhid)}@${leaf(v.interface)}`;
  return `a:${leaf(v.mode)}|${leaf(v.interface)}|${leaf(v.subnet)}`;
}

/** An outbound rule's identity: the library's marker, else its description, else its position. */
export function natRuleIdentity(r: PhpStruct, i: number): string {
  const u = leaf(toStruct(r.created).username);
  if (u.startsWith(NAT_MARKER_PREFIX)) return `m:${u.slice(NAT_MARKER_PREFIX.length)}`;
  return leaf(r.descr) !== "" ? `d:${leaf(r.descr)}` : `i:${i}`;
}

const ruleLabel =
  (what: string) =>
  (r: PhpStruct, i: number): string => {
    const d = leaf(r.descr);
    return `${what} #${i + 1}${d === "" ? "" : ` "${d}"`}`;
  };

function trackerKey(r: PhpStruct, i: number): string {
  const t = leaf(r.tracker);
  return t !== "" ? `t:${t}` : leaf(r.descr) !== "" ? `d:${leaf(r.descr)}` : `i:${i}`;
}

/**
 * A section whose `list` items carry an id member (`openvpn-server` by vpnid, `phase1` by
 * ikeid); every other member compared whole.
 */
function keyedSection(
  a: PhpStruct,
  b: PhpStruct,
  list: string,
  idMember: string,
  what: string,
): ItemChange[] {
  const key = (r: PhpStruct, i: number): string =>
    leaf(r[idMember]) !== "" ? `id:${leaf(r[idMember])}` : `i:${i}`;
  const label = (r: PhpStruct, i: number): string =>
    `${what} ${leaf(r[idMember]) !== "" ? leaf(r[idMember]) : `#${i + 1}`}`;
  const out = listChanges(toList(a[list]), toList(b[list]), key, label);
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (k === list || canonicalJson(a[k] ?? null) === canonicalJson(b[k] ?? null)) continue;
    out.push({
      action: "revert",
      item: `${list === "phase1" ? "ipsec" : "openvpn"}/${k}`,
      fields: fieldChanges(a[k], b[k], k),
    });
  }
  return out;
}

/** The item-level changes of one section (empty when it equals the record). */
function sectionItems(
  section: WritableSection,
  now: PhpValue | undefined,
  back: PhpValue | undefined,
): ItemChange[] {
  const a = toStruct(now);
  const b = toStruct(back);
  switch (section) {
    case "virtualip":
      return listChanges(toList(a.vip), toList(b.vip), vipIdentity, vipLabel).filter(
        (c) => c.item !== "the order of the items",
      );
    case "nat": {
      const out: ItemChange[] = [];
      const ao = toStruct(a.outbound);
      const bo = toStruct(b.outbound);
      if (leaf(ao.mode) !== leaf(bo.mode)) {
        out.push({
          action: "revert",
          item: "outbound NAT mode",
          fields: [{ field: "mode", now: show(ao.mode, false), back: show(bo.mode, false) }],
        });
      }
      out.push(
        ...listChanges(
          toList(ao.rule),
          toList(bo.rule),
          natRuleIdentity,
          ruleLabel("outbound rule"),
        ),
      );
      out.push(
        ...listChanges(toList(a.rule), toList(b.rule), trackerKey, ruleLabel("port forward")),
      );
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (k === "outbound" || k === "rule") continue;
        if (canonicalJson(a[k] ?? null) === canonicalJson(b[k] ?? null)) continue;
        out.push({ action: "revert", item: `nat/${k}`, fields: fieldChanges(a[k], b[k], k) });
      }
      return out;
    }
    case "dhcpd": {
      const out: ItemChange[] = [];
      for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
        const label = `DHCP server on ${k}`;
        if (a[k] === undefined) out.push({ action: "restore", item: label, fields: [] });
        else if (b[k] === undefined) out.push({ action: "remove", item: label, fields: [] });
        else if (canonicalJson(a[k]) !== canonicalJson(b[k]))
          out.push({ action: "revert", item: label, fields: fieldChanges(a[k], b[k]) });
      }
      return out;
    }
    case "filter":
      return listChanges(toList(a.rule), toList(b.rule), trackerKey, ruleLabel("filter rule"));
    case "openvpn":
      return keyedSection(a, b, "openvpn-server", "vpnid", "OpenVPN server");
    case "ipsec":
      return keyedSection(a, b, "phase1", "ikeid", "IPsec phase 1");
    case "hasync":
    case "kea":
    case "kea6": {
      const label = section === "hasync" ? "HA sync settings" : `${section} settings`;
      if (isEmpty(now) && !isEmpty(back)) return [{ action: "restore", item: label, fields: [] }];
      if (!isEmpty(now) && isEmpty(back)) return [{ action: "remove", item: label, fields: [] }];
      return [{ action: "revert", item: label, fields: fieldChanges(now, back) }];
    }
  }
}

/** One section's plan. */
export function planSection(
  section: WritableSection,
  now: PhpValue | undefined,
  back: PhpValue | undefined,
): SectionPlan {
  if (sectionsEqual(section, now, back)) return { section, changed: false, items: [] };
  const items = sectionItems(section, now, back);
  return {
    section,
    changed: true,
    items: items.length > 0 ? items : [{ action: "revert", item: "the section", fields: [] }],
  };
}

/** Every recorded section of one node, compared with what the node holds now. */
export function planNode(snapshot: NodeSnapshot, current: PhpStruct): SectionPlan[] {
  return BACKUP_SECTIONS.map((s) => planSection(s, current[s], snapshot.sections[s]));
}

/**
 * A short digest of what the node holds in the sections a rollback reads or writes (and
 * `interfaces`, which the codecs read): equal digests mean the preview still holds.
 */
export function contentDigest(current: PhpStruct): string {
  const parts = ["interfaces", ...BACKUP_SECTIONS].map(
    (s) =>
      `${s}=${s === "interfaces" ? canonicalJson(current[s] ?? "") : comparable(s as WritableSection, current[s])}`,
  );
  return createHash("sha256").update(parts.join("\n")).digest("hex").slice(0, 12);
}

const SIGN: Record<ItemAction, string> = { remove: "-", restore: "+", revert: "~" };

/** The preview lines of one node's sections, indented by two. */
export function formatSectionPlans(plans: SectionPlan[]): string[] {
  const lines: string[] = [];
  for (const p of plans) {
    if (!p.changed) {
      lines.push(`  ${p.section}: unchanged`);
      continue;
    }
    lines.push(`  ${p.section}:`);
    for (const c of p.items) {
      const f = c.fields.map((x) => `${x.field} ${x.now} -> ${x.back}`).join(", ");
      lines.push(
        `    ${SIGN[c.action]} ${c.action.padEnd(7)} ${c.item}${f === "" ? "" : `: ${f}`}`,
      );
    }
  }
  return lines;
}
