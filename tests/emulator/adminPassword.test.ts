/**
 * A single node's admin password is random by default (as a pair's is), so it never equals the
 * product name that Pulumi would then mask in every message; "pfsense" is still available on request.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { startNode, type EmulatedNode } from "../../sdk/emulator";
import { call, callFault, tempDir } from "./helpers";

describe("admin password of a single node", () => {
  const nodes: EmulatedNode[] = [];
  after(async () => {
    for (const n of nodes) await n.stop();
  });

  it("defaults to a random password per start; the factory one is refused", async () => {
    const a = await startNode({ dir: tempDir("pw-a") });
    const b = await startNode({ dir: tempDir("pw-b") });
    nodes.push(a, b);
    assert.notEqual(a.password, "pfsense");
    assert.ok(!/pfsense/i.test(a.password));
    assert.ok(a.password.length >= 16);
    assert.notEqual(a.password, b.password);
    const v = (await call(a, "admin", a.password, "pfsense.host_firmware_version", ["", 240])) as {
      platform: string;
    };
    assert.equal(v.platform, "pfSense");
    const f = await callFault(a, "admin", "pfsense", "pfsense.host_firmware_version", ["", 240]);
    assert.equal(f.faultCode, -1);
  });

  it("a restart keeps the password written at boot", async () => {
    const n = await startNode({ dir: tempDir("pw-r") });
    nodes.push(n);
    const pw = n.password;
    await n.restart();
    await call(n, "admin", pw, "pfsense.host_firmware_version", ["", 240]);
  });

  it("an explicit adminPassword, including the factory one, is used as given", async () => {
    const n = await startNode({ dir: tempDir("pw-f"), adminPassword: "pfsense" });
    nodes.push(n);
    assert.equal(n.password, "pfsense");
    await call(n, "admin", "pfsense", "pfsense.host_firmware_version", ["", 240]);
  });
});
