/**
 * The `pfsense-ha` CLI as a real process against an emulated pair: the status table, the drill
 * with progress, JSON output, endpoints from the emulator CLI's one-line JSON or from flags plus
 * environment, the exit codes CI relies on, and no password in any output.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import {
  DRILL_MARKERS,
  EMULATOR_PLATFORM,
  PHP_PLATFORM_PROBE,
} from "../../sdk/codec/drillSnippets";
import {
  enterMaintenance,
  leaveMaintenance,
  type ClusterHealth,
  type DrillReport,
} from "../../sdk/health";
import { startPairFixture, type PairFixture } from "./pairFixture";

const CLI = resolve(__dirname, "../../sdk/cli/haCli.js");
const EMULATOR_CLI = resolve(__dirname, "../../sdk/cli/emulatorCli.js");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  onStderr?: (text: string) => void,
): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr);
    });
    child.on("error", fail);
    child.on("exit", (code) => done({ code, stdout, stderr }));
  });
}

describe("pfsense-ha CLI against an emulated pair", () => {
  let f: PairFixture;
  let dir: string;
  let endpointsFile: string;
  const secrets = () => [f.endpoints.primary.password, ...f.vips.map((v) => v.password as string)];
  const assertNoSecrets = (r: Run) => {
    for (const s of secrets())
      assert.ok(!(r.stdout + r.stderr).includes(s), "a password was printed");
  };

  before(async () => {
    f = await startPairFixture();
    dir = mkdtempSync(join(tmpdir(), "pha-cli-"));
    endpointsFile = join(dir, "endpoints.json");
    // Exactly the emulator CLI's format: one JSON line.
    writeFileSync(endpointsFile, `${JSON.stringify(f.pair.describe())}\n`);
  });
  after(async () => {
    await f?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("status prints the node and VHID tables and exits 0 when healthy", async () => {
    const r = await runCli(["status", "--endpoints", endpointsFile]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^NODE\s+URL\s+VERSION\s+CARP\s+DEMOTION\s+MAINTENANCE/m);
    assert.match(
      r.stdout,
      /^primary\s+https:\/\/127\.0\.0\.1:\d+\s+2\.7\.2-RELEASE\s+enabled\s+0\s+off/m,
    );
    for (const v of f.vips) {
      const row = new RegExp(
        `^${v.interface}\\s+${v.vhid}\\s+${v.subnet.replace(/\./g, "\\.")}/24\\s+1\\s+0/100\\s+MASTER\\s+BACKUP\\s+ok$`,
        "m",
      );
      assert.match(r.stdout, row);
    }
    assert.match(r.stdout, /^SYNC: in sync/m);
    assert.match(r.stdout, /^HEALTHY$/m);
    assertNoSecrets(r);
  });

  it("status --json gives the machine-readable health", async () => {
    const r = await runCli(["status", "--endpoints", endpointsFile, "--json"]);
    assert.equal(r.code, 0);
    const h = JSON.parse(r.stdout) as ClusterHealth;
    assert.equal(h.healthy, true);
    assert.equal(h.vhids.length, f.vips.length);
    assertNoSecrets(r);
  });

  it("status exits 1 and lists the problems when the primary is in maintenance mode", async () => {
    await enterMaintenance(f.endpoints.primary);
    try {
      const r = await runCli(["status", "--endpoints", endpointsFile]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^UNHEALTHY \(\d+ problem\(s\)\):/m);
      assert.match(r.stdout, /primary is in persistent CARP maintenance mode/);
      assert.match(r.stdout, /BACKUP\s+MASTER\s+FAIL$/m);
    } finally {
      await leaveMaintenance(f.endpoints.primary);
    }
  });

  it("status --wait polls until healthy, with progress on stderr", async () => {
    await enterMaintenance(f.endpoints.primary);
    // Maintenance ends once the CLI has reported its first unhealthy reading (not after a fixed
    // delay: a slow start would find the cluster healthy already).
    let left = false;
    const leave = (text: string) => {
      if (left || !/problem\(s\)/.test(text)) return;
      left = true;
      void leaveMaintenance(f.endpoints.primary);
    };
    try {
      const r = await runCli(["status", "--endpoints", endpointsFile, "--wait", "20"], {}, leave);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stderr, /waiting for a healthy cluster: \d+ problem\(s\): .*maintenance mode/);
      assert.match(r.stdout, /^HEALTHY$/m);
    } finally {
      await leaveMaintenance(f.endpoints.primary);
    }
  });

  it("drill hands over and back, shows progress on stderr and exits 0", async () => {
    const r = await runCli(["drill", "--endpoints", endpointsFile]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(
      r.stdout,
      /^INTERFACE\s+VHID\s+ADDRESS\s+MASTER BEFORE\/DURING\/AFTER\s+HANDOVER\s+BOUND\s+FAILBACK\s+BOUND\s+RESULT$/m,
    );
    assert.match(r.stdout, /^DRILL maintenance$/m);
    for (const v of f.vips)
      assert.match(
        r.stdout,
        new RegExp(
          `^${v.interface}\\s+${v.vhid}\\s+\\S+\\s+primary / secondary / primary\\s+\\d+\\.\\d\\d s\\s+6\\.39 s\\s+\\d+\\.\\d\\d s\\s+6\\.00 s\\s+ok$`,
          "m",
        ),
      );
    assert.match(r.stdout, /^DRILL PASSED in \d+\.\d\d s$/m);
    assert.match(r.stderr, /\[handover .* primary enters persistent CARP maintenance mode/);
    assert.match(r.stderr, /\[failback .*\] .* primary is MASTER after/);
    assertNoSecrets(r);
  });

  it("drill --kind disable-carp: Temporarily Disable CARP on the primary, Enable CARP, exit 0", async () => {
    const r = await runCli(["drill", "--endpoints", endpointsFile, "--kind", "disable-carp"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^DRILL disable-carp$/m);
    assert.equal(
      r.stdout.match(/primary \/ secondary \/ primary\s.*\sok$/gm)?.length,
      f.vips.length,
    );
    assert.match(r.stdout, /^primary restored in \d+\.\d\d s \(failback timed from then\)$/m);
    assert.match(r.stderr, /\[handover .*\] primary: Temporarily Disable CARP/);
    assert.match(r.stderr, /\[failback .*\] primary: Enable CARP/);
    assertNoSecrets(r);
  });

  it("drill --kind stop reboots the emulated primary (it says it is the emulator) and exits 0", async () => {
    const r = await runCli(["drill", "--endpoints", endpointsFile, "--kind", "stop", "--json"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const report = JSON.parse(r.stdout) as DrillReport;
    assert.equal(report.kind, "stop");
    assert.ok(report.vhids.every((v) => v.masters.during === "secondary" && v.ok));
    assert.match(r.stderr, /primary stops \(XML-RPC reboot\)/);
  });

  it("drill --kind stop on a real firewall exits 2 with E_DRILL_REFUSED unless --allow-stop", async () => {
    f.pair.primary.registerExecPhp(PHP_PLATFORM_PROBE, () => ({
      platform: "FreeBSD",
      marker: DRILL_MARKERS.platform,
    }));
    const r = await runCli(["drill", "--endpoints", endpointsFile, "--kind", "stop"]);
    assert.equal(r.code, 2, r.stderr + r.stdout);
    assert.match(
      r.stderr,
      /\[E_DRILL_REFUSED\] drill stop: .*real firewall \(platform FreeBSD\).*--allow-stop/,
    );
    assert.equal(r.stdout, "");
    assert.equal(f.pair.primary.isRunning(), true);
    const allowed = await runCli([
      "drill",
      "--endpoints",
      endpointsFile,
      "--kind",
      "stop",
      "--allow-stop",
    ]);
    assert.equal(allowed.code, 0, allowed.stderr + allowed.stdout);
    assert.match(allowed.stdout, /^DRILL PASSED/m);
    // The probe answers as the emulator again for the tests after this one.
    f.pair.primary.registerExecPhp(PHP_PLATFORM_PROBE, () => ({
      platform: EMULATOR_PLATFORM,
      marker: DRILL_MARKERS.platform,
    }));
  });

  it("drill --kind must be one of the three drills", async () => {
    const r = await runCli(["drill", "--endpoints", endpointsFile, "--kind", "unplug"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--kind must be one of maintenance, disable-carp, stop/);
  });

  it("takes endpoints from flags and passwords from the environment", async () => {
    const d = f.pair.describe();
    const r = await runCli(
      [
        "status",
        "--primary",
        d.primary.url,
        "--secondary",
        d.secondary.url,
        "--primary-fingerprint",
        d.primary.fingerprint256,
        "--secondary-fingerprint",
        d.secondary.fingerprint256,
      ],
      { PFSENSE_HA_PASSWORD: d.primary.password },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^HEALTHY$/m);
  });

  it("exits 2 on usage errors and unreachable nodes", async () => {
    const unknown = await runCli(["explode"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "explode"/);
    const noUrl = await runCli(["status"]);
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.stderr, /no URL for the primary/);
    const badFile = join(dir, "bad.json");
    writeFileSync(badFile, "not json");
    const bad = await runCli(["status", "--endpoints", badFile]);
    assert.equal(bad.code, 2);
    const down = {
      ...f.pair.describe(),
      secondary: { ...f.pair.describe().secondary, url: "https://127.0.0.1:9" },
    };
    const downFile = join(dir, "down.json");
    writeFileSync(downFile, JSON.stringify(down));
    const r = await runCli(["status", "--endpoints", downFile, "--connect-timeout", "2"]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^secondary\s+https:\/\/127\.0\.0\.1:9\s+UNREACHABLE/m);
    assertNoSecrets(r);
  });
});

describe("pfsense-ha with the emulator CLI's output (pfsense-ha-emulator pair > endpoints.json)", () => {
  it("reads the one-line JSON and reports a fresh pair (no CARP VIPs yet) as unhealthy", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pha-cli-emu-"));
    const emu = spawn(process.execPath, [EMULATOR_CLI, "pair", "--dir", dir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const line = await new Promise<string>((done, fail) => {
        const rl = createInterface({ input: emu.stdout });
        rl.once("line", done);
        emu.once("exit", (code) => fail(new Error(`emulator exited ${code}`)));
      });
      const file = join(dir, "endpoints.json");
      writeFileSync(file, `${line}\n`);
      const r = await runCli(["status", "--endpoints", file]);
      assert.equal(r.code, 1, r.stderr + r.stdout);
      assert.match(r.stdout, /^no CARP VIPs$/m);
      assert.match(r.stdout, /no CARP VIPs are configured on the cluster/);
      const password = (JSON.parse(line) as { primary: { password: string } }).primary.password;
      assert.ok(!(r.stdout + r.stderr).includes(password));
    } finally {
      if (emu.pid !== undefined && emu.exitCode === null) {
        const exited = new Promise((r) => emu.once("exit", r));
        process.kill(emu.pid, "SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
