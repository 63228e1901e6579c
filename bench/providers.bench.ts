/**
 * Provider throughput: N CarpVips (N = 1, 16, 64, 256) created in parallel through the provider
 * objects' `create` (the serialized delegates, resolving the runtime by package name) against a
 * fresh emulated pair, versus the floor: ONE bulk `restore_config_section` per node carrying the
 * same final `virtualip` section, actually sent to another fresh pair.
 *
 * Printed per N: wall time, XML-RPC calls per node, bytes sent per node, and ratios to the floor.
 * VIPs are spread over wan/lan/opt1 because a segment holds at most 255 VHIDs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { PhpStruct } from "../sdk/codec/phpValue";
import { startPair, type EmulatedNode, type EmulatedPair } from "../sdk/emulator";
import { createNodeClient, getNodeSession, resetNodeSessions } from "../sdk/pfsense";
import { toNodeEndpoint, type EndpointInput } from "../sdk/providers/endpointInputs";
import { carpVipProvider } from "../sdk/providers/providerObjects";

const SIZES = [1, 16, 64, 256];
const SEGMENTS = [
  { interface: "wan", prefix: "192.168.1", subnet: "192.168.1.0/24" },
  { interface: "lan", prefix: "192.168.99", subnet: "192.168.99.0/24" },
  { interface: "opt1", prefix: "172.16.1", subnet: "172.16.1.0/24" },
];

function endpoint(n: EmulatedNode): EndpointInput {
  return {
    url: n.url,
    username: n.username,
    password: n.password,
    tls: { fingerprint256: n.fingerprint256 },
  };
}

async function withPair<T>(f: (pair: EmulatedPair) => Promise<T>): Promise<T> {
  resetNodeSessions();
  const dir = mkdtempSync(join(tmpdir(), "pfsense-ha-bench-"));
  const pair = await startPair({ dir });
  try {
    return await f(pair);
  } finally {
    await pair.stop();
    resetNodeSessions();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Measure {
  ms: number;
  calls: { primary: number; secondary: number };
  bytes: { primary: number; secondary: number };
}

async function viaProviders(
  n: number,
): Promise<{ m: Measure; finals: { primary: PhpStruct; secondary: PhpStruct } }> {
  return withPair(async (pair) => {
    const primary = endpoint(pair.primary);
    const secondary = endpoint(pair.secondary);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: n }, (_, i) => {
        const seg = SEGMENTS[i % SEGMENTS.length];
        const host = 10 + Math.floor(i / SEGMENTS.length);
        return carpVipProvider.create!({
          primary,
          secondary,
          name: `vip-${i}`,
          interface: seg.interface,
          subnet: seg.subnet,
          address: `${seg.prefix}.${host}`,
          password: "BenchCarpPw1",
        });
      }),
    );
    const ms = performance.now() - t0;
    const ps = getNodeSession(toNodeEndpoint(primary, "primary")).client.stats;
    const ss = getNodeSession(toNodeEndpoint(secondary, "secondary")).client.stats;
    return {
      m: {
        ms,
        calls: { primary: ps.calls, secondary: ss.calls },
        bytes: { primary: ps.bytesSent, secondary: ss.bytesSent },
      },
      finals: {
        primary: { virtualip: pair.primary.config().virtualip } as PhpStruct,
        secondary: { virtualip: pair.secondary.config().virtualip } as PhpStruct,
      },
    };
  });
}

async function floor(finals: { primary: PhpStruct; secondary: PhpStruct }): Promise<Measure> {
  return withPair(async (pair) => {
    const p = createNodeClient(toNodeEndpoint(endpoint(pair.primary), "primary"));
    const s = createNodeClient(toNodeEndpoint(endpoint(pair.secondary), "secondary"));
    const t0 = performance.now();
    await Promise.all([p.restoreSections(finals.primary), s.restoreSections(finals.secondary)]);
    const ms = performance.now() - t0;
    return {
      ms,
      calls: { primary: p.stats.calls, secondary: s.stats.calls },
      bytes: { primary: p.stats.bytesSent, secondary: s.stats.bytesSent },
    };
  });
}

const fmt = (x: number, d = 0) => x.toFixed(d).padStart(9);

/** Runs the benchmark and prints one row per N. */
export async function run(): Promise<void> {
  console.log(
    "   N |   wall ms | calls P | calls S |  bytes P |  bytes S || floor ms | fl.calls | fl.bytes P | x calls P | x bytes P | x time",
  );
  for (const n of SIZES) {
    const { m, finals } = await viaProviders(n);
    const f = await floor(finals);
    console.log(
      `${String(n).padStart(4)} |${fmt(m.ms)} |${fmt(m.calls.primary).slice(1)} |${fmt(m.calls.secondary).slice(1)} |${fmt(m.bytes.primary)} |${fmt(m.bytes.secondary)} ||${fmt(f.ms)} |${fmt(f.calls.primary).slice(1)} |${fmt(f.bytes.primary, 0).padStart(11)} |${fmt(m.calls.primary / f.calls.primary, 1).padStart(10)} |${fmt(m.bytes.primary / f.bytes.primary, 2).padStart(10)} |${fmt(m.ms / f.ms, 1).padStart(7)}`,
    );
  }
}
