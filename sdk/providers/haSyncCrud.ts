/**
 * HaSyncSettings provider runtime. The resource owns each node's `<hasync>`: pfsync on both
 * (peer = the other node's sync address, distinct host ids), XML-RPC sync-to on the primary only
 * (§7.1). pfSense never syncs hasync, so the secondary is always written directly. After the
 * writes `interfaces_carp_configure` runs on both nodes, because restored pfsync settings are
 * saved but not applied until then (gotcha 32).
 */
import { randomBytes } from "node:crypto";
import { secondaryDrift, type HaSync, type NodeHaConfig } from "../plan";
import { guardFirstSync, logAcknowledged } from "./firstSyncGuard";
import { preflightHaSync, type PreflightResult } from "./haSyncPreflight";
import {
  normaliseAreas,
  primaryHaSync,
  secondaryHaSync,
  validateHaSync,
  checkHaSyncStatic,
  type HaSyncDesired,
  type HaSyncInputs,
  type HaSyncOutputs,
} from "./haSyncSpec";
import { driftLines, noDrift } from "./nodeDrift";
import { openPair, readBoth } from "./nodePair";
import { isPreWriteError, orPartial } from "./partialFailure";
import { toPlainData } from "./plainData";
import { refreshedInputs } from "./refreshInputs";
import { convergeSecondary } from "./secondaryConvergence";
import { containsUnknown } from "./unknowns";
import type { CheckFailure } from "./checkFailures";
import { isHaError } from "../plan/errors";
import { resourceLabel } from "./resourceLabel";

/** The members of the state that are inputs (handed back by `read`). */
const INPUT_KEYS: readonly (keyof HaSyncInputs)[] = [
  "primary",
  "secondary",
  "name",
  "syncInterface",
  "primarySyncAddress",
  "secondarySyncAddress",
  "username",
  "password",
  "areas",
  "adminSync",
  "primaryHostId",
  "secondaryHostId",
  "syncWaitMs",
  "acknowledgeSecondaryDeletions",
  "stack",
];

function label(inp: { name?: string }): string {
  return resourceLabel("HaSyncSettings", inp);
}

function only(h: HaSync | undefined): NodeHaConfig {
  const c: NodeHaConfig = { virtualIps: [], natRules: [], dhcpd: {}, interfaces: {} };
  if (h !== undefined) c.hasync = h;
  return c;
}

function hostId(): string {
  return randomBytes(4).toString("hex");
}

/** `check`: static validation, then the network pre-flight when every input is known. */
export async function checkHaSync(
  _olds: unknown,
  news: HaSyncInputs,
): Promise<{ inputs: HaSyncInputs; failures: CheckFailure[] }> {
  const failures = checkHaSyncStatic(news);
  let inputs = news;
  if (failures.length === 0 && !containsUnknown(news)) {
    try {
      const pair = openPair(news);
      await preflightHaSync(news, pair);
      const lost = await guardFirstSync(news, pair);
      logAcknowledged(news, lost);
      // Shown by preview as a planned property of the resource.
      if (lost.length > 0)
        inputs = { ...news, secondaryItemsLostAtFirstSync: lost } as HaSyncInputs;
    } catch (e) {
      if (!isHaError(e)) throw e;
      failures.push({
        property: isHaError(e, "E_FIRST_SYNC_LOSS") ? "areas" : "",
        reason: e.message,
      });
    }
  }
  return { inputs, failures };
}

function resolve(inp: HaSyncInputs, pf: PreflightResult, olds?: HaSyncOutputs): HaSyncDesired {
  const hasIds = pf.primary.firmware.profile.hasPfHostId;
  let primaryHostId: string | undefined;
  let secondaryHostId: string | undefined;
  if (hasIds) {
    primaryHostId =
      inp.primaryHostId ??
      (olds?.primaryHostId || undefined) ??
      pf.primary.config.hasync?.pfHostId ??
      hostId();
    secondaryHostId =
      inp.secondaryHostId ??
      (olds?.secondaryHostId || undefined) ??
      pf.secondary.config.hasync?.pfHostId;
    while (
      secondaryHostId === undefined ||
      secondaryHostId.toLowerCase() === primaryHostId.toLowerCase()
    ) {
      secondaryHostId = hostId();
    }
  }
  return {
    syncInterface: inp.syncInterface,
    primarySyncAddress: pf.primarySyncAddress,
    secondarySyncAddress: pf.secondarySyncAddress,
    username: inp.username,
    password: inp.password,
    areas: normaliseAreas(inp.areas, pf.primary.firmware.profile.hasKea6Sync),
    adminSync: inp.adminSync ?? false,
    primaryHostId,
    secondaryHostId,
  };
}

async function reconcile(
  id: string,
  inp: HaSyncInputs,
  olds?: HaSyncOutputs,
): Promise<{ id: string; outs: HaSyncOutputs }> {
  const lbl = label(inp);
  validateHaSync(inp);
  const pair = openPair(inp);
  const pf = await preflightHaSync(inp, pair);
  // Re-checked right before the write: the secondary may have changed since preview.
  const lost = await guardFirstSync(inp, pair);
  const d = resolve(inp, pf, olds);
  const priorPrimary = olds ? olds.priorPrimary : (pf.primary.config.hasync ?? null);
  const priorSecondary = olds ? olds.priorSecondary : (pf.secondary.config.hasync ?? null);
  const record = () => ({
    resource: lbl,
    id,
    properties: {
      ...inp,
      primarySyncAddress: d.primarySyncAddress,
      secondarySyncAddress: d.secondarySyncAddress,
      primaryHostId: d.primaryHostId ?? "",
      secondaryHostId: d.secondaryHostId ?? "",
      priorPrimary,
      priorSecondary,
    },
  });
  // On update every failure of the primary write is recorded as partial.
  const pAfter = await orPartial(
    "primary write",
    record,
    () =>
      pair.primary.edit((draft) => {
        draft.hasync = primaryHaSync(d, draft.hasync);
      }),
    olds ? undefined : isPreWriteError,
  );
  const expectedSecondary = secondaryHaSync(d, undefined);
  const sAfter = await orPartial("secondary write", record, async () => {
    const { state } = await convergeSecondary({
      primary: pAfter,
      pair,
      area: undefined,
      label: lbl,
      inPlace: (cfg) => secondaryDrift(only(expectedSecondary), only(cfg.hasync)).length === 0,
      apply: (draft) => {
        draft.hasync = secondaryHaSync(d, draft.hasync);
      },
    });
    // Apply the saved pfsync settings (gotcha 32): secondary first, then the primary.
    await pair.secondary.client.interfacesCarpConfigure();
    await pair.primary.client.interfacesCarpConfigure();
    return state;
  });
  const outs: HaSyncOutputs = {
    ...inp,
    primarySyncAddress: d.primarySyncAddress,
    secondarySyncAddress: d.secondarySyncAddress,
    areas: d.areas,
    primaryHostId: pAfter.config.hasync?.pfHostId ?? "",
    secondaryHostId: sAfter.config.hasync?.pfHostId ?? "",
    productVersion: pAfter.firmware.productVersion,
    configVersion: pAfter.firmware.configVersion,
    priorPrimary,
    priorSecondary,
    drift: noDrift(),
    secondaryItemsLostAtFirstSync: lost,
  };
  return { id, outs: toPlainData(outs) };
}

/** `create`: pre-flight, then write both nodes' hasync. The id names the pair (primary URL). */
export function createHaSync(inputs: HaSyncInputs): Promise<{ id: string; outs: HaSyncOutputs }> {
  return reconcile(`hasync@${new URL(inputs.primary.url).host}`, inputs);
}

/** `update`: same as create, keeping the host ids and the prior settings from state. */
export async function updateHaSync(
  id: string,
  olds: HaSyncOutputs,
  news: HaSyncInputs,
): Promise<{ outs: HaSyncOutputs }> {
  return { outs: (await reconcile(id, news, olds)).outs };
}

/** `delete`: puts back each node's hasync as it was before (or turns sync and pfsync off). */
export async function deleteHaSync(_id: string, props: HaSyncOutputs): Promise<void> {
  const pair = openPair(props);
  const restore = (prior: HaSync | null) => (draft: NodeHaConfig) => {
    if (prior) draft.hasync = prior;
    else draft.hasync = { pfsyncEnabled: false, areas: [], extra: draft.hasync?.extra };
    if (draft.hasync.extra === undefined) delete draft.hasync.extra;
  };
  await pair.primary.edit(restore(props.priorPrimary));
  await pair.secondary.edit(restore(props.priorSecondary));
  await pair.secondary.client.interfacesCarpConfigure();
  await pair.primary.client.interfacesCarpConfigure();
}

/**
 * True when a node holds none of the HA settings the resource writes: pfsync off, no pfsync
 * peer, no sync-to address, no sync credentials, no area checked. The interface selection and
 * host id are left out: the GUI keeps them when HA is switched off, and alone they do nothing.
 */
export function haSyncAbsent(h: HaSync | undefined): boolean {
  return (
    h === undefined ||
    (!h.pfsyncEnabled &&
      !h.pfsyncPeerIp &&
      !h.synchronizeToIp &&
      !h.username &&
      !h.password &&
      h.areas.length === 0)
  );
}

/**
 * `read` (refresh): compares each node's hasync with what this resource wrote there. Absent
 * from both nodes → empty id (refresh drops it; pulumi-notes B2 pitfall 9).
 */
export async function readHaSync(
  id: string,
  props: HaSyncOutputs,
): Promise<{ id: string; props: Partial<HaSyncOutputs>; inputs?: Partial<HaSyncInputs> }> {
  const pair = openPair(props);
  const [p, s] = await readBoth(pair);
  if (haSyncAbsent(p.config.hasync) && haSyncAbsent(s.config.hasync)) return { id: "", props: {} };
  const d: HaSyncDesired = {
    syncInterface: props.syncInterface,
    primarySyncAddress: props.primarySyncAddress,
    secondarySyncAddress: props.secondarySyncAddress,
    username: props.username,
    password: props.password,
    areas: props.areas,
    adminSync: props.adminSync ?? false,
    primaryHostId: props.primaryHostId || undefined,
    secondaryHostId: props.secondaryHostId || undefined,
  };
  const drift = {
    primary: driftLines(secondaryDrift(only(primaryHaSync(d, undefined)), only(p.config.hasync))),
    secondary: driftLines(
      secondaryDrift(only(secondaryHaSync(d, undefined)), only(s.config.hasync)),
    ),
  };
  const inputs = refreshedInputs<HaSyncInputs>(props, INPUT_KEYS);
  return { id, props: toPlainData({ ...props, drift }), inputs: toPlainData(inputs) };
}
