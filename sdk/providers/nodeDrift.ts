/**
 * Drift per node as recorded in state after `read` (refresh). Lines are human readable and never
 * carry secret values (the planner's drift reports passwords as "(secret)").
 */
import type { DriftItem } from "../plan";

/** What refresh found different from the desired state, per node. Empty lists: in sync. */
export interface NodeDrift {
  /** One line per difference on the primary (against the desired item). */
  primary: string[];
  /** One line per difference on the secondary (against its derived view). */
  secondary: string[];
}

/** No drift. */
export function noDrift(): NodeDrift {
  return { primary: [], secondary: [] };
}

/** True when either node drifted. */
export function hasDrift(d: NodeDrift | undefined): boolean {
  return d !== undefined && (d.primary.length > 0 || d.secondary.length > 0);
}

/** One line per drift item: `path: expected X, found Y`. */
export function driftLines(items: DriftItem[]): string[] {
  return items.map(
    (i) => `${i.path}: expected ${JSON.stringify(i.expected)}, found ${JSON.stringify(i.observed)}`,
  );
}
