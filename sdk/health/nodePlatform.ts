/**
 * Tells the emulator from a real firewall (sdk/codec/drillSnippets.ts PHP_PLATFORM_PROBE): a real
 * pfSense runs the snippet and reports its OS; the emulator reports `pfsense-ha-emulator`.
 */
import { DRILL_MARKERS, EMULATOR_PLATFORM, PHP_PLATFORM_PROBE } from "../codec/drillSnippets";
import { leaf } from "../codec/phpValue";
import { getNodeSession, nodeLabel, type NodeEndpoint } from "../pfsense";
import { expectMarked } from "../pfsense/carpRuntime";

/** What answers at an endpoint. */
export interface NodePlatform {
  /** `php_uname('s')` on pfSense (`FreeBSD`), `pfsense-ha-emulator` on the emulator. */
  platform: string;
  /** True when the node is the library's emulator. */
  emulator: boolean;
}

/** Asks the node what it runs on (one exec_php call; changes nothing). */
export async function probeNodePlatform(node: NodeEndpoint): Promise<NodePlatform> {
  const reply = await getNodeSession(node).client.execPhp(PHP_PLATFORM_PROBE);
  const s = expectMarked(reply, DRILL_MARKERS.platform, "platform probe", nodeLabel(node));
  const platform = leaf(s.platform);
  return { platform, emulator: platform === EMULATOR_PLATFORM };
}
