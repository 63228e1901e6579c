/**
 * Starts N emulated pfSense pairs on 127.0.0.1 (one per site) and writes a sites file for
 * `pfsense-ha fleet` that points at them, so the fleet example runs without firewalls:
 *
 *   node examples/fleet/emulatedSites.ts /tmp/fleet 3     # writes /tmp/fleet/sites.yaml, serves until Ctrl-C
 *
 * The emulator's passwords are random per start and written inline (the file is mode 0600); for
 * real firewalls use `passwordEnv:` as in sites.yaml next to this file.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { startPair, type EmulatedPair } from "pulumi-pfsense-ha/emulator";
import { generateCarpPassword } from "pulumi-pfsense-ha";

async function main(dir: string, count: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const names = ["north", "south", "east", "west", "central"].slice(0, count);
  const pairs: EmulatedPair[] = [];
  for (const name of names) pairs.push(await startPair({ dir: path.join(dir, name) }));
  const node = (d: { url: string; password: string; fingerprint256: string }) =>
    `{ url: "${d.url}", username: admin, password: "${d.password}", fingerprint256: "${d.fingerprint256}" }`;
  const lines = [
    `project: ${path.resolve(path.dirname(process.argv[1]), "../two-node-cluster")}`,
    "sites:",
  ];
  pairs.forEach((p, i) => {
    const d = p.describe();
    lines.push(
      `  - name: ${names[i]}`,
      `    primary: ${node(d.primary)}`,
      `    secondary: ${node(d.secondary)}`,
      `    secrets: { carpPassword: "${generateCarpPassword()}" }`,
    );
  });
  const file = path.join(dir, "sites.yaml");
  writeFileSync(file, `${lines.join("\n")}\n`, { mode: 0o600 });
  process.stdout.write(`${count} emulated site(s) ready; sites file: ${file}\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await Promise.all(pairs.map((p) => p.stop()));
}

const [dir, count] = process.argv.slice(2);
if (!dir) {
  process.stderr.write("usage: node examples/fleet/emulatedSites.ts DIR [COUNT]\n");
  process.exit(2);
}
main(dir, Math.max(1, Math.min(5, Number(count ?? 3)))).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
