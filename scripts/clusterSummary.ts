/**
 * The demo's cluster summary: what each node really has, read back over XML-RPC (not what the
 * program asked for): CARP VIPs with VHID, advskew and current CARP role, HA sync settings,
 * outbound NAT and DHCP. Secrets (sync password, CARP passwords) are never printed.
 */
import { getNodeSession, type NodeEndpoint, type NodeState } from "../sdk/pfsense";
import type { CarpRuntimeStatus } from "../sdk/pfsense";
import { ALL_SYNC_AREAS, type NodeHaConfig } from "../sdk/plan/model";

/** One node as read for the summary. */
export interface NodeSnapshot {
  role: string;
  url: string;
  state: NodeState;
  carp: CarpRuntimeStatus;
}

/** Reads one node's HA config and CARP runtime status. */
export async function snapshotNode(ep: NodeEndpoint): Promise<NodeSnapshot> {
  const session = getNodeSession(ep);
  const state = await session.read();
  const carp = await session.client.carpStatus();
  return { role: ep.name ?? ep.url, url: ep.url, state, carp };
}

/** Formats the snapshots as an indented text block (one section per node). */
export function formatClusterSummary(nodes: NodeSnapshot[]): string {
  const out: string[] = [];
  for (const n of nodes) {
    const c = n.state.config;
    out.push(`${n.role}  ${n.url}  (pfSense ${n.state.firmware.productVersion})`);
    out.push(...section("CARP VIPs", vipLines(c, n.carp)));
    out.push(...section("HA sync", syncLines(c)));
    out.push(...section("Outbound NAT", natLines(c)));
    out.push(...section("DHCP", dhcpLines(c)));
    out.push("");
  }
  return out.join("\n");
}

function section(title: string, lines: string[]): string[] {
  return [`  ${title}`, ...(lines.length > 0 ? lines : ["(none)"]).map((l) => `    ${l}`)];
}

function vipLines(c: NodeHaConfig, carp: CarpRuntimeStatus): string[] {
  const vips = c.virtualIps.filter((v) => v.mode === "carp");
  const rows = vips.map((v) => [
    v.interface,
    `${v.subnet}/${v.subnetBits}`,
    `vhid ${v.vhid}`,
    `advbase ${v.advbase}`,
    `advskew ${v.advskew}`,
    (v.uniqid && carp.vips[v.uniqid]) || "(no status)",
    v.descr ? `"${v.descr}"` : "",
  ]);
  const lines = table(rows);
  if (carp.maintenance) lines.push("persistent CARP maintenance mode is ON");
  return lines;
}

function syncLines(c: NodeHaConfig): string[] {
  const h = c.hasync;
  if (!h) return [];
  const lines = [
    h.pfsyncEnabled
      ? `pfsync on ${h.pfsyncInterface ?? "?"}, peer ${h.pfsyncPeerIp || "(multicast)"}` +
        (h.pfHostId ? `, hostid ${h.pfHostId}` : "")
      : "pfsync off",
  ];
  if (h.synchronizeToIp) {
    const areas =
      h.areas.length === ALL_SYNC_AREAS.length ? `all ${h.areas.length}` : h.areas.join(", ");
    lines.push(`config sync to ${h.synchronizeToIp} as ${h.username || "admin"}; areas: ${areas}`);
  } else {
    lines.push("config sync: receives only (no synchronizetoip)");
  }
  return lines;
}

function natLines(c: NodeHaConfig): string[] {
  const lines = [`mode ${c.natMode ?? "automatic"}`];
  lines.push(
    ...table(
      c.natRules.map((r) => [
        r.interface,
        r.source,
        "->",
        r.target,
        r.disabled ? "(disabled)" : "",
        r.descr ? `"${r.descr}"` : "",
      ]),
    ),
  );
  return lines;
}

function dhcpLines(c: NodeHaConfig): string[] {
  return table(
    Object.entries(c.dhcpd)
      .filter(([, d]) => d.enable)
      .map(([name, d]) => [
        name,
        `${d.rangeFrom} - ${d.rangeTo}`,
        `gateway ${d.gateway ?? "(interface address)"}`,
        `dns ${d.dnsServers.length > 0 ? d.dnsServers.join(",") : "(default)"}`,
        `failover peer ${d.failoverPeerIp ?? "(none)"}`,
      ]),
  );
}

/** Left-aligned columns. */
function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd(),
  );
}
