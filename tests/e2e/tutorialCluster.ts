/**
 * What both nodes hold once the tutorial cluster (two CARP VIPs, HA sync, outbound NAT, DHCP
 * failover) is applied, whichever language declared it: the YAML and Go suites share this.
 */
import assert from "node:assert/strict";
import type { EmulatedPair } from "../../sdk/emulator";
import { carpVips, dhcpRange, outboundNat } from "./nodeConfig";

/** Asserts the nodes' config against the program's outputs (`wanVhid`, `lanSecondarySkew`). */
export function assertTutorialCluster(pair: EmulatedPair, out: Record<string, unknown>): void {
  assert.equal(out.lanSecondarySkew, 100);
  const wan = carpVips(pair.primary).find((v) => v.address === "192.168.1.100");
  assert.equal(wan?.vhid, out.wanVhid);
  assert.deepEqual(
    carpVips(pair.secondary)
      .map((v) => [v.interface, v.address, v.advskew])
      .sort(),
    [
      ["lan", "192.168.99.254", 100],
      ["wan", "192.168.1.100", 100],
    ],
  );
  assert.deepEqual(outboundNat(pair.primary), { mode: "hybrid", targets: ["192.168.1.100"] });
  assert.deepEqual(dhcpRange(pair.primary, "lan"), { from: "192.168.99.10", to: "192.168.99.99" });
}
