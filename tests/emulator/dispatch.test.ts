import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { dumpConfigXml, parseConfigXml } from "../../sdk/codec/configXml";
import type { PhpStruct } from "../../sdk/codec/phpValue";
import { DEFAULT_CONFIG_XML, hashPassword, startNode, type EmulatedNode } from "../../sdk/emulator";
import { basic, call, callFault, rawPost, tempDir } from "./helpers";

const PW = "S3cret-pass";

/** Default config plus users covering every authorisation case of §3.1. */
function usersConfig(): string {
  const t = parseConfigXml(DEFAULT_CONFIG_XML);
  const sys = t.system as PhpStruct;
  const hash = hashPassword(PW);
  const user = (name: string, uid: number, extra: PhpStruct = {}): PhpStruct => ({
    name,
    scope: "user",
    "bcrypt-hash": hash,
    uid: String(uid),
    ...extra,
  });
  sys.user = [
    ...(sys.user as PhpStruct[]),
    user("hasync", 2000, { priv: ["system-xmlrpc-ha-sync"] }),
    user("viewer", 2001),
    user("grouped", 2002),
    user("gone", 2003, { disabled: "", priv: ["system-xmlrpc-ha-sync"] }),
  ];
  const groups = sys.group as PhpStruct[];
  (groups[1] as PhpStruct).member = ["0", "2001"]; // admins: page-all only
  groups.push({
    name: "syncers",
    scope: "local",
    gid: "2000",
    member: ["2002"],
    priv: ["system-xmlrpc-ha-sync"],
  });
  return dumpConfigXml(t);
}

describe("dispatch order and faults over HTTPS (§2.3, §10.4)", () => {
  let node: EmulatedNode;
  before(async () => {
    node = await startNode({
      dir: tempDir("dispatch"),
      configXml: usersConfig(),
      adminPassword: PW,
      allowSourceIpHeader: true,
    });
  });
  after(() => node.stop());

  it("listens on 127.0.0.1 only and exposes the certificate's SHA-256 fingerprint", () => {
    assert.match(node.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(node.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.match(node.caCertPem, /BEGIN CERTIFICATE/);
  });

  it("answers an unparseable or empty body with fault 0 in HTTP 200 text/xml", async () => {
    for (const body of ["not xml at all", ""]) {
      const r = await rawPost(node.url, body, { Authorization: basic("admin", PW) });
      assert.equal(r.status, 200);
      assert.equal(r.headers["content-type"], "text/xml; charset=utf-8");
      assert.match(r.body, /<name>faultCode<\/name><value><int>0<\/int>/);
      assert.match(r.body, /Unable to parse request XML/);
    }
  });

  it("answers an unknown method, an unprefixed name and filter_configure on 2.7 with -32601", async () => {
    for (const m of [
      "pfsense.nope",
      "host_firmware_version",
      "pfsense.filter_configure",
      "pfsense.auth",
    ]) {
      assert.deepEqual(await callFault(node, "admin", PW, m, ["", 240]), {
        faultCode: -32601,
        faultString: "server error. requested method not found",
      });
    }
  });

  it("checks the signature before authenticating: -32602 even with bad credentials, and no auth log line", async () => {
    const before = node.authLog.length;
    const cases: [string, unknown[]][] = [
      ["pfsense.restore_config_section", [{ a: "b" }]],
      ["pfsense.host_firmware_version", [""]],
      ["pfsense.exec_php", [42]],
      ["pfsense.backup_config_section", ["virtualip"]],
    ];
    for (const [m, p] of cases) {
      assert.deepEqual(await callFault(node, "admin", "wrong", m, p), {
        faultCode: -32602,
        faultString: "server error. invalid method parameters",
      });
    }
    assert.equal(node.authLog.length, before);
  });

  it("never rejects extra parameters", async () => {
    const v = await call(node, "admin", PW, "pfsense.backup_config_section", [
      ["version"],
      240,
      "extra",
    ]);
    assert.deepEqual(v, { version: "23.3" });
  });

  it("answers bad credentials with -1 and logs the 2.7 auth line with the caller address", async () => {
    const f = await callFault(node, "admin", "wrong", "pfsense.host_firmware_version", ["", 240], {
      "X-Emulator-Source-Ip": "10.0.0.77",
    });
    assert.deepEqual(f, {
      faultCode: -1,
      faultString: "Authentication failed: Invalid username or password",
    });
    assert.equal(
      node.authLog.at(-1),
      "webConfigurator authentication error for user 'admin' from: 10.0.0.77",
    );
    assert.equal(
      (await callFault(node, "nobody", PW, "pfsense.host_firmware_version", ["", 240])).faultCode,
      -1,
    );
    assert.equal(
      (await callFault(node, "gone", PW, "pfsense.host_firmware_version", ["", 240])).faultCode,
      -1,
    );
  });

  it("answers missing credentials with -1 too", async () => {
    const body =
      '<?xml version="1.0"?><methodCall><methodName>pfsense.host_firmware_version</methodName><params><param><value><string></string></value></param><param><value><int>240</int></value></param></params></methodCall>';
    const r = await rawPost(node.url, body);
    assert.match(r.body, /<int>-1<\/int>/);
  });

  it("requires system-xmlrpc-ha-sync for uid != 0: page-all is not enough (-2), own or group privilege is", async () => {
    assert.deepEqual(
      await callFault(node, "viewer", PW, "pfsense.host_firmware_version", ["", 240]),
      {
        faultCode: -2,
        faultString: "Authentication failed: not enough privileges",
      },
    );
    assert.match(node.authLog.at(-1) ?? "", /not enough privileges$/);
    for (const u of ["hasync", "grouped", "admin"]) {
      const v = (await call(node, u, PW, "pfsense.host_firmware_version", ["", 240])) as PhpStruct;
      assert.equal(v.config_version, "23.3", u);
    }
  });

  it("loop protection: a restore from the node's own synchronizetoip returns true and changes nothing", async () => {
    await call(node, "admin", PW, "pfsense.restore_config_section", [
      { hasync: { synchronizetoip: "172.16.1.9" } },
      900,
    ]);
    const before = node.config();
    const v = await call(
      node,
      "admin",
      PW,
      "pfsense.restore_config_section",
      [{ hasync: { synchronizetoip: "" } }, 900],
      {
        "X-Emulator-Source-Ip": "172.16.1.9",
      },
    );
    assert.equal(v, true);
    assert.deepEqual(node.config(), before);
    assert.ok(node.syncLog.includes("Disallowing CARP sync loop"));
    // backup_config_section is not loop-protected
    const b = (await call(node, "admin", PW, "pfsense.backup_config_section", [["hasync"]], {
      "X-Emulator-Source-Ip": "172.16.1.9",
    })) as PhpStruct;
    assert.equal((b.hasync as PhpStruct).synchronizetoip, "172.16.1.9");
  });

  it("answers paths other than /xmlrpc.php with 404", async () => {
    const r = await rawPost(node.url, "", {}, "/index.php");
    assert.equal(r.status, 404);
  });
});

describe("per-version profiles (§4 table, §1.1)", () => {
  const started: EmulatedNode[] = [];
  after(async () => {
    for (const n of started) await n.stop();
  });

  it("2.4.5 exports filter_configure, needs no timeout parameter and reports config 19.1", async () => {
    const n = await startNode({ dir: tempDir("v245"), version: "2.4.5", adminPassword: PW });
    started.push(n);
    const v = (await call(n, "admin", PW, "pfsense.host_firmware_version", [])) as PhpStruct;
    assert.equal(v.config_version, "19.1");
    assert.deepEqual(v.firmware, { version: "2.4.5-RELEASE" });
    assert.equal(await call(n, "admin", PW, "pfsense.filter_configure", []), true);
    assert.equal(await call(n, "admin", PW, "pfsense.restore_config_section", [{ wol: "" }]), true);
    assert.equal(
      (await callFault(n, "admin", PW, "pfsense.captive_portal_sync", [{}])).faultCode,
      -32601,
    );
  });

  it("2.6.0 requires the trailing timeout and reports config 22.2; master reports 24.5", async () => {
    const n = await startNode({ dir: tempDir("v260"), version: "2.6.0", adminPassword: PW });
    started.push(n);
    assert.equal(
      (await callFault(n, "admin", PW, "pfsense.host_firmware_version", [""])).faultCode,
      -32602,
    );
    const v = (await call(n, "admin", PW, "pfsense.host_firmware_version", ["", 240])) as PhpStruct;
    assert.equal(v.config_version, "22.2");
    const m = await startNode({ dir: tempDir("vmaster"), version: "master", adminPassword: PW });
    started.push(m);
    const mv = (await call(m, "admin", PW, "pfsense.host_firmware_version", [
      "",
      240,
    ])) as PhpStruct;
    assert.equal(mv.config_version, "24.5");
  });
});
