/**
 * DhcpFailover's `check` against the nodes: static IPv4 addresses on both nodes, the range and
 * peer rules, the interface's static mappings, and the CARP VIP handed out — from the nodes, or
 * declared by a CarpVip of the program (whose address may still be unknown at preview: then the
 * program's one VIP on the interface stands in for it).
 */
import { collectFailure, type CheckFailure } from "./checkFailures";
import { declaredVipsOn } from "./declaredVips";
import { planDhcpOnNodes } from "./dhcpFailoverNodeRules";
import type { DhcpFailoverInputs } from "./dhcpFailoverSpec";
import { readNodesForCheck } from "./nodeChecks";
import { containsUnknown } from "./unknowns";
import { pairBackend, requireDhcpv6Ha, requireValidKeaRoles } from "./keaHaRules";
import { resourceLabel } from "./resourceLabel";

const PROPERTIES = ["interface", "vip", "rangeFrom", "rangeTo", "gateway", "dnsServers"];

/** The VIP address to plan with: the input, else the program's only VIP on the interface. */
function vipFor(news: DhcpFailoverInputs): string | undefined {
  if (!containsUnknown(news.vip)) return news.vip;
  const declared = declaredVipsOn(news.primary.url, news.interface);
  return declared.length === 1 ? declared[0].subnet : undefined;
}

/** Runs the node rules when everything but (perhaps) the VIP is known; the failures found. */
export async function checkDhcpFailoverOnNodes(news: DhcpFailoverInputs): Promise<CheckFailure[]> {
  const { vip: _vip, ...rest } = news;
  if (containsUnknown(rest)) return [];
  const vip = vipFor(news);
  if (vip === undefined) return [];
  const read = await readNodesForCheck(news);
  if (!read.nodes) return read.failures;
  const [p, s] = read.nodes;
  const failures: CheckFailure[] = [];
  const planned = declaredVipsOn(news.primary.url, news.interface);
  const lbl = resourceLabel("DhcpFailover", news);
  let backend: "isc" | "kea" = "isc";
  collectFailure(
    () => {
      if (news.keaDhcpv6 === true) requireDhcpv6Ha(p, s, lbl);
      backend = pairBackend(p, s, lbl);
      if (backend === "kea") {
        requireValidKeaRoles(p.config, "primary", lbl);
        requireValidKeaRoles(s.config, "secondary", lbl);
      }
    },
    PROPERTIES,
    failures,
  );
  if (failures.length > 0) return failures;
  collectFailure(
    () => planDhcpOnNodes({ ...news, vip }, p, s, planned, backend),
    PROPERTIES,
    failures,
    {
      primaryAddress: "interface",
      secondaryAddress: "interface",
    },
  );
  return failures;
}
