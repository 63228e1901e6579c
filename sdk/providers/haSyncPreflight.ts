/**
 * HaSyncSettings pre-flight, run at preview (`check`, when every input is known) and again at
 * apply: the conditions under which pfSense's own sync works at all (§6.2, §6.5, gotchas 2, 6,
 * 15, 18). Each failure is an `E_PREFLIGHT` error saying what to fix.
 */
import { haError, isHaError } from "../plan/errors";
import type { NodeHaConfig } from "../plan/model";
import { createNodeClient } from "../pfsense";
import type { NodeState } from "../pfsense/types";
import type { PhpStruct } from "../codec/phpValue";
import { sameAddress } from "./addressText";
import type { HaSyncInputs } from "./haSyncSpec";
import type { NodePair } from "./nodePair";
import { resourceLabel } from "./resourceLabel";
import { requireValidKeaRoles } from "./keaHaRules";

/** What the pre-flight established. */
export interface PreflightResult {
  primary: NodeState;
  secondary: NodeState;
  primarySyncAddress: string;
  secondarySyncAddress: string;
}

function fail(field: string, message: string, fix: string, value?: string): never {
  throw haError({ code: "E_PREFLIGHT", field, message, fix, value });
}

function ownAddress(cfg: NodeHaConfig, ifName: string, like?: string): string | undefined {
  const i = cfg.interfaces[ifName];
  if (!i) return undefined;
  if (like !== undefined && like.includes(":")) return i.ipaddrv6;
  return i.ipaddr ?? i.ipaddrv6;
}

/** A node's GUI as pfSense's sync client sees it: protocol and port (`system/webgui`). */
async function guiOf(pair: NodePair, role: "primary" | "secondary"): Promise<string> {
  const sys = (await pair[role].client.backupSections(["system"])).system;
  const web = (sys !== null && typeof sys === "object" ? (sys as PhpStruct).webgui : undefined) as
    PhpStruct | undefined;
  const protocol = String(web?.protocol ?? "") === "http" ? "http" : "https";
  const port = String(web?.port ?? "") || (protocol === "http" ? "80" : "443");
  return `${protocol}:${port}`;
}

/**
 * The sender reaches the peer with its *own* GUI protocol and port (xmlrpc_client.inc), so a
 * peer whose GUI listens elsewhere fails every sync ("communications error") while writes from
 * the library, which use the configured URLs, still work.
 */
async function sameGui(pair: NodePair, base: string): Promise<void> {
  const [p, s] = await Promise.all([guiOf(pair, "primary"), guiOf(pair, "secondary")]);
  if (p !== s) {
    fail(
      base,
      `the nodes' web GUIs differ (primary ${p}, secondary ${s}); pfSense's sync reaches the secondary with the primary's own protocol and port, so every sync would fail`,
      "use the same protocol and port on both nodes (System > Advanced > Admin Access)",
    );
  }
}

/** Runs every check; returns both nodes' states and the resolved sync addresses. */
export async function preflightHaSync(inp: HaSyncInputs, pair: NodePair): Promise<PreflightResult> {
  const base = resourceLabel("HaSyncSettings", inp);
  const reach = async (role: "primary" | "secondary"): Promise<NodeState> => {
    try {
      return await pair[role].read();
    } catch (e) {
      const why = isHaError(e) ? e.message : String(e);
      return fail(
        `${base} (${role})`,
        `the ${role} is not reachable: ${why}`,
        "check the node's URL, credentials and TLS settings",
      );
    }
  };
  const [p, s] = await Promise.all([reach("primary"), reach("secondary")]);

  if (p.firmware.productVersion !== s.firmware.productVersion) {
    fail(
      base,
      `the nodes run different pfSense versions (primary ${p.firmware.productVersion}, secondary ${s.firmware.productVersion})`,
      "upgrade both nodes to the same version before enabling HA sync",
    );
  }
  if (p.firmware.configVersion !== s.firmware.configVersion) {
    fail(
      base,
      `the nodes have different config versions (primary ${p.firmware.configVersion}, secondary ${s.firmware.configVersion}); pfSense refuses to sync between them`,
      "upgrade both nodes to the same version",
    );
  }
  if ((inp.areas ?? []).includes("kea6") && !p.firmware.profile.hasKea6Sync) {
    throw haError({
      code: "E_UNSUPPORTED_VERSION",
      field: `${base}.areas`,
      value: p.firmware.productVersion,
      message: `pfSense ${p.firmware.productVersion} has no "kea6" sync area (synchronizekea6 came with 2.8.0)`,
      fix: 'remove "kea6" from areas, or upgrade both nodes to pfSense 2.8 or later',
    });
  }
  // master's sender dies on a Kea HA role other than primary/standby (§16.12): checked before
  // any sync is switched on, whatever the areas (it maps kea and kea6 on every push).
  if (p.firmware.profile.hasKeaHa) requireValidKeaRoles(p.config, "primary", base);
  const pNames = Object.keys(p.config.interfaces).sort();
  const sNames = Object.keys(s.config.interfaces).sort();
  if (pNames.join(",") !== sNames.join(",")) {
    fail(
      base,
      `interface assignments differ (primary: ${pNames.join(", ")}; secondary: ${sNames.join(", ")}); synced VIPs, NAT and DHCP refer to them by name`,
      "assign the same interfaces (wan, lan, optN) on both nodes",
    );
  }
  const ifName = inp.syncInterface;
  if (!p.config.interfaces[ifName] || !s.config.interfaces[ifName]) {
    fail(
      `${base}.syncInterface`,
      `no interface "${ifName}" on the nodes`,
      `use one of ${pNames.join(", ")}`,
      ifName,
    );
  }
  const primaryOwn = ownAddress(p.config, ifName, inp.primarySyncAddress);
  const secondaryOwn = ownAddress(s.config, ifName, inp.secondarySyncAddress);
  const primarySyncAddress = inp.primarySyncAddress ?? primaryOwn;
  const secondarySyncAddress = inp.secondarySyncAddress ?? secondaryOwn;
  if (primarySyncAddress === undefined || secondarySyncAddress === undefined) {
    fail(
      `${base}.syncInterface`,
      `the sync interface "${ifName}" has no static address on the ${primarySyncAddress === undefined ? "primary" : "secondary"}`,
      "give the sync interface a static address on both nodes",
    );
  }
  if (!sameAddress(secondarySyncAddress, secondaryOwn)) {
    fail(
      `${base}.secondarySyncAddress`,
      `the sync-to address is not the secondary's address on ${ifName} (${secondaryOwn ?? "none"})`,
      "use the secondary's own address on the sync interface",
      secondarySyncAddress,
    );
  }
  if (!sameAddress(primarySyncAddress, primaryOwn)) {
    fail(
      `${base}.primarySyncAddress`,
      `not the primary's address on ${ifName} (${primaryOwn ?? "none"})`,
      "use the primary's own address on the sync interface",
      primarySyncAddress,
    );
  }
  for (const [role, cfg] of [
    ["primary", p.config],
    ["secondary", s.config],
  ] as const) {
    if (cfg.virtualIps.some((v) => sameAddress(v.subnet, secondarySyncAddress))) {
      fail(
        `${base}.secondarySyncAddress`,
        `the sync-to address is a virtual IP on the ${role}; sync must go to the peer's own address`,
        "use the secondary's own address on the sync interface",
        secondarySyncAddress,
      );
    }
  }
  for (const i of Object.values(p.config.interfaces)) {
    if (
      sameAddress(i.ipaddr, secondarySyncAddress) ||
      sameAddress(i.ipaddrv6, secondarySyncAddress)
    ) {
      fail(
        `${base}.secondarySyncAddress`,
        "the sync-to address belongs to the primary itself (pfSense's loop protection would silently skip every sync)",
        "use the secondary's address on the sync interface",
        secondarySyncAddress,
      );
    }
  }
  await sameGui(pair, base);
  // The sync user must be able to call XML-RPC on the secondary (privilege
  // system-xmlrpc-ha-sync, gotcha 2): one call authenticating as that user. No retry on auth
  // faults (login protection, gotcha 3).
  const probe = createNodeClient({
    name: "secondary (as sync user)",
    url: inp.secondary.url,
    username: inp.username,
    password: inp.password,
    tls: inp.secondary.tls,
    maxAttempts: 1,
  });
  try {
    await probe.firmwareVersion();
  } catch (e) {
    if (isHaError(e, "E_AUTH") || isHaError(e, "E_PRIVILEGE")) {
      fail(
        `${base}.username`,
        `the sync user "${inp.username}" cannot use XML-RPC on the secondary: ${e.message}`,
        'use a user holding "System - HA node sync" (system-xmlrpc-ha-sync) with its current password',
        inp.username,
      );
    }
    throw e;
  }
  return { primary: p, secondary: s, primarySyncAddress, secondarySyncAddress };
}
