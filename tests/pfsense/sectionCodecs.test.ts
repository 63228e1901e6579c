/**
 * Section codecs on real pfSense shapes: the factory config, the annotated 2.7.2 primary of the
 * spec (§9.2), numbered structs, single items, flags, and both outbound NAT formats (§9.3).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { parseConfigXml } from "../../sdk/codec/configXml";
import { toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { isHaError } from "../../sdk/plan/errors";
import { MEMBER_ORDER } from "../../sdk/pfsense/sections/fieldCodec";
import {
  decodeDhcpd,
  decodeHaSync,
  decodeInterfaces,
  decodeNat,
  decodeNodeConfig,
  decodeOutboundRule,
  decodeVip,
  decodeVirtualIps,
  encodeDhcpd,
  encodeHaSync,
  encodeHaSyncPayload,
  encodeNat,
  encodeOutboundRule,
  encodeRestorePayload,
  encodeVip,
  encodeVirtualIpPayload,
  isKeptLocally,
} from "../../sdk/pfsense";

const root = path.resolve(__dirname, "../../..");
const reference = parseConfigXml(
  readFileSync(path.join(root, "../shared/reference/pfsense-default-config.xml"), "utf8"),
);
const primary = parseConfigXml(
  readFileSync(path.join(root, "tests/pfsense/fixtures/primary-2.7.2.xml"), "utf8"),
);
const NEW = { format: "new" as const };
const OLD = { format: "old" as const };

test("the factory config decodes: dhcp WAN, static LAN, DHCP on LAN, automatic outbound NAT, no VIPs, no hasync", () => {
  const cfg = decodeNodeConfig(reference, NEW);
  assert.deepEqual(cfg.interfaces.lan, {
    name: "lan",
    device: "em1",
    enable: true,
    ipaddr: "192.168.1.1",
    subnet: 24,
    ipaddrv6: "track6",
    subnetv6: 64,
  });
  assert.equal(cfg.interfaces.wan.ipaddr, "dhcp");
  assert.equal(cfg.interfaces.wan.subnet, undefined);
  assert.deepEqual(cfg.dhcpd.lan, {
    enable: true,
    rangeFrom: "192.168.1.100",
    rangeTo: "192.168.1.199",
    dnsServers: [],
  });
  assert.equal(cfg.natMode, "automatic");
  assert.deepEqual(cfg.natRules, []);
  assert.deepEqual(cfg.virtualIps, []);
  assert.equal(cfg.hasync, undefined);
});

test("the annotated 2.7.2 primary decodes every modelled field (VIPs, hasync, outbound rule, DHCP failover)", () => {
  const cfg = decodeNodeConfig(primary, NEW);
  assert.equal(cfg.virtualIps.length, 4);
  const [wanCarp, stacked, lanCarp, parp] = cfg.virtualIps;
  assert.deepEqual(wanCarp, {
    mode: "carp",
    interface: "wan",
    vhid: 1,
    advskew: 0,
    advbase: 1,
    password: "s3cret",
    uniqid: "65a1b2c3d4e5f",
    descr: "WAN CARP",
    type: "single",
    subnetBits: 24,
    subnet: "198.51.100.1",
  });
  assert.equal(stacked.interface, "_vip65a1b2c3d4e5f");
  assert.equal(lanCarp.vhid, 2);
  assert.equal(parp.noexpand, true);
  assert.equal(parp.type, "network");
  assert.deepEqual(cfg.virtualIps.map(isKeptLocally), [false, false, false, true]);
  assert.equal(cfg.hasync?.pfsyncEnabled, true);
  assert.equal(cfg.hasync?.adminSync, true);
  assert.equal(cfg.hasync?.pfHostId, "1");
  assert.equal(cfg.hasync?.areas.length, 19);
  assert.equal(cfg.natMode, "hybrid");
  assert.deepEqual(
    { ...cfg.natRules[0], extra: undefined },
    {
      source: "10.0.1.0/24",
      sourcePort: "",
      descr: "LAN out via WAN CARP",
      target: "198.51.100.1",
      interface: "wan",
      destination: { any: true },
      extra: undefined,
    },
  );
  assert.deepEqual(
    cfg.natRules[0].extra,
    {
      poolopts: "",
      source_hash_key: "",
      // The node's member order, which differs from the codec's own.
      [MEMBER_ORDER]: [
        "source",
        "sourceport",
        "descr",
        "target",
        "target_subnet",
        "interface",
        "poolopts",
        "source_hash_key",
        "destination",
      ],
    },
    "unmodelled members are kept in extra",
  );
  assert.deepEqual(cfg.dhcpd.lan.dnsServers, ["10.0.1.1"]);
  assert.equal(cfg.dhcpd.lan.failoverPeerIp, "10.0.1.3");
  assert.deepEqual(cfg.dhcpd.lan.extra, { defaultleasetime: "", maxleasetime: "", domain: "" });
});

test("decode → encode is lossless, member order included, for every VIP, the hasync section, every outbound rule, nat and dhcpd (reference + 2.7.2 primary)", () => {
  // Order-sensitive: an item written back in another member order shows as changed in
  // pfSense's Config History diff.
  const same = (a: unknown, b: unknown) => assert.equal(JSON.stringify(a), JSON.stringify(b));
  for (const tree of [reference, primary]) {
    for (const v of decodeVirtualIps(tree.virtualip)) assert.ok(v);
    const vips = (toStruct(tree.virtualip).vip ?? []) as PhpStruct[];
    for (const raw of vips) same(encodeVip(decodeVip(raw)), raw);
    if (tree.hasync) assert.deepEqual(encodeHaSync(decodeHaSync(tree.hasync)!), tree.hasync);
    const rules = (toStruct(toStruct(tree.nat).outbound).rule ?? []) as PhpStruct[];
    for (const raw of rules) same(encodeOutboundRule(decodeOutboundRule(raw, NEW), NEW), raw);
    const nat = decodeNat(tree.nat, NEW);
    same(encodeNat(nat.mode, nat.rules, tree.nat, NEW), tree.nat);
    same(encodeDhcpd(decodeDhcpd(tree.dhcpd)), tree.dhcpd);
  }
});

test("a VIP list arrives as an array, a numbered struct with holes, or a single struct: all decode alike", () => {
  const list = (toStruct(primary.virtualip).vip ?? []) as PhpStruct[];
  const asArray = decodeVirtualIps({ vip: list });
  const numbered = decodeVirtualIps({
    vip: { "0": list[0], "1": list[1], "3": list[2], "7": list[3] },
  });
  assert.deepEqual(numbered, asArray);
  assert.deepEqual(decodeVirtualIps({ vip: list[0] }), [asArray[0]]);
  assert.deepEqual(decodeVirtualIps(""), []);
  assert.deepEqual(decodeVirtualIps(undefined), []);
});

test("flags: '' and 'on' both mean set for isset flags, '' means off for synchronize*, and the raw form survives a round trip", () => {
  const h = decodeHaSync({
    pfsyncenabled: "",
    synchronizenat: "",
    synchronizevirtualip: "on",
    adminsync: "yes",
  })!;
  assert.equal(h.pfsyncEnabled, true);
  assert.equal(h.adminSync, true);
  assert.deepEqual(h.areas, ["virtualip"], "an empty synchronize* is off (§6.3)");
  assert.deepEqual(encodeHaSync(h), {
    pfsyncenabled: "",
    synchronizenat: "",
    synchronizevirtualip: "on",
    adminsync: "yes",
  });
  // Turning the stored-as-"" flag off removes it; turning an area on writes "on".
  h.pfsyncEnabled = false;
  h.areas.push("nat");
  const enc = encodeHaSync(h);
  assert.equal(enc.pfsyncenabled, undefined);
  assert.equal(enc.synchronizenat, "on");
});

test("hasync payload removes members with boolean false (merged section, §5.3), never with ''", () => {
  const current = toStruct(primary.hasync);
  const h = decodeHaSync(current)!;
  delete h.synchronizeToIp;
  delete h.username;
  delete h.password;
  h.areas = h.areas.filter((a) => a !== "users");
  const payload = encodeHaSyncPayload(h, current);
  assert.equal(payload.synchronizetoip, false);
  assert.equal(payload.username, false);
  assert.equal(payload.password, false);
  assert.equal(payload.synchronizeusers, false);
  assert.equal(payload.pfsyncenabled, "on");
  assert.ok(!Object.values(payload).includes(""), "no member is sent as an empty string");
});

test("outbound NAT ≤2.7.0 format: empty target = interface address, other-subnet + targetip, destination/address — lossless and translatable to 2.7.1+", () => {
  const ifaceRule: PhpStruct = {
    source: { network: "10.0.1.0/24" },
    target: "",
    interface: "wan",
    destination: { any: "" },
    descr: "to interface address",
  };
  const subnetRule: PhpStruct = {
    source: { network: "10.0.2.0/24" },
    target: "other-subnet",
    targetip: "198.51.100.16",
    targetip_subnet: "29",
    interface: "wan",
    destination: { address: "203.0.113.0/24", not: "" },
    staticnatport: "",
  };
  const a = decodeOutboundRule(ifaceRule, OLD);
  assert.equal(a.target, "wanip");
  const b = decodeOutboundRule(subnetRule, OLD);
  assert.equal(b.target, "198.51.100.16");
  assert.equal(b.targetSubnet, "29");
  assert.deepEqual(b.destination, { network: "203.0.113.0/24", not: true });
  assert.equal(b.staticNatPort, true);
  assert.deepEqual(encodeOutboundRule(a, OLD), ifaceRule);
  assert.deepEqual(encodeOutboundRule(b, OLD), subnetRule);
  const bNew = encodeOutboundRule({ ...b, extra: undefined }, NEW);
  assert.equal(bNew.target, "198.51.100.16");
  assert.equal(bNew.target_subnet, "29");
  assert.deepEqual(bNew.destination, { network: "203.0.113.0/24", not: "" });
  assert.equal(bNew.targetip, undefined);
  assert.deepEqual(encodeOutboundRule({ ...a, extra: undefined }, NEW).target, "wanip");
});

test("unknown members travel in extra and are written back verbatim, also when a modelled field changes", () => {
  const raw: PhpStruct = {
    mode: "carp",
    interface: "lan",
    vhid: "7",
    advskew: "0",
    advbase: "1",
    password: "pw",
    uniqid: "abc",
    descr: "x",
    type: "single",
    subnet_bits: "24",
    subnet: "10.0.1.1",
    carp_future_field: { nested: ["a", "b"] },
  };
  const v = decodeVip(raw);
  assert.deepEqual(v.extra, { carp_future_field: { nested: ["a", "b"] } });
  v.advskew = 20;
  const enc = encodeVip(v);
  assert.equal(enc.advskew, "20");
  assert.deepEqual(enc.carp_future_field, { nested: ["a", "b"] });
});

test("nat encode replaces only outbound mode/rules: port forwards, 1:1, NPt and other outbound members untouched (§5.2)", () => {
  const nat: PhpStruct = {
    outbound: { mode: "automatic", somefuture: "1" },
    rule: [
      {
        interface: "wan",
        protocol: "tcp",
        target: "10.0.1.10",
        "local-port": "443",
        destination: { network: "wanip", port: "443" },
      },
    ],
    onetoone: [
      {
        external: "198.51.100.20",
        interface: "wan",
        source: { address: "10.0.1.20" },
        destination: { any: "" },
      },
    ],
    npt: [
      {
        interface: "wan",
        source: { address: "fd00::/64" },
        destination: { address: "2001:db8::/64" },
      },
    ],
  };
  const out = encodeNat(
    "hybrid",
    [
      {
        interface: "wan",
        source: "10.0.1.0/24",
        destination: { any: true },
        target: "198.51.100.1",
      },
    ],
    nat,
    NEW,
  );
  assert.deepEqual(out.rule, nat.rule);
  assert.deepEqual(out.onetoone, nat.onetoone);
  assert.deepEqual(out.npt, nat.npt);
  assert.equal(toStruct(out.outbound).somefuture, "1");
  assert.equal(toStruct(out.outbound).mode, "hybrid");
  assert.equal(
    ((toStruct(out.outbound).rule as PhpStruct[])[0] as PhpStruct).target,
    "198.51.100.1",
  );
});

test("virtualip payload leaves out the receiver's own IP alias / proxy ARP VIPs, sends new ones, refuses editing them (§5.1 step 7)", () => {
  const current = decodeVirtualIps(primary.virtualip);
  const same = encodeVirtualIpPayload(current, current);
  assert.equal(
    (same.vip as PhpStruct[]).length,
    3,
    "the existing proxy ARP VIP is not sent (it would be duplicated)",
  );
  assert.ok((same.vip as PhpStruct[]).every((v) => v.mode !== "proxyarp"));
  const added = [
    ...current,
    {
      mode: "ipalias" as const,
      interface: "lan",
      type: "single" as const,
      subnet: "10.0.1.50",
      subnetBits: 24,
    },
  ];
  assert.equal(
    (encodeVirtualIpPayload(added, current).vip as PhpStruct[]).length,
    4,
    "a new plain alias is sent once",
  );
  const edited = current.map((v) => (v.mode === "proxyarp" ? { ...v, descr: "changed" } : v));
  assert.throws(
    () => encodeVirtualIpPayload(edited, current),
    (e: unknown) => isHaError(e, "E_INVALID_INPUT"),
  );
});

test("restore payload carries only the changed sections; nat and dhcpd whole", () => {
  const cfg = decodeNodeConfig(primary, NEW);
  const desired = structuredClone(cfg);
  desired.dhcpd.lan.gateway = "10.0.1.254";
  const p = encodeRestorePayload(desired, { config: cfg, raw: primary }, new Set(["dhcpd"]), NEW);
  assert.deepEqual(Object.keys(p), ["dhcpd"]);
  assert.equal(toStruct(toStruct(p.dhcpd).lan).gateway, "10.0.1.254");
  assert.equal(toStruct(toStruct(p.dhcpd).lan).domain, "", "unmodelled DHCP members are sent back");
});

test("interfaces decode is read only and tolerates the empty-string section", () => {
  assert.deepEqual(decodeInterfaces(""), {});
  assert.equal(decodeInterfaces(primary.interfaces).opt1.descr, "SYNC");
});

test("property: any VIP with arbitrary extra members and flag spellings round-trips exactly", () => {
  const leafArb = fc.oneof(
    fc.constantFrom("", "on", "yes", "01", "1", "x"),
    fc.string({ maxLength: 6 }),
  );
  fc.assert(
    fc.property(
      fc.record(
        {
          mode: fc.constantFrom("carp", "ipalias", "proxyarp", "other", "weird"),
          interface: fc.constantFrom("wan", "lan", "_vipabc", "lo0"),
          vhid: leafArb,
          advskew: leafArb,
          noexpand: leafArb,
          type: fc.constantFrom("single", "network", ""),
          subnet_bits: leafArb,
          subnet: fc.constantFrom("10.0.0.1", ""),
          descr: fc.string({ maxLength: 8 }),
          zz_unknown: fc.oneof(leafArb, fc.record({ a: leafArb })),
        },
        { requiredKeys: [] },
      ),
      (generated) => {
        const raw = JSON.parse(JSON.stringify(generated)) as PhpStruct;
        assert.deepEqual(encodeVip(decodeVip(raw)), raw);
      },
    ),
    { numRuns: 300 },
  );
});

test("property: any outbound NAT rule (old or new format, odd spellings, unknown members) round-trips exactly", () => {
  const leafArb = fc.oneof(
    fc.constantFrom("", "on", "yes", "wanip", "other-subnet", "24", "10.0.0.0/24", "inet"),
    fc.string({ maxLength: 5 }),
  );
  const dest = fc.oneof(
    fc.constant({ any: "" }),
    fc.record({ network: leafArb }, { requiredKeys: [] }),
    fc.record({ address: leafArb, not: fc.constant("") }, { requiredKeys: [] }),
    leafArb,
  );
  fc.assert(
    fc.property(
      fc.constantFrom(NEW, OLD),
      fc.record(
        {
          source: fc.oneof(fc.record({ network: leafArb }, { requiredKeys: [] }), leafArb),
          sourceport: leafArb,
          target: leafArb,
          target_subnet: leafArb,
          targetip: leafArb,
          targetip_subnet: leafArb,
          interface: fc.constantFrom("wan", "opt1", ""),
          destination: dest,
          ipprotocol: leafArb,
          disabled: leafArb,
          nonat: leafArb,
          created: fc.record({ time: leafArb, username: leafArb }),
          zz: leafArb,
        },
        { requiredKeys: [] },
      ),
      (ctx, generated) => {
        const raw = JSON.parse(JSON.stringify(generated)) as PhpStruct;
        assert.deepEqual(encodeOutboundRule(decodeOutboundRule(raw, ctx), ctx), raw);
      },
    ),
    { numRuns: 500 },
  );
});

test("property: any hasync section and any DHCP interface round-trip exactly", () => {
  const leafArb = fc.oneof(
    fc.constantFrom("", "on", "yes", "10.0.1.1"),
    fc.string({ maxLength: 5 }),
  );
  fc.assert(
    fc.property(
      fc.record(
        {
          pfsyncenabled: leafArb,
          pfsyncpeerip: leafArb,
          synchronizenat: leafArb,
          synchronizekea6: leafArb,
          adminsync: leafArb,
          password: leafArb,
          new_password: leafArb,
        },
        { requiredKeys: [] },
      ),
      fc.record(
        {
          enable: leafArb,
          range: fc.oneof(fc.record({ from: leafArb, to: leafArb }, { requiredKeys: [] }), leafArb),
          dnsserver: fc.oneof(fc.array(leafArb, { maxLength: 3 }), leafArb),
          failover_peerip: leafArb,
          staticmap: fc.array(fc.record({ mac: leafArb }), { maxLength: 2 }),
        },
        { requiredKeys: [] },
      ),
      (hs, dh) => {
        const h = JSON.parse(JSON.stringify(hs)) as PhpStruct;
        const d = JSON.parse(JSON.stringify(dh)) as PhpStruct;
        assert.deepEqual(encodeHaSync(decodeHaSync(h)!), h);
        assert.deepEqual(encodeDhcpd(decodeDhcpd({ lan: d })), { lan: d });
      },
    ),
    { numRuns: 500 },
  );
});

test("a repeated decode or encode of the same item gives each caller its own copy, equal to a first decode", () => {
  // The codec remembers items by content (every batch reads its section back whole), so a
  // caller's change to what it got must never reach the next caller.
  const raw = (toStruct(primary.virtualip).vip as PhpStruct[])[0];
  const first = decodeVip(structuredClone(raw));
  const expected = structuredClone(first);
  const again = decodeVip(structuredClone(raw));
  assert.deepEqual(again, expected);
  for (const v of [first, again]) {
    v.vhid = 250;
    (v.extra ??= {}).note = "changed by a caller";
  }
  assert.deepEqual(decodeVip(structuredClone(raw)), expected);
  const encoded = encodeVip(expected);
  encoded.vhid = "250";
  encodeVip(expected).advskew = "254";
  assert.equal(JSON.stringify(encodeVip(expected)), JSON.stringify(raw));
});
