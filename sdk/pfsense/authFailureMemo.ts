/**
 * One failed login per node per run. pfSense's login protection (sshguard) blocks a source after
 * a few failures (design §3.2), and one `pulumi up` runs several processes that each dial the
 * node (the preview's provider, the update's provider, the program itself). A credential the
 * node refused is remembered for a while, so the others fail at once without another attempt.
 *
 * The memo is shared between processes through a file under the OS temp dir (mode 0600) and holds
 * no password: each entry is the URL, the user and a salted scrypt hash of the password, so a
 * corrected password is tried again and the file reveals nothing usable.
 */
import { randomBytes, scryptSync } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import type { NodeEndpoint } from "./types";

/** How long a refused login is remembered, in ms: long enough to cover one run. */
export const AUTH_FAILURE_MEMO_MS = 10 * 60_000;

interface Entry {
  url: string;
  username: string;
  salt: string;
  hash: string;
  at: number;
}

function memoFile(): string {
  const dir =
    process.env.PFSENSE_HA_STATE_DIR ?? join(tmpdir(), `pfsense-ha-${userInfo().username}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, "refused-logins.json");
}

function load(file: string, now: number): Entry[] {
  try {
    const all = JSON.parse(readFileSync(file, "utf8")) as Entry[];
    return Array.isArray(all) ? all.filter((e) => now - e.at < AUTH_FAILURE_MEMO_MS) : [];
  } catch {
    return [];
  }
}

const hashOf = (password: string, salt: string): string =>
  scryptSync(password, Buffer.from(salt, "hex"), 32).toString("hex");

/** True when the node refused exactly these credentials within {@link AUTH_FAILURE_MEMO_MS}. */
export function wasRefused(ep: NodeEndpoint, now = Date.now()): boolean {
  return load(memoFile(), now).some(
    (e) => e.url === ep.url && e.username === ep.username && hashOf(ep.password, e.salt) === e.hash,
  );
}

/** Remembers that the node refused these credentials. */
export function rememberRefused(ep: NodeEndpoint, now = Date.now()): void {
  const file = memoFile();
  const salt = randomBytes(16).toString("hex");
  const entries = load(file, now).filter((e) => !(e.url === ep.url && e.username === ep.username));
  entries.push({
    url: ep.url,
    username: ep.username,
    salt,
    hash: hashOf(ep.password, salt),
    at: now,
  });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(tmp, JSON.stringify(entries), { mode: 0o600 });
  renameSync(tmp, file);
}

/** Forgets a refusal once these credentials were accepted (the password was fixed on the node). */
export function forgetRefused(ep: NodeEndpoint, now = Date.now()): void {
  const file = memoFile();
  const entries = load(file, now);
  const kept = entries.filter((e) => !(e.url === ep.url && e.username === ep.username));
  if (kept.length === entries.length) return;
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(tmp, JSON.stringify(kept), { mode: 0o600 });
  renameSync(tmp, file);
}
