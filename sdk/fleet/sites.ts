/**
 * The sites file of `pfsense-ha fleet`: one entry per site (one HA pair, one Pulumi stack), in
 * YAML or JSON. Node endpoints have the shape `pfsense-ha-emulator pair` prints; passwords may be
 * given inline or, better, as the name of an environment variable.
 *
 * ```yaml
 * project: ../two-node-cluster        # optional, relative to this file (--project overrides)
 * sites:
 *   - name: branch-a                  # the stack name
 *     primary:   { url: https://10.1.0.1, passwordEnv: BRANCH_A_PW, fingerprint256: "AB:CD:…" }
 *     secondary: { url: https://10.1.0.2, passwordEnv: BRANCH_A_PW, caCertFile: ca.pem }
 *     config:    { wanVip: 203.0.113.10 }          # more stack config (plain text)
 *     secrets:   { carpPassword: { env: BRANCH_A_CARP } }   # more stack config (secret)
 * ```
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import yaml from "js-yaml";
import { haError } from "../plan/errors";

/** One node of a site, resolved (the password is a secret). */
export interface FleetNode {
  url: string;
  username: string;
  password: string;
  /** SHA-256 pin of the node's certificate. */
  fingerprint256?: string;
  /** Absolute path of a CA / self-signed certificate to trust instead of a pin. */
  caCertFile?: string;
}

/** One site: a stack of the per-site project. */
export interface FleetSite {
  /** Stack name (letters, digits, `-`, `_`, `.`). */
  name: string;
  primary: FleetNode;
  secondary: FleetNode;
  /** Extra plain stack config. */
  config: Record<string, string>;
  /** Extra secret stack config. */
  secrets: Record<string, string>;
}

/** A parsed sites file. */
export interface FleetSites {
  /** Absolute project directory named by the file, if any. */
  project?: string;
  sites: FleetSite[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

function bad(field: string, message: string, fix: string, value?: string): never {
  throw haError({ code: "E_INVALID_INPUT", field, message, fix, value });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function text(v: unknown, field: string, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return String(v);
  return bad(`${where}.${field}`, "must be a string", "write it as a plain value");
}

function secretValue(v: unknown, where: string, env: NodeJS.ProcessEnv): string {
  if (isObject(v) && typeof v.env === "string") {
    const got = env[v.env];
    if (got === undefined || got === "")
      bad(where, `the environment variable ${v.env} is not set`, `export ${v.env}=...`);
    return got;
  }
  const s = text(v, "", where);
  if (s === undefined || s === "") bad(where, "is empty", "give a value or { env: VARIABLE_NAME }");
  return s;
}

function node(v: unknown, where: string, base: string, env: NodeJS.ProcessEnv): FleetNode {
  if (!isObject(v))
    bad(
      where,
      "is missing or not an object",
      "give { url, username, passwordEnv, fingerprint256 }",
    );
  const url = text(v.url, "url", where);
  if (!url) bad(`${where}.url`, "is missing", "give the node's https://host:port");
  const pw =
    v.passwordEnv !== undefined
      ? secretValue({ env: v.passwordEnv }, `${where}.passwordEnv`, env)
      : v.password !== undefined
        ? secretValue(v.password, `${where}.password`, env)
        : bad(
            `${where}.password`,
            "no password",
            "give passwordEnv: VARIABLE_NAME (or password: ...)",
          );
  const fingerprint256 = text(v.fingerprint256, "fingerprint256", where);
  const ca = text(v.caCertFile, "caCertFile", where);
  if (!fingerprint256 && !ca)
    bad(
      where,
      "has neither fingerprint256 nor caCertFile",
      "pin the node's certificate (fingerprint256: AB:CD:...) or name its CA (caCertFile: ca.pem)",
    );
  return {
    url,
    username: text(v.username, "username", where) ?? "admin",
    password: pw,
    ...(fingerprint256 ? { fingerprint256 } : {}),
    ...(ca ? { caCertFile: path.resolve(base, ca) } : {}),
  };
}

function stringMap(
  v: unknown,
  where: string,
  value: (x: unknown, w: string) => string,
): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) return bad(where, "must be a map of key: value", "write key: value lines");
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x, `${where}.${k}`)]));
}

/** Validates parsed sites-file content; `base` is the directory relative paths start from. */
export function parseSites(doc: unknown, base: string, env: NodeJS.ProcessEnv): FleetSites {
  const root = Array.isArray(doc) ? { sites: doc } : doc;
  if (!isObject(root) || !Array.isArray(root.sites) || root.sites.length === 0)
    bad("sites", "the file lists no sites", "write sites: followed by one entry per site");
  const seen = new Set<string>();
  const sites = root.sites.map((s: unknown, i: number): FleetSite => {
    const where = `sites[${i}]`;
    if (!isObject(s)) return bad(where, "is not an object", "give name, primary and secondary");
    const name = text(s.name, "name", where) ?? "";
    if (!NAME.test(name))
      bad(
        `${where}.name`,
        "is not a valid stack name",
        "use letters, digits, '-', '_' and '.'",
        name,
      );
    if (seen.has(name))
      bad(`${where}.name`, "is used by two sites", "give each site its own name", name);
    seen.add(name);
    return {
      name,
      primary: node(s.primary, `${where}.primary`, base, env),
      secondary: node(s.secondary, `${where}.secondary`, base, env),
      config: stringMap(s.config, `${where}.config`, (x, w) => text(x, "", w) ?? ""),
      secrets: stringMap(s.secrets, `${where}.secrets`, (x, w) => secretValue(x, w, env)),
    };
  });
  const project = text(root.project, "project", "file");
  return { sites, ...(project ? { project: path.resolve(base, project) } : {}) };
}

/** Reads and validates a sites file (`.json`, else YAML). */
export function readSitesFile(file: string, env: NodeJS.ProcessEnv = process.env): FleetSites {
  let body: string;
  try {
    body = readFileSync(file, "utf8");
  } catch (e) {
    return bad("--sites", `cannot read ${file}: ${(e as Error).message}`, "check the path");
  }
  let doc: unknown;
  try {
    doc = file.endsWith(".json") ? JSON.parse(body) : yaml.load(body);
  } catch (e) {
    return bad(
      "--sites",
      `${file} does not parse: ${(e as Error).message.split("\n")[0]}`,
      "fix the syntax",
    );
  }
  return parseSites(doc, path.dirname(path.resolve(file)), env);
}

/** Every secret of the sites (to keep them out of anything printed). */
export function siteSecrets(sites: FleetSite[]): string[] {
  return sites.flatMap((s) => [
    s.primary.password,
    s.secondary.password,
    ...Object.values(s.secrets),
  ]);
}
