/**
 * VipServiceBinding provider runtime: binds one existing OpenVPN server / IPsec phase 1 (by its id
 * in config.xml) to a CARP VIP, through the session's edit path (only that item's `interface`,
 * and OpenVPN's `ipaddr`, change; every other item and member stays as read, in order). Where the
 * primary's sync carries the area, only the primary is written and pfSense's push brings the
 * secondary along (secondaryConvergence.ts); otherwise the secondary's item with the same id is
 * written too. Delete gives each item back the interface it had, if it is still bound to the VIP.
 */
import { haError } from "../plan";
import type { NodeHaConfig } from "../plan/model";
import type { CheckFailure } from "./checkFailures";
import { collectFailure } from "./checkFailures";
import { openPair, readBoth } from "./nodePair";
import { isPreWriteError, orPartial, primaryReadBackFailure } from "./partialFailure";
import { toPlainData } from "./plainData";
import { refreshedInputs } from "./refreshInputs";
import { resourceLabel } from "./resourceLabel";
import { convergeSecondary, pfSenseSyncs } from "./secondaryConvergence";
import { readNodesForCheck } from "./nodeChecks";
import { containsUnknown } from "./unknowns";
import { noDrift } from "./nodeDrift";
import {
  bindingId,
  checkBindingOnNodes,
  checkVipService,
  diffVipService,
  holdsBinding,
  itemName,
  SERVICE_AREA,
  serviceView,
  setBinding,
  vipBinding,
  type ServiceView,
  type VipServiceInputs,
  type VipServiceOutputs,
} from "./vipServiceSpec";
import type { RuntimeProvider } from "./runtime";

const INPUT_KEYS: readonly (keyof VipServiceInputs)[] = [
  "primary",
  "secondary",
  "name",
  "service",
  "itemId",
  "vipUniqid",
  "moveInterface",
  "syncWaitMs",
  "stack",
];

const label = (inp: { name?: string }): string => resourceLabel("VipServiceBinding", inp);

/** A binding as state records it: `address` null = OpenVPN's `ipaddr` was absent. */
interface Recorded {
  interface: string;
  address: string | null;
}

const recorded = (v: ServiceView): Recorded => ({
  interface: v.interface,
  address: v.address ?? null,
});

const asWant = (r: Recorded): { interface: string; address: string | undefined } => ({
  interface: r.interface,
  address: r.address ?? undefined,
});

function warn(lbl: string, text: string): void {
  process.stderr.write(`[pfsense-ha ${lbl}] ${text}\n`);
}

/** Create and update: (re)binds the item on the primary, then brings the secondary along. */
async function bind(
  inp: VipServiceInputs,
  before?: VipServiceOutputs,
): Promise<{ id: string; outs: VipServiceOutputs }> {
  const lbl = label(inp);
  const id = bindingId(inp.service, String(inp.itemId));
  inp = { ...inp, itemId: String(inp.itemId) };
  const pair = openPair(inp);
  const [p0, s0] = await Promise.all([pair.primary.read(), pair.secondary.read()]);
  const area = SERVICE_AREA[inp.service];
  const synced = pfSenseSyncs(p0.config.hasync, area);
  const { vip } = checkBindingOnNodes(inp, p0.config, s0.config, synced);
  if (!vip) {
    throw haError({
      code: "E_SERVICE_BINDING",
      field: `${lbl}.vip`,
      message: "the VIP's uniqid is not known",
      fix: "pass a CarpVip",
    });
  }
  const want = vipBinding(inp.service, vip);
  // Create records what the item held; an update (another VIP) keeps the first record.
  let prev: Recorded | undefined = before
    ? { interface: before.previousInterface, address: before.previousAddress ?? null }
    : undefined;
  let sPrev: Recorded | undefined = before
    ? {
        interface: before.secondaryPreviousInterface,
        address: before.secondaryPreviousAddress ?? null,
      }
    : undefined;
  const record = () => ({ resource: lbl, id, properties: { ...inp, ...outputs() } });
  const outputs = (): Omit<VipServiceOutputs, keyof VipServiceInputs> => ({
    boundInterface: want.interface,
    vipAddress: vip.subnet,
    vipInterface: vip.interface,
    previousInterface: prev?.interface ?? "",
    previousAddress: prev?.address ?? null,
    secondaryPreviousInterface: sPrev?.interface ?? "",
    secondaryPreviousAddress: sPrev?.address ?? null,
    syncedBy: "library",
    drift: noDrift(),
  });
  const pAfter = await orPartial(
    "primary write",
    record,
    () =>
      pair.primary.edit((draft) => {
        const v = serviceView(draft, inp.service, inp.itemId);
        if (!v) throw checkAgain(inp);
        if (!before) prev = recorded(v);
        setBinding(draft, inp.service, inp.itemId, want.interface, want.address);
      }, lbl),
    isPreWriteError,
  );
  if (!holdsBinding(pAfter.config, inp.service, inp.itemId, want)) {
    throw primaryReadBackFailure(
      record(),
      `the primary's ${itemName(inp.service, inp.itemId)} is not bound to ${want.interface} after the write`,
      "check for concurrent edits",
    );
  }
  const { syncedBy } = await orPartial("secondary write", record, () =>
    convergeSecondary({
      primary: pAfter,
      pair,
      area,
      label: lbl,
      waitMs: inp.syncWaitMs,
      inPlace: (cfg) => holdsBinding(cfg, inp.service, inp.itemId, want),
      apply: (draft) => {
        const v = serviceView(draft, inp.service, inp.itemId);
        if (!v) throw checkAgain(inp, "secondary");
        if (!before && v.interface !== want.interface) sPrev = recorded(v);
        setBinding(draft, inp.service, inp.itemId, want.interface, want.address);
      },
    }),
  );
  const outs: VipServiceOutputs = { ...inp, ...outputs(), syncedBy };
  return { id, outs: toPlainData(outs) };
}

/** The item vanished between the read and the edit (someone deleted it meanwhile). */
function checkAgain(inp: VipServiceInputs, node: "primary" | "secondary" = "primary"): Error {
  return haError({
    code: "E_SERVICE_NOT_FOUND",
    field: `${label(inp)}.id`,
    value: inp.itemId,
    message: `the ${node} no longer has ${itemName(inp.service, inp.itemId)} (it was deleted after the preview's read)`,
    fix: "recreate it on the node, or remove the binding from the program",
  });
}

/** `delete`: gives the item back what it had, where it is still bound to this VIP. */
async function unbind(_id: string, props: VipServiceOutputs): Promise<void> {
  const lbl = label(props);
  const pair = openPair(props);
  const what = itemName(props.service, props.itemId);
  const restore = (
    draft: NodeHaConfig,
    to: Recorded,
    node: string,
    said: { left?: string },
  ): void => {
    const v = serviceView(draft, props.service, props.itemId);
    if (!v) said.left = `the ${node}'s ${what} no longer exists`;
    else if (v.interface !== props.boundInterface)
      said.left = `the ${node}'s ${what} is bound to ${v.interface} now, not to ${props.boundInterface}`;
    else {
      delete said.left;
      setBinding(draft, props.service, props.itemId, to.interface, to.address ?? undefined);
    }
  };
  const toPrimary: Recorded = {
    interface: props.previousInterface,
    address: props.previousAddress ?? null,
  };
  const pSaid: { left?: string } = {};
  const pAfter = await pair.primary.edit((d) => restore(d, toPrimary, "primary", pSaid), lbl);
  if (pSaid.left) warn(lbl, `${pSaid.left}; left as it is`);
  const area = SERVICE_AREA[props.service];
  if (pfSenseSyncs(pAfter.config.hasync, area)) {
    // The primary's push carries the whole section; wait for it (or write it) like create does.
    const pv = serviceView(pAfter.config, props.service, props.itemId);
    if (pSaid.left || !pv) return;
    const want = asWant(recorded(pv));
    await convergeSecondary({
      primary: pAfter,
      pair,
      area,
      label: lbl,
      waitMs: props.syncWaitMs,
      inPlace: (cfg) =>
        !serviceView(cfg, props.service, props.itemId) ||
        holdsBinding(cfg, props.service, props.itemId, want),
      apply: (draft) =>
        void setBinding(draft, props.service, props.itemId, want.interface, want.address),
    });
    return;
  }
  // Not synced: the secondary's own item, by the same rule, back to what it had.
  const toSecondary: Recorded = props.secondaryPreviousInterface
    ? {
        interface: props.secondaryPreviousInterface,
        address: props.secondaryPreviousAddress ?? null,
      }
    : toPrimary;
  const sSaid: { left?: string } = {};
  await pair.secondary.edit((d) => restore(d, toSecondary, "secondary", sSaid), lbl);
  if (sSaid.left) warn(lbl, `${sSaid.left}; left as it is`);
}

/** `read` (refresh): both nodes' item, drift where it is not bound to the VIP. */
async function readBinding(
  id: string,
  props: VipServiceOutputs,
): Promise<{
  id: string;
  props: Partial<VipServiceOutputs>;
  inputs?: Partial<VipServiceInputs>;
}> {
  const pair = openPair(props);
  const [p, s] = await readBoth(pair);
  const pv = serviceView(p.config, props.service, props.itemId);
  const sv = serviceView(s.config, props.service, props.itemId);
  if (!pv && !sv) return { id: "", props: {} };
  const line = (v: ServiceView | undefined): string[] => {
    if (!v) return [`${props.service}[${props.itemId}]: expected "present", found "missing"`];
    return v.interface === props.boundInterface
      ? []
      : [
          `${props.service}[${props.itemId}].interface: expected ${JSON.stringify(props.boundInterface)}, found ${JSON.stringify(v.interface)}`,
        ];
  };
  const outs = { ...props, drift: { primary: line(pv), secondary: line(sv) } };
  const inputs = refreshedInputs<VipServiceInputs>(outs, INPUT_KEYS);
  return { id, props: toPlainData(outs), inputs: toPlainData(inputs) };
}

/** `check`: the static rules, then (service and id known) the node rules on the check snapshot. */
async function checkBinding(
  _olds: unknown,
  news: VipServiceInputs,
): Promise<{ inputs: VipServiceInputs; failures: CheckFailure[] }> {
  const own = checkVipService(news);
  if (
    own.failures.length > 0 ||
    containsUnknown([news.primary, news.secondary, news.service, news.itemId, news.moveInterface])
  )
    return own;
  const inputs = { ...news, itemId: String(news.itemId) };
  const read = await readNodesForCheck(news);
  if (!read.nodes) return { inputs, failures: read.failures };
  const [p, s] = read.nodes;
  const synced = pfSenseSyncs(p.config.hasync, SERVICE_AREA[news.service]);
  const failures: CheckFailure[] = [];
  collectFailure(
    () => checkBindingOnNodes(inputs, p.config, s.config, synced),
    ["itemId", "vipUniqid", "service"],
    failures,
    { vip: "vipUniqid", id: "itemId" },
  );
  return { inputs, failures };
}

/** The VipServiceBindingConfig kind. */
export const vipServiceBinding: RuntimeProvider<VipServiceInputs, VipServiceOutputs> = {
  check: checkBinding,
  diff: async (_id, olds, news) => diffVipService(olds, news),
  create: (inputs) => bind(inputs),
  read: readBinding,
  update: async (_id, olds, news) => ({ outs: (await bind(news, olds)).outs }),
  delete: unbind,
};
