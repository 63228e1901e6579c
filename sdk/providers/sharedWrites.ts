/**
 * One write per node for many items reconciled together (ClusterHaConfig). Each item runs its
 * own reconcile against a member view of the node's session; a member's edit waits until every
 * member still running has queued its edit too (or finished), and then all of them reach the
 * session in the same tick, so the session makes them one batch: one conditional write, one
 * config revision. Timing-independent, unlike the session's gather, so a slow read of one item
 * cannot split the write.
 */
import type { ConfigChange, NodeSession, NodeState, ReadOptions } from "../pfsense/types";

/**
 * The longest a round waits for members that neither edit nor finish (an item waiting for
 * pfSense's own sync, say), in ms: then the edits queued so far go ahead.
 */
export const ROUND_MAX_WAIT_MS = 5000;

interface Queued {
  member: number;
  change: ConfigChange;
  label?: string;
  resolve: (s: NodeState) => void;
  reject: (e: unknown) => void;
}

/** Member views of one node's session; see the module comment. */
export class SharedWrites {
  private readonly running = new Set<number>();
  private queued: Queued[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly session: NodeSession,
    members: number,
  ) {
    for (let i = 0; i < members; i++) this.running.add(i);
  }

  /** Member `i`'s view of the session: reads pass through, edits wait for the round. */
  member(i: number): NodeSession {
    return {
      client: this.session.client,
      // The members move in lockstep: what they read together starts at once.
      read: (options?: ReadOptions) => this.session.read({ ...options, now: true }),
      edit: (change, label) =>
        new Promise<NodeState>((resolve, reject) => {
          this.queued.push({ member: i, change, label, resolve, reject });
          this.startTimer();
          this.flushIfAllWaiting();
        }),
    };
  }

  /** Member `i` will edit no more (its reconcile finished or failed). */
  done(i: number): void {
    this.running.delete(i);
    this.flushIfAllWaiting();
  }

  private startTimer(): void {
    this.timer ??= setTimeout(() => this.flush(), ROUND_MAX_WAIT_MS);
  }

  private flushIfAllWaiting(): void {
    const waiting = new Set(this.queued.map((q) => q.member));
    if (this.queued.length > 0 && [...this.running].every((m) => waiting.has(m))) this.flush();
  }

  /** Hands the round to the session in member order (deletes are registered first). */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const round = this.queued.sort((a, b) => a.member - b.member);
    this.queued = [];
    for (const q of round) {
      this.session.edit(q.change, q.label, { now: true }).then(q.resolve, q.reject);
    }
  }
}
