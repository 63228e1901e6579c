/**
 * Plain http is refused unless the endpoint opts out of TLS for a lab, and then it is said
 * once per node: the node password would travel unencrypted.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createNodeClient } from "../../sdk/pfsense";

test("http with insecureSkipTlsVerify warns once per node before the first request", async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }) => {
    if (w.code === "PFSENSE_HA_PLAIN_HTTP") warnings.push(w.message);
  };
  process.on("warning", onWarning);
  try {
    const c = createNodeClient({
      name: "lab",
      url: "http://127.0.0.1:9", // discard port: nothing answers, the warning comes first
      username: "admin",
      password: "pw",
      tls: { insecureSkipTlsVerify: true },
      maxAttempts: 1,
      connectTimeoutMs: 500,
    });
    await c.firmwareVersion().catch(() => undefined);
    await c.firmwareVersion().catch(() => undefined);
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off("warning", onWarning);
  }
  assert.equal(warnings.length, 1, warnings.join("\n"));
  assert.match(warnings[0], /PLAIN HTTP to .*unencrypted/);
  assert.ok(!warnings[0].includes("pw@"), "no password in the warning");
});
