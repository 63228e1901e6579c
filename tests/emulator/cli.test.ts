import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { PhpStruct } from "../../sdk/codec/phpValue";
import { call, tempDir } from "./helpers";

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
});
