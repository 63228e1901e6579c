import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { dumpConfigXml, normalizeConfigTree, parseConfigXml } from "../../sdk/codec/configXml";
import { isHaError } from "../../sdk/plan/errors";
import { DEFAULT_CONFIG_XML, startNode } from "../../sdk/emulator";
import { tempDir } from "./helpers";

const fixture = readFileSync(
  path.join(__dirname, "../../../tests/fixtures/pfsense-default-config.xml"),
  "utf8",
);

describe("configXml: pfSense xmlparse.inc semantics (§9.1)", () => {
  it("the embedded default config is byte-identical to the reference fixture", () => {
    assert.equal(DEFAULT_CONFIG_XML, fixture);
  });

  it("round-trips the reference config: parse(dump(parse(x))) equals parse(x) and dump is stable", () => {
    const tree = parseConfigXml(fixture);
    const dumped = dumpConfigXml(tree);
    assert.deepEqual(parseConfigXml(dumped), tree);
    assert.equal(dumpConfigXml(parseConfigXml(dumped)), dumped);
  });

  it("reads list tags as lists even with one occurrence, flags as empty strings, CDATA as text", () => {
    const tree = parseConfigXml(fixture);
    const sys = tree.system as Record<string, unknown>;
    assert.ok(Array.isArray(sys.user));
    assert.equal((sys.user as unknown[]).length, 1);
    const admin = (sys.user as Record<string, unknown>[])[0];
    assert.deepEqual(admin.priv, ["user-shell-access"]);
    assert.equal(admin.descr, "System Administrator");
    assert.equal((tree.interfaces as Record<string, Record<string, unknown>>).wan.enable, "");
    assert.equal(tree.staticroutes, "");
    assert.equal(tree.aliases, "", "whitespace-only content reads as an empty string");
    assert.equal(tree.version, "22.2");
  });

  it("writes CDATA for descr/password/username-like names and entity-encodes values", () => {
    const xml = dumpConfigXml({
      a: { descr: 'x < y & "z"', password: "p&w", plain: "1 < 2", description: "d" },
    });
    assert.match(xml, /<descr><!\[CDATA\[x &lt; y &amp; &quot;z&quot;\]\]><\/descr>/);
    assert.match(xml, /<password><!\[CDATA\[p&amp;w\]\]><\/password>/);
    assert.match(xml, /<plain>1 &lt; 2<\/plain>/);
    assert.match(xml, /<description><!\[CDATA\[d\]\]><\/description>/);
    const back = parseConfigXml(xml).a as Record<string, string>;
    assert.equal(back.descr, 'x < y & "z"');
    assert.equal(back.password, "p&w");
    assert.equal(back.plain, "1 < 2");
  });

  it("normalises like write_config + re-read: ints to strings, true to '', false removed, empty arrays to '', lists re-indexed", () => {
    const out = normalizeConfigTree({
      hasync: { advskew: 105, flag: true, gone: false, empty: [] as never[] },
      virtualip: { vip: { "0": { subnet: "a" }, "2": { subnet: "b" } } },
      nat: { rule: [] as never[] },
    });
    assert.deepEqual(out.hasync, { advskew: "105", flag: "", empty: "" });
    assert.deepEqual(out.virtualip, { vip: [{ subnet: "a" }, { subnet: "b" }] });
    assert.equal(out.nat, "", "an empty list produces no elements, leaving an empty section");
  });

  it("trims tabs and newlines but not spaces, lower-cases element names", () => {
    const t = parseConfigXml("<pfsense><Sys>\n\t  padded  \n</Sys></pfsense>");
    assert.deepEqual(t, { sys: "  padded  " });
  });

  it("rejects a non-list element repeated under one parent, and malformed XML", () => {
    assert.throws(
      () => parseConfigXml("<pfsense><a>1</a><a>2</a></pfsense>"),
      (e: unknown) =>
        isHaError(e, "E_INVALID_INPUT") && /cannot occur more than once/.test((e as Error).message),
    );
    assert.throws(
      () => parseConfigXml("<pfsense><a></pfsense>"),
      (e: unknown) => isHaError(e, "E_INVALID_INPUT"),
    );
  });
});

describe("boot as pfSense parses and upgrades (xmlparse.inc endElement, config.lib.inc convert_config)", () => {
  it("the factory <dnsserver></dnsserver> is gone and 2.7.2 adds <already_run_config_upgrade>; master does not", async () => {
    for (const [version, marker] of [
      ["2.7.2", true],
      ["master", false],
    ] as const) {
      const node = await startNode({ dir: tempDir(`boot-${version}`), version });
      try {
        const xml = readFileSync(node.configPath, "utf8");
        assert.doesNotMatch(xml, /<dnsserver/);
        assert.equal(
          /<already_run_config_upgrade><\/already_run_config_upgrade>/.test(xml),
          marker,
          version,
        );
      } finally {
        await node.stop();
      }
    }
  });
});
