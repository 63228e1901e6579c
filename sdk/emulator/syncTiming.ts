/**
 * When the primary's sync sender runs (design/pfsense-xmlrpc.md §6.1, §10.8, §16 item 1).
 *
 * On pfSense 2.7.2 `write_config()` ends with `carp_sync_client()` (src/etc/inc/util.inc), which
 * only posts the `filter sync` event to the check_reload_status daemon. The daemon
 * (pfsense/FreeBSD-ports sysutils/check_reload_status, check_reload_status.c) starts
 * `/etc/rc.filter_synchronize` through php-fpm later, and aggregates events for that command
 * (flags AGGREGATE | FCGICMD in server.h). {@link FilterSyncQueue} models that queue; the node
 * supplies what one run of the script does.
 *
 * The model, in our words, of check_reload_status.c as read (functions named in brackets):
 *
 * - The daemon keeps at most two queue entries for the command, a first one (weight 1) and a
 *   second one (weight 2) (`run_command()`: it sums the weights of the queued entries, newest
 *   first, and creates a new entry only while that sum stays below 2).
 * - A new entry starts its script 1 s later (`run_command()`'s 1 s timer).
 * - When the timer fires the script is started and the entry is marked as running; the entry is
 *   forgotten 8 s later if the script has not finished by then (`fcgi_send_command()`).
 * - The entry is removed when its script finishes (`socket_read_fcgi()`, FCGI_END_REQUEST),
 *   together with any timer it still has.
 * - An event arriving while the second entry is waiting to start is absorbed by it (coalesced).
 *   An event arriving while the second entry's script runs re-arms it to start again 5 s later
 *   (`run_command()`); but when the running script finishes first, the removal above cancels
 *   that re-arm, and the event is **lost**: no run ever carries that write. An event arriving
 *   while only the first entry exists (waiting or running) creates the second entry, so a
 *   second run starts 1 s later, possibly while the first is still running.
 *
 * So a burst of writes within the start delay gives exactly two runs, two runs may overlap, and
 * a write made while the second run executes is not synced unless that run outlasts the re-arm
 * delay or a later write posts a new event. Everything here is deterministic (timers only).
 */

/** Counters of the sync sender's activity on one node (see `EmulatedNode.syncRuns`). */
export interface SyncRunCounters {
  /** `filter sync` events posted (one per config write that triggers the sync). */
  triggers: number;
  /** Events absorbed by a run that had not started yet (they get no run of their own). */
  coalesced: number;
  /** Events that re-armed a running entry (realistic mode). */
  rearmed: number;
  /** Re-arms cancelled because the running script finished first: those writes were not synced. */
  lost: number;
  /** Runs of the sender script that began (config read), including ones that exit early. */
  started: number;
  /** Runs whose `restore_config_section` call succeeded (the peer took the payload). */
  pushed: number;
  /** Runs suppressed by the `dropSyncPush` fault (nothing sent, nothing logged). */
  dropped: number;
}

/** A fresh set of zeroed counters. */
export function emptySyncRunCounters(): SyncRunCounters {
  return { triggers: 0, coalesced: 0, rearmed: 0, lost: 0, started: 0, pushed: 0, dropped: 0 };
}

/** Delays of the check_reload_status model, in ms. */
export interface FilterSyncTiming {
  /** From the event to the script start (check_reload_status: 1000). */
  startDelayMs: number;
  /** From a re-arm to the repeated start (check_reload_status: 5000). */
  rearmDelayMs: number;
  /** A running entry is forgotten after this long (check_reload_status: 8000). */
  forgetAfterMs: number;
}

/** check_reload_status's own delays. */
export const CHECK_RELOAD_STATUS_TIMING: FilterSyncTiming = {
  startDelayMs: 1000,
  rearmDelayMs: 5000,
  forgetAfterMs: 8000,
};

interface Entry {
  weight: number;
  running: boolean;
  timer?: NodeJS.Timeout;
}

/**
 * check_reload_status's queue for the `filter sync` command. `launch` starts one run of the
 * sender script and resolves when it finishes (it must not reject).
 */
export class FilterSyncQueue {
  /** Queue entries, newest first. */
  private entries: Entry[] = [];
  private readonly active = new Set<Promise<void>>();

  constructor(
    private readonly timing: FilterSyncTiming,
    private readonly launch: () => Promise<void>,
    private readonly counters: SyncRunCounters,
  ) {}

  /** Posts one `filter sync` event. */
  post(): void {
    let weight = 0;
    for (const e of this.entries) {
      weight += e.weight;
      if (weight <= 1) continue;
      if (e.running && weight < 3) {
        e.running = false;
        clearTimeout(e.timer);
        e.timer = setTimeout(() => this.fire(e), this.timing.rearmDelayMs);
        this.counters.rearmed += 1;
      } else {
        this.counters.coalesced += 1;
      }
      return;
    }
    const entry: Entry = { weight: weight + 1, running: false };
    this.entries.unshift(entry);
    entry.timer = setTimeout(() => this.fire(entry), this.timing.startDelayMs);
  }

  /** Starts a run outside the queue (like running the script by hand). */
  runNow(): void {
    this.track(this.launch());
  }

  /** True while an entry waits or a run is in progress. */
  busy(): boolean {
    return this.entries.length > 0 || this.active.size > 0;
  }

  /** Forgets every entry and its timer (the daemon stops); runs in progress continue. */
  clear(): void {
    for (const e of this.entries) clearTimeout(e.timer);
    this.entries = [];
  }

  private fire(e: Entry): void {
    e.timer = undefined;
    if (e.running) {
      // Still running after forgetAfterMs: the daemon drops the entry, the script goes on.
      this.remove(e);
      return;
    }
    e.running = true;
    e.timer = setTimeout(() => this.fire(e), this.timing.forgetAfterMs);
    const run = this.launch();
    this.track(run);
    void run.then(() => {
      if (!this.entries.includes(e)) return;
      // A re-arm still waiting is cancelled with the entry: that event is lost.
      if (!e.running) this.counters.lost += 1;
      this.remove(e);
    });
  }

  private remove(e: Entry): void {
    clearTimeout(e.timer);
    e.timer = undefined;
    this.entries = this.entries.filter((x) => x !== e);
  }

  private track(run: Promise<void>): void {
    this.active.add(run);
    void run.finally(() => this.active.delete(run));
  }
}
