/**
 * A second writer process for the conditional-write tests: adds `count` CARP VIPs, one edit
 * each, through its own node session (its own process, so its own lock and queue), as another
 * stack's provider would. Endpoint JSON comes in PFSENSE_HA_TEST_ENDPOINT (the password must not
 * be on the command line); prints the session's statistics as one JSON line.
 */
import { getNodeSession, type NodeEndpoint, type NodeSessionImpl } from "../../sdk/pfsense";

async function main(): Promise<void> {
  const ep = JSON.parse(process.env.PFSENSE_HA_TEST_ENDPOINT ?? "{}") as NodeEndpoint;
  const [prefix, count, iface] = process.argv.slice(2);
  const s = getNodeSession(ep) as NodeSessionImpl;
  // Both writers start at one agreed moment, however slowly each process started.
  const startAt = Number(process.env.PFSENSE_HA_TEST_START_AT ?? 0);
  await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
  const edits: Promise<unknown>[] = [];
  for (let i = 0; i < Number(count); i++) {
    edits.push(
      s.edit((d) => {
        d.virtualIps.push({
          mode: "carp",
          interface: iface,
          vhid: 100 + i,
          advskew: 0,
          advbase: 1,
          password: "writerpw",
          uniqid: `${prefix}${String(i).padStart(4, "0")}`,
          descr: `${prefix} ${i}`,
          type: "single",
          subnet: iface === "wan" ? `192.168.1.${100 + i}` : `192.168.99.${100 + i}`,
          subnetBits: 24,
        });
      }),
    );
    // Edits arrive over time, as the engine's resource operations do.
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
  }
  await Promise.all(edits);
  process.stdout.write(`${JSON.stringify(s.sessionStats)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
