import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { PhpStruct } from "../../sdk/codec/phpValue";
import { startNode, type EmulatedNode } from "../../sdk/emulator";
import { basic, call, callFault, rawPost, tempDir } from "./helpers";

const PW = "pw-faults";

describe("fault injection (node.faults)", () => {
  let node: EmulatedNode;
  const rpc = (m: string, p: unknown[], h: Record<string, string> = {}) =>
    call(node, "admin", PW, m, p, h);
  before(async () => {
    node = await startNode({
      dir: tempDir("faults"),
      adminPassword: PW,
      allowSourceIpHeader: true,
    });
  });
  after(() => node.stop());

  it("latency delays the next request only", async () => {
    node.faults.latency(300);
    let t = Date.now();
    await rpc("pfsense.host_firmware_version", ["", 240]);
    assert.ok(Date.now() - t >= 290);
    t = Date.now();
    await rpc("pfsense.host_firmware_version", ["", 240]);
    assert.ok(Date.now() - t < 290);
  });

  it("dropped connections are counted: two drops, then service again", async () => {
    node.faults.dropConnections(2);
    await assert.rejects(rpc("pfsense.host_firmware_version", ["", 240]));
    await assert.rejects(rpc("pfsense.host_firmware_version", ["", 240]));
    assert.equal(
      ((await rpc("pfsense.host_firmware_version", ["", 240])) as PhpStruct).config_version,
      "23.3",
    );
  });

  it("HTTP 500 does not run the method; HTTP 504 runs it (like nginx's 180 s cut)", async () => {
    const restore = (id: string) =>
      `<?xml version="1.0"?><methodCall><methodName>pfsense.restore_config_section</methodName><params><param><value><struct><member><name>hasync</name><value><struct><member><name>pfhostid</name><value>${id}</value></member></struct></value></member></struct></value></param><param><value><int>900</int></value></param></params></methodCall>`;
    const auth = { Authorization: basic("admin", PW) };
    node.faults.httpError(500);
    assert.equal((await rawPost(node.url, restore("a"), auth)).status, 500);
    assert.equal((node.config().hasync as PhpStruct | undefined)?.pfhostid, undefined);
    node.faults.httpError(504);
    assert.equal((await rawPost(node.url, restore("b"), auth)).status, 504);
    assert.equal((node.config().hasync as PhpStruct).pfhostid, "b");
    node.faults.httpError(500);
    await assert.rejects(
      rpc("pfsense.host_firmware_version", ["", 240]),
      "a generic client fails on the HTML body",
    );
  });

  it("a drop after processing loses the answer but the write happened", async () => {
    node.faults.dropConnections(1, { afterProcessing: true });
    await assert.rejects(
      rpc("pfsense.restore_config_section", [{ hasync: { pfhostid: "e" } }, 900]),
    );
    assert.equal((node.config().hasync as PhpStruct).pfhostid, "e");
  });

  it("malformed XML: the client cannot parse the reply, the method still ran", async () => {
    node.faults.malformedXml();
    await assert.rejects(
      rpc("pfsense.restore_config_section", [{ hasync: { pfhostid: "c" } }, 900]),
    );
    assert.equal((node.config().hasync as PhpStruct).pfhostid, "c");
  });

  it("a concurrent GUI edit lands between a read and the next write", async () => {
    node.faults.concurrentEditAfterRead();
    const read = (await rpc("pfsense.backup_config_section", [["revision"]])) as PhpStruct;
    const now = node.config().revision as PhpStruct;
    assert.notDeepEqual(now, read.revision);
    assert.equal(now.description, "admin@10.0.0.9 (Local Database): GUI edit");
    assert.equal(now.username, "admin@10.0.0.9 (Local Database)");
  });

  it("login protection blocks a source after repeated failures and refuses its connections; other sources unaffected", async () => {
    node.faults.enableLockout({ blockMs: 400 });
    const bad = { "X-Emulator-Source-Ip": "10.0.0.5" };
    for (let i = 0; i < 3; i++) {
      assert.equal(
        (await callFault(node, "admin", "wrong", "pfsense.host_firmware_version", ["", 240], bad))
          .faultCode,
        -1,
      );
    }
    await assert.rejects(
      call(node, "admin", PW, "pfsense.host_firmware_version", ["", 240], bad),
      (e: Error & { code?: string }) => e.code === "ECONNRESET" || /socket hang up/.test(e.message),
    );
    await rpc("pfsense.host_firmware_version", ["", 240], { "X-Emulator-Source-Ip": "10.0.0.6" });
    await new Promise((r) => setTimeout(r, 450));
    await rpc("pfsense.host_firmware_version", ["", 240], bad);
    node.faults.clear();
  });

  it("stop and restart keep the port, the certificate and the config on disk", async () => {
    const { url, fingerprint256 } = node;
    await rpc("pfsense.restore_config_section", [{ hasync: { pfhostid: "d" } }, 900]);
    await node.stop();
    await assert.rejects(
      rpc("pfsense.host_firmware_version", ["", 240]),
      (e: Error & { code?: string }) => e.code === "ECONNREFUSED",
    );
    await node.restart();
    assert.equal(node.url, url);
    assert.equal(node.fingerprint256, fingerprint256);
    const v = (await call(
      { url: node.url, caCertPem: node.caCertPem },
      "admin",
      PW,
      "pfsense.backup_config_section",
      [["hasync"]],
    )) as PhpStruct;
    assert.equal((v.hasync as PhpStruct).pfhostid, "d");
  });
});

describe("nginx read timeout (§2.1)", () => {
  it("a call slower than fastcgi_read_timeout gets 504 while the method still completes", async () => {
    const node = await startNode({
      dir: tempDir("nginx"),
      adminPassword: PW,
      nginxReadTimeoutMs: 150,
    });
    try {
      node.faults.latency(800);
      const body =
        '<?xml version="1.0"?><methodCall><methodName>pfsense.restore_config_section</methodName><params><param><value><struct><member><name>hasync</name><value><struct><member><name>pfhostid</name><value>f</value></member></struct></value></member></struct></value></param><param><value><int>900</int></value></param></params></methodCall>';
      const t = Date.now();
      const r = await rawPost(node.url, body, { Authorization: basic("admin", PW) });
      assert.equal(r.status, 504);
      const took = Date.now() - t;
      assert.ok(took < 600, `answered at the timeout, not when the call finished (${took} ms)`);
      await new Promise((res) => setTimeout(res, 1000));
      assert.equal((node.config().hasync as PhpStruct).pfhostid, "f");
    } finally {
      await node.stop();
    }
  });
});
