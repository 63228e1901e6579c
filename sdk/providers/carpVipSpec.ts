/**
 * CarpVip: inputs, outputs and the pure parts of its provider (validation, desired state, diff).
 * The I/O half is carpVipCrud.ts.
 */
import {
  allocateVhids,
  planAddresses,
  planCarpTiming,
  validateCarpPassword,
  haError,
  type VirtualIp,
} from "../plan";
import { endpointProblems, type EndpointInput } from "./endpointInputs";
import { collectFailure, type CheckFailure } from "./checkFailures";
import { diffFieldPairs, type FieldDiffResult, type FieldPair } from "./fieldDiff";
import { hasDrift, type NodeDrift } from "./nodeDrift";
import type { SyncedBy } from "./secondaryConvergence";
import { containsUnknown } from "./unknowns";
import { addressFamily } from "./addressText";
import { resourceLabel } from "./resourceLabel";

/** Inputs of the CarpVip dynamic resource (plain data; see the component for documentation). */
export interface CarpVipInputs {
  primary: EndpointInput;
  secondary: EndpointInput;
  /** The component's name, for messages. */
  name: string;
  interface: string;
  subnet?: string;
  layout?: "wan" | "lan";
  address?: string;
  primaryAddress?: string;
  secondaryAddress?: string;
  vhid?: number;
  advbase?: number;
  skew?: number;
  password: string;
  description?: string;
  reservedVhids?: number[];
  /** Unicast CARP (pfSense Plus): each node advertises to the other node's address. */
  unicast?: boolean;
  /** Bound on waiting for pfSense's own sync, ms. */
  syncWaitMs?: number;
  /** Take over a matching hand-made CARP VIP at create (default false: refuse it). */
  adopt?: boolean;
  /** `project/stack` of the program, for Config History (absent in state written before). */
  stack?: string;
}

/** Outputs (state) of the CarpVip dynamic resource: the inputs plus what was planned/allocated. */
export interface CarpVipOutputs extends CarpVipInputs {
  uniqid: string;
  vhid: number;
  address: string;
  /** Interface network, CIDR. */
  network: string;
  subnetBits: number;
  family: 4 | 6;
  advbase: number;
  primaryAdvskew: number;
  secondaryAdvskew: number;
  primaryAddress: string;
  secondaryAddress: string;
  /** Absent when the last refresh found none (see {@link leanCarpVipOutputs}). */
  drift?: NodeDrift;
  syncedBy: SyncedBy;
  /** The unmanaged VIP this resource adopted, as it was (restored on delete); absent if created. */
  adoptedFrom?: VirtualIp | null;
  /** Unicast peers per node (absent, or "" in state written before, in multicast mode). */
  primaryPeer?: string;
  secondaryPeer?: string;
}

/**
 * The outputs as stored: no drift, no adoption, multicast peers and an empty reservation are left
 * out rather than kept as empty values. The engine rewrites the whole state at every step of a
 * deployment, so each byte a resource holds is paid once per step of every resource after it
 * (about 10 % of a 256-VIP `up`, measured with no-op resources of that much more state).
 */
export function leanCarpVipOutputs(outs: CarpVipOutputs): CarpVipOutputs {
  const lean = { ...outs };
  if (lean.drift !== undefined && !hasDrift(lean.drift)) delete lean.drift;
  if (lean.adoptedFrom === null) delete lean.adoptedFrom;
  if (lean.primaryPeer === "") delete lean.primaryPeer;
  if (lean.secondaryPeer === "") delete lean.secondaryPeer;
  if (lean.reservedVhids?.length === 0) delete lean.reservedVhids;
  return lean;
}

/** The VIP as planned from the inputs alone (no node I/O). */
export interface CarpVipDesired {
  interface: string;
  address: string;
  network: string;
  subnetBits: number;
  family: 4 | 6;
  advbase: number;
  primaryAdvskew: number;
  secondaryAdvskew: number;
  primaryAddress: string;
  secondaryAddress: string;
  password: string;
  descr?: string;
}

const PROPERTIES = [
  "primary",
  "secondary",
  "interface",
  "subnet",
  "layout",
  "address",
  "primaryAddress",
  "secondaryAddress",
  "vhid",
  "advbase",
  "skew",
  "password",
  "description",
  "reservedVhids",
  "unicast",
] as const;
const RENAME = { vip: "address", advskew: "skew" };

function field(inp: { name?: string }): string {
  return resourceLabel("CarpVip", inp);
}

/** The subnet to plan in: `subnet`, else an `address` written with its prefix, else `fallback`. */
export function planningSubnet(inp: CarpVipInputs, fallback?: string): string {
  if (inp.subnet !== undefined && inp.subnet !== "") return inp.subnet;
  if (inp.address !== undefined && inp.address.includes("/")) return inp.address;
  if (fallback !== undefined) return fallback;
  throw haError({
    code: "E_INVALID_INPUT",
    field: `${field(inp)}.subnet`,
    message: "neither subnet nor an address with a prefix length was given",
    fix: 'set subnet (e.g. "192.168.1.0/24") or address with its prefix (e.g. "192.168.1.100/24")',
  });
}

/**
 * Plans the VIP from the inputs with the planner (addresses, timing, password policy, VHID
 * range/reservations). `fallbackSubnet` is the interface's network read from the primary, used
 * only when the inputs give no prefix. Throws the planner's {@link PfSenseHaError}s.
 */
export function resolveCarpVip(inp: CarpVipInputs, fallbackSubnet?: string): CarpVipDesired {
  const f = field(inp);
  if (typeof inp.interface !== "string" || inp.interface === "") {
    throw haError({
      code: "E_INVALID_INPUT",
      field: `${f}.interface`,
      message: "interface is required",
      fix: 'give the interface assignment name, e.g. "wan", "lan" or "opt1"',
    });
  }
  const vip = inp.address?.split("/")[0];
  const plan = planAddresses({
    subnet: planningSubnet(inp, fallbackSubnet),
    layout: inp.layout,
    primary: inp.primaryAddress,
    secondary: inp.secondaryAddress,
    vip: vip === undefined ? undefined : vip,
    field: f,
    fieldNames: { vip: "address", primary: "primaryAddress", secondary: "secondaryAddress" },
  });
  const timing = planCarpTiming({ advbase: inp.advbase, primarySkew: inp.skew, field: f });
  validateCarpPassword(inp.password, `${f}.password`);
  if (inp.vhid !== undefined || (inp.reservedVhids ?? []).length > 0) {
    allocateVhids({
      segment: inp.interface,
      requests: [{ key: inp.name, vhid: inp.vhid }],
      inUse: [],
      reserved: inp.reservedVhids,
    });
  }
  return {
    interface: inp.interface,
    address: plan.vip,
    network: `${plan.network}/${plan.prefix}`,
    subnetBits: plan.prefix,
    family: plan.family,
    advbase: timing.advbase,
    primaryAdvskew: timing.primarySkew,
    secondaryAdvskew: timing.secondarySkew,
    primaryAddress: plan.primary,
    secondaryAddress: plan.secondary,
    password: inp.password,
    descr: inp.description,
  };
}

/** `check`: the planner's validation on known inputs; unknown ones are skipped (pitfall 5). */
export function checkCarpVip(news: CarpVipInputs): {
  inputs: CarpVipInputs;
  failures: CheckFailure[];
} {
  const failures: CheckFailure[] = [
    ...endpointProblems(news.primary, "primary"),
    ...endpointProblems(news.secondary, "secondary"),
  ];
  const planFields = [
    news.interface,
    news.subnet,
    news.layout,
    news.address,
    news.primaryAddress,
    news.secondaryAddress,
    news.advbase,
    news.skew,
    news.password,
    news.vhid,
    news.reservedVhids,
  ];
  if (!containsUnknown(planFields)) {
    const hasPrefix =
      (news.subnet !== undefined && news.subnet !== "") ||
      (news.address !== undefined && news.address.includes("/"));
    if (hasPrefix) {
      collectFailure(() => resolveCarpVip(news), PROPERTIES, failures, RENAME);
    } else {
      // Without a prefix the subnet comes from the node at apply; validate the rest now.
      collectFailure(
        () => planCarpTiming({ advbase: news.advbase, primarySkew: news.skew, field: field(news) }),
        PROPERTIES,
        failures,
        RENAME,
      );
      collectFailure(
        () => validateCarpPassword(news.password, `${field(news)}.password`),
        PROPERTIES,
        failures,
        RENAME,
      );
    }
  }
  // The engine prints a failing property's value next to the reason: a password failure names
  // no property, so a rejected password is never echoed (the reason says which field).
  return {
    inputs: news,
    failures: failures.map((f) => (f.property === "password" ? { ...f, property: "" } : f)),
  };
}

/** The VIP record to hold on the primary. */
export function primaryVip(
  d: CarpVipDesired,
  uniqid: string,
  vhid: number,
  existing?: VirtualIp,
): VirtualIp {
  const vip: VirtualIp = {
    mode: "carp",
    interface: d.interface,
    vhid,
    advskew: d.primaryAdvskew,
    advbase: d.advbase,
    password: d.password,
    uniqid,
    descr: d.descr ?? existing?.descr,
    type: "single",
    subnet: d.address,
    subnetBits: d.subnetBits,
  };
  if (existing?.extra !== undefined) vip.extra = existing.extra;
  return vip;
}

/**
 * `diff`: old outputs against new inputs. Interface, VHID and address family are the VIP's
 * identity (a new one would collide with the old binding, gotcha 31): replace, deleting first.
 */
export function diffCarpVip(olds: CarpVipOutputs, news: CarpVipInputs): FieldDiffResult {
  const pairs: FieldPair[] = [
    { field: "interface", old: olds.interface, new: news.interface, identity: true },
    { field: "vhid", old: olds.vhid, new: news.vhid ?? olds.vhid, identity: true },
    { field: "primary", old: olds.primary, new: news.primary },
    { field: "secondary", old: olds.secondary, new: news.secondary },
    { field: "drift", old: hasDrift(olds.drift), new: false },
    { field: "unicast", old: olds.unicast ?? false, new: news.unicast ?? false },
  ];
  let desired: CarpVipDesired | undefined;
  const known = !containsUnknown([
    news.interface,
    news.subnet,
    news.layout,
    news.address,
    news.primaryAddress,
    news.secondaryAddress,
    news.advbase,
    news.skew,
    news.password,
  ]);
  if (known) {
    try {
      desired = resolveCarpVip(news, olds.network);
    } catch {
      desired = undefined; // check already reported it; show the raw fields as changed
    }
  }
  if (desired !== undefined) {
    pairs.push(
      { field: "family", old: olds.family, new: desired.family, identity: true },
      { field: "address", old: olds.address, new: desired.address },
      { field: "subnetBits", old: olds.subnetBits, new: desired.subnetBits },
      { field: "advbase", old: olds.advbase, new: desired.advbase },
      { field: "skew", old: olds.primaryAdvskew, new: desired.primaryAdvskew },
      // Derived: shown so a skew change previews the secondary's value too.
      { field: "secondaryAdvskew", old: olds.secondaryAdvskew, new: desired.secondaryAdvskew },
      { field: "password", old: olds.password, new: desired.password },
      { field: "description", old: olds.description, new: desired.descr },
      // The outputs report the nodes' own addresses: only an explicit input is a change.
      {
        field: "primaryAddress",
        old: olds.primaryAddress,
        new: news.primaryAddress ?? olds.primaryAddress,
      },
      {
        field: "secondaryAddress",
        old: olds.secondaryAddress,
        new: news.secondaryAddress ?? olds.secondaryAddress,
      },
    );
  } else {
    const fam = addressFamily(news.address) ?? addressFamily(news.subnet);
    if (fam !== undefined)
      pairs.push({ field: "family", old: olds.family, new: fam, identity: true });
    for (const k of [
      "subnet",
      "layout",
      "address",
      "primaryAddress",
      "secondaryAddress",
      "advbase",
      "skew",
      "password",
      "description",
    ] as const) {
      pairs.push({ field: k, old: olds[k], new: news[k] });
    }
  }
  return diffFieldPairs(pairs);
}

/** Outputs for a VIP as held on the nodes. */
export function carpVipOutputs(
  inp: CarpVipInputs,
  d: CarpVipDesired,
  vip: VirtualIp,
  secondaryAdvskew: number,
  syncedBy: SyncedBy,
  peers: { primary: string; secondary: string } = { primary: "", secondary: "" },
): CarpVipOutputs {
  return {
    ...inp,
    uniqid: vip.uniqid ?? "",
    vhid: vip.vhid ?? 0,
    address: vip.subnet,
    network: d.network,
    subnetBits: vip.subnetBits,
    family: d.family,
    advbase: vip.advbase ?? d.advbase,
    primaryAdvskew: vip.advskew ?? d.primaryAdvskew,
    secondaryAdvskew,
    primaryAddress: d.primaryAddress,
    secondaryAddress: d.secondaryAddress,
    syncedBy,
    primaryPeer: peers.primary,
    secondaryPeer: peers.secondary,
  };
}

/** pfSense Plus unicast CARP members of a VIP (`carp_mode`, `carp_peer`); CE has none (§9.2). */
export function withUnicastPeer(vip: VirtualIp, peer: string | undefined): VirtualIp {
  if (peer === undefined) return vip;
  return { ...vip, extra: { ...(vip.extra ?? {}), carp_mode: "ucast", carp_peer: peer } };
}

/** The unicast peer a VIP record holds, if any. */
export function unicastPeerOf(vip: VirtualIp | undefined): string | undefined {
  const e = vip?.extra;
  return e && e.carp_mode === "ucast" && typeof e.carp_peer === "string" ? e.carp_peer : undefined;
}
