#!/usr/bin/env node
/**
 * `pfsense-ha-emulator`: runs emulated pfSense nodes on 127.0.0.1 for users' own CI.
 *
 *   pfsense-ha-emulator pair --dir DIR [--version 2.7.2] [--admin-password P] [--sync-timing fast|realistic]
 *       [--primary-config FILE --secondary-config FILE] [--primary-sync-ip IP --secondary-sync-ip IP]
 *   pfsense-ha-emulator node --dir DIR [--version 2.7.2] [--config FILE] [--admin-password P] [--port N]
 *       [--sync-timing fast|realistic] [--sync-peer IP=URL]...
 *
 * `--sync-peer` routes this node's auto-sync to a peer: the peer's sync IP (hasync/synchronizetoip)
 * = the peer's loopback URL (e.g. another `node`'s URL). Without one the sender has no route and
 * its sync fails like an unreachable peer; an address read from a config is never dialled.
 *
 * Prints exactly one JSON line describing the endpoint(s) once ready, then serves until SIGTERM
 * or SIGINT and exits 0.
 */
import { parseArgs } from "node:util";
import { startNode, startPair } from "../emulator";
import { PAIR_SYNC_IPS } from "../emulator/pair";
import { parseSyncPeerRoute } from "../emulator/syncPeerRoute";

const USAGE = `usage:
  pfsense-ha-emulator pair --dir DIR [--version 2.7.2] [--admin-password P] [--sync-timing fast|realistic]
      [--primary-config FILE --secondary-config FILE] [--primary-sync-ip IP --secondary-sync-ip IP]
  pfsense-ha-emulator node --dir DIR [--version 2.7.2] [--config FILE] [--admin-password P] [--port N]
      [--sync-timing fast|realistic] [--sync-peer IP=URL]...`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      dir: { type: "string" },
      version: { type: "string" },
      config: { type: "string" },
      "admin-password": { type: "string" },
      port: { type: "string" },
      "sync-timing": { type: "string" },
      "primary-config": { type: "string" },
      "secondary-config": { type: "string" },
      "primary-sync-ip": { type: "string" },
      "secondary-sync-ip": { type: "string" },
      "sync-peer": { type: "string", multiple: true },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help || (command !== "pair" && command !== "node") || !values.dir) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const syncTiming = values["sync-timing"];
  if (syncTiming !== undefined && syncTiming !== "fast" && syncTiming !== "realistic") {
    process.stderr.write(`--sync-timing must be fast or realistic\n${USAGE}\n`);
    return 2;
  }
  let stop: () => Promise<void>;
  if (command === "pair") {
    const pair = await startPair({
      dir: values.dir,
      version: values.version,
      adminPassword: values["admin-password"],
      syncTiming,
      primaryConfigFile: values["primary-config"],
      secondaryConfigFile: values["secondary-config"],
      syncIps: {
        primary: values["primary-sync-ip"] ?? PAIR_SYNC_IPS.primary,
        secondary: values["secondary-sync-ip"] ?? PAIR_SYNC_IPS.secondary,
      },
    });
    stop = () => pair.stop();
    process.stdout.write(`${JSON.stringify(pair.describe())}\n`);
  } else {
    const node = await startNode({
      dir: values.dir,
      version: values.version,
      configFile: values.config,
      adminPassword: values["admin-password"],
      port: values.port ? Number(values.port) : undefined,
      syncTiming,
      syncPeers: Object.fromEntries((values["sync-peer"] ?? []).map(parseSyncPeerRoute)),
    });
    stop = () => node.stop();
    process.stdout.write(
      `${JSON.stringify({ url: node.url, username: node.username, password: node.password, fingerprint256: node.fingerprint256 })}\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once("SIGTERM", done);
    process.once("SIGINT", done);
  });
  await stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`pfsense-ha-emulator: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
