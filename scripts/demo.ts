/**
 * `npm run demo`: the two-node-cluster example through the real Pulumi engine against an emulated
 * pfSense pair. Starts the pair, previews (with the diff), applies, prints what each node now has
 * (VIPs with VHID, advskew and CARP role; sync; NAT; DHCP), applies again (no changes expected),
 * then stops everything it started and removes its throwaway stack.
 *
 * The pair's endpoints reach the program only as stack config (URLs, usernames, fingerprints, and
 * passwords as secrets), exactly as real firewalls' would.
 */
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { automation } from "@pulumi/pulumi";
import { startPair, type EmulatedPair } from "../sdk/emulator";
import { generateCarpPassword } from "../sdk/plan";
import { formatClusterSummary, snapshotNode } from "./clusterSummary";
import { engineStatus, workspaceOptions } from "./pulumiEngine";

const STACK = "demo";

function banner(text: string): void {
  process.stdout.write(`\n=== ${text}\n\n`);
}

/** Stack config for one emulated node (the same keys a real firewall's stack would set). */
function nodeConfig(
  role: "primary" | "secondary",
  n: { url: string; username: string; password: string; fingerprint256: string },
): automation.ConfigMap {
  return {
    [`${role}Url`]: { value: n.url },
    [`${role}Username`]: { value: n.username },
    [`${role}Password`]: { value: n.password, secret: true },
    [`${role}Fingerprint`]: { value: n.fingerprint256 },
  };
}

async function main(): Promise<number> {
  const status = engineStatus();
  if (!status.installed) {
    console.error(`demo: ${status.reason}`);
    return 1;
  }
  if (!status.languageHost) {
    console.error(
      "demo: pulumi-language-nodejs is missing, so the example project cannot run; " +
        "run `PULUMI_ENGINE_REBUILD=1 bash scripts/setup.sh`",
    );
    return 1;
  }
  const workDir = path.join(status.layout.repoRoot, "examples", "two-node-cluster");
  const scratch = mkdtempSync(path.join(os.tmpdir(), "pfsense-ha-demo-"));
  let pair: EmulatedPair | undefined;
  let stack: automation.Stack | undefined;
  const print = (chunk: string): void => void process.stdout.write(chunk);
  try {
    banner("Starting an emulated pfSense pair on 127.0.0.1");
    pair = await startPair({ dir: scratch });
    const d = pair.describe();
    console.log(
      `primary   ${d.primary.url}  (fw1; wan 192.168.1.1, lan 192.168.99.1, sync 172.16.1.1)`,
    );
    console.log(
      `secondary ${d.secondary.url}  (fw2; wan 192.168.1.2, lan 192.168.99.2, sync 172.16.1.2)`,
    );

    const ws = await automation.LocalWorkspace.create(await workspaceOptions({ workDir }));
    // A previous demo that was interrupted may have left its stack; its pair is gone, so drop it.
    if ((await ws.listStacks()).some((s) => s.name === STACK)) {
      await ws.removeStack(STACK, { force: true });
    }
    stack = await automation.Stack.create(STACK, ws);
    await stack.setAllConfig({
      ...nodeConfig("primary", d.primary),
      ...nodeConfig("secondary", d.secondary),
      carpPassword: { value: generateCarpPassword(), secret: true },
    });

    banner("pulumi preview --diff (examples/two-node-cluster)");
    await stack.preview({ diff: true, color: "never", onOutput: print });

    banner("pulumi up");
    const up = await stack.up({ color: "never", onOutput: print });
    if (up.summary.result !== "succeeded") throw new Error(`up ${up.summary.result}`);

    banner("Cluster summary (read back from both nodes)");
    const nodes = await Promise.all([
      snapshotNode({
        ...d.primary,
        name: "primary",
        tls: { fingerprint256: d.primary.fingerprint256 },
      }),
      snapshotNode({
        ...d.secondary,
        name: "secondary",
        tls: { fingerprint256: d.secondary.fingerprint256 },
      }),
    ]);
    console.log(formatClusterSummary(nodes));

    banner("pulumi up again (expect no changes)");
    const again = await stack.up({ color: "never", onOutput: print });
    const changes = Object.entries(again.summary.resourceChanges ?? {}).filter(
      ([op, n]) => op !== "same" && n > 0,
    );
    if (changes.length > 0) {
      console.error(`demo: the second up changed resources: ${JSON.stringify(changes)}`);
      return 1;
    }
    console.log(`\nSecond up: no changes (${again.summary.resourceChanges?.same ?? 0} unchanged).`);
    return 0;
  } finally {
    banner("Stopping the emulated pair and removing the demo stack");
    if (stack) {
      await stack.workspace.removeStack(STACK, { force: true }).catch((e: Error) => {
        console.error(`demo: could not remove stack ${STACK}: ${e.message}`);
      });
    }
    if (pair) await pair.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`demo failed: ${e.message}`);
    process.exit(1);
  },
);
