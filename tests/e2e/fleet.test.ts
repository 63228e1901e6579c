/**
 * `pfsense-ha fleet` as CI runs it: a real process driving one stack per site of the
 * two-node-cluster example project through the real engine, against three emulated pairs, at
 * most two at a time. Progress per site, a summary table, exit 0 when every site succeeded and 1
 * when one failed (the others still run), and no password anywhere in the output.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { automation } from "@pulumi/pulumi";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import type { FleetReport } from "../../sdk/fleet";
import { generateCarpPassword } from "../../sdk/plan";
import { pulumiEnv, workspaceOptions } from "../../scripts/pulumiEngine";
import { engine, scratch, skipUnlessEngine } from "./engineHarness";
import { carpVips } from "./nodeConfig";

const CLI = path.resolve(__dirname, "../../sdk/cli/haCli.js");
const SITES = ["north", "south", "east"];

function skip(): string | false {
  const noEngine = skipUnlessEngine();
  if (noEngine) return noEngine;
  const st = engine();
  return st.installed && !st.languageHost
    ? "pulumi-language-nodejs is not installed, so local programs cannot run"
    : false;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe("pfsense-ha fleet: three emulated sites through the real engine", { skip: skip() }, () => {
  const s = scratch("e2e-fleet");
  const project = path.join(engine().layout.repoRoot, "examples", "two-node-cluster");
  const stackNames = SITES.map((n) => `${n}-${process.pid}`);
  const sitesFile = path.join(s.dir, "sites.yaml");
  const pairs: EmulatedPair[] = [];
  const secrets: string[] = [];
  const env = () => ({ ...process.env, ...pulumiEnv({ stateDir: s.stateDir }), SOUTH_PW: "" });

  const fleet = (args: string[], extraEnv: Record<string, string> = {}): Promise<Run> =>
    new Promise((done, fail) => {
      const child = spawn(process.execPath, [CLI, "fleet", ...args], {
        env: { ...env(), ...extraEnv },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", fail);
      child.on("exit", (code) => done({ code, stdout, stderr }));
    });
  const southPw = () => ({ SOUTH_PW: pairs[1].primary.password });
  const assertNoSecrets = (r: Run) => {
    for (const x of secrets) assert.ok(!(r.stdout + r.stderr).includes(x), "a secret was printed");
  };
  const row = (r: Run, site: string) =>
    r.stdout.split("\n").find((l) => l.startsWith(`${site} `)) ?? "";

  before(async () => {
    for (const name of SITES) pairs.push(await startPair({ dir: path.join(s.dir, name) }));
    // YAML as a user writes it: inline passwords for two sites, an environment variable for one,
    // and a CARP password per site as secret config.
    const lines = ["sites:"];
    pairs.forEach((p, i) => {
      const d = p.describe();
      const carp = generateCarpPassword();
      secrets.push(d.primary.password, d.secondary.password, carp);
      const pw = (x: string) => (i === 1 ? "passwordEnv: SOUTH_PW" : `password: "${x}"`);
      lines.push(
        `  - name: ${stackNames[i]}`,
        ...(["primary", "secondary"] as const).map(
          (role) =>
            `    ${role}: { url: "${d[role].url}", username: admin, ${pw(d[role].password)}, fingerprint256: "${d[role].fingerprint256}" }`,
        ),
        `    secrets: { carpPassword: "${carp}" }`,
      );
    });
    writeFileSync(sitesFile, `${lines.join("\n")}\n`, { mode: 0o600 });
  });
  after(async () => {
    const opts = await workspaceOptions({ workDir: project, stateDir: s.stateDir });
    const ws = await automation.LocalWorkspace.create(opts);
    for (const n of stackNames) await ws.removeStack(n, { force: true }).catch(() => undefined);
    await Promise.all(pairs.map((p) => p.stop()));
    s.cleanup();
  });

  it("up: every site's stack is applied, at most --parallel at a time, exit 0", async () => {
    const r = await fleet(
      ["up", "--sites", sitesFile, "--project", project, "--parallel", "2"],
      southPw(),
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^SITE\s+RESULT\s+CHANGED\s+DURATION$/m);
    for (const n of stackNames) {
      assert.match(row(r, n), /^\S+\s+succeeded\s+\d+ \(create \d+\)\s+\d+\.\d s$/);
      assert.match(
        r.stderr,
        new RegExp(`^\\[${n}\\s+\\d+\\.\\d s\\] create pfsense-ha:index:CarpVipConfig "wan"$`, "m"),
      );
      assert.match(
        r.stderr,
        new RegExp(`^\\[${n}\\s+\\d+\\.\\d s\\] up succeeded, \\d+ resource\\(s\\) changed$`, "m"),
      );
    }
    assert.match(
      r.stdout,
      /^fleet up: 3 of 3 site\(s\) succeeded in \d+\.\d s \(at most 2 at a time\)$/m,
    );
    for (const p of pairs) {
      assert.equal(carpVips(p.primary).length, 2);
      assert.equal(carpVips(p.secondary).length, 2);
    }
    assertNoSecrets(r);
  });

  it("preview: a site that cannot be reached fails (exit 1), the others report no changes", async () => {
    await pairs[2].primary.stop();
    let r: Run;
    try {
      r = await fleet(["preview", "--sites", sitesFile, "--project", project, "--json"], southPw());
    } finally {
      await pairs[2].primary.restart();
    }
    assert.equal(r.code, 1, r.stderr + r.stdout);
    const report = JSON.parse(r.stdout) as FleetReport;
    assert.deepEqual(
      report.results.map((x) => [x.site, x.result, x.changes]),
      [
        [stackNames[0], "succeeded", 0],
        [stackNames[1], "succeeded", 0],
        [stackNames[2], "failed", 0],
      ],
    );
    assert.match(report.results[2].error ?? "", /E_TRANSPORT|ECONNREFUSED|connect/);
    assert.match(r.stderr, new RegExp(`\\[${stackNames[2]}\\s+\\d+\\.\\d s\\] preview FAILED: `));
    assertNoSecrets(r);
  });

  it("refuses a sites file with a missing password, naming the site and field (exit 2)", async () => {
    const r = await fleet(["up", "--sites", sitesFile, "--project", project]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /\[E_INVALID_INPUT\] sites\[1\]\.primary\.passwordEnv: the environment variable SOUTH_PW is not set/,
    );
  });

  it("destroy: every site's resources are removed, exit 0", async () => {
    const r = await fleet(
      ["destroy", "--sites", sitesFile, "--project", project, "--parallel", "3"],
      southPw(),
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    for (const n of stackNames) assert.match(row(r, n), /^\S+\s+succeeded\s+\d+ \(delete \d+\)/);
    for (const p of pairs) assert.equal(carpVips(p.primary).length, 0);
    assertNoSecrets(r);
  });
});
