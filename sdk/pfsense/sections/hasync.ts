/**
 * `hasync` codec (§6.3, §9.2). The receiver merges this section per child (§5.1 step 8), so a
 * payload removes a member only by sending boolean `false` for it (§5.3).
 */
import { MASTER_SYNC_AREAS, type HaSync, type SyncArea } from "../../plan/model";

/** Every area any version knows (master's 20, in its GUI order; 2.7 lacks `kea6`). */
const ALL_SYNC_AREAS = MASTER_SYNC_AREAS;
import { isStruct, leaf, type PhpStruct, type PhpValue } from "../../codec/phpValue";
import { decodeItem, encodeItem, flag, str, type FieldSpec } from "./fieldCodec";

const AREA_KEYS = ALL_SYNC_AREAS.map((a) => `synchronize${a}`);

const HASYNC_FIELDS: readonly FieldSpec<HaSync, unknown>[] = [
  flag("pfsyncenabled", "pfsyncEnabled", "on"),
  str("pfsyncinterface", "pfsyncInterface"),
  str("pfsyncpeerip", "pfsyncPeerIp"),
  str("pfhostid", "pfHostId"),
  str("synchronizetoip", "synchronizeToIp"),
  str("username", "username"),
  str("password", "password"),
  flag("adminsync", "adminSync", "on"),
  {
    keys: AREA_KEYS,
    fields: ["areas"],
    // The sender tests synchronize* for non-empty (§6.3): "" means off, unlike pfsyncenabled.
    decode: (raw) => ({ areas: ALL_SYNC_AREAS.filter((a) => leaf(raw[`synchronize${a}`]) !== "") }),
    encode: (m) =>
      Object.fromEntries(
        ALL_SYNC_AREAS.filter((a) => m.areas.includes(a)).map((a) => [`synchronize${a}`, "on"]),
      ),
  },
];

/** Decodes `hasync`; absent → undefined, `""` → all off. */
export function decodeHaSync(section: PhpValue | undefined): HaSync | undefined {
  if (section === undefined || section === false) return undefined;
  const h = decodeItem<HaSync, unknown>(isStruct(section) ? section : {}, HASYNC_FIELDS, undefined);
  if (h.pfsyncEnabled === undefined) h.pfsyncEnabled = false;
  h.areas = h.areas.filter((a): a is SyncArea => ALL_SYNC_AREAS.includes(a));
  return h;
}

/** Encodes `hasync` as stored on the node. */
export function encodeHaSync(h: HaSync): PhpStruct {
  return encodeItem<HaSync, unknown>(h, HASYNC_FIELDS, undefined);
}

/**
 * The restore payload for `hasync`: every member of the new section, plus `false` for each
 * member the node has now that the new section lacks (merged section, §5.3). An empty string
 * is never sent for a removed flag, because `""` reads as "set" for pfsyncenabled.
 */
export function encodeHaSyncPayload(
  h: HaSync | undefined,
  current: PhpValue | undefined,
): PhpStruct {
  const next = h ? encodeHaSync(h) : {};
  const out: PhpStruct = { ...next };
  if (isStruct(current)) for (const k of Object.keys(current)) if (!(k in next)) out[k] = false;
  return out;
}
