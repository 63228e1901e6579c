/**
 * The secondary's expected HA configuration, derived from the primary's exactly as pfSense 2.6+'s
 * sync sender transforms its copy before `restore_config_section` (design §6.4). The library
 * uses it to write the secondary itself and to tell expected differences from real drift.
 */
import { haError } from "./errors";
import type {
  DhcpdInterface,
  HaSync,
  InterfaceConfig,
  NodeHaConfig,
  OutboundNatRule,
  VirtualIp,
} from "./model";
import { MAX_ADVBASE, MAX_ADVSKEW, SECONDARY_SKEW_OFFSET } from "./skewPolicy";

/** What the derivation needs beyond the primary's configuration. */
export interface SecondaryContext {
  /** The primary's interfaces (source of the DHCP failover peer and the pfsync peer address).
   * Default: `primary.interfaces`. */
  primaryInterfaces?: Record<string, InterfaceConfig>;
  /** The secondary's own interfaces, copied into the result (per node, never synced).
   * Default: none (`{}`). */
  secondaryInterfaces?: Record<string, InterfaceConfig>;
  /** pfsync interface on the secondary. Default: the primary's `pfsyncInterface` (assignment
   * names match on both nodes). */
  pfsyncInterface?: string;
  /** The secondary's pfsync host id (hex, at most 8 characters, different from the primary's).
   * Default: the primary's id + 1 when the primary has one, else unset (pfSense picks one). */
  secondaryPfHostId?: string;
}

/**
 * Is this VIP part of pfSense's `virtualip` sync payload? CARP and `other` VIPs always; IP alias
 * and proxy ARP only when stacked on a CARP VIP (`_vip<uniqid>`) or on `lo0` (§6.4 step 3).
 */
export function isSyncedVip(vip: VirtualIp): boolean {
  if (vip.mode === "carp" || vip.mode === "other") return true;
  return vip.interface.includes("_vip") || vip.interface.includes("lo0");
}

/**
 * Derives the secondary's configuration from the primary's (pure: same input, same output; the
 * input is not modified):
 * - virtualIps: the synced VIPs ({@link isSyncedVip}), advskew + 100 capped at 254, advbase
 *   capped at 254, everything else (vhid, password, uniqid, subnet, ...) unchanged;
 * - natRules: unchanged, minus `nosync` rules (nosync means primary-only); natMode unchanged;
 * - dhcpd: unchanged, except a non-empty `failoverPeerIp` becomes the primary's own
 *   `interfaces/<if>/ipaddr` (left unchanged when the primary has no ipaddr there);
 * - hasync: per-node pfsync settings only — same enable flag and interface, peer = the primary's
 *   address on the pfsync interface (multicast, i.e. unset, when the primary uses multicast),
 *   a distinct host id; no synchronizetoip, username, password or areas (the secondary must
 *   never sync back: gotcha 6);
 * - interfaces: the secondary's own (from the context).
 */
export function deriveSecondary(primary: NodeHaConfig, ctx: SecondaryContext = {}): NodeHaConfig {
  const primaryIfs = ctx.primaryInterfaces ?? primary.interfaces;
  const out: NodeHaConfig = {
    virtualIps: primary.virtualIps.filter(isSyncedVip).map(deriveVip),
    natRules: primary.natRules.filter((r) => !r.nosync).map((r) => clone<OutboundNatRule>(r)),
    dhcpd: {},
    interfaces: clone(ctx.secondaryInterfaces ?? {}),
  };
  if (primary.natMode !== undefined) out.natMode = primary.natMode;
  for (const [ifName, d] of Object.entries(primary.dhcpd)) {
    const copy = clone<DhcpdInterface>(d);
    const own = primaryIfs[ifName]?.ipaddr;
    if (copy.failoverPeerIp && own) copy.failoverPeerIp = own;
    out.dhcpd[ifName] = copy;
  }
  if (primary.hasync !== undefined) out.hasync = deriveHaSync(primary.hasync, primaryIfs, ctx);
  return out;
}

function deriveVip(vip: VirtualIp): VirtualIp {
  const copy = clone<VirtualIp>(vip);
  if (vip.advskew !== undefined) {
    copy.advskew = Math.min(vip.advskew + SECONDARY_SKEW_OFFSET, MAX_ADVSKEW);
  }
  if (vip.advbase !== undefined) copy.advbase = Math.min(vip.advbase, MAX_ADVBASE);
  return copy;
}

function deriveHaSync(
  p: HaSync,
  primaryIfs: Record<string, InterfaceConfig>,
  ctx: SecondaryContext,
): HaSync {
  const pfsyncInterface = ctx.pfsyncInterface ?? p.pfsyncInterface;
  const h: HaSync = { pfsyncEnabled: p.pfsyncEnabled, areas: [] };
  if (pfsyncInterface !== undefined) h.pfsyncInterface = pfsyncInterface;
  if (p.pfsyncPeerIp) {
    const own = p.pfsyncInterface ? primaryIfs[p.pfsyncInterface]?.ipaddr : undefined;
    if (own) h.pfsyncPeerIp = own;
  }
  const hostId = ctx.secondaryPfHostId ?? (p.pfHostId ? nextHostId(p.pfHostId) : undefined);
  if (hostId !== undefined) {
    if (!/^[0-9a-f]{1,8}$/i.test(hostId)) {
      throw haError({
        code: "E_INVALID_INPUT",
        field: "HaSync.secondaryPfHostId",
        value: hostId,
        message: "a pfsync host id is 1-8 hexadecimal digits",
        fix: "use a hex id such as 2",
      });
    }
    if (p.pfHostId && parseInt(hostId, 16) === parseInt(p.pfHostId, 16)) {
      throw haError({
        code: "E_INVALID_INPUT",
        field: "HaSync.secondaryPfHostId",
        value: hostId,
        message: "the secondary's pfsync host id equals the primary's; pf states would collide",
        fix: "give each node a different host id",
      });
    }
    h.pfHostId = hostId;
  }
  return h;
}

/** The next host id after `id` (hex), skipping 0 which pfSense treats as "unset". */
function nextHostId(id: string): string | undefined {
  const n = parseInt(id, 16);
  if (!Number.isFinite(n)) return undefined;
  const next = (n + 1) % 0x1_0000_0000 || 1;
  return next.toString(16);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}
