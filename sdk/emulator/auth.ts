/**
 * XML-RPC authentication and authorisation against the users of a node's config.xml
 * (design/pfsense-xmlrpc.md §3.1, §10.4): local users only, bcrypt / SHA-512 crypt / MD5 hashes,
 * disabled and expired users rejected, and the `system-xmlrpc-ha-sync` privilege required for
 * every uid other than 0 (`page-all` does not count).
 */
import { createHash, randomBytes } from "node:crypto";
import bcrypt from "bcryptjs";
import { verifySha512Crypt } from "./sha512Crypt";
import { isStruct, leaf, toList, toStruct, type PhpStruct } from "../codec/phpValue";

/** The privilege that allows XML-RPC (§3.1 step 5). */
export const HA_SYNC_PRIV = "system-xmlrpc-ha-sync";

/** Outcome of an authentication attempt. */
export type AuthOutcome = "ok" | "bad-credentials" | "no-privilege";

/** Finds a local user entry by name. */
export function findUser(config: PhpStruct, name: string): PhpStruct | undefined {
  return toList(toStruct(config.system).user)
    .filter(isStruct)
    .find((u) => leaf(u.name) === name);
}

function expired(user: PhpStruct, now: Date): boolean {
  const exp = leaf(user.expires);
  if (exp === "") return false;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(exp);
  if (!m) return false;
  // pfSense: expired once the day after the expiry date begins.
  const end = new Date(Number(m[3]), Number(m[1]) - 1, Number(m[2]) + 1);
  return now >= end;
}

const verified = new Map<string, boolean>();

/** Verifies a password against the hash fields pfSense stores (§3.1 step 3). */
export function verifyPassword(user: PhpStruct, password: string): boolean {
  const bc = leaf(user["bcrypt-hash"]);
  if (bc !== "") {
    // bcryptjs knows $2a$/$2b$; PHP's $2y$ is the same algorithm.
    const h = bc.replace(/^\$2y\$/, "$2b$");
    // bcrypt in pure JS costs ~100 ms per call; remember outcomes (in memory, keyed by a digest).
    const key = createHash("sha256").update(`${h}\0${password}`).digest("hex");
    const known = verified.get(key);
    if (known !== undefined) return known;
    let ok: boolean;
    try {
      ok = bcrypt.compareSync(password, h);
    } catch {
      ok = false;
    }
    if (verified.size > 1000) verified.clear();
    verified.set(key, ok);
    return ok;
  }
  const md5 = leaf(user["md5-hash"]);
  if (md5 !== "") return createHash("md5").update(password).digest("hex") === md5.toLowerCase();
  const sha = leaf(user["sha512-hash"]);
  if (sha !== "") return verifySha512Crypt(password, sha);
  // The legacy `password` field (DES/MD5 crypt) is not supported.
  return false;
}

/** Union of a user's own privileges and those of every group it belongs to (plus `all`). */
export function userPrivileges(config: PhpStruct, user: PhpStruct): Set<string> {
  const privs = new Set(toList(user.priv).map((p) => leaf(p)));
  const uid = leaf(user.uid);
  const groupNames = new Set(toList(user.groupname).map((g) => leaf(g)));
  for (const g of toList(toStruct(config.system).group).filter(isStruct)) {
    const members = toList(g.member).map((m) => leaf(m));
    const gname = leaf(g.name);
    if (gname === "all" || members.includes(uid) || groupNames.has(gname)) {
      for (const p of toList(g.priv)) privs.add(leaf(p));
    }
  }
  return privs;
}

/** Authenticates a Basic-auth pair and checks the HA-sync privilege (§3.1 steps 2–5). */
export function authenticate(
  config: PhpStruct,
  username: string,
  password: string,
  now = new Date(),
): AuthOutcome {
  if (username === "" || password === "") return "bad-credentials";
  const user = findUser(config, username);
  if (!user || user.disabled !== undefined || expired(user, now)) return "bad-credentials";
  if (!verifyPassword(user, password)) return "bad-credentials";
  const uid = user.uid;
  if (uid !== undefined && leaf(uid) !== "0" && !userPrivileges(config, user).has(HA_SYNC_PRIV)) {
    return "no-privilege";
  }
  return "ok";
}

/**
 * A fresh admin password for an emulated node (16 base64url characters). Random rather than the
 * factory `pfsense`: Pulumi masks every occurrence of a secret's text in its output, so a password
 * equal to the product name garbles every message that mentions pfSense.
 */
export function randomAdminPassword(): string {
  return randomBytes(12).toString("base64url");
}

/** A bcrypt hash in pfSense's stored form (`$2y$`, cost 10). */
export function hashPassword(password: string): string {
  return bcrypt.hashSync(password, 10).replace(/^\$2[ab]\$/, "$2y$");
}
