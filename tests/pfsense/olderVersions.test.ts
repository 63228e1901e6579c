/**
 * Version-dependent behaviour against emulated 2.4.5, 2.6.0 and master nodes: the trailing
 * timeout parameter (required from 2.5.2, §4), the profile detected, and the outbound NAT
 * field format written per config version (§9.3).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { createNodeClient, getNodeSession } from "../../sdk/pfsense";
import { startHarness } from "./emulatorHarness";

for (const [version, family, format] of [
  ["2.4.5", "2.4", "old"],
  ["2.6.0", "2.5.2-2.6", "old"],
  ["master", "2.8", "new"],
] as const) {
  test(`pfSense ${version}: every method works with the trailing timeout, profile ${family}, NAT written in the ${format} format`, async () => {
    const h = await startHarness({ version, name: `n${version}` });
    try {
      const c = createNodeClient(h.endpoint());
      const fw = await c.firmwareVersion();
      assert.equal(fw.profile.family, family);
      assert.equal(fw.profile.natTargetFormat, format);
      await c.backupSections(["version"]);
      await c.interfacesCarpConfigure();
      assert.equal((await c.carpStatus()).allow, true);
      const s = getNodeSession(h.endpoint());
      await s.edit((d) => {
        d.natMode = "hybrid";
        d.natRules = [
          {
            interface: "wan",
            source: "192.168.99.0/24",
            destination: { network: "203.0.113.0/24" },
            target: "198.51.100.16",
            targetSubnet: "29",
          },
          {
            interface: "wan",
            source: "192.168.98.0/24",
            destination: { any: true },
            target: "wanip",
          },
        ];
      });
      const rules = toList(toStruct(toStruct(h.node.config().nat).outbound).rule) as PhpStruct[];
      if (format === "old") {
        assert.equal(rules[0].target, "other-subnet");
        assert.equal(rules[0].targetip, "198.51.100.16");
        assert.equal(rules[0].targetip_subnet, "29");
        assert.deepEqual(rules[0].destination, { address: "203.0.113.0/24" });
        assert.equal(rules[1].target, "", "the interface address is an empty target before 2.7.1");
      } else {
        assert.equal(rules[0].target, "198.51.100.16");
        assert.equal(rules[0].target_subnet, "29");
        assert.deepEqual(rules[0].destination, { network: "203.0.113.0/24" });
        assert.equal(rules[1].target, "wanip");
      }
      const back = await s.read();
      assert.equal(back.config.natRules[0].target, "198.51.100.16");
      assert.equal(back.config.natRules[1].target, "wanip");
    } finally {
      await h.close();
    }
  });
}
