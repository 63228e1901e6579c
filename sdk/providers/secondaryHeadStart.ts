/**
 * Writing the secondary while the primary's write is in flight. Where pfSense's own sync does
 * not carry the area, the secondary's write needs nothing from the primary's answer: only what
 * the primary's edit settles when it runs on the fresh content (a VHID), which happens in this
 * process before that write is sent. So the secondary's write can start then, and one batch
 * costs one node round trip instead of two.
 *
 * The head start is only that: its result counts only if the secondary still holds what the
 * primary's verified read-back implies and the primary still does not sync the area; otherwise
 * the caller converges the secondary as it would have without it. When the primary's write
 * fails before landing, the head start is taken back, so that the secondary holds nothing the
 * primary does not.
 */
import type { ConfigChange, NodeSession, NodeState } from "../pfsense/types";

/** What the primary's edit settled, reported from inside it. */
export interface HeadStartPlan<P> {
  plan: P;
  /** Does the primary's fresh content sync the area to the secondary (hasync)? */
  synced: boolean;
}

/** A head start on the secondary's write; see the module comment. */
export class SecondaryHeadStart<P> {
  private report: ((p: HeadStartPlan<P>) => void) | undefined;
  private readonly planning: Promise<HeadStartPlan<P>>;
  private result: Promise<NodeState | undefined> = Promise.resolve(undefined);
  private sent = false;

  constructor(private readonly secondary: NodeSession) {
    this.planning = new Promise((r) => (this.report = r));
  }

  /**
   * Called from inside the primary's change each time it runs (a conflict replays it); the
   * first call counts, later ones are checked by the caller's read-back comparison.
   */
  plan(plan: P, synced: boolean): void {
    this.report?.({ plan, synced });
    this.report = undefined;
  }

  /**
   * Starts the secondary's write (`change(plan)`, labelled `label`) once the primary's edit has
   * run, unless the primary syncs the area or its write settled first (its change threw).
   */
  start(primaryWrite: Promise<unknown>, change: (plan: P) => ConfigChange, label: string): void {
    const settled = primaryWrite.then(
      () => undefined,
      () => undefined,
    );
    this.result = Promise.race([this.planning, settled]).then((p) => {
      if (p === undefined || p.synced) return undefined;
      this.sent = true;
      // No gather: the head starts of one primary batch are all queued by now (its edits ran in
      // one pass), so they make one secondary batch at once. A failed head start is no failure:
      // the caller converges the secondary afterwards.
      return this.secondary.edit(change(p.plan), label, { now: true }).catch(() => undefined);
    });
  }

  /** The secondary's state after the head start; undefined when none was sent or it failed. */
  state(): Promise<NodeState | undefined> {
    return this.result;
  }

  /**
   * After the primary's write failed: waits for the head start and, if one was sent, puts the
   * secondary back with `undo` (an edit that is a no-op when nothing of it landed). Returns an
   * error text when that did not work, for the caller's message.
   */
  async takeBack(undo: ConfigChange, label: string): Promise<string | undefined> {
    await this.result;
    if (!this.sent) return undefined;
    try {
      await this.secondary.edit(undo, `${label} (taken back: the primary's write failed)`);
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }
}
