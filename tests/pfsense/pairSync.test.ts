/**
 * Sessions on both nodes of an emulated pair: a write on the primary reaches the secondary
 * through pfSense's own auto-sync (skew +100, §6.4), and a per-node edit on the secondary made
 * while that sync lands is neither lost nor allowed to clobber the synced VIPs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startPair, PAIR_SYNC_IPS, type EmulatedNode } from "../../sdk/emulator";
import { getNodeSession, type NodeEndpoint } from "../../sdk/pfsense";

const ep = (n: EmulatedNode): NodeEndpoint => ({
  name: n.name,
  url: n.url,
  username: n.username,
  password: n.password,
  tls: { fingerprint256: n.fingerprint256 },
  callTimeoutMs: 10000,
});

test("primary edit → auto-sync to the secondary; a concurrent secondary-only edit survives", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "pfsense-pair-"));
  const pair = await startPair({ dir, autoSyncDelayMs: 20 });
  try {
    const primary = getNodeSession(ep(pair.primary));
    const secondary = getNodeSession(ep(pair.secondary));
    await primary.edit((d) => {
      d.hasync = {
        pfsyncEnabled: true,
        pfsyncInterface: "opt1",
        pfsyncPeerIp: PAIR_SYNC_IPS.secondary,
        synchronizeToIp: PAIR_SYNC_IPS.secondary,
        username: pair.primary.username,
        password: pair.secondary.password,
        areas: ["virtualip"],
      };
    });
    const vip = {
      mode: "carp" as const,
      interface: "lan",
      vhid: 5,
      advskew: 0,
      advbase: 1,
      password: "carp-pw",
      uniqid: "abc5",
      type: "single" as const,
      subnet: "192.168.99.254",
      subnetBits: 24,
    };
    const [, secState] = await Promise.all([
      primary.edit((d) => {
        d.virtualIps.push(vip);
      }),
      secondary.edit((d) => {
        d.hasync = {
          pfsyncEnabled: true,
          pfsyncInterface: "opt1",
          pfsyncPeerIp: PAIR_SYNC_IPS.primary,
          pfHostId: "2",
          areas: [],
        };
      }),
    ]);
    assert.equal(secState.config.hasync?.pfHostId, "2");
    await pair.primary.syncIdle();
    const s = await secondary.read();
    const synced = s.config.virtualIps.find((v) => v.uniqid === "abc5");
    assert.equal(synced?.advskew, 100, "the sender adds 100 to advskew (§6.4)");
    assert.equal(
      s.config.hasync?.pfHostId,
      "2",
      "the secondary's own pfsync settings survived the sync",
    );
    assert.equal(s.config.hasync?.synchronizeToIp, undefined);
  } finally {
    await pair.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
