/**
 * "Temporarily Disable CARP" / "Enable CARP" on one node, as Status > CARP does it
 * (design/pfsense-xmlrpc.md §8.2; the snippets in sdk/codec/drillSnippets.ts). Runtime only:
 * config.xml is not written, and a reboot or any re-applied CARP VIP enables CARP again.
 */
import { PHP_CARP_DISABLE, PHP_CARP_ENABLE, DRILL_MARKERS } from "../codec/drillSnippets";
import { leaf } from "../codec/phpValue";
import { getNodeSession, nodeLabel, type NodeEndpoint } from "../pfsense";
import { expectMarked } from "../pfsense/carpRuntime";
import { haError } from "../plan/errors";

async function setCarpAllowed(node: NodeEndpoint, allow: boolean): Promise<void> {
  const field = nodeLabel(node);
  const reply = await getNodeSession(node).client.execPhp(
    allow ? PHP_CARP_ENABLE : PHP_CARP_DISABLE,
  );
  const s = expectMarked(
    reply,
    DRILL_MARKERS.carpAllow,
    allow ? "enable CARP" : "disable CARP",
    field,
  );
  const got = s.allow === true || s.allow === 1 || leaf(s.allow) === "1";
  if (got !== allow) {
    throw haError({
      code: "E_VERIFY",
      message: `CARP should be ${allow ? "enabled" : "disabled"} (net.inet.carp.allow=${allow ? 1 : 0}) but the node reports ${got ? "enabled" : "disabled"}`,
      field,
      fix: "retry; check Status > CARP on the node",
    });
  }
}

/** Temporarily disables CARP on the node (`net.inet.carp.allow=0`, VIP addresses down). */
export async function disableCarp(node: NodeEndpoint): Promise<void> {
  await setCarpAllowed(node, false);
}

/** Enables CARP again: re-applies every CARP VIP, sets up pfsync, `net.inet.carp.allow=1`. */
export async function enableCarp(node: NodeEndpoint): Promise<void> {
  await setCarpAllowed(node, true);
}
