/**
 * The fixed PHP snippets the library sends through `pfsense.exec_php` (design/pfsense-xmlrpc.md
 * §4.2, §8). They are constants so that the emulator can recognise them verbatim (§10.5), and
 * each one returns a non-empty struct with a `marker`, because a falsy `$toreturn` comes back
 * as plain `true` (§4.2).
 *
 * Compatibility: only `$config`, `get_carp_status()`, `get_carp_interface_status()`,
 * `get_single_sysctl()`, `interfaces_carp_set_maintenancemode()` and `get_notices()` are used;
 * all exist from 2.4 to master.
 */

/** Reads CARP runtime state: `{allow, demotion, maintenance, vips: {<uniqid>: state}, marker}`. */
export const PHP_CARP_STATUS = [
  'require_once("pfsense-utils.inc");',
  'require_once("interfaces.inc");',
  "global $config;",
  "$vips = array();",
  "$list = (isset($config['virtualip']['vip']) && is_array($config['virtualip']['vip'])) ? $config['virtualip']['vip'] : array();",
  "foreach ($list as $vip) {",
  "  if ($vip['mode'] != 'carp') { continue; }",
  "  $vips[$vip['uniqid']] = get_carp_interface_status('_vip' . $vip['uniqid']);",
  "}",
  "$toreturn = array(",
  "  'allow' => (bool)get_carp_status(),",
  "  'demotion' => intval(get_single_sysctl('net.inet.carp.demotion')),",
  "  'maintenance' => isset($config['virtualip_carp_maintenancemode']),",
  "  'vips' => $vips,",
  "  'marker' => 'pfsense-ha:carp-status:1',",
  ");",
].join("\n");

/** Enters persistent CARP maintenance mode (§8.3): runtime advskew 254 on every CARP VIP. */
export const PHP_MAINTENANCE_ON = [
  'require_once("interfaces.inc");',
  "interfaces_carp_set_maintenancemode(true);",
  "$toreturn = array('maintenance' => true, 'marker' => 'pfsense-ha:maintenance:1');",
].join("\n");

/** Leaves persistent CARP maintenance mode (§8.3). */
export const PHP_MAINTENANCE_OFF = [
  'require_once("interfaces.inc");',
  "interfaces_carp_set_maintenancemode(false);",
  "$toreturn = array('maintenance' => false, 'marker' => 'pfsense-ha:maintenance:1');",
].join("\n");

/**
 * Reads the GUI notices the sync sender files on failure (§6.6). They carry id `sync_settings`
 * but categories such as "XMLRPC Error", so the snippet takes every notice (`get_notices()`
 * filters by category) and keeps those with that id.
 */
export const PHP_SYNC_NOTICES = [
  'require_once("notices.inc");',
  "$all = get_notices();",
  "$picked = array();",
  "if (is_array($all)) {",
  "  foreach ($all as $n) {",
  "    if (is_array($n) && isset($n['id']) && $n['id'] == 'sync_settings') { $picked[] = $n; }",
  "  }",
  "}",
  "$toreturn = array('notices' => $picked, 'marker' => 'pfsense-ha:notices:1');",
].join("\n");

/** Every snippet, by a short name (for logs and for the emulator's registry). */
export const PHP_SNIPPETS = {
  carpStatus: PHP_CARP_STATUS,
  maintenanceOn: PHP_MAINTENANCE_ON,
  maintenanceOff: PHP_MAINTENANCE_OFF,
  syncNotices: PHP_SYNC_NOTICES,
} as const;
