/**
 * An emulated pair set up the way the library sets up a real one: the planner computes VHIDs,
 * timing and CARP passwords, the node session writes the primary's VIPs and HA sync settings, and
 * the primary's own auto-sync (§6) delivers the secondary's view. Used by the health, drill and
 * CLI tests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { startPair, type EmulatedPair, type PairOptions } from "../../sdk/emulator";
import { getNodeSession, type NodeEndpoint } from "../../sdk/pfsense";
import {
  allocateVhids,
  generateCarpPassword,
  planCarpTiming,
  type VirtualIp,
} from "../../sdk/plan";
import { getClusterHealth, type ClusterEndpoints } from "../../sdk/health";

/** One VIP to declare. */
export interface FixtureVip {
  interface: "wan" | "lan";
  address: string;
  advbase?: number;
  primarySkew?: number;
  descr?: string;
}

/** The default VIPs: one on WAN, one on LAN (advbase 1, primary skew 0). */
export const DEFAULT_FIXTURE_VIPS: FixtureVip[] = [
  { interface: "wan", address: "192.168.1.100", descr: "WAN gateway VIP" },
  { interface: "lan", address: "192.168.99.100", descr: "LAN gateway VIP" },
];

/** A running fixture. */
export interface PairFixture {
  pair: EmulatedPair;
  endpoints: ClusterEndpoints;
  /** The planned VIPs as written to the primary. */
  vips: VirtualIp[];
  stop(): Promise<void>;
}

const endpointOf = (
  name: string,
  d: { url: string; username: string; password: string; fingerprint256: string },
): NodeEndpoint => ({
  name,
  url: d.url,
  username: d.username,
  password: d.password,
  tls: { fingerprint256: d.fingerprint256 },
});

/** pfSense-like uniqid: 13 hex characters. */
const uniqid = () => randomBytes(7).toString("hex").slice(0, 13);

/**
 * Starts a pair, writes the planned VIPs and HA sync to the primary, and waits until the
 * secondary holds the synced view (sync "in-sync").
 */
export async function startPairFixture(
  vipsIn: FixtureVip[] = DEFAULT_FIXTURE_VIPS,
  pairOptions: Partial<PairOptions> = {},
): Promise<PairFixture> {
  const dir = mkdtempSync(join(tmpdir(), "pha-health-"));
  const pair = await startPair({ dir, ...pairOptions });
  try {
    const d = pair.describe();
    const endpoints = {
      primary: endpointOf("primary", d.primary),
      secondary: endpointOf("secondary", d.secondary),
    };
    const vips: VirtualIp[] = [];
    for (const ifc of ["wan", "lan"] as const) {
      const mine = vipsIn.filter((v) => v.interface === ifc);
      const vhids = allocateVhids({
        segment: ifc,
        requests: mine.map((v) => ({ key: v.address })),
        inUse: [],
      });
      for (const v of mine) {
        const t = planCarpTiming({ advbase: v.advbase, primarySkew: v.primarySkew });
        vips.push({
          mode: "carp",
          interface: ifc,
          vhid: vhids[v.address],
          advbase: t.advbase,
          advskew: t.primarySkew,
          password: generateCarpPassword(),
          uniqid: uniqid(),
          descr: v.descr ?? `${ifc} VIP`,
          type: "single",
          subnet: v.address,
          subnetBits: 24,
        });
      }
    }
    await getNodeSession(endpoints.primary).edit((draft) => {
      draft.hasync = {
        pfsyncEnabled: true,
        pfsyncInterface: "opt1",
        pfsyncPeerIp: "172.16.1.2",
        synchronizeToIp: "172.16.1.2",
        username: "admin",
        password: d.primary.password,
        areas: ["virtualip"],
      };
      draft.virtualIps.push(...vips);
    });
    // The primary's auto-sync delivers the secondary's view shortly after the write.
    for (let i = 0; ; i++) {
      const h = await getClusterHealth(endpoints);
      if (h.sync.status === "in-sync") break;
      if (i > 100) throw new Error(`secondary never got in sync: ${JSON.stringify(h.problems)}`);
      await sleep(100);
    }
    return {
      pair,
      endpoints,
      vips,
      async stop() {
        await pair.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await pair.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
