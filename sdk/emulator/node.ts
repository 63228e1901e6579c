/**
 * One emulated pfSense node: HTTPS XML-RPC endpoint on 127.0.0.1 with pfSense's dispatch order,
 * auth, methods and receiver semantics (design/pfsense-xmlrpc.md §10), config.xml on disk with
 * revisions and backups (§10.6), the primary's auto-sync sender (§10.8) and a CARP runtime view
 * for the cluster election model (§10.7).
 */
import { X509Certificate, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import * as path from "node:path";
import { generate } from "selfsigned";
import {
  dumpConfigXml,
  htmlEntityEncode,
  normalizeConfigTree,
  parseConfigXml,
} from "../codec/configXml";
import {
  cloneValue,
  isStruct,
  leaf,
  toList,
  toStruct,
  type PhpStruct,
  type PhpValue,
} from "../codec/phpValue";
import { PHP_SNIPPETS } from "../codec/phpSnippets";
import {
  decodeMethodCall,
  decodeMethodResponse,
  encodeFault,
  encodeMethodCall,
  encodeMethodResponse,
  XmlRpcEncodeError,
} from "../codec/xmlrpcEnvelope";
import { haError } from "../plan/errors";
import { authenticate, findUser, hashPassword, randomAdminPassword } from "./auth";
import {
  CarpCluster,
  type CarpNodeRuntime,
  type CarpState,
  type AppliedCarpVip,
} from "./carpModel";
import { DEFAULT_CONFIG_XML } from "./defaultConfig";
import { FaultControl, LoginProtection, type LockoutOptions } from "./faults";
import { profileFor, type VersionProfile } from "./profiles";
import {
  CHECK_RELOAD_STATUS_TIMING,
  emptySyncRunCounters,
  FilterSyncQueue,
  type SyncRunCounters,
} from "./syncTiming";
import {
  aliasFingerprint,
  applyAccounts,
  applyMergeConfig,
  applyMergeInstalledPackages,
  applyRestore,
  carpFingerprint,
  isStackedAlias,
} from "./receiverSemantics";
import { PhpFatalError, phpErrorLine, phpFatalReply, uncaughtExceptionFault } from "./phpErrors";
import { registerConditionalWriteHandlers } from "./conditionalRestore";
import { registerCarpDrillHandlers } from "./carpDrillHandlers";
import {
  UnhandledMatchError,
  buildSyncPayload,
  ownAddressFacing,
  syncSectionList,
} from "./syncPayload";
import { syncClientLogUrl } from "./syncClientUrl";
import { dropEmptyListEntries, markConfigUpgrade } from "./bootParse";
import { StackedAliasRuntime } from "./stackedAliases";
import { openvpnServiceApply } from "./serviceApply";

/** Header that sets the caller's source address, honoured only with `allowSourceIpHeader`. */
export const SOURCE_IP_HEADER = "x-emulator-source-ip";

/** Options of {@link startNode}. */
export interface NodeOptions {
  /** Directory for config.xml and backup/ (created). */
  dir: string;
  /** Label for logs (default `node`). */
  name?: string;
  /** pfSense product version to emulate (default `2.7.2`). */
  version?: string;
  /** Initial config.xml text; else `configFile`; else `dir/config.xml` if present; else factory default. */
  configXml?: string;
  /** Path of an initial config.xml. */
  configFile?: string;
  /**
   * The `admin` user's password, set at boot over whatever the config holds (stored bcrypt
   * `$2y$`). Default: a random one per start (read it from `node.password`); pass `"pfsense"` for
   * the factory password.
   */
  adminPassword?: string;
  /** TCP port on 127.0.0.1 (default 0 = any free port). */
  port?: number;
  /** Accept the {@link SOURCE_IP_HEADER} header as the caller's address (default false). */
  allowSourceIpHeader?: boolean;
  /** Caller address to assume for every request (default: the socket's, i.e. 127.0.0.1). */
  sourceIp?: string;
  /** Auto-sync routing: sync IP (hasync/synchronizetoip) → loopback base URL of the peer. */
  syncPeers?: Record<string, string>;
  /**
   * Delay before an auto-sync run after a write (default 100 ms; with `syncTiming: "realistic"`
   * 1000 ms, check_reload_status's start delay).
   */
  autoSyncDelayMs?: number;
  /**
   * When and with which config the primary's sync sender runs (§10.8). `"fast"` (default): one
   * run at a time, `autoSyncDelayMs` after the last write of a burst, pushing the config current
   * after the version check. `"realistic"`: pfSense 2.7.2's check_reload_status queue and
   * `rc.filter_synchronize` snapshot (see syncTiming.ts): a run starts 1 s after the event, reads
   * the config once at its start and pushes that copy, a burst gives two runs, two runs may
   * overlap, and a write made while the second run executes can be lost.
   */
  syncTiming?: "fast" | "realistic";
  /**
   * Realistic timing: delay of a run re-armed by a write during a run (default 5000 ms). A run
   * that finishes before it cancels the re-arm (the write is lost); 0 makes re-arms always run.
   */
  syncRearmDelayMs?: number;
  /** Realistic timing: a run still going after this long is forgotten by the daemon (default 8000 ms). */
  syncForgetAfterMs?: number;
  /**
   * Realistic timing: time the script spends between reading the config and its first call to
   * the peer (PHP start-up; default 250 ms, an estimate, not a measurement).
   */
  syncScriptStartupMs?: number;
  /** Override of the profile's pause between sync attempts (2.6+: 1000 ms). */
  syncRetryPauseMs?: number;
  /** CARP cluster this node joins (default: a cluster of its own). */
  carp?: CarpCluster;
  /** Enable login protection (sshguard-like) from the start. */
  lockout?: boolean | LockoutOptions;
  /** How long `pfsense.reboot` keeps the node unreachable (default 1000 ms). */
  rebootDowntimeMs?: number;
  /** nginx `fastcgi_read_timeout`: a call running longer is answered 504 while it completes (default 180000 ms). */
  nginxReadTimeoutMs?: number;
  /** Reuse a key/certificate (default: generated at start). */
  tls?: { key: string; cert: string };
}

/** A handler for an exec_php snippet; its return value (or what its promise resolves to) is `$toreturn`. */
export type ExecPhpHandler = (ctx: {
  node: EmulatedNode;
  code: string;
  sourceIp: string;
}) => unknown;

/** One notice as pfSense's `file_notice` stores it. */
export interface Notice {
  id: string;
  notice: string;
  url: string;
  category: string;
  priority: string;
  time: number;
}

/** A config revision written by this node (newest last). */
export interface RevisionRecord {
  time: string;
  description: string;
  username: string;
  /** Backup file holding the config as it was before this write. */
  backupPath?: string;
}

/** CARP runtime status as the status snippet reports it. */
export interface CarpRuntimeStatus {
  allow: boolean;
  demotion: number;
  maintenance: boolean;
  vips: Record<string, CarpState>;
}

const FAULT_PARSE = [0, "Unable to parse request XML"] as const;
const FAULT_NO_METHOD = [-32601, "server error. requested method not found"] as const;
const FAULT_PARAMS = [-32602, "server error. invalid method parameters"] as const;
const FAULT_AUTH = [-1, "Authentication failed: Invalid username or password"] as const;
const FAULT_PRIV = [-2, "Authentication failed: not enough privileges"] as const;
const FAULT_PHP = [1, "Unhandled PHP Exception"] as const;
const LOOP_PROTECTED = new Set([
  "restore_config_section",
  "merge_config_section",
  "merge_installedpackages_section",
  "interfaces_carp_configure",
]);

class Fault extends Error {
  constructor(
    readonly code: number,
    readonly faultString: string,
  ) {
    super(faultString);
  }
}

type Reply = { status: number; body: string; contentType?: string; drop?: boolean };

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function normalizeIp(ip: string | undefined): string {
  if (!ip) return "127.0.0.1";
  return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
}

function isContainer(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Buffer.isBuffer(v) && !(v instanceof Date);
}

/** A `<revision>` as make_config_revision_entry() writes it (config.lib.inc). */
function revisionEntry(message: string, user: string): PhpStruct {
  const time = String(Math.floor(Date.now() / 1000));
  return { time, description: `${user}: ${message}`, username: user };
}

/** Builds the emulated node; use {@link startNode}. */
export class EmulatedNode {
  readonly name: string;
  readonly profile: VersionProfile;
  readonly dir: string;
  readonly configPath: string;
  readonly faults = new FaultControl();
  /** Auth log lines (§3.1), newest last. */
  readonly authLog: string[] = [];
  /** System/sync log lines (sync sender, loop protection), newest last. */
  readonly syncLog: string[] = [];
  /** exec_php code that matched no handler, and exec_shell commands, newest last. */
  readonly execLog: { kind: "php" | "shell"; code: string; matched: boolean }[] = [];
  /** Services the last restores would have restarted, newest last. */
  readonly serviceLog: string[] = [];
  /** Revisions written while running (newest last). */
  readonly revisions: RevisionRecord[] = [];
  /** XML-RPC requests handed to the method dispatcher so far (POSTs to /xmlrpc.php, any caller). */
  xmlrpcRequests = 0;
  /** Admin username (`admin`). */
  readonly username = "admin";
  password: string;
  url = "";
  fingerprint256 = "";
  caCertPem = "";
  /** Auto-sync routing: sync IP → peer base URL (loopback only). */
  syncPeers: Record<string, string>;
  /** Whether the {@link SOURCE_IP_HEADER} header is honoured. */
  allowSourceIpHeader: boolean;
  /** Caller address assumed for requests without the header (undefined = socket address). */
  sourceIp?: string;
  readonly carp: CarpCluster;
  /** Runtime CARP view used by the cluster election. */
  readonly runtime: CarpNodeRuntime;
  /** IP aliases stacked on CARP VIPs as applied (stackedAliases.ts). */
  readonly stackedAliases = new StackedAliasRuntime();

  private tree: PhpStruct = {};
  private readonly notices: Notice[] = [];
  private readonly handlers: {
    match: string | ((code: string) => boolean);
    handler: ExecPhpHandler;
  }[] = [];
  private readonly protection = new LoginProtection();
  private server?: https.Server;
  private readonly sockets = new Set<Socket>();
  private port: number;
  private running = false;
  private lock: Promise<unknown> = Promise.resolve();
  private tls?: { key: string; cert: string };
  private syncTimer?: NodeJS.Timeout;
  private syncRun?: Promise<void>;
  private syncPending = false;
  /** check_reload_status's queue, with `syncTiming: "realistic"` only. */
  private readonly syncQueue?: FilterSyncQueue;
  private readonly syncCounters: SyncRunCounters = emptySyncRunCounters();
  private readonly syncScriptStartupMs: number;
  private readonly autoSyncDelayMs: number;
  private readonly syncRetryPauseMs: number;
  private readonly rebootDowntimeMs: number;
  private readonly nginxReadTimeoutMs: number;
  private lastBackupTime = "";
  private lastCarpApplyCount = 0;

  constructor(private readonly opts: NodeOptions) {
    this.name = opts.name ?? "node";
    this.profile = profileFor(opts.version ?? "2.7.2");
    this.dir = path.resolve(opts.dir);
    this.configPath = path.join(this.dir, "config.xml");
    this.password = opts.adminPassword ?? randomAdminPassword();
    this.syncPeers = { ...(opts.syncPeers ?? {}) };
    this.allowSourceIpHeader = opts.allowSourceIpHeader ?? false;
    this.sourceIp = opts.sourceIp;
    this.port = opts.port ?? 0;
    this.tls = opts.tls;
    const timing = opts.syncTiming ?? "fast";
    if (timing !== "fast" && timing !== "realistic") {
      throw haError({
        code: "E_INVALID_INPUT",
        message: `syncTiming must be "fast" or "realistic", not ${JSON.stringify(timing)}`,
        field: "syncTiming",
        fix: 'Pass syncTiming: "fast" (default) or "realistic".',
      });
    }
    const realistic = timing === "realistic";
    this.autoSyncDelayMs =
      opts.autoSyncDelayMs ?? (realistic ? CHECK_RELOAD_STATUS_TIMING.startDelayMs : 100);
    this.syncScriptStartupMs = realistic ? (opts.syncScriptStartupMs ?? 250) : 0;
    if (realistic) {
      this.syncQueue = new FilterSyncQueue(
        {
          startDelayMs: this.autoSyncDelayMs,
          rearmDelayMs: opts.syncRearmDelayMs ?? CHECK_RELOAD_STATUS_TIMING.rearmDelayMs,
          forgetAfterMs: opts.syncForgetAfterMs ?? CHECK_RELOAD_STATUS_TIMING.forgetAfterMs,
        },
        () => this.launchSyncRun(),
        this.syncCounters,
      );
    }
    this.syncRetryPauseMs = opts.syncRetryPauseMs ?? this.profile.syncRetryPauseMs;
    this.rebootDowntimeMs = opts.rebootDowntimeMs ?? 1000;
    this.nginxReadTimeoutMs = opts.nginxReadTimeoutMs ?? 180_000;
    if (opts.lockout) this.faults.enableLockout(opts.lockout === true ? {} : opts.lockout);
    this.carp = opts.carp ?? new CarpCluster();
    this.runtime = {
      name: this.name,
      running: () => this.running,
      carpAllow: true,
      demotion: 0,
      maintenance: () => this.tree.virtualip_carp_maintenancemode !== undefined,
      applied: new Map<string, AppliedCarpVip>(),
    };
    this.carp.join(this.runtime);
    this.registerDefaultHandlers();
  }

  // ---------------------------------------------------------------- lifecycle

  /** Loads the config (boot), generates the certificate once and starts listening. */
  async start(): Promise<void> {
    mkdirSync(path.join(this.dir, "backup"), { recursive: true });
    if (this.tree && Object.keys(this.tree).length === 0) this.boot();
    if (!this.tls) {
      const pems = await generate([{ name: "commonName", value: "pfSense-emulator" }], {
        keyType: "ec",
        algorithm: "sha256",
        extensions: [
          {
            name: "subjectAltName",
            altNames: [
              { type: 7, ip: "127.0.0.1" },
              { type: 2, value: "localhost" },
            ],
          },
        ],
      } as Parameters<typeof generate>[1]);
      this.tls = { key: pems.private, cert: pems.cert };
    }
    this.caCertPem = this.tls.cert;
    this.fingerprint256 = new X509Certificate(this.tls.cert).fingerprint256;
    await this.listen();
  }

  private boot(): void {
    let xml: string;
    let factory = false;
    if (this.opts.configXml !== undefined) xml = this.opts.configXml;
    else if (this.opts.configFile) xml = readFileSync(this.opts.configFile, "utf8");
    else if (existsSync(this.configPath)) xml = readFileSync(this.configPath, "utf8");
    else {
      xml = DEFAULT_CONFIG_XML;
      factory = true;
    }
    const tree = dropEmptyListEntries(parseConfigXml(xml));
    const messages: string[] = [];
    // pfSense upgrades <version> on boot to the release's latest_config (§1.1).
    const from = leaf(tree.version);
    // The factory config of an older release carries that release's version.
    if (
      from === "" ||
      Number(from) < Number(this.profile.configVersion) ||
      (factory && from !== this.profile.configVersion)
    ) {
      tree.version = this.profile.configVersion;
      markConfigUpgrade(tree, this.profile.name === "master");
      messages.push(`Upgraded config version level from ${from} to ${this.profile.configVersion}`);
    }
    if (this.setAdminPassword(tree)) messages.push("Set admin password");
    this.tree = normalizeConfigTree(tree);
    if (messages.length > 0 || !existsSync(this.configPath)) {
      this.commit(tree, messages.join("; ") || "Emulator boot", "(system)", false);
    }
    this.applyAllVips();
  }

  /** Gives the config's `admin` user this node's password; false when there is no `admin`. */
  private setAdminPassword(tree: PhpStruct): boolean {
    const admin = findUser(tree, "admin");
    if (!admin) return false;
    admin["bcrypt-hash"] = hashPassword(this.password);
    delete admin["sha512-hash"];
    delete admin["md5-hash"];
    return true;
  }

  private listen(): Promise<void> {
    const server = https.createServer({ key: this.tls?.key, cert: this.tls?.cert }, (req, res) => {
      void this.onRequest(req, res);
    });
    server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
      const lo = this.faults.lockout;
      if (lo && this.protection.isBlocked(this.sourceIp ?? normalizeIp(s.remoteAddress)))
        s.destroy();
    });
    server.on("tlsClientError", () => undefined);
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      // Loopback only, never another address.
      server.listen(this.port, "127.0.0.1", () => {
        server.off("error", reject);
        this.port = (server.address() as AddressInfo).port;
        this.url = `https://127.0.0.1:${this.port}`;
        this.running = true;
        resolve();
      });
    });
  }

  /** Stops listening and drops open connections; the config stays on disk. */
  async stop(): Promise<void> {
    if (this.running) this.runtime.leftAt = Date.now(); // a stopped master just goes silent
    this.running = false;
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    this.syncQueue?.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }

  /** Stops, re-reads config.xml from disk (a reboot) and listens again on the same port and cert. */
  async restart(): Promise<void> {
    await this.stop();
    this.tree = normalizeConfigTree(parseConfigXml(readFileSync(this.configPath, "utf8")));
    this.resetCarpRuntime();
    await this.listen();
  }

  /** True while the node accepts connections. */
  isRunning(): boolean {
    return this.running;
  }

  // ---------------------------------------------------------------- accessors

  /** A deep copy of the current config tree (as pfSense holds it after the last write). */
  config(): PhpStruct {
    return cloneValue(this.tree);
  }

  /** `sync_settings` and other notices filed on this node. */
  listNotices(): Notice[] {
    return this.notices.map((n) => ({ ...n }));
  }

  /** Files a GUI notice (pfSense `file_notice`). */
  fileNotice(id: string, notice: string, category = "General", priority = 1): void {
    // file_notice stores every field htmlentities()-encoded.
    this.notices.push({
      id: htmlEntityEncode(id),
      notice: htmlEntityEncode(notice),
      url: "",
      category: htmlEntityEncode(category),
      priority: String(priority),
      time: Date.now(),
    });
  }

  /** Registers an exec_php handler for an exact snippet or a predicate (later ones win). */
  registerExecPhp(match: string | ((code: string) => boolean), handler: ExecPhpHandler): void {
    this.handlers.unshift({ match, handler });
  }

  /** Sets the CARP demotion counter (sysctl net.inet.carp.demotion). */
  setDemotion(value: number): void {
    this.runtime.demotion = value;
  }

  /** Allows or disallows CARP (sysctl net.inet.carp.allow; "Temporarily Disable CARP"). */
  setCarpAllowed(allow: boolean): void {
    if (this.runtime.carpAllow && !allow) this.runtime.leftAt = Date.now();
    this.runtime.carpAllow = allow;
  }

  /** The CARP runtime status the status snippet returns. */
  carpStatus(): CarpRuntimeStatus {
    const vips: Record<string, CarpState> = {};
    for (const v of toList(toStruct(this.tree.virtualip).vip)) {
      if (!isStruct(v) || leaf(v.mode) !== "carp") continue;
      vips[leaf(v.uniqid)] = this.carp.stateOf(
        this.runtime,
        leaf(v.interface),
        Number(leaf(v.vhid)),
      );
    }
    return {
      allow: this.runtime.carpAllow,
      demotion: this.runtime.demotion,
      maintenance: this.runtime.maintenance(),
      vips,
    };
  }

  /**
   * The state of each IP alias stacked on a CARP VIP, by address: that of the CARP group it was
   * applied with (pfsense-utils.inc `get_carp_bind_status()`; stackedAliases.ts), "" if none.
   */
  stackedAliasStatus(): Record<string, CarpState> {
    const vips = toList(toStruct(this.tree.virtualip).vip).filter(isStruct);
    return this.stackedAliases.status(vips, (ifc, vhid) =>
      this.carp.stateOf(this.runtime, ifc, vhid),
    );
  }

  /**
   * Writes the config as a GUI user would (for tests and drills): revision, backup, and the
   * auto-sync trigger. `user` defaults to `admin@10.0.0.9 (Local Database)`.
   */
  writeConfigAs(tree: PhpStruct, message: string, user = "admin@10.0.0.9 (Local Database)"): void {
    this.commit(tree, message, user, true);
  }

  /**
   * The admin changes their own password in the GUI (System > User Manager > Password), as
   * `system_usermanager_passwordmg.php` does: `local_user_set_password()` stores the new bcrypt
   * hash, then `write_config("Password changed for user: admin")` (a revision, and the auto-sync
   * trigger). Later logins need the new password.
   */
  changeAdminPassword(password: string): void {
    const tree = cloneValue(this.tree);
    this.password = password;
    if (!this.setAdminPassword(tree)) throw new Error("emulator: the config has no admin user");
    this.commit(tree, "Password changed for user: admin", "admin@10.0.0.9 (Local Database)", true);
  }

  /** Resolves when no auto-sync run is scheduled or in progress. */
  async syncIdle(): Promise<void> {
    for (;;) {
      if (this.syncRun) {
        await this.syncRun;
        continue;
      }
      if (this.syncTimer || this.syncPending || this.syncQueue?.busy()) {
        await sleep(10);
        continue;
      }
      return;
    }
  }

  // ---------------------------------------------------------------- config write (§10.6)

  private commit(tree: PhpStruct, message: string, user: string, triggerSync: boolean): void {
    const next = cloneValue(tree);
    next.revision = revisionEntry(message, user);
    const normalized = normalizeConfigTree(next); // throws before touching the disk
    const now = leaf(toStruct(normalized.revision).time);
    let backupPath: string | undefined;
    if (existsSync(this.configPath)) {
      const prevTime = leaf(toStruct(this.tree.revision).time) || now;
      let name = `config-${prevTime}.xml`;
      for (
        let i = 1;
        existsSync(path.join(this.dir, "backup", name)) || name === this.lastBackupTime;
        i++
      ) {
        name = `config-${prevTime}.${i}.xml`;
      }
      backupPath = path.join(this.dir, "backup", name);
      mkdirSync(path.dirname(backupPath), { recursive: true });
      writeFileSync(backupPath, readFileSync(this.configPath));
      this.lastBackupTime = name;
    }
    this.writeConfigFile(normalized);
    const rev = toStruct(normalized.revision);
    this.revisions.push({
      time: leaf(rev.time),
      description: leaf(rev.description),
      username: leaf(rev.username),
      backupPath,
    });
    // Every successful write_config ends with the filter-sync event (§6.1).
    if (triggerSync) this.scheduleSync();
  }

  // ---------------------------------------------------------------- HTTP layer (§10.2)

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const headerIp = req.headers[SOURCE_IP_HEADER];
    const sourceIp =
      this.allowSourceIpHeader && typeof headerIp === "string" && headerIp !== ""
        ? headerIp
        : (this.sourceIp ?? normalizeIp(req.socket.remoteAddress));
    const lo = this.faults.lockout;
    if (lo && this.protection.isBlocked(sourceIp) && !this.whitelisted(sourceIp)) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > 200 * 1024 * 1024) tooLarge = true;
      else chunks.push(c as Buffer);
    }
    const pathname = (req.url ?? "/").split("?")[0];
    if (pathname !== "/xmlrpc.php")
      return this.send(res, {
        status: 404,
        body: "<html><body><h1>404 Not Found</h1></body></html>",
        contentType: "text/html",
      });
    if (tooLarge)
      return this.send(res, {
        status: 413,
        body: "<html><body><h1>413 Request Entity Too Large</h1></body></html>",
        contentType: "text/html",
      });
    const started = Date.now();
    const latency = this.faults.take("latency");
    if (this.faults.take("drop")) {
      req.socket.destroy();
      return;
    }
    if (this.faults.take("http500")) {
      return this.send(res, {
        status: 500,
        body: "<html><body><h1>500 Internal Server Error</h1></body></html>",
        contentType: "text/html",
      });
    }
    const body = Buffer.concat(chunks);
    this.xmlrpcRequests++;
    // Calls to one node are strictly serialised (the `xmlrpc` lock, §2.1).
    // Latency counts as time spent in PHP: inside the lock and under nginx's read timeout.
    const work = this.lock.then(async () => {
      if (latency?.ms) await sleep(latency.ms);
      return this.dispatch(body, req.headers.authorization, sourceIp);
    });
    this.lock = work.catch(() => undefined);
    let reply: Reply;
    // nginx answers 504 once fastcgi_read_timeout passes; PHP keeps running to completion (§2.1).
    const remaining = this.nginxReadTimeoutMs - (Date.now() - started);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">(
      (r) => (timer = setTimeout(() => r("timeout"), Math.max(0, remaining))),
    );
    try {
      const first = await Promise.race([work, timedOut]);
      reply =
        first === "timeout" || Date.now() - started > this.nginxReadTimeoutMs
          ? {
              status: 504,
              body: "<html><body><h1>504 Gateway Time-out</h1></body></html>",
              contentType: "text/html",
            }
          : first;
    } catch (e) {
      reply = this.phpErrorReply(e);
    }
    clearTimeout(timer);
    if (this.faults.take("dropAfter")) {
      req.socket.destroy();
      return;
    }
    if (this.faults.take("http504")) {
      reply = {
        status: 504,
        body: "<html><body><h1>504 Gateway Time-out</h1></body></html>",
        contentType: "text/html",
      };
    } else if (this.faults.take("malformed")) {
      reply = {
        status: 200,
        body:
          reply.body.slice(0, Math.max(10, Math.floor(reply.body.length / 2))) + "<b>Warning</b>",
      };
    }
    if (!this.running) {
      req.socket.destroy();
      return;
    }
    this.send(res, reply);
  }

  /** A PHP fatal error or uncaught exception as this version reports it (phpErrors.ts). */
  private phpErrorReply(e: unknown): Reply {
    const display = this.profile.displayErrors;
    if (e instanceof PhpFatalError) {
      // pfSense_clear_globals() (config.lib.inc) files every fatal as a `phperror` notice.
      this.fileNotice("phperror", phpErrorLine(e), "PHP errors", 1);
      return phpFatalReply(display, e);
    }
    const err = e instanceof Error ? e : new Error(String(e));
    return { status: 200, body: encodeFault(FAULT_PHP[0], uncaughtExceptionFault(display, err)) };
  }

  private send(res: http.ServerResponse, r: Reply): void {
    const buf = Buffer.from(r.body, "utf8");
    res.writeHead(r.status, {
      Server: "nginx",
      "Content-Type": r.contentType ?? "text/xml; charset=utf-8",
      "Content-Length": buf.length,
    });
    res.end(buf);
  }

  private whitelisted(ip: string): boolean {
    const list = leaf(toStruct(this.tree.system).sshguard_whitelist).split(/\s+/).filter(Boolean);
    return list.some((entry) => {
      const [net, bits] = entry.split("/");
      if (bits === undefined) return net === ip;
      return (
        ownAddressFacing({ interfaces: { x: { ipaddr: net, subnet: bits } } }, ip) !== undefined
      );
    });
  }

  // ---------------------------------------------------------------- dispatch (§10.4)

  private async dispatch(
    body: Buffer,
    authorization: string | undefined,
    sourceIp: string,
  ): Promise<Reply> {
    try {
      const value = await this.dispatchValue(body, authorization, sourceIp);
      try {
        return { status: 200, body: encodeMethodResponse(value) };
      } catch (e) {
        if (e instanceof XmlRpcEncodeError)
          return { status: 200, body: encodeFault(FAULT_PHP[0], FAULT_PHP[1]) };
        throw e;
      }
    } catch (e) {
      if (e instanceof Fault) return { status: 200, body: encodeFault(e.code, e.faultString) };
      throw e;
    }
  }

  private async dispatchValue(
    body: Buffer,
    authorization: string | undefined,
    sourceIp: string,
  ): Promise<unknown> {
    // 1. parse
    let call;
    try {
      if (body.length === 0) throw new Error("empty body");
      call = await decodeMethodCall(body);
    } catch {
      throw new Fault(...FAULT_PARSE);
    }
    // 2. exported method?
    const name = call.methodName.startsWith("pfsense.")
      ? call.methodName.slice("pfsense.".length)
      : undefined;
    const sig =
      name !== undefined && Object.prototype.hasOwnProperty.call(this.profile.methods, name)
        ? this.profile.methods[name]
        : undefined;
    if (!sig || name === undefined) throw new Fault(...FAULT_NO_METHOD);
    // 3. signature (before auth, §2.3)
    const params = call.params;
    if (params.length < sig.required) throw new Fault(...FAULT_PARAMS);
    for (let i = 0; i < sig.required; i++) {
      const t = sig.types[i] ?? "any";
      if (t === "string" && typeof params[i] !== "string") throw new Fault(...FAULT_PARAMS);
      if (t === "array" && !isContainer(params[i])) throw new Fault(...FAULT_PARAMS);
    }
    // 4. authenticate (Basic only)
    const { user, pass } = parseBasic(authorization);
    const outcome = authenticate(this.tree, user, pass);
    if (outcome === "bad-credentials") {
      this.authLog.push(
        this.profile.authLogStyle === "2.4.0"
          ? `webConfigurator authentication error for '${user}' from ${sourceIp}`
          : `webConfigurator authentication error for user '${user}' from: ${sourceIp}`,
      );
      const lo = this.faults.lockout;
      if (lo && !this.whitelisted(sourceIp)) this.protection.recordFailure(sourceIp, lo);
      throw new Fault(...FAULT_AUTH);
    }
    if (outcome === "no-privilege") {
      this.authLog.push(
        `webConfigurator authentication error for '${user}' from ${sourceIp} not enough privileges`,
      );
      throw new Fault(...FAULT_PRIV);
    }
    // 5. loop protection
    if (this.loopDetected(name, sourceIp)) return true;
    // 6. method body
    return this.invoke(name, params, sourceIp);
  }

  private invoke(name: string, params: unknown[], sourceIp: string): unknown {
    const writer = `(system)@${sourceIp}`;
    switch (name) {
      case "host_firmware_version":
        return this.firmwareInfo();
      case "exec_php":
        return this.execPhp(String(params[0]), sourceIp);
      case "exec_shell":
        this.execLog.push({ kind: "shell", code: String(params[0]), matched: false });
        return true;
      case "backup_config_section":
        return this.backupSections(params[0]);
      case "restore_config_section":
        return this.restoreSections(params[0] as PhpStruct, writer);
      case "merge_config_section":
      case "merge_installedpackages_section": {
        const payload = toPayload(params[0]);
        const merge =
          name === "merge_config_section" ? applyMergeConfig : applyMergeInstalledPackages;
        const next = merge(this.tree, payload);
        this.commit(
          next,
          `Merged in config (${Object.keys(payload).join(", ")} sections) from XMLRPC client.`,
          writer,
          true,
        );
        return true;
      }
      case "interfaces_carp_configure":
        this.applyAllVips();
        return true;
      case "reboot":
        setTimeout(() => void this.reboot(), 20);
        return true;
      case "captive_portal_sync":
        return false;
      case "filter_configure":
        this.serviceLog.push("filter_configure");
        return true;
      default:
        throw new Fault(...FAULT_NO_METHOD);
    }
  }

  private backupSections(names: unknown): unknown {
    // array_flip($section): the values of the list (or struct) are the names.
    const values = Array.isArray(names)
      ? names
      : isStruct(names as PhpValue)
        ? Object.values(names as PhpStruct)
        : [];
    const wanted = new Set(values.map((n) => (typeof n === "string" ? n : String(n))));
    const out: PhpStruct = {};
    // array_intersect_key keeps the config's order.
    for (const [k, v] of Object.entries(this.tree)) if (wanted.has(k)) out[k] = cloneValue(v);
    this.guiEditIfArmed("concurrentEdit");
    return Object.keys(out).length === 0 ? [] : out;
  }

  /** A GUI user's save (an unrelated system field), when the fault `kind` is armed. */
  /** `host_firmware_version()` (pfsense-utils.inc): what the method of that name returns. */
  firmwareInfo(): PhpStruct {
    return {
      firmware: { version: this.profile.productVersion },
      kernel: { version: this.profile.kernelVersion },
      base: { version: this.profile.kernelVersion },
      platform: this.profile.platform,
      config_version: leaf(this.tree.version),
    };
  }

  guiEditIfArmed(kind: "concurrentEdit"): boolean {
    if (!this.faults.take(kind)) return false;
    const edited = cloneValue(this.tree);
    const sys = toStruct(edited.system);
    sys.emulator_gui_edits = String(Number(leaf(sys.emulator_gui_edits) || "0") + 1);
    edited.system = sys;
    this.commit(edited, "GUI edit", "admin@10.0.0.9 (Local Database)", true);
    return true;
  }

  /** restore_config_section as the server object runs it for exec_php code (`$this->…`). */
  restoreAsServer(payload: PhpStruct, sourceIp: string): void {
    // The method runs its own loop check (xmlrpc.php: each protected method tests
    // `$this->loop_detected` first), so the call from exec_php is refused like a direct one.
    if (this.loopDetected("restore_config_section", sourceIp)) return;
    this.restoreSections(payload, `(system)@${sourceIp}`);
  }

  /**
   * write_config($desc, false, true) from exec_php code (config.lib.inc): the current revision
   * gets `desc` (by `(system)@ip`), no backup is made (the write it re-stamps made one) and,
   * with write_config_only, no filter-sync event is sent.
   */
  restampRevision(description: string, sourceIp: string): void {
    const next = cloneValue(this.tree);
    next.revision = revisionEntry(description, `(system)@${sourceIp}`);
    const rev = toStruct(this.writeConfigFile(normalizeConfigTree(next)).revision);
    const entry = {
      time: leaf(rev.time),
      description: leaf(rev.description),
      username: leaf(rev.username),
    };
    const last = this.revisions[this.revisions.length - 1];
    if (last) Object.assign(last, entry);
    else this.revisions.push(entry);
  }

  /** Writes a normalized tree as config.xml atomically (safe_write_file); it becomes the node's. */
  private writeConfigFile(normalized: PhpStruct): PhpStruct {
    const tmp = `${this.configPath}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(tmp, dumpConfigXml(normalized));
    renameSync(tmp, this.configPath);
    this.tree = normalized;
    return normalized;
  }

  /** `$this->loop_detected` (xmlrpc.php constructor): REMOTE_ADDR is hasync/synchronizetoip. */
  loopDetectedFor(sourceIp: string): boolean {
    const syncTo = leaf(toStruct(this.tree.hasync).synchronizetoip);
    return syncTo !== "" && syncTo === sourceIp;
  }

  private loopDetected(method: string, sourceIp: string): boolean {
    if (!LOOP_PROTECTED.has(method) || !this.loopDetectedFor(sourceIp)) return false;
    this.syncLog.push("Disallowing CARP sync loop");
    return true;
  }

  private restoreSections(payload: PhpStruct, writer: string): true {
    const before = this.tree;
    const r = applyRestore(before, toPayload(payload), this.profile);
    this.commit(r.config, r.message, writer, true);
    if (r.accounts?.changed) {
      this.commit(
        applyAccounts(this.tree, r.accounts),
        "Sync'd users and groups via XMLRPC",
        writer,
        true,
      );
    }
    let force = false;
    this.lastCarpApplyCount = 0;
    if (r.vipsInPayload && isContainer(toStruct(this.tree.virtualip).vip))
      force = this.reconfigureVips(r.oldVips);
    const carpApplied = this.lastCarpApplyCount > 0;
    if (carpApplied && toStruct(this.tree.hasync).pfsyncenabled !== undefined)
      this.serviceLog.push("pfsync_wait");
    // Service apply (§5.1 step 13): record what would restart.
    this.serviceLog.push("filter_reload_queued");
    // OpenVPN per instance (serviceApply.ts); the rest per section.
    this.serviceLog.push(...openvpnServiceApply(before.openvpn, this.tree.openvpn, force));
    for (const s of ["ipsec", "dnsmasq", "unbound", "dhcpd", "dhcrelay", "dhcrelay6"]) {
      if (force || JSON.stringify(before[s]) !== JSON.stringify(this.tree[s])) {
        if (before[s] !== undefined || this.tree[s] !== undefined)
          this.serviceLog.push(`restart:${s}`);
      }
    }
    return true;
  }

  /** §5.1 step 11 on the runtime model; returns the force-restart flag. */
  private reconfigureVips(
    oldVips: Map<string, { content: string; interface: string; subnet: string }>,
  ): boolean {
    let force = false;
    const vips = toList(toStruct(this.tree.virtualip).vip).filter(isStruct);
    const present = (v: PhpStruct) =>
      this.runtime.applied.has(`${leaf(v.interface)}_vip${leaf(v.vhid)}`);
    for (const v of vips) {
      const mode = leaf(v.mode);
      const key = `${leaf(v.interface)}_vip${leaf(v.vhid)}`;
      if (mode === "carp" && oldVips.has(key)) {
        if (oldVips.get(key)?.content === carpFingerprint(v) && present(v)) {
          oldVips.delete(key);
          continue;
        }
      } else if (isStackedAlias(v) && oldVips.has(leaf(v.subnet))) {
        // xmlrpc.php also asks does_vip_exist(): an alias not on the interface is applied again.
        const exists =
          !leaf(v.interface).startsWith("_vip") || this.stackedAliases.has(leaf(v.subnet));
        if (oldVips.get(leaf(v.subnet))?.content === aliasFingerprint(v) && exists) {
          oldVips.delete(leaf(v.subnet));
          continue;
        }
        oldVips.delete(leaf(v.subnet));
      }
      force = true;
      if (mode === "carp") {
        this.applyCarpVip(v);
        this.lastCarpApplyCount += 1;
      } else if (mode === "ipalias") {
        // interfaces.inc interface_ipalias_configure(): bound to its CARP VIP's vhid of now.
        this.stackedAliases.apply(v, vips);
      }
    }
    const newAddresses = new Set(vips.map((v) => leaf(v.subnet)));
    for (const [key, old] of oldVips) {
      // 2.6.0+ keeps an address still used by some VIP; earlier versions delete it (§5.1 step 11).
      if (/^2\.[6-9]/.test(this.profile.productVersion) && newAddresses.has(old.subnet)) continue;
      this.runtime.applied.delete(key);
      // An old stacked alias is keyed by its address (xmlrpc.php): pfSense_interface_deladdress().
      this.stackedAliases.remove(key);
    }
    return force;
  }

  private applyCarpVip(v: PhpStruct): void {
    const key = `${leaf(v.interface)}_vip${leaf(v.vhid)}`;
    this.runtime.applied.set(key, {
      interface: leaf(v.interface),
      vhid: Number(leaf(v.vhid)),
      advbase: Number(leaf(v.advbase) || "1"),
      advskew: Number(leaf(v.advskew) || "0"),
      subnet: leaf(v.subnet),
      appliedAt: Date.now(),
    });
    // interfaces_sync_setup() ends with enable_carp() (§8.2).
    this.runtime.carpAllow = true;
  }

  private applyAllVips(): void {
    this.runtime.applied.clear();
    this.stackedAliases.clear();
    const vips = toList(toStruct(this.tree.virtualip).vip).filter(isStruct);
    for (const v of vips) {
      if (leaf(v.mode) === "carp") this.applyCarpVip(v);
    }
    // interfaces.inc interfaces_vips_configure() walks the list in config order; an alias takes
    // its vhid from its CARP VIP's config entry (get_configured_vip()), so order is immaterial.
    for (const v of vips) {
      if (leaf(v.mode) === "ipalias") this.stackedAliases.apply(v, vips);
    }
  }

  private resetCarpRuntime(): void {
    this.runtime.demotion = 0;
    this.runtime.carpAllow = true;
    this.applyAllVips();
  }

  private async reboot(): Promise<void> {
    await this.stop();
    await sleep(this.rebootDowntimeMs);
    this.tree = normalizeConfigTree(parseConfigXml(readFileSync(this.configPath, "utf8")));
    this.resetCarpRuntime();
    await this.listen();
  }

  // ---------------------------------------------------------------- exec_php (§4.2, §10.5)

  private execPhp(code: string, sourceIp: string): unknown {
    const h = this.handlers.find((x) =>
      typeof x.match === "string" ? x.match === code : x.match(code),
    );
    this.execLog.push({ kind: "php", code, matched: h !== undefined });
    if (!h) return true;
    const value = h.handler({ node: this, code, sourceIp });
    // A handler may take time (an async one answers when its modelled work is done).
    if (value instanceof Promise) return value.then((v: unknown) => (phpTruthy(v) ? v : true));
    return phpTruthy(value) ? value : true;
  }

  private registerDefaultHandlers(): void {
    registerConditionalWriteHandlers(this);
    registerCarpDrillHandlers(this);
    this.registerExecPhp(PHP_SNIPPETS.carpStatus, () => ({
      ...this.carpStatus(),
      marker: "pfsense-ha:carp-status:1",
    }));
    const maintenance = (on: boolean, writer: string) => {
      const isOn = this.tree.virtualip_carp_maintenancemode !== undefined;
      if (isOn !== on) {
        const next = cloneValue(this.tree);
        if (on) next.virtualip_carp_maintenancemode = true;
        else delete next.virtualip_carp_maintenancemode;
        this.commit(
          next,
          on ? "Enter CARP maintenance mode" : "Leave CARP maintenance mode",
          writer,
          true,
        );
      }
    };
    this.registerExecPhp(PHP_SNIPPETS.maintenanceOn, ({ sourceIp }) => {
      maintenance(true, `(system)@${sourceIp}`);
      return { maintenance: true, marker: "pfsense-ha:maintenance:1" };
    });
    this.registerExecPhp(PHP_SNIPPETS.maintenanceOff, ({ sourceIp }) => {
      maintenance(false, `(system)@${sourceIp}`);
      return { maintenance: false, marker: "pfsense-ha:maintenance:1" };
    });
    // get_notices($category) filters by *category*, case-insensitively (pfSense notices.inc),
    // while the sync sender files its notices with id `sync_settings` and other categories.
    // A snippet reading get_notices() and filtering by id is honoured too.
    this.registerExecPhp(PHP_SNIPPETS.syncNotices, ({ code }) => {
      const byCategory = /get_notices\(\s*['"]([^'"]*)['"]\s*\)/.exec(code);
      const picked = byCategory
        ? this.notices.filter((n) => n.category.toLowerCase() === byCategory[1].toLowerCase())
        : this.notices.filter((n) => n.id === "sync_settings");
      return {
        notices: picked.map((n) => ({
          id: n.id,
          notice: n.notice,
          url: n.url,
          category: n.category,
          priority: n.priority,
        })),
        marker: "pfsense-ha:notices:1",
      };
    });
  }

  // ---------------------------------------------------------------- auto-sync sender (§6, §10.8)

  /** What the sync sender has done so far (a copy; see {@link SyncRunCounters}). */
  get syncRuns(): SyncRunCounters {
    return { ...this.syncCounters };
  }

  /** The `filter sync` event that ends every write_config (util.inc `carp_sync_client()`). */
  private scheduleSync(): void {
    this.syncCounters.triggers += 1;
    // Realistic: check_reload_status queues the event whatever the config says; the script
    // itself checks hasync when it runs (syncTiming.ts).
    if (this.syncQueue) this.syncQueue.post();
    else this.armFastSync();
  }

  private armFastSync(): void {
    const h = toStruct(this.tree.hasync);
    if (leaf(h.synchronizetoip) === "") return;
    if (this.syncRun) {
      if (this.syncPending) this.syncCounters.coalesced += 1;
      this.syncPending = true;
      return;
    }
    if (this.syncTimer) this.syncCounters.coalesced += 1;
    clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.startSyncRun();
    }, this.autoSyncDelayMs);
  }

  private startSyncRun(): void {
    this.syncRun = this.launchSyncRun().finally(() => {
      this.syncRun = undefined;
      if (this.syncPending && this.running) {
        this.syncPending = false;
        this.armFastSync();
      } else this.syncPending = false;
    });
  }

  /** One run of rc.filter_synchronize, unless the `dropSyncPush` fault swallows it; never rejects. */
  private launchSyncRun(): Promise<void> {
    if (this.faults.take("dropSyncPush")) {
      this.syncCounters.dropped += 1;
      return Promise.resolve();
    }
    return this.runSync().catch((e: unknown) => {
      this.syncLog.push(`sync run crashed: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  /** Runs one sync to the peer now (rc.filter_synchronize), without waiting for the timer. */
  async syncNow(): Promise<void> {
    await this.syncIdle();
    if (this.syncQueue) this.syncQueue.runNow();
    else this.startSyncRun();
    await this.syncIdle();
  }

  private async runSync(): Promise<void> {
    if (!this.running) return;
    // Realistic: the script reads config.xml once, at its start (config.inc), and works from that
    // copy to the end: rc.filter_synchronize carp_sync_xml() builds the payload from a copy of its
    // $config, so writes made after the start are not in the push. Fast: the payload is built from
    // the live tree after the version check.
    const realistic = this.syncQueue !== undefined;
    const cfg = realistic ? cloneValue(this.tree) : this.tree;
    this.syncCounters.started += 1;
    const h = toStruct(cfg.hasync);
    const target = leaf(h.synchronizetoip);
    if (target === "") return;
    if (this.syncScriptStartupMs > 0) await sleep(this.syncScriptStartupMs);
    const list = syncSectionList(cfg, this.profile);
    if (list.sections.length === 0 && list.system.length === 0) {
      this.syncLog.push("Nothing has been configured to be synched. Skipping....");
      return;
    }
    const username = leaf(h.username) || "admin";
    const password = leaf(h.password);
    const peerBase = this.syncPeers[target];
    // The URL pfSense would dial, built from this node's own GUI protocol and port
    // (xmlrpc_client.inc, see syncClientUrl.ts); the emulator dials the loopback route instead.
    const logUrl = syncClientLogUrl(cfg, target);
    const call = (method: string, param: unknown, timeout: number) =>
      this.callPeer(
        peerBase,
        logUrl,
        method,
        param,
        timeout,
        username,
        password,
        ownAddressFacing(cfg, target),
      );
    const version = await call("host_firmware_version", "", 240);
    if (version === undefined) return;
    const remote = isStruct(version as PhpValue) ? leaf((version as PhpStruct).config_version) : "";
    const local = leaf(cfg.version);
    this.syncLog.push(`XMLRPC versioncheck: ${remote} -- ${local}`);
    if (remote === "") {
      this.syncLog.push(
        "The pfSense software configuration version of the other member could not be determined. Skipping synchronization to avoid causing a problem!",
      );
      return;
    }
    if (!(
      remote === local ||
      (Number(remote) === Number(local) && remote.trim() !== "" && !Number.isNaN(Number(remote)))
    )) {
      this.syncLog.push(
        "The other member is on a different configuration version of pfSense. Sync will not be done to prevent problems!",
      );
      return;
    }
    const source = realistic ? cfg : this.tree;
    let payload: PhpStruct;
    try {
      payload = buildSyncPayload(source, this.profile);
    } catch (e) {
      if (!(e instanceof UnhandledMatchError)) throw e;
      // master rc.filter_synchronize carp_sync_xml(): the role `match` throws, nothing catches
      // it, the CLI script ends (display_errors off: only PHP's error log gets the line); no
      // restore_config_section, no status text, no notice (§16.12).
      this.syncLog.push(
        `PHP Fatal error:  Uncaught UnhandledMatchError: ${e.message} in /etc/rc.filter_synchronize`,
      );
      return;
    }
    const ok = await call("restore_config_section", payload, 900);
    if (ok === undefined) return;
    this.syncCounters.pushed += 1;
    this.syncLog.push(`XMLRPC sync successfully completed with ${logUrl}.`);
    // Realistic: write_config() (config.lib.inc) saves the script's own $config, i.e. the copy
    // read at its start, so writes made since then are reverted by this save.
    const np = toStruct(source.hasync).new_password;
    if (np !== undefined && np !== false) {
      const next = cloneValue(source);
      const hs = toStruct(next.hasync);
      hs.password = np;
      delete hs.new_password;
      next.hasync = hs;
      this.commit(next, "Update XMLRPC sync password.", "(system)", true);
    }
  }

  /** One sender call with the profile's retries (§6.6); undefined after the final failure. */
  private async callPeer(
    peerBase: string | undefined,
    logUrl: string,
    method: string,
    param: unknown,
    timeout: number,
    username: string,
    password: string,
    ownIp: string | undefined,
  ): Promise<unknown> {
    const params =
      this.profile.methods.host_firmware_version.required >= 2 ? [param, timeout] : [param];
    const body = encodeMethodCall(`pfsense.${method}`, params);
    let lastError = "";
    for (let attempt = 1; attempt <= this.profile.syncAttempts; attempt++) {
      if (!this.running) return undefined;
      this.syncLog.push(`Beginning XMLRPC sync data to ${logUrl}.`);
      try {
        if (!peerBase)
          throw new Error(`no route to host (emulator has no loopback endpoint for ${logUrl})`);
        const res = await postXml(peerBase, body, username, password, ownIp);
        if (res.status !== 200) {
          lastError = `Exception calling XMLRPC method ${method} # Received non-200 HTTP Code: ${res.status}. Response body:${res.body}`;
        } else {
          const decoded = await decodeMethodResponse(res.body).catch((e: Error) => e);
          if (decoded instanceof Error) {
            lastError = `Exception calling XMLRPC method ${method} # ${decoded.message}`;
          } else if (!decoded.ok) {
            lastError = `Exception calling XMLRPC method ${method} #${decoded.faultCode} : ${decoded.faultString}`;
            // 2.6+: a notice on every faulting attempt (older clients file one per attempt below).
            if (this.profile.syncAttempts > 2) {
              this.fileNotice("sync_settings", lastError, "Communications error occurred", 1);
            }
          } else {
            this.syncLog.push(`XMLRPC reload data success with ${logUrl} (pfsense.${method}).`);
            return decoded.value;
          }
        }
      } catch (e) {
        lastError = `A communications error occurred while attempting to call XMLRPC method ${method}: ${e instanceof Error ? e.message : String(e)}`;
      }
      this.syncLog.push(lastError);
      if (this.profile.syncAttempts > 2 || this.profile.name === "master") {
        if (attempt < this.profile.syncAttempts)
          this.syncLog.push(`Retrying XMLRPC Request due to error: ${lastError}`);
      } else {
        this.fileNotice(
          "sync_settings",
          lastError,
          lastError.startsWith("A communications error")
            ? "Communications error occurred"
            : lastError.includes(" #-") || /#\d+ : /.test(lastError)
              ? "Error code received"
              : "Settings Sync",
          1,
        );
      }
      if (attempt < this.profile.syncAttempts && this.syncRetryPauseMs > 0)
        await sleep(this.syncRetryPauseMs);
    }
    // 2.6+ xmlrpc_client.inc xmlrpc_internal(): after the last attempt the notice is the bare
    // error text, category "XMLRPC Error"; file_notice()'s 4th argument is the URL (""), so the
    // priority is its default 1 (notices.inc). Earlier clients filed one notice per attempt only.
    if (this.profile.syncAttempts > 2)
      this.fileNotice("sync_settings", lastError, "XMLRPC Error", 1);
    return undefined;
  }
}

function phpTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "" || v === "0")
    return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v as object).length > 0;
  return true;
}

function toPayload(v: unknown): PhpStruct {
  if (Array.isArray(v)) {
    const o: PhpStruct = {};
    v.forEach((x, i) => (o[String(i)] = x as PhpValue));
    return o;
  }
  return isStruct(v as PhpValue) ? (v as PhpStruct) : {};
}

function parseBasic(h: string | undefined): { user: string; pass: string } {
  const m = /^Basic\s+(.+)$/i.exec(h ?? "");
  if (!m) return { user: "", pass: "" };
  const raw = Buffer.from(m[1].trim(), "base64").toString("utf8");
  const i = raw.indexOf(":");
  return i < 0 ? { user: raw, pass: "" } : { user: raw.slice(0, i), pass: raw.slice(i + 1) };
}

/** POSTs an XML-RPC body to a loopback endpoint like pfSense's client (TLS not verified, §6.5). */
function postXml(
  base: string,
  body: string,
  username: string,
  password: string,
  ownIp: string | undefined,
): Promise<{ status: number; body: string }> {
  const u = new URL("/xmlrpc.php", base);
  if (u.hostname !== "127.0.0.1" && u.hostname !== "localhost" && u.hostname !== "[::1]") {
    return Promise.reject(new Error(`refusing to dial non-loopback ${u.hostname}`));
  }
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {
      "Content-Type": "text/xml; charset=utf-8",
      "User-Agent": "PEAR::XML_RPC2/1.1.3",
      "Content-Length": Buffer.byteLength(body),
      Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`,
    };
    if (ownIp) headers[SOURCE_IP_HEADER] = ownIp;
    const req = https.request(
      u,
      { method: "POST", headers, rejectUnauthorized: false, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(body);
  });
}

/** Starts one emulated node on 127.0.0.1 (see {@link NodeOptions}). */
export async function startNode(opts: NodeOptions): Promise<EmulatedNode> {
  if (!opts || !opts.dir) {
    throw haError({
      code: "E_INVALID_INPUT",
      message: "startNode needs a directory for config.xml",
      field: "dir",
      fix: "Pass { dir: <a writable directory> }.",
    });
  }
  const node = new EmulatedNode(opts);
  await node.start();
  return node;
}
