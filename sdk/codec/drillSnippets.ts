/**
 * The exec_php snippets of the failover drills (design/pfsense-xmlrpc.md §8.2): "Temporarily
 * Disable CARP" / "Enable CARP" as pfSense's Status > CARP page does them, and a probe that tells
 * the emulator from a real firewall. Constants, so the emulator recognises them verbatim (§10.5);
 * each returns a struct with a `marker` (a falsy `$toreturn` comes back as `true`, §4.2).
 *
 * What the page does (pfSense RELENG_2_7_2 src/usr/local/www/status_carp.php, `disablecarp`):
 * - disable: `net.inet.carp.allow=0` (`enable_carp(false)` in 2.7, `set_single_sysctl()` before),
 *   then `interface_vip_bring_down()` on every CARP VIP and every IP alias stacked on one
 *   (interface `_vip…`). Not persistent: a reboot or any re-applied CARP VIP enables it again.
 * - enable: `interface_carp_configure()` per CARP VIP, `interface_ipalias_configure()` per stacked
 *   alias, `interfaces_sync_setup()` (pfsync, then `enable_carp()`), and allow=1.
 * The snippets call `set_single_sysctl()` directly, which exists from 2.4 to master, and read the
 * VIP list from `$config` like PHP_CARP_STATUS.
 */

const VIP_LIST =
  "$list = (isset($config['virtualip']['vip']) && is_array($config['virtualip']['vip'])) ? $config['virtualip']['vip'] : array();";

/** Status > CARP "Temporarily Disable CARP": allow=0 and every CARP VIP (and stacked alias) down. */
export const PHP_CARP_DISABLE = [
  'require_once("pfsense-utils.inc");',
  'require_once("interfaces.inc");',
  "global $config;",
  VIP_LIST,
  "if (get_carp_status()) {",
  "  set_single_sysctl('net.inet.carp.allow', '0');",
  "  foreach ($list as $vip) {",
  "    if ($vip['mode'] != 'carp' && $vip['mode'] != 'ipalias') { continue; }",
  "    if ($vip['mode'] == 'ipalias' && substr($vip['interface'], 0, 4) != '_vip') { continue; }",
  "    interface_vip_bring_down($vip);",
  "  }",
  "}",
  "$toreturn = array('allow' => (bool)get_carp_status(), 'marker' => 'pfsense-ha:carp-allow:1');",
].join("\n");

/** Status > CARP "Enable CARP": re-applies every CARP VIP and stacked alias, pfsync, allow=1. */
export const PHP_CARP_ENABLE = [
  'require_once("pfsense-utils.inc");',
  'require_once("interfaces.inc");',
  "global $config;",
  VIP_LIST,
  "if (!get_carp_status()) {",
  "  foreach ($list as $vip) {",
  "    if ($vip['mode'] == 'carp') { interface_carp_configure($vip); }",
  "    if ($vip['mode'] == 'ipalias' && substr($vip['interface'], 0, 4) == '_vip') { interface_ipalias_configure($vip); }",
  "  }",
  "  interfaces_sync_setup();",
  "  set_single_sysctl('net.inet.carp.allow', '1');",
  "}",
  "$toreturn = array('allow' => (bool)get_carp_status(), 'marker' => 'pfsense-ha:carp-allow:1');",
].join("\n");

/**
 * Which kind of node answers: a real pfSense runs the PHP and reports its OS (`FreeBSD`); the
 * emulator recognises the snippet and reports `pfsense-ha-emulator`. Used to decide whether a
 * "stop the primary" drill may stop the node without being asked explicitly.
 */
export const PHP_PLATFORM_PROBE = [
  "$toreturn = array('platform' => php_uname('s'), 'marker' => 'pfsense-ha:platform:1');",
].join("\n");

/** Markers of the drill snippets' replies. */
export const DRILL_MARKERS = {
  carpAllow: "pfsense-ha:carp-allow:1",
  platform: "pfsense-ha:platform:1",
} as const;

/** What the emulator reports as its platform. */
export const EMULATOR_PLATFORM = "pfsense-ha-emulator";
