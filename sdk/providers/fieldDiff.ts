/**
 * The diff every provider answers with (pure). The engine hands `diff` the old *outputs* and the
 * new *inputs* (pulumi-notes B2 pitfall 4); each provider turns both into comparable pairs, one
 * per field, and this module says exactly which fields change and which force a replace.
 */
import { plainEqual } from "./plainData";
import { containsUnknown } from "./unknowns";

/** One compared field. */
export interface FieldPair {
  /** Input/output property name, as shown in the preview. */
  field: string;
  /** Value recorded in state. */
  old: unknown;
  /** Desired value (may contain the unknown sentinel at preview). */
  new: unknown;
  /** A change here changes the item's identity (interface, VHID, family): replace it. */
  identity?: boolean;
}

/** The answer of a provider's `diff` (the SDK's DiffResult shape, plus the changed fields). */
export interface FieldDiffResult {
  changes: boolean;
  /** Every changed field (for tests and messages; the engine derives its own display diff). */
  changed: string[];
  replaces: string[];
  /** Identity changes delete the old item first: the new one would collide with it
   * (same interface + VHID, same rule identity; pulumi-notes B2 pitfall 10). */
  deleteBeforeReplace: boolean;
}

/**
 * Compares each pair; unknown new values count as changed. An identity field replaces only when
 * it is known to change: an unknown (preview) value is a change, not a replace — at `up` the
 * value is known and diff runs again.
 */
export function diffFieldPairs(pairs: FieldPair[]): FieldDiffResult {
  const changed: string[] = [];
  const replaces: string[] = [];
  for (const p of pairs) {
    const unknown = containsUnknown(p.new);
    if (!unknown && plainEqual(p.old, p.new)) continue;
    changed.push(p.field);
    // An identity field missing from state (a partial-failure record) is filled in by update,
    // not a reason to replace the item the partial apply already created.
    if (p.identity && !unknown && p.old !== undefined && p.old !== null) replaces.push(p.field);
  }
  return {
    changes: changed.length > 0,
    changed,
    replaces,
    deleteBeforeReplace: replaces.length > 0,
  };
}
