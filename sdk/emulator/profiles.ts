/**
 * Per-version behaviour profiles of an emulated pfSense node (design/pfsense-xmlrpc.md §10.1):
 * exported methods and their required parameters (§4 table), full-replace list (§5.1 step 4),
 * presence test (§12), DHCP peer rewrite variant (§6.4), sync retries (§6.6) and the config
 * version (§1.1) a given product version reports.
 */
import { haError } from "../plan/errors";

/** Coarse profile families (§10.1). */
export type ProfileName = "2.4" | "2.5.0-2.5.1" | "2.5.2-2.6" | "2.7" | "master";

/** Typed-parameter kinds checked by the XML_RPC2 signature check (§2.3). */
export type ParamType = "string" | "array" | "any";

/** One exported method: required parameter count and the types of the required ones. */
export interface MethodSignature {
  required: number;
  /** Type of each parameter position that has an `@param` tag (checked only when required). */
  types: ParamType[];
}

/** Everything that differs between versions. */
export interface VersionProfile {
  name: ProfileName;
  /** e.g. `2.7.2-RELEASE`. */
  productVersion: string;
  /** FreeBSD release, e.g. `14.0`. */
  kernelVersion: string;
  /** `pfSense` on CE 2.5+. */
  platform: string;
  /** `latest_config` of the release (§1.1). */
  configVersion: string;
  /** Exported methods without the `pfsense.` prefix. */
  methods: Record<string, MethodSignature>;
  /** Full-replace sections, in pfSense's order (§5.1 step 4). */
  fullReplace: string[];
  /** 2.7.0+: key-exists; earlier: isset (present and not null). */
  presenceTest: "keyExists" | "isset";
  /** DHCP failover_peerip rewrite (§6.4 step 4). */
  dhcpPeerRewrite: "ipaddr" | "runtimeSameInterface" | "runtimePeerSubnet";
  /** Sync client attempts per call and pause between them (§6.6). */
  syncAttempts: number;
  syncRetryPauseMs: number;
  /** Auth-log wording (§3.1). */
  authLogStyle: "2.4.0" | "2.4.4";
  /** VIP restore requires a local VIP list (≤ 2.6, §5.1 step 7). */
  vipRestoreNeedsLocalList: boolean;
  /**
   * PHP's `display_errors` as pfSense's rc.php_ini_setup writes it: on up to 2.7.x, off on
   * master/2.8 (commit 9d78a172ec). Decides how PHP errors reach the caller (phpErrors.ts).
   */
  displayErrors: boolean;
}

const FULL_27 = [
  "aliases", "ca", "cert", "crl", "dhcpd", "dhcrelay", "dhcrelay6", "dnshaper", "dnsmasq", "filter",
  "ipsec", "nat", "openvpn", "schedules", "shaper", "unbound", "wol",
]; // prettier-ignore
const FULL_252 = FULL_27.filter((s) => s !== "dhcrelay" && s !== "dhcrelay6");
const FULL_250 = [...FULL_252, "dhcpv6"].sort();
const FULL_245 = [
  "aliases", "ca", "cert", "crl", "dhcpd", "dhcpv6", "dnshaper", "dnsmasq", "filter", "ipsec",
  "load_balancer", "nat", "openvpn", "schedules", "shaper", "unbound", "wol",
]; // prettier-ignore
const FULL_MASTER = [...FULL_27, "kea", "kea6"].sort();

const S = (required: number, ...types: ParamType[]): MethodSignature => ({ required, types });

function methodsFor(name: ProfileName): Record<string, MethodSignature> {
  const withT = name === "2.5.2-2.6" || name === "2.7" || name === "master";
  const m: Record<string, MethodSignature> = {
    host_firmware_version: withT ? S(2, "any", "any") : S(0),
    exec_php: S(1, "string"),
    exec_shell: S(1, "string"),
    backup_config_section: S(1, "array"),
    restore_config_section: withT ? S(2, "array", "any") : S(1, "array"),
    merge_config_section: withT ? S(2, "array", "any") : S(1, "array"),
    merge_installedpackages_section: withT ? S(2, "array", "any") : S(1, "array"),
    interfaces_carp_configure: S(0),
    reboot: S(0),
  };
  if (name === "2.4") m.filter_configure = S(0);
  else m.captive_portal_sync = withT ? S(2, "array", "any") : S(1, "array");
  return m;
}

/** Config version per release (§1.1). */
const CONFIG_VERSIONS: [RegExp, string][] = [
  [/^2\.4\.0/, "17.0"],
  [/^2\.4\.[12]/, "17.3"],
  [/^2\.4\.3/, "18.0"],
  [/^2\.4\.[45]/, "19.1"],
  [/^2\.5\.0/, "21.4"],
  [/^2\.5\.1/, "21.5"],
  [/^2\.5\.2/, "21.7"],
  [/^2\.6\./, "22.2"],
  [/^2\.7\.0/, "22.9"],
  [/^2\.7\.[12]/, "23.3"],
  [/^(2\.8|2\.9|master)/, "24.5"],
];

const KERNELS: [RegExp, string][] = [
  [/^2\.4/, "11.2"],
  [/^2\.5/, "12.2"],
  [/^2\.6/, "12.3"],
  [/^2\.7/, "14.0"],
  [/^(2\.8|2\.9|master)/, "15.0"],
];

function familyOf(v: string): ProfileName | undefined {
  if (/^2\.4\./.test(v)) return "2.4";
  if (/^2\.5\.[01]/.test(v)) return "2.5.0-2.5.1";
  if (/^2\.5\.2|^2\.6\./.test(v)) return "2.5.2-2.6";
  if (/^2\.7\./.test(v)) return "2.7";
  if (/^(2\.8|2\.9|master)/.test(v)) return "master";
  return undefined;
}

/**
 * The profile for a product version such as `2.7.2` (default), `2.6.0`, `2.4.5`, `master`.
 * Throws `E_UNSUPPORTED_VERSION` for anything else.
 */
export function profileFor(version = "2.7.2"): VersionProfile {
  const v = version.replace(/-RELEASE$/, "");
  const name = familyOf(v);
  const configVersion = CONFIG_VERSIONS.find(([re]) => re.test(v))?.[1];
  if (!name || !configVersion) {
    throw haError({
      code: "E_UNSUPPORTED_VERSION",
      message: `the emulator has no profile for pfSense ${version}`,
      field: "version",
      value: version,
      fix: "Use a version such as 2.4.5, 2.5.0, 2.5.2, 2.6.0, 2.7.0, 2.7.2 or master.",
    });
  }
  const fullReplace =
    name === "2.4"
      ? /^2\.4\.5/.test(v)
        ? FULL_245
        : FULL_245.filter((s) => s !== "shaper" && s !== "dnshaper")
      : name === "2.5.0-2.5.1"
        ? FULL_250
        : name === "2.5.2-2.6"
          ? /^2\.6/.test(v)
            ? FULL_27
            : FULL_252
          : name === "master"
            ? FULL_MASTER
            : FULL_27;
  const is26plus = /^2\.(6|7|8|9)|^master/.test(v);
  return {
    name,
    productVersion: v === "master" ? "2.9.0-DEVELOPMENT" : `${v}-RELEASE`,
    kernelVersion: KERNELS.find(([re]) => re.test(v))?.[1] ?? "14.0",
    platform: "pfSense",
    configVersion,
    methods: methodsFor(name),
    fullReplace,
    presenceTest: name === "2.7" || name === "master" ? "keyExists" : "isset",
    dhcpPeerRewrite: is26plus
      ? "ipaddr"
      : /^2\.5\.[12]/.test(v)
        ? "runtimeSameInterface"
        : "runtimePeerSubnet",
    syncAttempts: is26plus ? 4 : 2,
    syncRetryPauseMs: is26plus ? 1000 : 0,
    authLogStyle: /^2\.4\.[0-3]/.test(v) ? "2.4.0" : "2.4.4",
    vipRestoreNeedsLocalList: !(name === "2.7" || name === "master"),
    displayErrors: name !== "master",
  };
}
