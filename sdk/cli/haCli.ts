#!/usr/bin/env node
/**
 * `pfsense-ha`: cluster status and failover drills from the command line, for people and CI.
 *
 *   pfsense-ha status [endpoints] [--wait SECONDS] [--json]
 *   pfsense-ha drill  [endpoints] [--kind maintenance|disable-carp|stop] [--allow-stop]
 *                     [--slack SECONDS] [--json]
 *   pfsense-ha fleet  up|preview|destroy --sites FILE [--parallel N] (fleetCli.ts)
 *   pfsense-ha rollback --stack NAME [--cwd DIR] [--yes] (rollbackCli.ts)
 *
 * Exit codes: 0 healthy / drill passed; 1 unhealthy / drill failed or cluster not ready;
 * 2 usage error, unreadable endpoints, a node that cannot be reached, or a refused stop drill.
 * Passwords come from the endpoints file or environment variables and are never printed.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { NodeEndpoint, TlsOptions } from "../pfsense";
import { isHaError } from "../plan/errors";
import { fleetMain } from "./fleetCli";
import { rollbackMain } from "./rollbackCli";
import {
  DRILL_KINDS,
  type DrillKind,
  formatDrillReport,
  formatHealthTable,
  getClusterHealth,
  rebootStopper,
  runDrill,
  waitForClusterHealth,
  type ClusterEndpoints,
  type ClusterHealth,
} from "../health";

/** Exit codes CI can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const USAGE = `usage:
  pfsense-ha status [endpoints] [--wait SECONDS] [--json]
  pfsense-ha drill  [endpoints] [--kind maintenance|disable-carp|stop] [--allow-stop]
                    [--boot-timeout SECONDS] [--slack SECONDS] [--poll-ms MS] [--json]
  pfsense-ha fleet  up|preview|destroy --sites FILE [--parallel N]   (pfsense-ha fleet --help)
  pfsense-ha rollback --stack NAME [--cwd DIR] [--yes]              (pfsense-ha rollback --help)

endpoints (a file, or flags; flags override the file):
  --endpoints FILE            JSON, '-' = stdin: {"primary":{"url","username","password",
                              "fingerprint256"},"secondary":{...}} — the line printed by
                              \`pfsense-ha-emulator pair --dir DIR\`
  --primary URL               https://host:port of the primary
  --secondary URL             https://host:port of the secondary
  --username NAME             both nodes (default admin; --primary-username / --secondary-username)
  passwords: environment PFSENSE_HA_PRIMARY_PASSWORD and PFSENSE_HA_SECONDARY_PASSWORD
              (or PFSENSE_HA_PASSWORD for both); never on the command line
  --primary-fingerprint FP    SHA-256 pin of the primary's certificate (AB:CD:... or hex)
  --secondary-fingerprint FP
  --ca-file PEM               trust this CA / self-signed certificate for both nodes
  --insecure-skip-tls-verify  lab only: accept any certificate
  --connect-timeout SECONDS   per connection (default 10)

status: prints both nodes' CARP state per VHID and the config sync state. --wait polls until
        healthy (progress on stderr). Exit 0 healthy, 1 unhealthy, 2 a node unreachable.
drill:  demotes the primary, waits until the secondary is MASTER on every VHID within
        3 x advbase + skew/256 s + slack, restores it and waits for failback; prints each VHID's
        MASTER before/during/after and its handover and failback times.
        --kind maintenance    persistent CARP maintenance mode (default)
        --kind disable-carp   Status > CARP "Temporarily Disable CARP", then "Enable CARP"
        --kind stop           stop the primary: the emulator stops the node (its XML-RPC reboot);
                              a real firewall is rebooted and is refused without --allow-stop
        --boot-timeout S      stop: how long the primary may take to answer again (default 600)
        Exit 0 passed, 1 failed or not ready, 2 refused (stop without --allow-stop).`;

class UsageError extends Error {}

interface FileNode {
  url?: string;
  username?: string;
  password?: string;
  fingerprint256?: string;
  caCertPem?: string;
  tls?: TlsOptions;
}

function readEndpointsFile(path: string): { primary?: FileNode; secondary?: FileNode } {
  let text: string;
  try {
    text = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  // The emulator CLI prints one JSON line; take the first non-empty line that parses as a whole
  // file or as a line, so `... > endpoints.json` with trailing output still works.
  const candidates = [text, ...text.split("\n").filter((l) => l.trim().startsWith("{"))];
  for (const c of candidates) {
    try {
      const v = JSON.parse(c) as unknown;
      if (v && typeof v === "object") return v as { primary?: FileNode; secondary?: FileNode };
    } catch {
      // try the next candidate
    }
  }
  throw new UsageError(`${path} is not JSON of the form {"primary":{...},"secondary":{...}}`);
}

/** Builds both endpoints from the parsed flags, the optional file and the environment. */
export function resolveEndpoints(
  values: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv,
): ClusterEndpoints {
  const file = typeof values.endpoints === "string" ? readEndpointsFile(values.endpoints) : {};
  const ca = typeof values["ca-file"] === "string" ? readCa(values["ca-file"]) : undefined;
  const one = (role: "primary" | "secondary"): NodeEndpoint => {
    const f = file[role] ?? {};
    const url = str(values[role]) ?? f.url;
    if (!url)
      throw new UsageError(`no URL for the ${role}: give --endpoints FILE or --${role} URL`);
    const username =
      str(values[`${role}-username`]) ?? str(values.username) ?? f.username ?? "admin";
    const password =
      env[`PFSENSE_HA_${role.toUpperCase()}_PASSWORD`] ?? env.PFSENSE_HA_PASSWORD ?? f.password;
    if (!password)
      throw new UsageError(
        `no password for the ${role}: set PFSENSE_HA_${role.toUpperCase()}_PASSWORD or put it in the endpoints file`,
      );
    const tls: TlsOptions = { ...(f.tls ?? {}) };
    const fp = str(values[`${role}-fingerprint`]) ?? f.fingerprint256;
    if (fp) tls.fingerprint256 = fp;
    if (f.caCertPem) tls.caCertPem = f.caCertPem;
    if (ca) tls.caCertPem = ca;
    if (values["insecure-skip-tls-verify"] === true) tls.insecureSkipTlsVerify = true;
    const timeout = str(values["connect-timeout"]);
    const ep: NodeEndpoint = { name: role, url, username, password, tls };
    if (timeout !== undefined) {
      const s = Number(timeout);
      if (!(s > 0)) throw new UsageError(`--connect-timeout must be a positive number of seconds`);
      ep.connectTimeoutMs = s * 1000;
    }
    return ep;
  };
  return { primary: one("primary"), secondary: one("secondary") };
}

function readCa(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read --ca-file ${path}: ${(e as Error).message}`);
  }
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function seconds(v: unknown, flag: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== "string" || !Number.isFinite(n) || n < 0)
    throw new UsageError(`${flag} must be a number of seconds`);
  return n;
}

const unreachable = (h: ClusterHealth) => !h.primary.reachable || !h.secondary.reachable;

/** Output sinks (injectable for tests). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "fleet") return fleetMain(rest, io);
  if (command === "rollback") return rollbackMain(rest, io);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        endpoints: { type: "string" },
        primary: { type: "string" },
        secondary: { type: "string" },
        username: { type: "string" },
        "primary-username": { type: "string" },
        "secondary-username": { type: "string" },
        "primary-fingerprint": { type: "string" },
        "secondary-fingerprint": { type: "string" },
        "ca-file": { type: "string" },
        "insecure-skip-tls-verify": { type: "boolean" },
        "connect-timeout": { type: "string" },
        wait: { type: "string" },
        slack: { type: "string" },
        "poll-ms": { type: "string" },
        kind: { type: "string" },
        "allow-stop": { type: "boolean" },
        "boot-timeout": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (e) {
    io.err(`${(e as Error).message}\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (values.help) {
    io.out(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (command !== "status" && command !== "drill") {
    io.err(`${command ? `unknown command "${command}"` : "no command"}\n${USAGE}\n`);
    return EXIT.usage;
  }
  try {
    const cluster = resolveEndpoints(values, io.env);
    return command === "status"
      ? await status(cluster, values, io)
      : await drill(cluster, values, io);
  } catch (e) {
    if (e instanceof UsageError || isHaError(e, "E_DRILL_REFUSED")) {
      io.err(`pfsense-ha: ${e.message}\n`);
      return EXIT.usage;
    }
    io.err(`pfsense-ha: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.usage;
  }
}

async function status(
  cluster: ClusterEndpoints,
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
): Promise<number> {
  const waitS = seconds(values.wait, "--wait", 0);
  let health: ClusterHealth;
  if (waitS > 0) {
    let last = "";
    const r = await waitForClusterHealth(cluster, {
      timeoutMs: waitS * 1000,
      pollMs: 1000,
      until: (h) => ({ ok: h.healthy, reasons: h.problems.map((p) => p.message) }),
      onReading: (h, v, ms) => {
        const line = v.ok ? "healthy" : `${v.reasons.length} problem(s): ${v.reasons[0]}`;
        if (line !== last || Math.round(ms / 1000) % 5 === 0)
          io.err(
            `[${(ms / 1000).toFixed(1).padStart(5)} s] waiting for a healthy cluster: ${line}\n`,
          );
        last = line;
      },
    });
    health = r.health;
  } else {
    health = await getClusterHealth(cluster);
  }
  io.out(values.json ? `${JSON.stringify(health, null, 2)}\n` : `${formatHealthTable(health)}\n`);
  if (unreachable(health)) return EXIT.usage;
  return health.healthy ? EXIT.ok : EXIT.failed;
}

async function drill(
  cluster: ClusterEndpoints,
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
): Promise<number> {
  const slackMs = seconds(values.slack, "--slack", 3) * 1000;
  const pollMs = seconds(values["poll-ms"], "--poll-ms", 200);
  const kind = (str(values.kind) ?? "maintenance") as DrillKind;
  if (!DRILL_KINDS.includes(kind))
    throw new UsageError(`--kind must be one of ${DRILL_KINDS.join(", ")}`);
  const bootS = seconds(values["boot-timeout"], "--boot-timeout", 600);
  const report = await runDrill(cluster, {
    kind,
    allowStop: values["allow-stop"] === true,
    stopper:
      kind === "stop" ? rebootStopper(cluster.primary, { bootTimeoutMs: bootS * 1000 }) : undefined,
    slackMs,
    pollMs,
    onProgress: (p) => {
      const count = p.total > 0 ? ` ${p.done}/${p.total}` : "";
      io.err(
        `[${p.phase.padEnd(8)} ${(p.elapsedMs / 1000).toFixed(1).padStart(5)} s${count}] ${p.message}\n`,
      );
    },
  });
  if (values.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else {
    if (report.vhids.length === 0) io.out(`${formatHealthTable(report.before)}\n\n`);
    io.out(`${formatDrillReport(report)}\n`);
  }
  if (unreachable(report.before)) return EXIT.usage;
  return report.ok ? EXIT.ok : EXIT.failed;
}

if (require.main === module) {
  main(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
  }).then(
    (code) => process.stdout.write("", () => process.exit(code)),
    (e: unknown) => {
      process.stderr.write(`pfsense-ha: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(EXIT.usage);
    },
  );
}
