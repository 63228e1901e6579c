/**
 * HaSyncSettings: inputs, outputs and the pure parts of its provider (validation, desired hasync
 * per node, diff). The I/O half is haSyncCrud.ts; the pre-flight is haSyncPreflight.ts.
 */
import {
  ALL_SYNC_AREAS,
  MASTER_SYNC_AREAS,
  deriveSecondary,
  haError,
  type HaSync,
  type SyncArea,
} from "../plan";
import { profileFor } from "../pfsense/version";
import { addressFamily } from "./addressText";
import { collectFailure, type CheckFailure } from "./checkFailures";
import { endpointProblems, type EndpointInput } from "./endpointInputs";
import { diffFieldPairs, type FieldDiffResult } from "./fieldDiff";
import { hasDrift, type NodeDrift } from "./nodeDrift";
import { containsUnknown, isUnknown } from "./unknowns";
import { resourceLabel } from "./resourceLabel";

/** Inputs of the HaSyncSettings dynamic resource. */
export interface HaSyncInputs {
  primary: EndpointInput;
  secondary: EndpointInput;
  name: string;
  syncInterface: string;
  primarySyncAddress?: string;
  secondarySyncAddress?: string;
  username: string;
  password: string;
  areas?: SyncArea[];
  adminSync?: boolean;
  primaryHostId?: string;
  secondaryHostId?: string;
  syncWaitMs?: number;
  /** Areas (or `true` = all) whose first sync may delete the secondary's own items. */
  acknowledgeSecondaryDeletions?: boolean | SyncArea[];
  /** `project/stack` of the program, for Config History (absent in state written before). */
  stack?: string;
}

/** Outputs (state) of the HaSyncSettings dynamic resource. */
export interface HaSyncOutputs extends HaSyncInputs {
  primarySyncAddress: string;
  secondarySyncAddress: string;
  areas: SyncArea[];
  /** pfsync host ids ("" when the version has none). */
  primaryHostId: string;
  secondaryHostId: string;
  productVersion: string;
  configVersion: string;
  /** Each node's hasync before the resource took it over (restored on delete). A secret. */
  priorPrimary: HaSync | null;
  priorSecondary: HaSync | null;
  drift: NodeDrift;
  /** Acknowledged items of the secondary the last create/update's first sync deleted or replaced (absent in older state). */
  secondaryItemsLostAtFirstSync?: string[];
}

/** The resolved settings both nodes get. */
export interface HaSyncDesired {
  syncInterface: string;
  primarySyncAddress: string;
  secondarySyncAddress: string;
  username: string;
  password: string;
  areas: SyncArea[];
  adminSync: boolean;
  primaryHostId?: string;
  secondaryHostId?: string;
}

const PROPERTIES = [
  "primary",
  "secondary",
  "syncInterface",
  "primarySyncAddress",
  "secondarySyncAddress",
  "username",
  "password",
  "areas",
  "primaryHostId",
  "secondaryHostId",
  "acknowledgeSecondaryDeletions",
] as const;

function f(inp: { name?: string }): string {
  return resourceLabel("HaSyncSettings", inp);
}

/**
 * Areas in the GUI's order, duplicates dropped; default all the version has: 2.7's 19, or with
 * `withKea6` (a version with `synchronizekea6`, master / 2.8) the 20 of master's GUI.
 */
export function normaliseAreas(areas: SyncArea[] | undefined, withKea6 = false): SyncArea[] {
  if (areas === undefined) return [...(withKea6 ? MASTER_SYNC_AREAS : ALL_SYNC_AREAS)];
  return MASTER_SYNC_AREAS.filter((a) => areas.includes(a));
}

/** Does the version recorded in state (`productVersion`, `configVersion`) have `synchronizekea6`? */
export function versionHasKea6Sync(productVersion: string, configVersion: string): boolean {
  try {
    return profileFor(productVersion, "pfSense", configVersion).hasKea6Sync;
  } catch {
    return false;
  }
}

/** `acknowledgeSecondaryDeletions` is a boolean or a list of known areas. */
function validateAcknowledgement(inp: HaSyncInputs): void {
  const ack = inp.acknowledgeSecondaryDeletions as unknown;
  if (ack === undefined || typeof ack === "boolean") return;
  const bad = Array.isArray(ack)
    ? ack.find((a) => !MASTER_SYNC_AREAS.includes(a as SyncArea))
    : ack;
  if (bad === undefined) return;
  throw haError({
    code: "E_INVALID_INPUT",
    field: `${f(inp)}.acknowledgeSecondaryDeletions`,
    value: String(bad),
    message: "not true/false or a list of sync areas",
    fix: `use true, or a list of any of: ${MASTER_SYNC_AREAS.join(", ")}`,
  });
}

/** Validates the inputs that need no node (throws the first problem). */
export function validateHaSync(inp: HaSyncInputs): void {
  const base = f(inp);
  if (typeof inp.syncInterface !== "string" || inp.syncInterface === "") {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${base}.syncInterface`,
      message: "syncInterface is required",
      fix: 'give the assignment name of the dedicated sync interface, e.g. "opt1"',
    });
  }
  for (const a of inp.areas ?? []) {
    if (!MASTER_SYNC_AREAS.includes(a)) {
      throw haError({
        code: "E_INVALID_INPUT",
        field: `${base}.areas`,
        value: String(a),
        message: "unknown sync area",
        fix: `use any of: ${MASTER_SYNC_AREAS.join(", ")} (kea6: pfSense 2.8 / master only)`,
      });
    }
  }
  validateAcknowledgement(inp);
  for (const k of ["primarySyncAddress", "secondarySyncAddress"] as const) {
    const v = inp[k];
    if (v !== undefined && addressFamily(v) === undefined) {
      throw haError({
        code: "E_INVALID_ADDRESS",
        field: `${base}.${k}`,
        value: v,
        message: "not an IP address (pfSense's sync-to field takes an address, not a host name)",
        fix: "give the node's address on the sync interface",
      });
    }
  }
  if (inp.primarySyncAddress !== undefined && inp.primarySyncAddress === inp.secondarySyncAddress) {
    throw haError({
      code: "E_PREFLIGHT",
      field: `${base}.secondarySyncAddress`,
      value: inp.secondarySyncAddress,
      message: "the sync-to address is the primary's own sync address",
      fix: "give the secondary's address on the sync interface",
    });
  }
  if (typeof inp.username !== "string" || inp.username === "") {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${base}.username`,
      message: "the sync username is required",
      fix: "give a user on the secondary holding the HA-sync privilege (usually admin)",
    });
  }
  if (typeof inp.password !== "string" || inp.password === "") {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${base}.password`,
      message: "the sync password is required",
      fix: "give the sync user's password (a secret)",
    });
  }
  for (const k of ["primaryHostId", "secondaryHostId"] as const) {
    const v = inp[k];
    if (v !== undefined && !/^[0-9a-fA-F]{1,8}$/.test(v)) {
      throw haError({
        code: "E_INVALID_INPUT",
        field: `${base}.${k}`,
        value: v,
        message: "a pfsync host id is 1-8 hex digits",
        fix: "use e.g. 0a0b0c01, or leave it unset",
      });
    }
  }
  if (
    inp.primaryHostId !== undefined &&
    inp.secondaryHostId !== undefined &&
    inp.primaryHostId.toLowerCase() === inp.secondaryHostId.toLowerCase()
  ) {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${base}.secondaryHostId`,
      value: inp.secondaryHostId,
      message: "both nodes would have the same pfsync host id",
      fix: "give each node its own host id, or leave them unset",
    });
  }
}

/** `check` without network: the static validation (unknowns skipped). */
export function checkHaSyncStatic(news: HaSyncInputs): CheckFailure[] {
  const failures: CheckFailure[] = [
    ...endpointProblems(news.primary, "primary"),
    ...endpointProblems(news.secondary, "secondary"),
  ];
  const known = { ...news } as Record<string, unknown>;
  for (const [k, v] of Object.entries(known)) if (isUnknown(v)) delete known[k];
  const decisive = [news.areas, news.acknowledgeSecondaryDeletions];
  if (!containsUnknown([...decisive, news.syncInterface, news.username, news.password])) {
    collectFailure(() => validateHaSync(known as unknown as HaSyncInputs), PROPERTIES, failures);
  }
  return failures;
}

/** The primary's hasync for the desired settings (keeping unmodelled members). */
export function primaryHaSync(d: HaSyncDesired, existing: HaSync | undefined): HaSync {
  const h: HaSync = {
    pfsyncEnabled: true,
    pfsyncInterface: d.syncInterface,
    pfsyncPeerIp: d.secondarySyncAddress,
    synchronizeToIp: d.secondarySyncAddress,
    username: d.username,
    password: d.password,
    adminSync: d.adminSync || undefined,
    areas: d.areas,
  };
  if (d.primaryHostId !== undefined) h.pfHostId = d.primaryHostId;
  if (existing?.extra !== undefined) h.extra = existing.extra;
  return h;
}

/** The secondary's hasync: the planner's derivation (pfsync only, never sync-to; gotcha 6). */
export function secondaryHaSync(d: HaSyncDesired, existing: HaSync | undefined): HaSync {
  const derived = deriveSecondary(
    {
      virtualIps: [],
      natRules: [],
      dhcpd: {},
      interfaces: {},
      hasync: primaryHaSync(d, undefined),
    },
    {
      primaryInterfaces: {
        [d.syncInterface]: {
          name: d.syncInterface,
          enable: true,
          ipaddr: d.primarySyncAddress,
        },
      },
      secondaryPfHostId: d.secondaryHostId,
    },
  ).hasync as HaSync;
  if (d.secondaryHostId === undefined) delete derived.pfHostId;
  else derived.pfHostId = d.secondaryHostId;
  // adminsync is copied by pfSense's sync (§6.3); keep it equal so it is not drift.
  if (d.adminSync) derived.adminSync = true;
  if (existing?.extra !== undefined) derived.extra = existing.extra;
  return derived;
}

/** `diff`: every field is updated in place (hasync is one per node, no identity to collide). */
export function diffHaSync(olds: HaSyncOutputs, news: HaSyncInputs): FieldDiffResult {
  return diffFieldPairs([
    { field: "primary", old: olds.primary, new: news.primary },
    { field: "secondary", old: olds.secondary, new: news.secondary },
    { field: "syncInterface", old: olds.syncInterface, new: news.syncInterface },
    {
      field: "primarySyncAddress",
      old: olds.primarySyncAddress,
      new: news.primarySyncAddress ?? olds.primarySyncAddress,
    },
    {
      field: "secondarySyncAddress",
      old: olds.secondarySyncAddress,
      new: news.secondarySyncAddress ?? olds.secondarySyncAddress,
    },
    { field: "username", old: olds.username, new: news.username },
    { field: "password", old: olds.password, new: news.password },
    {
      field: "areas",
      old: olds.areas,
      new: isUnknown(news.areas)
        ? news.areas
        : normaliseAreas(
            news.areas,
            versionHasKea6Sync(olds.productVersion ?? "", olds.configVersion ?? ""),
          ),
    },
    { field: "adminSync", old: olds.adminSync ?? false, new: news.adminSync ?? false },
    {
      field: "primaryHostId",
      old: olds.primaryHostId,
      new: news.primaryHostId ?? olds.primaryHostId,
    },
    {
      field: "secondaryHostId",
      old: olds.secondaryHostId,
      new: news.secondaryHostId ?? olds.secondaryHostId,
    },
    { field: "drift", old: hasDrift(olds.drift), new: false },
  ]);
}
