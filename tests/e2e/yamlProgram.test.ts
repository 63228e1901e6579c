/**
 * The tutorial cluster from Pulumi YAML: the components come from the pfsense-ha plugin's
 * `construct`, the cluster is a `pulumi:providers:pfsense-ha` resource, and the real CLI runs
 * the project (pulumi-language-yaml, built by setup from the Go module proxy).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { workspaceOptions } from "../../scripts/pulumiEngine";
import { readStackBackups, rollbackMain } from "../../sdk/cli/rollbackCli";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import { scratch } from "./engineHarness";
import {
  skipUnlessYaml,
  YAML_PROVIDER_OPTIONS,
  yamlClusterHeader,
  yamlStack,
  type YamlStack,
} from "./yamlStack";
import { carpVips } from "./nodeConfig";
import { assertTutorialCluster } from "./tutorialCluster";

/** The program, as a user writes it (node settings from stack config). */
function program(pluginDir: string): string {
  const opts = YAML_PROVIDER_OPTIONS;
  return `${yamlClusterHeader("pfsense-ha-yaml", pluginDir)}
  wan:
    type: pfsense-ha:index:CarpVip
    properties:
      interface: wan
      subnet: 192.168.1.0/24
      primaryAddress: 192.168.1.1
      secondaryAddress: 192.168.1.2
      address: 192.168.1.100
      password: \${carpPassword}
      description: WAN CARP VIP${opts}
  lan:
    type: pfsense-ha:index:CarpVip
    properties:
      interface: lan
      subnet: 192.168.99.0/24
      address: 192.168.99.254
      password: \${carpPassword}
      description: LAN CARP VIP${opts}
  sync:
    type: pfsense-ha:index:HaSyncSettings
    properties:
      syncInterface: opt1
      primarySyncAddress: 172.16.1.1
      secondarySyncAddress: 172.16.1.2
      username: admin
      password: \${secondaryPassword}${opts}
  lanOut:
    type: pfsense-ha:index:OutboundNatRule
    properties:
      interface: wan
      source: 192.168.99.0/24
      translation: \${wan.address}
      mode: hybrid
      description: LAN out via the WAN CARP VIP${opts}
  lanDhcp:
    type: pfsense-ha:index:DhcpFailover
    properties:
      interface: lan
      vip: \${lan.address}
      rangeFrom: 192.168.99.10
      rangeTo: 192.168.99.99${opts}
outputs:
  wanVhid: \${wan.vhid}
  lanSecondarySkew: \${lan.secondaryAdvskew}
`;
}

describe(
  "the tutorial cluster from Pulumi YAML (plugin construct)",
  { skip: skipUnlessYaml() },
  () => {
    const s = scratch("e2e-yaml");
    let pair: EmulatedPair;
    let run: YamlStack["run"];
    let dir: string;

    before(async () => {
      // A password that starts with "-", as a random one sometimes does: the CLI must not take
      // the secret for a flag (it once did, and printed it in the error).
      const adminPassword = `-${randomBytes(9).toString("base64url")}`;
      pair = await startPair({ dir: s.dir, adminPassword });
      ({ dir, run } = await yamlStack(s, pair, program));
    });
    after(async () => {
      await pair?.stop();
      s.cleanup();
    });

    it("up builds every component through construct and both nodes hold the cluster", async () => {
      await run(["up", "--yes", "--skip-preview"]);
      const out = JSON.parse(await run(["stack", "output", "--json"])) as Record<string, number>;
      assertTutorialCluster(pair, out);
    });

    it("construct made the backup record before the up wrote, and a rollback preview lists what the up added", async () => {
      const opts = await workspaceOptions({ stateDir: s.stateDir });
      const workspace = {
        pulumiCommand: opts.pulumiCommand,
        envVars: opts.envVars,
        pulumiHome: opts.pulumiHome,
      };
      const [b, more] = await readStackBackups("dev", dir, workspace);
      assert.equal(more, undefined, "one record for the one provider");
      assert.equal(b.name, "cluster-backup");
      const revisions = pair.primary.revisions.length;
      let out = "";
      const io = {
        out: (t: string) => (out += t),
        err: (t: string) => (out += t),
        env: process.env,
      };
      const code = await rollbackMain(["--stack", "dev", "--cwd", dir], io, { workspace });
      assert.equal(code, 0, out);
      // The record was taken before the up's first write, so the preview lists the up's VIPs.
      assert.match(out, /virtualip:\n\s+- remove/);
      assert.equal(pair.primary.revisions.length, revisions, "a preview writes nothing");
      assert.equal(out.includes(pair.primary.password), false);
    });

    it("a second preview has no changes, and destroy removes what it made", async () => {
      const preview = await run(["preview", "--expect-no-changes"]);
      assert.match(preview, /unchanged/);
      await run(["destroy", "--yes", "--skip-preview"]);
      assert.deepEqual(carpVips(pair.primary), []);
    });
  },
);
