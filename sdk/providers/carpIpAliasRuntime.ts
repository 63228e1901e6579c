/**
 * The CarpIpAliases kind as the runtime entry serves it: static check, then (all inputs known)
 * the node rules on the check snapshot, so a taken address or a missing parent fails at preview.
 */
import type { CheckFailure } from "./checkFailures";
import { haError } from "../plan";
import { sameAddress } from "./addressText";
import { containsUnknown } from "./unknowns";
import {
  aliasLabel,
  checkCarpIpAliases,
  collectAliasFailure,
  diffCarpIpAliases,
  type CarpIpAliasInputs,
  type CarpIpAliasOutputs,
} from "./carpIpAliasSpec";
import {
  createCarpIpAliases,
  deleteCarpIpAliases,
  planOnNodes,
  readCarpIpAliases,
  takenOn,
  updateCarpIpAliases,
} from "./carpIpAliasCrud";
import { isCreateCheck, readNodesForCheck, readyForNodeCheck } from "./nodeChecks";
import type { RuntimeProvider } from "./runtime";

/** The inputs' check against both nodes (read-only). */
async function checkOnNodes(olds: unknown, news: CarpIpAliasInputs): Promise<CheckFailure[]> {
  const read = await readNodesForCheck(news);
  if (!read.nodes) return read.failures;
  const [p, s] = read.nodes;
  // A create owns nothing yet: every holder of an address is refused. An update's own aliases
  // are known by uniqid only in state, which check does not see: there the aliases on the same
  // parent count as its own (the update's edit checks exactly, against state, before writing).
  const own = isCreateCheck(olds)
    ? []
    : p.config.virtualIps
        .filter((v) => v.mode === "ipalias" && v.interface === `_vip${news.vipUniqid}`)
        .map((v) => ({ address: v.subnet, uniqid: v.uniqid ?? "" }));
  const failures: CheckFailure[] = [];
  collectAliasFailure(
    () =>
      planOnNodes(
        news,
        [
          ["primary", p.config],
          ["secondary", s.config],
        ],
        own,
        own.map((a) => a.address),
        true,
      ),
    failures,
  );
  return failures;
}

/**
 * At a first preview the CarpVip does not exist yet, so its address, network and the node
 * addresses are unknown: the given addresses are still checked against what the nodes hold
 * (every interface address and every VIP), which needs none of them.
 */
async function checkGivenOnNodes(news: CarpIpAliasInputs): Promise<CheckFailure[]> {
  const given = (news.addresses ?? []).filter((a) => !containsUnknown(a));
  if (given.length === 0) return [];
  const read = await readNodesForCheck(news);
  if (!read.nodes) return read.failures;
  const [p, s] = read.nodes;
  const taken = takenOn(
    [
      ["primary", p.config],
      ["secondary", s.config],
    ],
    new Set(),
  );
  const failures: CheckFailure[] = [];
  for (const [i, a] of (news.addresses ?? []).entries()) {
    const t = taken.find((x) => !containsUnknown(a) && sameAddress(x.address, a));
    if (!t) continue;
    collectAliasFailure(() => {
      throw haError({
        code: "E_ADDRESS_CONFLICT",
        field: `${aliasLabel(news)}.addresses[${i}]`,
        value: a,
        message: `is already ${t.owner}`,
        fix: "give each alias a free address of the VIP's network, or leave it out and set count to plan one",
      });
    }, failures);
  }
  return failures;
}

export const carpIpAliases: RuntimeProvider<CarpIpAliasInputs, CarpIpAliasOutputs> = {
  check: async (olds, news) => {
    const own = checkCarpIpAliases(news);
    if (
      own.failures.length === 0 &&
      containsUnknown(news) &&
      !containsUnknown([news.primary, news.secondary]) &&
      isCreateCheck(olds)
    ) {
      return { inputs: news, failures: await checkGivenOnNodes(news) };
    }
    if (!readyForNodeCheck(own.failures, news)) return own;
    return { inputs: news, failures: await checkOnNodes(olds, news) };
  },
  diff: async (_id, olds, news) => diffCarpIpAliases(olds, news),
  create: createCarpIpAliases,
  read: readCarpIpAliases,
  update: updateCarpIpAliases,
  delete: deleteCarpIpAliases,
};
