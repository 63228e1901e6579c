/**
 * What a pfSense node does to its config tree when it receives `restore_config_section`,
 * `merge_config_section` or `merge_installedpackages_section` (design/pfsense-xmlrpc.md §4.6,
 * §4.7, §5.1). Pure functions over plain trees; the caller writes the result (§10.6) and updates
 * the runtime model.
 */
import {
  cloneValue,
  isStruct,
  leaf,
  toList,
  toStruct,
  type PhpStruct,
  type PhpValue,
} from "../codec/phpValue";
import { PhpFatalError } from "./phpErrors";
import type { VersionProfile } from "./profiles";

/** A container in PHP terms (array or struct); XML-RPC nil decodes to null. */
function isContainer(v: unknown): v is PhpValue[] | PhpStruct {
  return typeof v === "object" && v !== null && !Buffer.isBuffer(v) && !(v instanceof Date);
}

function entriesOf(v: PhpValue[] | PhpStruct): [string, PhpValue][] {
  return Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
}

/** `$c[$k] = $v` on a PHP array held as a JS array or object (converting when keys demand it). */
function setChild(c: PhpValue[] | PhpStruct, k: string, v: PhpValue): PhpValue[] | PhpStruct {
  if (Array.isArray(c)) {
    const i = Number(k);
    if (/^(0|[1-9][0-9]*)$/.test(k) && i <= c.length) {
      c[i] = v;
      return c;
    }
    const o: PhpStruct = {};
    c.forEach((x, j) => (o[String(j)] = x));
    o[k] = v;
    return o;
  }
  c[k] = v;
  return c;
}

/**
 * pfSense's `array_merge_recursive_unique($config, $payload)` with two arguments: for a payload
 * key holding an array, each direct child replaces the config's child of the same key; scalars
 * replace (§5.1 step 8). util.inc creates a result key only inside its loop over the children,
 * so a key whose value is an empty array creates nothing: an empty section in the config (e.g.
 * one just full-replaced by `[]`) disappears, and an empty one in the payload leaves the
 * config's value alone (§16 item 2).
 */
export function mergeTwoLevel(config: PhpStruct, payload: PhpStruct): PhpStruct {
  const result: PhpStruct = {};
  for (const src of [config, payload]) {
    for (const [k, v] of Object.entries(src)) {
      if (isContainer(v)) {
        if (entriesOf(v).length === 0) continue;
        let target = result[k];
        if (!isContainer(target)) target = Array.isArray(v) ? [] : {};
        for (const [ck, cv] of entriesOf(v)) target = setChild(target, ck, cloneValue(cv));
        result[k] = target;
      } else {
        result[k] = v;
      }
    }
  }
  return result;
}

/** `array_overlay` of merge_config_section: only keys that already exist locally (§4.6). */
export function overlayExisting(
  local: PhpValue[] | PhpStruct,
  payload: PhpValue[] | PhpStruct,
): PhpValue[] | PhpStruct {
  let out: PhpValue[] | PhpStruct = Array.isArray(local) ? [...local] : { ...local };
  const pay = new Map(entriesOf(payload));
  for (const [k, v] of entriesOf(local)) {
    if (!pay.has(k)) continue;
    const pv = pay.get(k) as PhpValue;
    out = setChild(
      out,
      k,
      isContainer(v) && isContainer(pv) ? overlayExisting(v, pv) : cloneValue(pv),
    );
  }
  return out;
}

/** PHP loose `==` on two config values (arrays: same key/value pairs, any order). */
export function looseEqual(a: unknown, b: unknown): boolean {
  if (isContainer(a) && isContainer(b)) {
    const ea = entriesOf(a);
    const mb = new Map(entriesOf(b));
    return ea.length === mb.size && ea.every(([k, v]) => mb.has(k) && looseEqual(v, mb.get(k)));
  }
  if (isContainer(a) || isContainer(b)) return false;
  const norm = (x: unknown): string =>
    x === true ? "1" : x === false || x === null || x === undefined ? "" : String(x);
  const sa = norm(a);
  const sb = norm(b);
  if (sa === sb) return true;
  const na = Number(sa);
  const nb = Number(sb);
  return (
    sa.trim() !== "" && sb.trim() !== "" && !Number.isNaN(na) && !Number.isNaN(nb) && na === nb
  );
}

/** An old VIP remembered before the merge (§5.1 step 7). */
export interface OldVip {
  content: string;
  interface: string;
  subnet: string;
}

/** Account changes computed in step 6 and applied in step 12. */
export interface AccountSync {
  users: PhpValue[];
  groups: PhpValue[];
  changed: boolean;
}

/** Result of the receiver's restore logic. */
export interface RestoreOutcome {
  /** Config after steps 4–9 (before the write's normalisation). */
  config: PhpStruct;
  /** The `write_config` message of step 10. */
  message: string;
  /** Full-replace sections applied, in list order. */
  fullReplaced: string[];
  /** Whether the payload carried `virtualip` (step 11 runs). */
  vipsInPayload: boolean;
  /** Old CARP VIPs / stacked aliases by key (step 7). */
  oldVips: Map<string, OldVip>;
  /** Step 6/12 result when users and groups were both sent. */
  accounts?: AccountSync;
}

/** The fingerprint pfSense compares to decide whether a CARP VIP changed (§5.1 step 7/11). */
export function carpFingerprint(vip: PhpStruct): string {
  return (
    leaf(vip.password) +
    leaf(vip.advskew) +
    leaf(vip.subnet) +
    leaf(vip.subnet_bits) +
    leaf(vip.advbase)
  );
}

/** The fingerprint of an IP alias stacked on a CARP VIP or on lo0. */
export function aliasFingerprint(vip: PhpStruct): string {
  return leaf(vip.interface) + leaf(vip.subnet) + leaf(vip.subnet_bits);
}

/** True for an IP alias stacked on a CARP VIP (`_vip…`) or on lo0. */
export function isStackedAlias(vip: PhpStruct): boolean {
  const ifc = leaf(vip.interface);
  return leaf(vip.mode) === "ipalias" && (ifc.startsWith("_vip") || ifc.includes("lo0"));
}

function isPhpTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === "" || v === "0" || v === 0)
    return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isContainer(v)) return Object.keys(v).length > 0;
  return true;
}

/** PHP `usort` by `name` with `strcmp`: byte order, not locale order. */
function byName(list: PhpValue[]): PhpValue[] {
  const name = (x: PhpValue) => Buffer.from(isStruct(x) ? leaf(x.name) : "", "utf8");
  return [...list].sort((a, b) => Buffer.compare(name(a), name(b)));
}

function computeAccounts(config: PhpStruct, sys: PhpStruct, adminsync: boolean): AccountSync {
  const localGroups = toList(toStruct(config.system).group);
  const localUsers = toList(toStruct(config.system).user);
  const plan = (
    remote: PhpValue[],
    local: PhpValue[],
    idKey: string,
    keepBelow: number,
    useAdminsync: boolean,
  ) => {
    const add: PhpStruct[] = [];
    const delIdx = new Set<number>();
    const keep = new Set<number>();
    const names = local.map((x) => (isStruct(x) ? leaf(x.name) : ""));
    for (const r of remote) {
      if (!isStruct(r)) continue;
      const idx = names.indexOf(leaf(r.name));
      if (idx < 0) add.push(r);
      else if (Number(leaf(r[idKey])) < keepBelow && !(useAdminsync && adminsync)) keep.add(idx);
      else if (!looseEqual(r, local[idx])) {
        add.push(r);
        delIdx.add(idx);
      } else keep.add(idx);
    }
    local.forEach((_x, i) => {
      if (!keep.has(i)) delIdx.add(i);
    });
    return { add, delIdx };
  };
  const g = plan(toList(sys.group), localGroups, "gid", 1999, false);
  const u = plan(toList(sys.user), localUsers, "uid", 2000, true);
  // local_sync_accounts: low system ids are never deleted unless being replaced, >65000 never.
  const replacedNames = (add: PhpStruct[]) => new Set(add.map((x) => leaf(x.name)));
  const survive = (
    list: PhpValue[],
    delIdx: Set<number>,
    add: PhpStruct[],
    idKey: string,
    low: number,
  ) => {
    const replaced = replacedNames(add);
    return list.filter((x, i) => {
      if (!delIdx.has(i) || !isStruct(x)) return true;
      const id = Number(leaf(x[idKey]));
      if (replaced.has(leaf(x.name))) return false;
      return id < low || id > 65000;
    });
  };
  // auth.inc local_sync_accounts(): nothing to add or delete → no write at all; otherwise both
  // lists are sorted by name (usort with strcmp, i.e. byte order) before the write.
  const changed = g.add.length + g.delIdx.size + u.add.length + u.delIdx.size > 0;
  const groups = byName([...survive(localGroups, g.delIdx, g.add, "gid", 1999), ...g.add]);
  const users = byName([...survive(localUsers, u.delIdx, u.add, "uid", 2000), ...u.add]);
  return { users, groups, changed };
}

/**
 * The payload's captive portal zones with the receiver's backward-sync settings (xmlrpc.php
 * restore_config_section()): each of the four is taken from the local zone, or removed when the
 * local zone lacks it, except that a missing local `backwardsyncpassword` removes
 * `vouchersyncpass` instead (pfSense's code unsets that key), so the primary's password stays.
 */
function keepBackwardSyncLocal(
  local: PhpValue | undefined,
  sent: PhpValue[] | PhpStruct,
): PhpValue {
  const out = cloneValue(sent) as PhpValue[] | PhpStruct;
  const localZones = isContainer(local) ? new Map(entriesOf(local)) : new Map<string, PhpValue>();
  for (const [zone, cp] of entriesOf(out)) {
    if (!isStruct(cp)) continue;
    const mine = toStruct(localZones.get(zone));
    for (const f of [
      "enablebackwardsync",
      "backwardsyncip",
      "backwardsyncuser",
      "backwardsyncpassword",
    ]) {
      if (mine[f] !== undefined) cp[f] = cloneValue(mine[f]);
      else delete cp[f === "backwardsyncpassword" ? "vouchersyncpass" : f];
    }
  }
  return out;
}

/** Applies §5.1 steps 4 and 6–10 to a copy of `config`. */
export function applyRestore(
  config: PhpStruct,
  payload: PhpStruct,
  profile: VersionProfile,
): RestoreOutcome {
  let cfg = cloneValue(config);
  const sections: PhpStruct = cloneValue(payload);
  // Step 4: full-replace sections.
  const fullReplaced: string[] = [];
  for (const name of profile.fullReplace) {
    if (!Object.prototype.hasOwnProperty.call(sections, name)) continue;
    const v = sections[name] as unknown;
    if (profile.presenceTest === "isset" && v === null) continue;
    cfg[name] = v as PhpValue;
    delete sections[name];
    fullReplaced.push(name);
  }
  // Step 6: users and groups as add/delete sets.
  let accounts: AccountSync | undefined;
  const sys = sections.system;
  if (isStruct(sys) && isPhpTruthy(sys.user) && isPhpTruthy(sys.group)) {
    const adminsync = leaf(toStruct(sections.hasync).adminsync) === "on";
    accounts = computeAccounts(cfg, sys, adminsync);
    delete sys.user;
    delete sys.group;
  }
  // Step 7: remember old VIPs and the keep-local list.
  const vipsInPayload = Object.prototype.hasOwnProperty.call(sections, "virtualip");
  const oldVips = new Map<string, OldVip>();
  const keepLocal: PhpValue[] = [];
  const localVipList = toStruct(cfg.virtualip).vip;
  const walk = vipsInPayload && (!profile.vipRestoreNeedsLocalList || isContainer(localVipList));
  if (walk) {
    for (const v of toList(localVipList)) {
      if (!isStruct(v)) continue;
      const mode = leaf(v.mode);
      const ifc = leaf(v.interface);
      if (mode === "carp") {
        oldVips.set(`${ifc}_vip${leaf(v.vhid)}`, {
          content: carpFingerprint(v),
          interface: ifc,
          subnet: leaf(v.subnet),
        });
      } else if (isStackedAlias(v)) {
        oldVips.set(leaf(v.subnet), {
          content: aliasFingerprint(v),
          interface: ifc,
          subnet: leaf(v.subnet),
        });
      } else if (
        ((mode === "ipalias" || mode === "proxyarp") && !ifc.startsWith("_vip")) ||
        ifc.includes("lo0")
      ) {
        keepLocal.push(v);
      }
    }
  }
  // Step 5: captive portal zones missing from the payload are deleted (2.5+: only when the
  // payload has `captiveportal`; 2.4.x: whenever the receiver has zones). Vouchers not modelled.
  const localZones = cfg.captiveportal;
  const cpSent = Object.prototype.hasOwnProperty.call(sections, "captiveportal");
  const zonesToDelete =
    isContainer(localZones) && (cpSent || profile.name === "2.4")
      ? Object.keys(localZones).filter(
          (z) =>
            !isContainer(sections.captiveportal) || !(z in (sections.captiveportal as PhpStruct)),
        )
      : [];
  // 2.5.0+ xmlrpc.php restore_config_section(): a captiveportal array replaces the local one
  // whole (backward-sync fields stay local) and leaves $sections before the merge, so it is
  // neither merged nor named in the "Merged in config (…)" message.
  if (profile.name !== "2.4" && isContainer(sections.captiveportal)) {
    cfg.captiveportal = keepBackwardSyncLocal(config.captiveportal, sections.captiveportal);
    delete sections.captiveportal;
  }
  // Step 8: two-level merge of the rest.
  cfg = mergeTwoLevel(cfg, sections);
  if (zonesToDelete.length > 0 && isStruct(cfg.captiveportal)) {
    for (const z of zonesToDelete) delete cfg.captiveportal[z];
  }
  // master: Kea HA node-local fields come back from the receiver's old config, on every restore
  // (pfsense/pfsense master src/usr/local/www/xmlrpc.php restore_config_section(), "Special
  // handling for Kea HA"): tls (isset) → tls + scertref (if truthy, else deleted), and only
  // inside it mutualtls → mutualtls + ccertref; no tls → all four deleted; localname copied if
  // truthy, else deleted. config_set_path() creates `kea/ha` when it must set a value.
  if (profile.name === "master") {
    const truthy = (v: PhpValue | undefined) =>
      v !== undefined && v !== false && !(typeof v === "string" && (v === "" || v === "0"));
    for (const k of ["kea", "kea6"]) {
      const oldHa = toStruct(toStruct(config[k]).ha);
      const ensure = (): PhpStruct => {
        const sec = isStruct(cfg[k]) ? cfg[k] : {};
        const ha = isStruct(sec.ha) ? sec.ha : {};
        sec.ha = ha;
        cfg[k] = sec;
        return ha;
      };
      const del = (f: string) => {
        const sec = cfg[k];
        if (isStruct(sec) && isStruct(sec.ha)) delete sec.ha[f];
      };
      if (oldHa.tls !== undefined && oldHa.tls !== false) {
        ensure().tls = "";
        if (truthy(oldHa.scertref)) ensure().scertref = cloneValue(oldHa.scertref);
        else del("scertref");
        if (oldHa.mutualtls !== undefined && oldHa.mutualtls !== false) {
          ensure().mutualtls = "";
          if (truthy(oldHa.ccertref)) ensure().ccertref = cloneValue(oldHa.ccertref);
          else del("ccertref");
        }
      } else {
        for (const f of ["tls", "scertref", "mutualtls", "ccertref"]) del(f);
      }
      if (truthy(oldHa.localname)) ensure().localname = cloneValue(oldHa.localname);
      else del("localname");
    }
  }
  // Step 9: kept local VIPs pushed onto the front one at a time (ends up reversed).
  if (keepLocal.length > 0) {
    const vsec = isStruct(cfg.virtualip) ? cfg.virtualip : {};
    const list = toList(vsec.vip);
    for (const v of keepLocal) list.unshift(v);
    vsec.vip = list;
    cfg.virtualip = vsec;
  }
  const keys = [...Object.keys(sections), ...fullReplaced];
  const message = `Merged in config (${keys.join(", ")} sections) from XMLRPC client.`;
  return { config: cfg, message, fullReplaced, vipsInPayload, oldVips, accounts };
}

/** Step 12 applied to a (written) config: the account lists replaced. */
export function applyAccounts(config: PhpStruct, accounts: AccountSync): PhpStruct {
  const cfg = cloneValue(config);
  const sys = toStruct(cfg.system);
  sys.group = accounts.groups;
  sys.user = accounts.users;
  cfg.system = sys;
  return cfg;
}

/** merge_config_section's tree change (§4.6). */
export function applyMergeConfig(config: PhpStruct, payload: PhpStruct): PhpStruct {
  return overlayExisting(config, payload) as PhpStruct;
}

export { PhpFatalError };

/** merge_installedpackages_section's tree change: PHP `array_merge` into `installedpackages`. */
export function applyMergeInstalledPackages(config: PhpStruct, payload: PhpStruct): PhpStruct {
  const cfg = cloneValue(config);
  const cur = cfg.installedpackages;
  if (!isContainer(cur))
    // xmlrpc.php merge_installedpackages_section(): array_merge() on a missing section dies.
    throw new PhpFatalError(
      "Uncaught TypeError: array_merge(): Argument #1 ($array) must be of type array, null given",
      "/usr/local/www/xmlrpc.php",
      662,
    );
  const out: PhpStruct = {};
  let next = 0;
  const put = (k: string, v: PhpValue) => {
    if (/^(0|-?[1-9][0-9]*)$/.test(k)) out[String(next++)] = v;
    else out[k] = v;
  };
  for (const [k, v] of entriesOf(cur)) put(k, v);
  for (const [k, v] of Object.entries(payload)) {
    if (/^(0|-?[1-9][0-9]*)$/.test(k)) put(k, cloneValue(v));
    else out[k] = cloneValue(v);
  }
  cfg.installedpackages = out;
  return cfg;
}
