/** placeholder */
import type { CliIo } from "./haCli";
export async function fleetMain(_argv: string[], io: CliIo): Promise<number> {
  io.err("not yet\n");
  return 2;
}
