/**
 * Planning benchmark: a fleet of 4,094 VLAN interfaces (opt1..opt4094, 10.<hi>.<lo>.0/24), each
 * with one CARP VIP. Plans addresses, VHIDs per segment, timing and the CARP password of every
 * VIP, checks one outbound NAT rule per VLAN against the WAN CARP VIP, plans DHCP failover per
 * VLAN, then derives the secondary for the whole fleet and diffs it. Prints wall time per phase
 * and peak memory (sampled); asserts nothing.
 */
import {
  allocateVhids,
  checkOutboundNatRule,
  checkVipMask,
  deriveSecondary,
  generateCarpPassword,
  planAddresses,
  planCarpTiming,
  planDhcpFailover,
  secondaryDrift,
  validateCarpPassword,
  type DhcpdInterface,
  type InterfaceConfig,
  type NodeHaConfig,
  type OutboundNatRule,
  type VirtualIp,
} from "../sdk/plan";

const VLANS = 4094;

let peakRss = 0;
let peakHeap = 0;
function sample(): void {
  const m = process.memoryUsage();
  if (m.rss > peakRss) peakRss = m.rss;
  if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
}
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

function timed<T>(label: string, rows: string[], fn: () => T): T {
  const t0 = process.hrtime.bigint();
  const r = fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  sample();
  rows.push(`  ${label.padEnd(44)} ${ms.toFixed(1).padStart(9)} ms`);
  return r;
}

export async function run(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const base = process.memoryUsage();
  peakRss = base.rss;
  peakHeap = base.heapUsed;
  const rows: string[] = [];
  const t0 = process.hrtime.bigint();

  const primaryIfs: Record<string, InterfaceConfig> = {};
  const secondaryIfs: Record<string, InterfaceConfig> = {};
  const vips: VirtualIp[] = [];
  const dhcpd: Record<string, DhcpdInterface> = {};
  const natRules: OutboundNatRule[] = [];

  const wan = planAddresses({ subnet: "203.0.113.0/29", layout: "wan", field: "wan" });
  const wanVip: VirtualIp = {
    mode: "carp",
    interface: "wan",
    vhid: 1,
    advskew: 0,
    advbase: 1,
    password: generateCarpPassword(),
    uniqid: "wan0000000000",
    type: "single",
    subnet: wan.vip,
    subnetBits: wan.prefix,
  };
  vips.push(wanVip);

  timed(`plan ${VLANS} VLANs (addresses, VHID, timing, pw)`, rows, () => {
    for (let v = 1; v <= VLANS; v++) {
      const ifName = `opt${v}`;
      const subnet = `10.${v >> 8}.${v & 255}.0/24`;
      const plan = planAddresses({ subnet, field: `CarpVip[${ifName}]` });
      // Each VLAN is its own segment; one unmanaged VIP per 16 VLANs holds VHID 1 there.
      const vhids = allocateVhids({
        segment: ifName,
        requests: [{ key: `vip-${v}` }],
        inUse: v % 16 === 0 ? [{ vhid: 1, owner: "unmanaged" }] : [],
        reserved: [],
      });
      const timing = planCarpTiming({ dhcpFailover: true, field: `CarpVip[${ifName}]` });
      const password = generateCarpPassword();
      validateCarpPassword(password);
      checkVipMask(plan.prefix, plan.prefix);
      primaryIfs[ifName] = {
        name: ifName,
        device: `vlan${v}`,
        enable: true,
        ipaddr: plan.primary,
        subnet: plan.prefix,
      };
      secondaryIfs[ifName] = {
        name: ifName,
        device: `vlan${v}`,
        enable: true,
        ipaddr: plan.secondary,
        subnet: plan.prefix,
      };
      vips.push({
        mode: "carp",
        interface: ifName,
        vhid: vhids[`vip-${v}`],
        advskew: timing.primarySkew,
        advbase: timing.advbase,
        password,
        uniqid: `u${v.toString(16).padStart(12, "0")}`,
        type: "single",
        subnet: plan.vip,
        subnetBits: plan.prefix,
      });
      const d = planDhcpFailover({
        interface: ifName,
        subnet,
        primaryAddress: plan.primary,
        secondaryAddress: plan.secondary,
        vip: plan.vip,
        rangeFrom: `10.${v >> 8}.${v & 255}.100`,
        rangeTo: `10.${v >> 8}.${v & 255}.199`,
        primarySkew: timing.primarySkew,
      });
      dhcpd[ifName] = d.primary;
      natRules.push({
        interface: "wan",
        source: subnet,
        destination: { any: true },
        target: wan.vip,
      });
      if ((v & 255) === 0) sample();
    }
  });

  timed(`check ${VLANS} outbound NAT rules (${vips.length} VIPs)`, rows, () => {
    const ctx = { wanNodeAddresses: [wan.primary, wan.secondary], carpVips: vips };
    natRules.forEach((r, i) => {
      checkOutboundNatRule(r, { ...ctx, field: `nat[${i}]` });
      if ((i & 255) === 0) sample();
    });
  });

  const primary: NodeHaConfig = {
    virtualIps: vips,
    natMode: "hybrid",
    natRules,
    dhcpd,
    interfaces: primaryIfs,
    hasync: {
      pfsyncEnabled: true,
      pfsyncInterface: "opt1",
      pfsyncPeerIp: primaryIfs.opt2.ipaddr,
      pfHostId: "1",
      areas: ["nat", "dhcpd", "virtualip"],
    },
  };
  const secondary = timed("derive the secondary for the whole fleet", rows, () =>
    deriveSecondary(primary, { secondaryInterfaces: secondaryIfs }),
  );
  const observed = structuredClone(secondary);
  const drift = timed("diff expected vs observed secondary", rows, () =>
    secondaryDrift(secondary, observed),
  );

  const totalMs = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(
    `plan fleet: ${VLANS} VLAN interfaces, ${vips.length} CARP VIPs, ${natRules.length} NAT rules, drift items ${drift.length}`,
  );
  for (const r of rows) console.log(r);
  console.log(`  ${"total wall time".padEnd(44)} ${totalMs.toFixed(1).padStart(9)} ms`);
  console.log(
    `  peak rss ${mib(peakRss)} (start ${mib(base.rss)}), peak heapUsed ${mib(peakHeap)} (start ${mib(base.heapUsed)})`,
  );
}
