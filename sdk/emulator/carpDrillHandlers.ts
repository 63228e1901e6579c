/**
 * The emulator's answers to the drill snippets (sdk/codec/drillSnippets.ts): Status > CARP
 * "Temporarily Disable CARP" / "Enable CARP" (pfSense RELENG_2_7_2
 * src/usr/local/www/status_carp.php, the `disablecarp` branch) and the platform probe.
 *
 * - Disable: `net.inet.carp.allow=0` and the VIP addresses brought down
 *   (`interface_vip_bring_down()`); the node's VIPs report INIT and it leaves the election without
 *   a last advertisement, so the peer takes over when its own master-down timer runs out
 *   (carpModel.ts, scaled by `masterDownScale`).
 * - Enable: every CARP VIP re-applied (`interface_carp_configure()`, so INIT → BACKUP → MASTER
 *   timing restarts), then `interfaces_sync_setup()`, which with pfsync enabled sleeps 1 s before
 *   its first "syncok" check (src/etc/inc/interfaces.inc, the "waiting for pfsync..." loop), then
 *   allow=1. The reply therefore comes ≥ 1 s later on a node with pfsync on.
 * Neither writes config.xml: the page's change is runtime only and does not survive a reboot.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { leaf, toStruct } from "../codec/phpValue";
import {
  DRILL_MARKERS,
  EMULATOR_PLATFORM,
  PHP_CARP_DISABLE,
  PHP_CARP_ENABLE,
  PHP_PLATFORM_PROBE,
} from "../codec/drillSnippets";
import type { EmulatedNode } from "./node";

/** `interfaces_sync_setup()`'s first `sleep(1)` while waiting for pfsync. */
export const PFSYNC_SETUP_WAIT_MS = 1000;

/** Registers the drill snippets' handlers on a node (called by the node itself). */
export function registerCarpDrillHandlers(node: EmulatedNode): void {
  node.registerExecPhp(PHP_CARP_DISABLE, ({ node: n }) => {
    n.setCarpAllowed(false);
    return { allow: false, marker: DRILL_MARKERS.carpAllow };
  });
  node.registerExecPhp(PHP_CARP_ENABLE, async ({ node: n }) => {
    if (!n.runtime.carpAllow) {
      const now = Date.now();
      for (const v of n.runtime.applied.values()) v.appliedAt = now;
      const hasync = toStruct(n.config().hasync);
      if (hasync.pfsyncenabled !== undefined && leaf(hasync.pfsyncinterface) !== "")
        await sleep(PFSYNC_SETUP_WAIT_MS);
      n.setCarpAllowed(true);
    }
    return { allow: true, marker: DRILL_MARKERS.carpAllow };
  });
  node.registerExecPhp(PHP_PLATFORM_PROBE, () => ({
    platform: EMULATOR_PLATFORM,
    marker: DRILL_MARKERS.platform,
  }));
}
