/**
 * An emulated pfSense pair for provider tests: real HTTPS on loopback, real config.xml in a temp
 * dir, and the endpoints as resource inputs (TLS pinned by fingerprint).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startPair, type EmulatedPair, type EmulatedNode } from "../../sdk/emulator";
import { resetNodeSessions } from "../../sdk/pfsense";
import type { EndpointInput } from "../../sdk/providers/endpointInputs";

import { forgetDeclaredVips } from "../../sdk/providers/declaredVips";
import { forgetCheckSnapshots } from "../../sdk/providers/nodeChecks";

/** Repository root (tests run from dist/tests/providers). */

export const REPO_ROOT = resolve(__dirname, "..", "..", "..");

/** A running pair plus its endpoints as provider inputs. */
export interface PairFixture {
  pair: EmulatedPair;
  primary: EndpointInput;
  secondary: EndpointInput;
  close(): Promise<void>;
}

function endpoint(n: EmulatedNode): EndpointInput {
  return {
    url: n.url,
    username: n.username,
    password: n.password,
    tls: { fingerprint256: n.fingerprint256 },
  };
}

/** Starts a fresh pair (and forgets sessions of earlier pairs). */
export async function startFixture(
  opts: { autoSyncDelayMs?: number; syncTiming?: "fast" | "realistic" } = {},
): Promise<PairFixture> {
  newProviderProcess();
  const dir = mkdtempSync(join(tmpdir(), "pfsense-ha-providers-"));
  const pair = await startPair({
    dir,
    syncTiming: opts.syncTiming,
    // pfSense's own ~1 s start delay in realistic mode; a quick one otherwise.
    autoSyncDelayMs: opts.autoSyncDelayMs ?? (opts.syncTiming === "realistic" ? undefined : 20),
  });
  return {
    pair,
    primary: endpoint(pair.primary),
    secondary: endpoint(pair.secondary),
    async close() {
      await pair.stop();
      resetNodeSessions();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Configures pfSense's own HA sync on the primary by hand (as in the GUI): pfsync on opt1 and
 * XML-RPC sync to the secondary's sync address for the given areas' boxes (`virtualip`, `nat`, …).
 */
export function enablePrimarySync(fx: PairFixture, boxes: string[] = ["virtualip"]): void {
  const tree = fx.pair.primary.config();
  tree.hasync = {
    pfsyncenabled: "on",
    pfsyncinterface: "opt1",
    synchronizetoip: "172.16.1.2",
    username: fx.secondary.username,
    password: fx.secondary.password,
    ...Object.fromEntries(boxes.map((b) => [`synchronize${b}`, "on"])),
  };
  fx.pair.primary.writeConfigAs(tree, "enable HA sync");
}

/**
 * What a new engine operation does to the library's in-process state: the engine starts a new
 * provider process per `pulumi refresh`/`up`, so a refresh never reuses the snapshot another
 * operation's reads left (sessions share a refresh's reads, pfsense/session.ts). Tests that
 * model "GUI edit, then refresh" call this between the two.
 */
export function newProviderProcess(): void {
  resetNodeSessions();
  forgetDeclaredVips();
  forgetCheckSnapshots();
}

/** Makes sure node_modules/pulumi-pfsense-ha links to the repository (the setup step). */
export function ensureSelfLink(): void {
  execFileSync("bash", [join(REPO_ROOT, "scripts", "setup.d", "05-self-link.sh")], {
    stdio: "ignore",
  });
}
