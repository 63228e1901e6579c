/**
 * Fault injection for an emulated node: each fault is armed for a number of requests (one-shot
 * by default) and consumed as requests arrive (`dropSyncPush`: as the node's sync runs start).
 * Login protection (sshguard-like, §3.2, §10.2) is a separate, opt-in model.
 */

/** Kinds of per-request faults. */
export type FaultKind =
  /** add latency before the request is handled */
  | "latency"
  /** read the request, then destroy the socket without answering (method not run) */
  | "drop"
  /** run the method, then destroy the socket without answering (did it apply?) */
  | "dropAfter"
  /** answer a bare HTTP 500 (nginx/PHP-FPM failing) without running the method; a PHP fatal inside a method is modelled by phpErrors.ts */
  | "http500"
  /** run the method (side effects happen) but answer HTTP 504 like nginx after 180 s */
  | "http504"
  /** run the method but answer a truncated, unparseable body with HTTP 200 */
  | "malformed"
  /** after the next `backup_config_section`, write a GUI edit (a concurrent change) */
  | "concurrentEdit"
  /** the next auto-sync run of this node (as sender) does nothing: no call, no log line */
  | "dropSyncPush";

interface Armed {
  remaining: number;
  ms?: number;
}

/** Login-protection parameters (pfSense defaults). */
export interface LockoutOptions {
  /** score that blocks (default 30) */
  threshold?: number;
  /** score added per auth failure (default 10) */
  scorePerFailure?: number;
  /** first block duration in ms (default 120000), ×1.5 per repeat */
  blockMs?: number;
  /** detection window in ms (default 1800000) */
  windowMs?: number;
}

/** Controls for a node's injected faults. */
export class FaultControl {
  private readonly armed = new Map<FaultKind, Armed>();
  /** Whether login protection is active (see {@link FaultControl.enableLockout}). */
  lockout?: Required<LockoutOptions>;

  /** Adds `ms` of latency to the next `count` requests (default 1; `Infinity` = until cleared). */
  latency(ms: number, count = 1): void {
    this.armed.set("latency", { remaining: count, ms });
  }

  /**
   * Destroys the connection of the next `count` requests without an answer; with
   * `afterProcessing` the method runs first (its side effects happen).
   */
  dropConnections(count = 1, opts: { afterProcessing?: boolean } = {}): void {
    this.armed.set(opts.afterProcessing ? "dropAfter" : "drop", { remaining: count });
  }

  /** Answers the next `count` requests with HTTP `status` (500: method not run; 504: method run). */
  httpError(status: 500 | 504, count = 1): void {
    this.armed.set(status === 500 ? "http500" : "http504", { remaining: count });
  }

  /** Answers the next `count` requests with malformed XML (the method still runs). */
  malformedXml(count = 1): void {
    this.armed.set("malformed", { remaining: count });
  }

  /**
   * After each of the next `count` `backup_config_section` calls, a GUI user writes the config
   * (description `admin@10.0.0.9 (Local Database): GUI edit`), so the next write races it.
   */
  concurrentEditAfterRead(count = 1): void {
    this.armed.set("concurrentEdit", { remaining: count });
  }

  /**
   * Loses the next `count` auto-sync runs of this node as sender: nothing is sent to the peer
   * and nothing is logged, as when the sync script never ran or its event was lost in
   * check_reload_status (see syncTiming.ts); the node's `syncRuns.dropped` counts them. A later
   * write's run sends the whole selected config again.
   */
  dropSyncPush(count = 1): void {
    this.armed.set("dropSyncPush", { remaining: count });
  }

  /** Enables sshguard-like login protection: blocked sources get their connections destroyed. */
  enableLockout(opts: LockoutOptions = {}): void {
    this.lockout = {
      threshold: opts.threshold ?? 30,
      scorePerFailure: opts.scorePerFailure ?? 10,
      blockMs: opts.blockMs ?? 120_000,
      windowMs: opts.windowMs ?? 1_800_000,
    };
  }

  /** Disarms every fault and disables login protection. */
  clear(): void {
    this.armed.clear();
    this.lockout = undefined;
  }

  /** Consumes one use of a fault; returns its parameters when it fired. */
  take(kind: FaultKind): Armed | undefined {
    const a = this.armed.get(kind);
    if (!a || a.remaining <= 0) return undefined;
    a.remaining -= 1;
    if (a.remaining <= 0) this.armed.delete(kind);
    return a;
  }

  /** Remaining uses of a fault (0 when not armed). */
  pending(kind: FaultKind): number {
    return this.armed.get(kind)?.remaining ?? 0;
  }
}

/** sshguard-like scoring per source address (§3.2). */
export class LoginProtection {
  private readonly failures = new Map<string, number[]>();
  private readonly blocks = new Map<string, { until: number; count: number }>();

  /** True while `ip` is blocked. */
  isBlocked(ip: string, now = Date.now()): boolean {
    const b = this.blocks.get(ip);
    return b !== undefined && now < b.until;
  }

  /** Records an auth failure; returns true when it caused a block. */
  recordFailure(ip: string, opts: Required<LockoutOptions>, now = Date.now()): boolean {
    const list = (this.failures.get(ip) ?? []).filter((t) => now - t < opts.windowMs);
    list.push(now);
    this.failures.set(ip, list);
    if (list.length * opts.scorePerFailure < opts.threshold) return false;
    const prev = this.blocks.get(ip);
    const count = (prev?.count ?? 0) + 1;
    this.blocks.set(ip, { until: now + opts.blockMs * Math.pow(1.5, count - 1), count });
    this.failures.set(ip, []);
    return true;
  }

  /** Forgets all scores and blocks. */
  reset(): void {
    this.failures.clear();
    this.blocks.clear();
  }
}
