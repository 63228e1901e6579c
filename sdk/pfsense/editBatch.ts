/**
 * Applying one coalesced batch of queued edits to a node's typed config (§7.2 step 2) with work
 * linear in the batch: the config as read is copied once, every change mutates that one draft in
 * order, and the changed sections and the restore payload are computed once for the batch.
 *
 * A change still fails alone. One that throws, returns a promise or touches the read-only
 * interfaces is rejected, the draft is rebuilt from the read and the changes accepted so far are
 * replayed on it (changes must be re-runnable anyway: a concurrent edit re-runs the whole batch).
 * Only when the batch's payload cannot be encoded (a change asks for what restore cannot express)
 * are the changes applied one copy each, as before, to find and refuse the culprit.
 */
import type { PhpStruct } from "../codec/phpValue";
import { haError } from "../plan/errors";
import type { NodeHaConfig } from "../plan/model";
import type { ConfigChange } from "./types";
import { canonicalJson } from "./sections/canonicalJson";
import type { NatCtx } from "./sections/nat";
import {
  changedSections,
  encodeRestorePayload,
  WRITABLE_SECTIONS,
  type WritableSection,
} from "./sections/nodeConfig";

/** One queued edit as the batch sees it. */
export interface QueuedEdit {
  change: ConfigChange;
  reject(e: unknown): void;
}

/** The node's state the batch starts from. */
export interface BatchBase {
  config: NodeHaConfig;
  raw: PhpStruct;
}

/** The outcome of applying a batch. */
export interface AppliedBatch<E extends QueuedEdit> {
  /** The config after every accepted change. */
  draft: NodeHaConfig;
  /** The edits whose change was applied, in order (the others were rejected). */
  accepted: E[];
  /** Sections that differ from the read (what the payload carries). */
  sections: Set<WritableSection>;
  /** The restore_config_section payload for `sections`. */
  payload: PhpStruct;
}

type Attempt = { ok: true } | { ok: false; error: unknown };

/** Runs one change on `draft` in place and says whether it may stay. */
function attempt(
  edit: QueuedEdit,
  draft: NodeHaConfig,
  interfaces: string,
  label: string,
): Attempt {
  try {
    const r: unknown = edit.change(draft);
    if (r && typeof (r as { then?: unknown }).then === "function") {
      // Mutations after an await would land after the write: refuse instead of losing them.
      return {
        ok: false,
        error: haError({
          code: "E_INVALID_INPUT",
          message:
            "an edit's change function returned a promise; it must mutate the draft synchronously",
          field: `${label} edit`,
          fix: "compute what you need before calling edit(), then mutate the draft without awaiting",
        }),
      };
    }
    // The interfaces are few (not one per edit), so comparing them per change stays linear.
    if (canonicalJson(draft.interfaces) !== interfaces) {
      return {
        ok: false,
        error: haError({
          code: "E_INVALID_INPUT",
          message: "a change modified the node's interfaces, which the library only reads",
          field: `${label} interfaces`,
          fix: "change interface assignments and addresses on the node itself",
        }),
      };
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Applies `edits` to a fresh copy of `base`, dropping (and rejecting) any that fail now. */
function replay<E extends QueuedEdit>(
  base: NodeHaConfig,
  edits: E[],
  interfaces: string,
  label: string,
): { draft: NodeHaConfig; accepted: E[] } {
  for (;;) {
    const draft = structuredClone(base);
    const failed = edits.findIndex((e) => {
      const r = attempt(e, draft, interfaces, label);
      if (!r.ok) e.reject(r.error);
      return !r.ok;
    });
    if (failed < 0) return { draft, accepted: edits };
    edits = edits.filter((_, i) => i !== failed);
  }
}

/**
 * The slow path: each change on its own copy, its sections encoded alone, so the one change
 * asking for what restore cannot express (e.g. editing a kept-local VIP) is refused alone.
 */
function applyIsolated<E extends QueuedEdit>(
  base: BatchBase,
  edits: E[],
  ctx: NatCtx,
  interfaces: string,
  label: string,
): AppliedBatch<E> {
  let draft = structuredClone(base.config);
  const accepted: E[] = [];
  for (const e of edits) {
    const next = structuredClone(draft);
    const r = attempt(e, next, interfaces, label);
    try {
      if (!r.ok) throw r.error;
      encodeRestorePayload(next, base, changedSections(draft, next).sections, ctx);
      draft = next;
      accepted.push(e);
    } catch (error) {
      e.reject(error);
    }
  }
  const { sections } = changedSections(base.config, draft);
  return { draft, accepted, sections, payload: encodeRestorePayload(draft, base, sections, ctx) };
}

/**
 * Applies the queued edits in order to a copy of `base.config`, rejecting the edits whose change
 * fails (each alone), and computes the batch's changed sections and restore payload.
 * `label` names the node in messages (`node primary (https://…)`).
 */
export function applyEdits<E extends QueuedEdit>(
  base: BatchBase,
  edits: E[],
  ctx: NatCtx,
  label: string,
): AppliedBatch<E> {
  const interfaces = canonicalJson(base.config.interfaces);
  let draft = structuredClone(base.config);
  let accepted: E[] = [];
  for (const e of edits) {
    const r = attempt(e, draft, interfaces, label);
    if (r.ok) {
      accepted.push(e);
      continue;
    }
    e.reject(r.error);
    // Undo the failed change's partial mutations; a new object, so a change that kept a
    // reference to the old draft (an async one) cannot reach the one written.
    ({ draft, accepted } = replay(base.config, accepted, interfaces, label));
  }
  const { sections } = changedSections(base.config, draft);
  try {
    return { draft, accepted, sections, payload: encodeRestorePayload(draft, base, sections, ctx) };
  } catch {
    return applyIsolated(base, accepted, ctx, interfaces, label);
  }
}

/**
 * Which sections each edit changed, replaying the edits one copy each on `base` (quadratic, so
 * only used to attribute a read-back failure to the edits it concerns). A change that throws on
 * replay is taken to have touched every section.
 */
export function touchedSections<E extends QueuedEdit>(
  base: NodeHaConfig,
  edits: E[],
): Map<E, Set<WritableSection>> {
  const out = new Map<E, Set<WritableSection>>();
  let draft = structuredClone(base);
  for (const e of edits) {
    const next = structuredClone(draft);
    try {
      e.change(next);
    } catch {
      out.set(e, new Set(WRITABLE_SECTIONS));
      continue;
    }
    out.set(e, changedSections(draft, next).sections);
    draft = next;
  }
  return out;
}
