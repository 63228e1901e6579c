/**
 * The library's exec_php snippets, run by PHP itself the way pfSense's xmlrpc.php runs them
 * (eval inside the server object's method; fixtures/snippetHost.php stands in for the pfSense
 * functions they call). The emulator answers the same snippets from its own model; this suite
 * checks the PHP text: tokens, the conditional write, and the sections a reply leaves out
 * because the caller named their token.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CONDITIONAL_RESTORE_MARKER,
  READ_MARKER,
  buildConditionalRestoreSnippet,
  buildReadSnippet,
  tokenSections,
} from "../../sdk/codec/conditionalSnippets";
import type { PhpStruct } from "../../sdk/codec/phpValue";

const HOST = path.resolve(__dirname, "../../../tests/pfsense/fixtures/snippetHost.php");
const hasPhp = spawnSync("php", ["--version"]).status === 0;
const skip = hasPhp
  ? false
  : "php-cli is not installed (scripts/setup.d/30-debian-packages.sh installs it)";

const NAMES = ["revision", "interfaces", "virtualip", "hasync", "nat"];
type Reply = {
  marker: string;
  status?: string;
  sections: Record<string, unknown>;
  tokens: Record<string, string>;
};

/** A node's config.xml (as JSON for the host) in a directory of its own. */
function nodeDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "pfsense-php-"));
  const config = {
    revision: { time: "1700000000", description: "factory" },
    interfaces: { lan: { if: "vtnet1", ipaddr: "192.168.99.1", subnet: "24" } },
    virtualip: { vip: [{ mode: "carp", interface: "lan", vhid: "1", subnet: "192.168.99.10" }] },
    nat: { outbound: { mode: "automatic" } },
  };
  writeFileSync(path.join(dir, "config.xml"), JSON.stringify(config));
  return dir;
}

function run(dir: string, code: string): Reply {
  return JSON.parse(execFileSync("php", [HOST, dir], { input: code, encoding: "utf8" })) as Reply;
}

/** The read snippet for NAMES, naming the tokens in `known`. */
const read = (dir: string, known?: Record<string, string>): Reply =>
  run(dir, buildReadSnippet(NAMES, known));

const onDisk = (dir: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(dir, "config.xml"), "utf8")) as Record<string, unknown>;

/** A GUI save adding a VIP with `vhid`; returns the virtualip section it saved. */
function guiAddsVip(dir: string, vhid: number): unknown {
  const cfg = onDisk(dir) as { virtualip: { vip: unknown[] } };
  const subnet = `192.168.99.${10 + vhid}`;
  cfg.virtualip.vip.push({ mode: "carp", interface: "lan", vhid: String(vhid), subnet });
  writeFileSync(path.join(dir, "config.xml"), JSON.stringify(cfg));
  return cfg.virtualip;
}

/** A conditional write of `virtualip` based on the read `base` (its tokens expected and known). */
function writeVirtualip(dir: string, base: Reply, virtualip: unknown, description = ""): Reply {
  return run(
    dir,
    buildConditionalRestoreSnippet({
      expected: { interfaces: base.tokens.interfaces, virtualip: base.tokens.virtualip },
      tokenSections: tokenSections(NAMES),
      sections: { virtualip } as PhpStruct,
      timeoutS: 900,
      description,
      known: base.tokens,
    }),
  );
}

test(
  "a read answers every section the node has, with a token for each but the revision",
  { skip },
  () => {
    const dir = nodeDir();
    const r = read(dir);
    assert.equal(r.marker, READ_MARKER);
    assert.deepEqual(Object.keys(r.sections).sort(), [
      "interfaces",
      "nat",
      "revision",
      "virtualip",
    ]);
    assert.deepEqual(Object.keys(r.tokens).sort(), tokenSections(NAMES).sort());
    assert.notEqual(r.tokens.virtualip, r.tokens.nat);
  },
);

test(
  "a read naming the tokens it holds gets only the revision back while nothing changed",
  { skip },
  () => {
    const dir = nodeDir();
    const first = read(dir);
    const again = read(dir, first.tokens);
    assert.deepEqual(Object.keys(again.sections), ["revision"]);
    assert.deepEqual(again.tokens, first.tokens);
  },
);

test(
  "a section saved since the caller's read comes back whole; one known at a wrong token too",
  { skip },
  () => {
    const dir = nodeDir();
    const first = read(dir);
    const saved = guiAddsVip(dir, 2);
    const again = read(dir, { ...first.tokens, nat: "not-the-token" });
    assert.deepEqual(Object.keys(again.sections).sort(), ["nat", "revision", "virtualip"]);
    assert.deepEqual(again.sections.virtualip, saved);
    assert.notEqual(again.tokens.virtualip, first.tokens.virtualip);
    assert.equal(again.tokens.nat, first.tokens.nat);
  },
);

test(
  "a conditional write at the tokens it was based on applies and reads back only what it changed",
  { skip },
  () => {
    const dir = nodeDir();
    const base = read(dir);
    const virtualip = {
      vip: [{ mode: "carp", interface: "lan", vhid: "3", subnet: "192.168.99.12" }],
    };
    const r = writeVirtualip(dir, base, virtualip, "pulumi-pfsense-ha test: one VIP");
    assert.equal(r.marker, CONDITIONAL_RESTORE_MARKER);
    assert.equal(r.status, "applied");
    assert.deepEqual(Object.keys(r.sections).sort(), ["revision", "virtualip"]);
    assert.deepEqual(r.sections.virtualip, virtualip);
    assert.equal(
      (r.sections.revision as { description: string }).description,
      "pulumi-pfsense-ha test: one VIP",
    );
    assert.deepEqual(onDisk(dir).virtualip, virtualip);
    assert.equal(r.tokens.nat, base.tokens.nat);
  },
);

test(
  "a conditional write on a stale base writes nothing and reads back the sections that moved",
  { skip },
  () => {
    const dir = nodeDir();
    const base = read(dir);
    const saved = guiAddsVip(dir, 9); // a GUI save in between
    const r = writeVirtualip(dir, base, { vip: [] });
    assert.equal(r.status, "conflict");
    assert.deepEqual(Object.keys(r.sections).sort(), ["revision", "virtualip"]);
    assert.deepEqual(onDisk(dir).virtualip, saved, "the GUI's save is untouched");
  },
);
