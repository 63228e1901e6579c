/**
 * `host_firmware_version` → FirmwareInfo and a CapabilityProfile per version family
 * (§1, §4, §5.1 step 4, §9.3, §12). Versions below 2.4 and unknown future majors are refused.
 */
import { haError } from "../plan/errors";
import { isStruct, leaf, type PhpValue } from "../codec/phpValue";
import type { CapabilityProfile, FirmwareInfo } from "./types";

const FULL_REPLACE_252 = [
  "aliases",
  "ca",
  "cert",
  "crl",
  "dhcpd",
  "dnshaper",
  "dnsmasq",
  "filter",
  "ipsec",
  "nat",
  "openvpn",
  "schedules",
  "shaper",
  "unbound",
  "wol",
] as const;
const FULL_REPLACE_26 = [...FULL_REPLACE_252, "dhcrelay", "dhcrelay6"].sort();

/** Profiles by family. Where a family spans behaviour changes, the conservative value is used. */
const PROFILES: Record<
  CapabilityProfile["family"],
  Omit<CapabilityProfile, "natTargetFormat" | "plus" | "hasKeaHa" | "hasKea6Sync">
> = {
  "2.4": {
    family: "2.4",
    requiresTimeoutParam: false,
    hasPfHostId: false,
    hasAdminSync: false,
    hasDhcrelaySync: false,
    // 2.4.0-2.4.4 two-level merge shaper/dnshaper; listing them is harmless for our sections.
    fullReplaceSections: [...FULL_REPLACE_252, "dhcpv6", "load_balancer"].sort(),
    emptySectionReplaces: false,
    keepsSharedVipAddress: false,
  },
  "2.5.0-2.5.1": {
    family: "2.5.0-2.5.1",
    requiresTimeoutParam: false,
    hasPfHostId: false,
    hasAdminSync: true,
    hasDhcrelaySync: false,
    fullReplaceSections: [...FULL_REPLACE_252, "dhcpv6"].sort(),
    emptySectionReplaces: false,
    keepsSharedVipAddress: false,
  },
  "2.5.2-2.6": {
    family: "2.5.2-2.6",
    requiresTimeoutParam: true,
    hasPfHostId: false,
    hasAdminSync: true,
    hasDhcrelaySync: false, // 2.6.0 has it, 2.5.2 not
    fullReplaceSections: [...FULL_REPLACE_252],
    emptySectionReplaces: false,
    keepsSharedVipAddress: false, // 2.6.0 has it, 2.5.2 not
  },
  "2.7": {
    family: "2.7",
    requiresTimeoutParam: true,
    hasPfHostId: true,
    hasAdminSync: true,
    hasDhcrelaySync: true,
    fullReplaceSections: FULL_REPLACE_26,
    emptySectionReplaces: true,
    keepsSharedVipAddress: true,
  },
  "2.8": {
    family: "2.8",
    requiresTimeoutParam: true,
    hasPfHostId: true,
    hasAdminSync: true,
    hasDhcrelaySync: true,
    fullReplaceSections: [...FULL_REPLACE_26, "kea", "kea6"].sort(),
    emptySectionReplaces: true,
    keepsSharedVipAddress: true,
  },
};

/** "new" NAT target format from config version 23.0 (2.7.1+), "old" below (§9.3). */
export function natTargetFormatFor(configVersion: string): "old" | "new" {
  const v = Number.parseFloat(configVersion);
  return Number.isFinite(v) && v >= 23.0 ? "new" : "old";
}

function unsupported(productVersion: string, platform: string, why: string): Error {
  return haError({
    code: "E_UNSUPPORTED_VERSION",
    message: `${platform || "pfSense"} ${productVersion || "(unknown version)"} is not supported: ${why}`,
    field: "host_firmware_version",
    value: productVersion,
    fix: "use pfSense CE 2.4.0-2.8.x or pfSense Plus 21.02-26.x; 2.3 and older lack Basic-auth XML-RPC, newer majors are unverified",
  });
}

/** Picks the family of a product version string (`2.7.2-RELEASE`, Plus `24.11-RELEASE`). */
export function profileFor(
  productVersion: string,
  platform: string,
  configVersion: string,
): CapabilityProfile {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(productVersion.trim());
  if (!m) throw unsupported(productVersion, platform, "the version string is not recognised");
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  const plus = /plus/i.test(platform) || major >= 21;
  let family: CapabilityProfile["family"];
  if (plus) {
    // Plus YY.MM releases, mapped onto the CE family they were cut from (conservative).
    if (major < 21) throw unsupported(productVersion, platform, "unknown pfSense Plus release");
    if (major > 26)
      throw unsupported(
        productVersion,
        platform,
        "a pfSense Plus release newer than this library knows",
      );
    family = major === 21 ? "2.5.2-2.6" : major === 22 ? "2.5.2-2.6" : major === 23 ? "2.7" : "2.8";
  } else {
    if (major !== 2) {
      throw unsupported(
        productVersion,
        platform,
        major < 2 ? "older than 2.4.0" : "an unknown future major version",
      );
    }
    if (minor < 4)
      throw unsupported(
        productVersion,
        platform,
        "older than 2.4.0 (credentials were a method parameter then)",
      );
    if (minor === 4) family = "2.4";
    else if (minor === 5 && patch < 2) family = "2.5.0-2.5.1";
    else if (minor === 5 || minor === 6) family = "2.5.2-2.6";
    else if (minor === 7) family = "2.7";
    else if (minor <= 9) family = "2.8";
    else throw unsupported(productVersion, platform, "a release newer than this library knows");
  }
  // Kea HA: master commit a4cd7de16d (2.8.0-DEVELOPMENT); Plus from 24.08 (assumed, no source).
  const kea = family === "2.8" && (!plus || major > 24 || (major === 24 && minor >= 8));
  return {
    ...PROFILES[family],
    natTargetFormat: natTargetFormatFor(configVersion),
    plus,
    hasKeaHa: kea,
    hasKea6Sync: kea,
  };
}

/** Decodes the host_firmware_version struct (§4.1) and derives the profile. */
export function parseFirmwareInfo(reply: PhpValue | unknown): FirmwareInfo {
  if (!isStruct(reply as PhpValue)) {
    throw haError({
      code: "E_MALFORMED_REPLY",
      message: "host_firmware_version did not return a struct",
      field: "host_firmware_version",
      value: JSON.stringify(reply)?.slice(0, 100),
      fix: "check that the URL points at pfSense's /xmlrpc.php",
    });
  }
  const r = reply as Record<string, PhpValue>;
  const sub = (k: string): string =>
    isStruct(r[k]) ? leaf((r[k] as Record<string, PhpValue>).version) : "";
  const productVersion = sub("firmware");
  const configVersion = leaf(r.config_version);
  const platform = leaf(r.platform);
  const kernelVersion = sub("kernel") || sub("base");
  if (!configVersion) {
    throw haError({
      code: "E_MALFORMED_REPLY",
      message: "host_firmware_version has no config_version",
      field: "host_firmware_version",
      fix: "pfSense's own sync refuses such a peer too; check the node",
    });
  }
  return {
    productVersion,
    configVersion,
    platform,
    kernelVersion,
    profile: profileFor(productVersion, platform, configVersion),
  };
}
