import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { PhpStruct } from "../../sdk/codec/phpValue";
import { writeFileSync } from "node:fs";
import { call, CUSTOM_PAIR_PASSWORD, customMemberXml, tempDir } from "./helpers";

const CLI = path.join(__dirname, "../../sdk/cli/emulatorCli.js");

function runCli(
  args: string[],
): Promise<{ line: string; stop: () => Promise<{ code: number | null; stdout: string }> }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
      const nl = stdout.indexOf("\n");
      if (nl >= 0) {
        resolve({
          line: stdout.slice(0, nl),
          stop: async () => {
            child.kill("SIGTERM");
            const code = await exited;
            return { code, stdout };
          },
        });
      }
    });
    child.on("exit", (code) => reject(new Error(`CLI exited early with ${code}`)));
  });
}

describe("pfsense-ha-emulator CLI", () => {
  it("pair prints exactly one JSON line with both endpoints, serves, and exits 0 on SIGTERM", async () => {
    const { line, stop } = await runCli([
      "pair",
      "--dir",
      tempDir("cli"),
      "--admin-password",
      "cli-pass-1",
    ]);
    const d = JSON.parse(line) as Record<string, Record<string, string>>;
    for (const role of ["primary", "secondary"]) {
      assert.deepEqual(Object.keys(d[role]).sort(), [
        "fingerprint256",
        "password",
        "url",
        "username",
      ]);
      assert.match(d[role].url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(d[role].username, "admin");
      assert.equal(d[role].password, "cli-pass-1");
    }
    const v = (await call(
      { url: d.secondary.url },
      "admin",
      "cli-pass-1",
      "pfsense.host_firmware_version",
      ["", 240],
    )) as PhpStruct;
    assert.equal(v.config_version, "23.3");
    const { code, stdout } = await stop();
    assert.equal(code, 0);
    assert.equal(stdout.trim().split("\n").length, 1);
  });

  it("node --version 2.6.0 serves one node reporting config 22.2", async () => {
    const { line, stop } = await runCli([
      "node",
      "--dir",
      tempDir("cli-node"),
      "--version",
      "2.6.0",
      "--admin-password",
      "p2",
    ]);
    const d = JSON.parse(line) as Record<string, string>;
    const v = (await call({ url: d.url }, "admin", "p2", "pfsense.host_firmware_version", [
      "",
      240,
    ])) as PhpStruct;
    assert.equal(v.config_version, "22.2");
    assert.equal((await stop()).code, 0);
  });

  it("pair --sync-timing realistic: the primary's push reaches the secondary about 1 s after a write", async () => {
    const pw = "cli-pass-rt";
    const { line, stop } = await runCli([
      "pair",
      "--dir",
      tempDir("cli-rt"),
      "--admin-password",
      pw,
      "--sync-timing",
      "realistic",
    ]);
    const d = JSON.parse(line) as Record<string, Record<string, string>>;
    await call({ url: d.primary.url }, "admin", pw, "pfsense.restore_config_section", [
      {
        hasync: {
          synchronizetoip: "172.16.1.2",
          username: "admin",
          password: pw,
          synchronizenat: "on",
        },
        nat: { outbound: { mode: "hybrid" } },
      },
      900,
    ]);
    const written = Date.now();
    const natMode = async () => {
      const s = (await call(
        { url: d.secondary.url },
        "admin",
        pw,
        "pfsense.backup_config_section",
        [["nat"]],
      )) as PhpStruct;
      const nat = s.nat as PhpStruct | undefined;
      return (nat?.outbound as PhpStruct | undefined)?.mode;
    };
    let landed = -1;
    while (Date.now() - written < 10_000) {
      if ((await natMode()) === "hybrid") {
        landed = Date.now() - written;
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(landed >= 800, `the push landed ${landed} ms after the write`);
    assert.equal((await stop()).code, 0);
  });

  it("pair --primary-config/--secondary-config: each node serves its file and sync works", async () => {
    const dir = tempDir("cli-configs");
    const files = { primary: `${dir}/p.xml`, secondary: `${dir}/s.xml` };
    writeFileSync(files.primary, customMemberXml("primary", "8443"));
    writeFileSync(files.secondary, customMemberXml("secondary", "8443"));
    const pw = CUSTOM_PAIR_PASSWORD;
    const { line, stop } = await runCli([
      "pair", "--dir", dir, "--admin-password", pw,
      "--primary-config", files.primary, "--secondary-config", files.secondary,
    ]); // prettier-ignore
    const d = JSON.parse(line) as Record<string, Record<string, string>>;
    const hostname = async (url: string) =>
      (
        (await call({ url }, "admin", pw, "pfsense.backup_config_section", [
          ["system"],
        ])) as PhpStruct
      ).system as PhpStruct;
    assert.equal((await hostname(d.primary.url)).hostname, "edge-a");
    assert.equal((await hostname(d.secondary.url)).hostname, "edge-b");
    await call({ url: d.primary.url }, "admin", pw, "pfsense.restore_config_section", [
      { aliases: { alias: [{ name: "cli_alias", type: "host", address: "10.1.1.1" }] } },
      900,
    ]);
    assert.equal(await waitForAlias(d.secondary.url, pw, "cli_alias"), true);
    assert.equal((await stop()).code, 0);
  });

  it("node --config … --sync-peer IP=URL: two single nodes sync through the explicit route", async () => {
    const dir = tempDir("cli-peer");
    const files = { primary: `${dir}/p.xml`, secondary: `${dir}/s.xml` };
    writeFileSync(files.primary, customMemberXml("primary", "443"));
    writeFileSync(files.secondary, customMemberXml("secondary", "443"));
    const pw = CUSTOM_PAIR_PASSWORD;
    const sec = await runCli([
      "node",
      "--dir",
      `${dir}/s`,
      "--config",
      files.secondary,
      "--admin-password",
      pw,
    ]);
    const secUrl = (JSON.parse(sec.line) as Record<string, string>).url;
    const pri = await runCli([
      "node", "--dir", `${dir}/p`, "--config", files.primary, "--admin-password", pw,
      "--sync-peer", `172.16.1.2=${secUrl}`,
    ]); // prettier-ignore
    const priUrl = (JSON.parse(pri.line) as Record<string, string>).url;
    await call({ url: priUrl }, "admin", pw, "pfsense.restore_config_section", [
      { aliases: { alias: [{ name: "peer_alias", type: "host", address: "10.1.1.2" }] } },
      900,
    ]);
    assert.equal(await waitForAlias(secUrl, pw, "peer_alias"), true);
    assert.equal((await pri.stop()).code, 0);
    assert.equal((await sec.stop()).code, 0);
  });

  it("node --sync-peer to a non-loopback URL is refused before serving", async () => {
    await assert.rejects(
      runCli([
        "node",
        "--dir",
        tempDir("cli-peer-bad"),
        "--sync-peer",
        "172.16.1.2=https://172.16.1.2",
      ]),
      /exited early with 1/,
    );
  });

  it("--sync-timing with an unknown value exits 2", async () => {
    await assert.rejects(
      runCli(["pair", "--dir", tempDir("cli-bad"), "--sync-timing", "soon"]),
      /exited early with 2/,
    );
  });
});

/** Polls a node until its aliases contain `name` (true) or 5 s pass (false). */
async function waitForAlias(url: string, pw: string, name: string): Promise<boolean> {
  const until = Date.now() + 5000;
  while (Date.now() < until) {
    const s = (await call({ url }, "admin", pw, "pfsense.backup_config_section", [
      ["aliases"],
    ])) as PhpStruct;
    const list = (s.aliases as PhpStruct | undefined)?.alias;
    if (JSON.stringify(list ?? "").includes(`"${name}"`)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}
