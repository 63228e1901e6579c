/**
 * The `filter` codec on the shapes pfSense writes (firewall_rules_edit.php at RELENG_2_7_2):
 * decode → encode gives every rule back member for member and in its stored order, including
 * members the library does not model; other members of the section stay; the restore payload
 * carries the whole section.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseConfigXml } from "../../sdk/codec/configXml";
import { toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import {
  decodeFilter,
  decodeFilterRule,
  encodeFilter,
  encodeFilterRule,
} from "../../sdk/pfsense/sections/filter";
import {
  changedSections,
  decodeNodeConfig,
  encodeRestorePayload,
} from "../../sdk/pfsense/sections/nodeConfig";

/** A `<filter>` as a 2.7.2 GUI writes it: default LAN rules, a hand-made rule with extras. */
const FILTER_XML = `<?xml version="1.0"?>
<pfsense>
  <version>23.3</version>
  <filter>
    <rule>
      <type>pass</type>
      <ipprotocol>inet</ipprotocol>
      <descr><![CDATA[Default allow LAN to any rule]]></descr>
      <interface>lan</interface>
      <tracker>0100000101</tracker>
      <source><network>lan</network></source>
      <destination><any></any></destination>
    </rule>
    <rule>
      <id></id>
      <tracker>1700000042</tracker>
      <type>block</type>
      <interface>opt1</interface>
      <ipprotocol>inet46</ipprotocol>
      <tag></tag>
      <tagged></tagged>
      <max></max>
      <max-src-nodes></max-src-nodes>
      <statetype><![CDATA[keep state]]></statetype>
      <os></os>
      <protocol>tcp</protocol>
      <source><address>10.0.0.0/8</address><not></not></source>
      <destination><network>(self)</network><port>22-23</port></destination>
      <log></log>
      <descr><![CDATA[no ssh from 10/8]]></descr>
      <updated><time>1700000100</time><username><![CDATA[admin@192.168.1.10 (Local Database)]]></username></updated>
      <created><time>1700000042</time><username><![CDATA[admin@192.168.1.10 (Local Database)]]></username></created>
    </rule>
    <separator><lan></lan></separator>
  </filter>
</pfsense>`;

const section = (): PhpStruct => toStruct(parseConfigXml(FILTER_XML).filter);

test("decode → encode keeps every member of every rule, in stored order", () => {
  for (const raw of toList(section().rule)) {
    const r = toStruct(raw);
    const back = encodeFilterRule(decodeFilterRule(r));
    assert.deepEqual(back, r);
    assert.deepEqual(Object.keys(back), Object.keys(r), "member order");
  }
});

test("the model: addresses, flags, tracker; unmodelled members in extra", () => {
  const [lan, block] = decodeFilter(section());
  assert.deepEqual(lan.source, { network: "lan" });
  assert.deepEqual(lan.destination, { any: true });
  assert.equal(lan.tracker, "0100000101");
  assert.equal(block.type, "block");
  assert.equal(block.protocol, "tcp");
  assert.deepEqual(block.source, { address: "10.0.0.0/8", not: true });
  assert.deepEqual(block.destination, { network: "(self)", port: "22-23" });
  assert.equal(toStruct(block.extra?.created as PhpStruct).time, "1700000042");
  assert.equal(block.extra?.log, "");
});

test("encodeFilter: rules in model order, the section's other members kept", () => {
  const rules = decodeFilter(section());
  const added = decodeFilterRule({
    tracker: "1800000000",
    type: "pass",
    interface: "opt1",
    source: { address: "172.16.1.2" },
    destination: { address: "172.16.1.1" },
  });
  const out = encodeFilter([...rules, added], section());
  assert.deepEqual(toStruct(out).separator, { lan: "" });
  const list = toList(out.rule).map((r) => toStruct(r));
  assert.deepEqual(list.slice(0, 2), toList(section().rule));
  assert.equal(list[2].tracker, "1800000000");
  // The last rule removed: no rule member, the rest stays.
  const empty = encodeFilter([], section());
  assert.equal(empty.rule, undefined);
  assert.deepEqual(empty.separator, { lan: "" });
});

test("a node config: filter is read, a changed rule list is written whole", () => {
  const raw = parseConfigXml(FILTER_XML);
  const cfg = decodeNodeConfig(raw, { format: "new" });
  assert.equal(cfg.filterRules?.length, 2);
  const draft = structuredClone(cfg);
  draft.filterRules?.push(
    decodeFilterRule({
      type: "pass",
      interface: "opt1",
      protocol: "pfsync",
      source: { address: "172.16.1.2" },
      destination: { address: "172.16.1.1" },
    }),
  );
  const { sections } = changedSections(cfg, draft);
  assert.deepEqual([...sections], ["filter"]);
  const payload = encodeRestorePayload(draft, { config: cfg, raw }, sections, { format: "new" });
  const rules = toList(toStruct(payload.filter).rule).map((r) => toStruct(r));
  assert.equal(rules.length, 3, "the whole section: full replace on the receiver");
  assert.deepEqual(rules.slice(0, 2), toList(section().rule), "others unchanged, in order");
  assert.equal(changedSections(cfg, structuredClone(cfg)).sections.size, 0);
});
