/**
 * Failure behaviour of the node client over real HTTPS on loopback: every fault mapping, TLS
 * policy (CA, fingerprint pin, opt-out), one attempt on bad credentials, retries only for
 * idempotent reads, and connect/overall timeouts.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import tls from "node:tls";
import { generate } from "selfsigned";
import { isHaError, type PfSenseHaError } from "../../sdk/plan/errors";
import { cloneValue, toStruct } from "../../sdk/codec/phpValue";
import { hashPassword } from "../../sdk/emulator";
import { createNodeClient } from "../../sdk/pfsense";
import { callNode } from "../../sdk/pfsense/transport";
import { startHarness, type Harness } from "./emulatorHarness";

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

const code = (c: string) => (e: unknown) => isHaError(e, c as PfSenseHaError["code"]);

test("a wrong password: E_AUTH after exactly one attempt, the message explains why and never contains the password", async () => {
  const secret = "Wr0ng-Pa55word-XYZ";
  const c = createNodeClient(h.endpoint({ password: secret }));
  const logBefore = h.node.authLog.length;
  const err = (await c.firmwareVersion().catch((e: unknown) => e)) as PfSenseHaError;
  assert.ok(isHaError(err, "E_AUTH"), String(err));
  assert.equal(h.node.authLog.length - logBefore, 1, "exactly one failed login on the node");
  assert.equal(c.stats.calls, 1);
  assert.match(err.message, /one attempt/);
  assert.match(err.message, /login protection/);
  assert.match(err.field ?? "", /node primary \(https:\/\/127\.0\.0\.1:\d+\)/);
  const everything = `${err.message} ${err.fix} ${err.field} ${err.value} ${JSON.stringify(err)} ${String(err.cause ?? "")}`;
  assert.ok(!everything.includes(secret), "the password appears nowhere in the error");
});

test("a user without 'System - HA node sync': E_PRIVILEGE naming the privilege; granting it fixes the call", async () => {
  const tree = cloneValue(h.node.config());
  const sys = toStruct(tree.system);
  const users = (sys.user as Record<string, unknown>[]).slice();
  users.push({
    name: "hasync",
    descr: "sync",
    scope: "user",
    "bcrypt-hash": hashPassword("sync-pass-1"),
    uid: "2000",
    priv: ["page-all"],
  });
  sys.user = users as never;
  h.node.writeConfigAs(tree, "add hasync user");
  const c = createNodeClient(h.endpoint({ username: "hasync", password: "sync-pass-1" }));
  const err = (await c.firmwareVersion().catch((e: unknown) => e)) as PfSenseHaError;
  assert.ok(isHaError(err, "E_PRIVILEGE"), String(err));
  assert.match(err.message, /System - HA node sync/);
  assert.match(err.message, /system-xmlrpc-ha-sync/);
  assert.equal(c.stats.calls, 1, "privilege faults are not retried");
  const t2 = cloneValue(h.node.config());
  const u = (toStruct(t2.system).user as Record<string, unknown>[]).find(
    (x) => x.name === "hasync",
  )!;
  u.priv = ["page-all", "system-xmlrpc-ha-sync"];
  h.node.writeConfigAs(t2, "grant");
  assert.equal((await c.firmwareVersion()).profile.family, "2.7");
});

test("-32601: a method the version lacks gives E_METHOD_NOT_FOUND saying which versions lack it", async () => {
  const stats = { calls: 0, bytesSent: 0, bytesReceived: 0 };
  await assert.rejects(
    callNode(h.endpoint(), stats, "pfsense.filter_configure", ["", 240], { idempotent: true }),
    (e: unknown) =>
      isHaError(e, "E_METHOD_NOT_FOUND") && /2\.5\.0 and later/.test((e as Error).message),
  );
  assert.equal(stats.calls, 1);
});

test("-32602: a wrongly typed parameter gives E_INVALID_PARAMS, before any authentication (§2.3)", async () => {
  const stats = { calls: 0, bytesSent: 0, bytesReceived: 0 };
  const logBefore = h.node.authLog.length;
  await assert.rejects(
    callNode(h.endpoint({ password: "wrong" }), stats, "pfsense.exec_php", [42, 240], {
      idempotent: false,
    }),
    code("E_INVALID_PARAMS"),
  );
  assert.equal(h.node.authLog.length, logBefore);
});

test("TLS is verified by default: the emulator's self-signed certificate is refused (E_TLS) and nothing reaches it", async () => {
  const logBefore = h.node.authLog.length;
  const c = createNodeClient(h.endpoint({ tls: undefined, password: "wrong" }));
  await assert.rejects(c.firmwareVersion(), code("E_TLS"));
  assert.equal(h.node.authLog.length, logBefore, "no login attempt was made");
});

test("TLS: trusting the node's certificate via caCertPem works; a pin in lower case without colons works", async () => {
  await createNodeClient(h.endpoint({ tls: { caCertPem: h.node.caCertPem } })).firmwareVersion();
  const pin = h.node.fingerprint256.replace(/:/g, "").toLowerCase();
  await createNodeClient(h.endpoint({ tls: { fingerprint256: pin } })).firmwareVersion();
});

test("a fingerprint mismatch is refused after the handshake and before a single request byte (credentials) is sent", async () => {
  const pems = await generate([{ name: "commonName", value: "impostor" }], {
    keyType: "ec",
    algorithm: "sha256",
  } as Parameters<typeof generate>[1]);
  let received = 0;
  let connections = 0;
  const server = tls.createServer({ key: pems.private, cert: pems.cert }, (s) => {
    s.on("data", (d) => {
      received += d.length;
    });
    s.on("error", () => undefined);
  });
  server.on("connection", () => connections++);
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const ep = h.endpoint({
      url: `https://127.0.0.1:${port}`,
      maxAttempts: 1,
      callTimeoutMs: 1500,
    });
    const err = (await createNodeClient(ep)
      .firmwareVersion()
      .catch((e: unknown) => e)) as PfSenseHaError;
    assert.ok(isHaError(err, "E_TLS"), String(err));
    assert.match(err.message, /fingerprint256/);
    assert.match(err.message, /nothing was sent/);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(connections, 1, "the client did connect (the refusal is not a network error)");
    assert.equal(received, 0, "no request byte reached the impostor");
    // Control: with the impostor's own pin the request (with credentials) does arrive.
    const fp = new (await import("node:crypto")).X509Certificate(pems.cert).fingerprint256;
    await assert.rejects(
      createNodeClient({
        ...ep,
        tls: { fingerprint256: fp },
        callTimeoutMs: 400,
      }).firmwareVersion(),
      code("E_TIMEOUT"),
    );
    assert.ok(received > 0);
  } finally {
    server.close();
  }
});

test("insecureSkipTlsVerify accepts any certificate and warns loudly once per process", async () => {
  const warnings: string[] = [];
  const onWarn = (w: Error) => warnings.push(w.message);
  process.on("warning", onWarn);
  try {
    await createNodeClient(h.endpoint({ tls: { insecureSkipTlsVerify: true } })).firmwareVersion();
    await createNodeClient(h.endpoint({ tls: { insecureSkipTlsVerify: true } })).firmwareVersion();
    await new Promise((r) => setImmediate(r));
    assert.equal(warnings.filter((w) => /TLS VERIFICATION DISABLED/.test(w)).length, 1);
  } finally {
    process.off("warning", onWarn);
  }
});

test("dropped connections are retried with backoff for reads, within the attempt bound", async () => {
  h.node.faults.dropConnections(2);
  const c = createNodeClient(h.endpoint());
  const s = await c.backupSections(["version"]);
  assert.equal(s.version, "23.3");
  assert.equal(c.stats.calls, 3);
  h.node.faults.dropConnections(5);
  const c2 = createNodeClient(h.endpoint({ maxAttempts: 3 }));
  await assert.rejects(c2.firmwareVersion(), code("E_TRANSPORT"));
  assert.equal(c2.stats.calls, 3);
  assert.equal(h.node.faults.pending("drop"), 2);
  h.node.faults.clear();
});

test("restore_config_section is never retried: one dropped connection is one failed attempt", async () => {
  h.node.faults.dropConnections(1);
  const c = createNodeClient(h.endpoint());
  await assert.rejects(c.restoreSections({ hasync: { pfsyncenabled: "on" } }), code("E_TRANSPORT"));
  assert.equal(c.stats.calls, 1);
  assert.equal(h.node.faults.pending("drop"), 0);
});

test("HTTP 504 on a read is retried; on restore it is E_HTTP after one attempt and says the write may have happened", async () => {
  h.node.faults.httpError(504, 1);
  const c = createNodeClient(h.endpoint());
  await c.backupSections(["version"]);
  assert.equal(c.stats.calls, 2);
  h.node.faults.httpError(504, 1);
  const c2 = createNodeClient(h.endpoint());
  const err = (await c2
    .restoreSections({ hasync: { pfsyncenabled: "on" } })
    .catch((e: unknown) => e)) as PfSenseHaError;
  assert.ok(isHaError(err, "E_HTTP"), String(err));
  assert.equal(err.value, "504");
  assert.match(err.message, /may still complete/);
  assert.equal(c2.stats.calls, 1);
});

test("HTTP 500 is E_HTTP and not retried; a malformed body is E_MALFORMED_REPLY", async () => {
  h.node.faults.httpError(500, 1);
  const c = createNodeClient(h.endpoint());
  await assert.rejects(
    c.firmwareVersion(),
    (e: unknown) => isHaError(e, "E_HTTP") && (e as PfSenseHaError).value === "500",
  );
  assert.equal(c.stats.calls, 1);
  h.node.faults.malformedXml(1);
  await assert.rejects(createNodeClient(h.endpoint()).firmwareVersion(), code("E_MALFORMED_REPLY"));
});

test("overall call timeout: a slow node gives E_TIMEOUT after callTimeoutMs, and the promise settles", async () => {
  h.node.faults.latency(1500, 1);
  const c = createNodeClient(h.endpoint({ callTimeoutMs: 300, maxAttempts: 1 }));
  const t0 = Date.now();
  await assert.rejects(
    c.firmwareVersion(),
    (e: unknown) =>
      isHaError(e, "E_TIMEOUT") &&
      /300 ms/.test((e as Error).message) &&
      /callTimeoutSeconds/.test((e as Error).message),
  );
  assert.ok(Date.now() - t0 < 1200);
  await new Promise((r) => setTimeout(r, 1400));
  h.node.faults.clear();
});

test("connect timeout: a peer that accepts TCP but never completes TLS gives E_TIMEOUT after connectTimeoutMs", async () => {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const c = createNodeClient(
      h.endpoint({ url: `https://127.0.0.1:${port}`, connectTimeoutMs: 200, maxAttempts: 2 }),
    );
    const t0 = Date.now();
    await assert.rejects(
      c.firmwareVersion(),
      (e: unknown) => isHaError(e, "E_TIMEOUT") && /no TLS connection/.test((e as Error).message),
    );
    assert.equal(
      c.stats.calls,
      2,
      "a connect timeout is a transport failure and retried for reads",
    );
    assert.ok(Date.now() - t0 < 2000);
  } finally {
    sockets.forEach((s) => s.destroy());
    server.close();
  }
});

test("connection refused: E_TRANSPORT after the bounded number of attempts", async () => {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  const c = createNodeClient(h.endpoint({ url: `https://127.0.0.1:${port}` }));
  await assert.rejects(
    c.firmwareVersion(),
    (e: unknown) => isHaError(e, "E_TRANSPORT") && /ECONNREFUSED/.test((e as Error).message),
  );
  assert.equal(c.stats.calls, 3);
});

test("exec_php status reads (CARP status) are idempotent and retried; maintenance mode writes are not", async () => {
  h.node.faults.dropConnections(1);
  const c = createNodeClient(h.endpoint());
  assert.equal((await c.carpStatus()).allow, true);
  assert.equal(c.stats.calls, 2);
  h.node.faults.dropConnections(1);
  const c2 = createNodeClient(h.endpoint());
  await assert.rejects(c2.setMaintenanceMode(true), code("E_TRANSPORT"));
  assert.equal(c2.stats.calls, 1);
});

test("a plain http URL is refused (the password would travel in clear) unless the lab opt-out is set", async () => {
  const c = createNodeClient(h.endpoint({ url: h.node.url.replace("https:", "http:") }));
  await assert.rejects(
    c.firmwareVersion(),
    (e: unknown) => isHaError(e, "E_TLS") && /plain http/.test((e as Error).message),
  );
});
