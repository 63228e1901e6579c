/** `revision` and `version` sections (§9.2 notes, §1.1). */
import { leaf, toStruct, type PhpValue } from "../../codec/phpValue";
import type { RevisionInfo } from "../types";

/** Decodes `revision` (absent → all empty). */
export function decodeRevision(section: PhpValue | undefined): RevisionInfo {
  const r = toStruct(section);
  return { time: leaf(r.time), description: leaf(r.description), username: leaf(r.username) };
}

/** True when two revisions are the same write. */
export function sameRevision(a: RevisionInfo, b: RevisionInfo): boolean {
  return a.time === b.time && a.description === b.description && a.username === b.username;
}

/** Decodes `version` (the config format version, e.g. `23.3`). */
export function decodeConfigVersion(section: PhpValue | undefined): string {
  return leaf(section);
}
