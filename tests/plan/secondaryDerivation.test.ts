import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { deriveSecondary, secondaryDrift, type NodeHaConfig, type VirtualIp } from "../../sdk/plan";
import { expectHaError } from "./expectHaError";
import { tutorialInterfaces, tutorialPrimary } from "./fixtures";

const ctx = () => ({ secondaryInterfaces: tutorialInterfaces(2) });
const vipBy = (cfg: NodeHaConfig, descr: string): VirtualIp | undefined =>
  cfg.virtualIps.find((v) => v.descr === descr);

describe("deriveSecondary: virtual IPs (§6.4 step 3)", () => {
  const primary = tutorialPrimary();
  const sec = deriveSecondary(primary, ctx());

  test("CARP VIPs get advskew + 100 and keep vhid, advbase, password, uniqid and extra", () => {
    for (const descr of ["WAN CARP", "LAN CARP"]) {
      const p = vipBy(primary, descr)!;
      const s = vipBy(sec, descr)!;
      assert.equal(s.advskew, p.advskew! + 100);
      assert.deepEqual({ ...s, advskew: p.advskew }, p);
    }
  });
  const keep: [string, boolean][] = [
    ["IP alias stacked on a CARP VIP (_vip<uniqid>)", true],
    ["plain IP alias on wan (per node, never synced)", false],
    ["plain proxy ARP on wan", false],
    ["proxy ARP on lo0", true],
    ["other VIP", true],
  ];
  const descrOf: Record<string, string> = {
    "IP alias stacked on a CARP VIP (_vip<uniqid>)": "extra public IP",
    "plain IP alias on wan (per node, never synced)": "primary-only alias",
    "plain proxy ARP on wan": "routed block",
    "proxy ARP on lo0": "loopback proxyarp",
    "other VIP": "other VIP",
  };
  for (const [name, kept] of keep) {
    test(`${name} is ${kept ? "sent unchanged" : "not sent"}`, () => {
      const s = vipBy(sec, descrOf[name]);
      if (kept) assert.deepEqual(s, vipBy(primary, descrOf[name]));
      else assert.equal(s, undefined);
    });
  }
  test("synced VIPs keep their order", () => {
    const syncedDescrs = [
      "WAN CARP",
      "extra public IP",
      "LAN CARP",
      "loopback proxyarp",
      "other VIP",
    ];
    assert.deepEqual(
      sec.virtualIps.map((v) => v.descr),
      syncedDescrs,
    );
  });

  const skewCases: [number, number, number, number][] = [
    // primary advskew, advbase → secondary advskew, advbase
    [0, 1, 100, 1],
    [100, 5, 200, 5],
    [154, 1, 254, 1],
    [200, 254, 254, 254],
    [254, 255, 254, 254], // a hand-edited advbase 255 is capped, never offset
  ];
  for (const [ps, pb, ss, sb] of skewCases) {
    test(`advskew ${ps} / advbase ${pb} → ${ss} / ${sb}`, () => {
      const p = tutorialPrimary();
      p.virtualIps[0].advskew = ps;
      p.virtualIps[0].advbase = pb;
      const s = deriveSecondary(p, ctx()).virtualIps[0];
      assert.equal(s.advskew, ss);
      assert.equal(s.advbase, sb);
    });
  }
  test("a CARP VIP without advskew/advbase stays without them", () => {
    const p = tutorialPrimary();
    delete p.virtualIps[0].advskew;
    delete p.virtualIps[0].advbase;
    const s = deriveSecondary(p, ctx()).virtualIps[0];
    assert.ok(!("advskew" in s) && !("advbase" in s));
  });
});

describe("deriveSecondary: DHCP failover peer (§6.4 step 4, 2.6+)", () => {
  test("a non-empty failover_peerip becomes the primary's own interface address", () => {
    const s = deriveSecondary(tutorialPrimary(), ctx());
    assert.equal(s.dhcpd.lan.failoverPeerIp, tutorialPrimary().interfaces.lan.ipaddr);
    const { failoverPeerIp: _a, ...rest } = s.dhcpd.lan;
    const { failoverPeerIp: _b, ...prest } = tutorialPrimary().dhcpd.lan;
    assert.deepEqual(rest, prest);
  });
  test("an empty failover_peerip is left empty", () => {
    assert.equal(deriveSecondary(tutorialPrimary(), ctx()).dhcpd.opt1.failoverPeerIp, "");
  });
  test("skipped when the primary's interface has no ipaddr", () => {
    const p = tutorialPrimary();
    delete p.interfaces.lan.ipaddr;
    assert.equal(deriveSecondary(p, ctx()).dhcpd.lan.failoverPeerIp, "192.168.99.2");
  });
  test("the configured ipaddr is copied verbatim, even a mode such as dhcp", () => {
    const p = tutorialPrimary();
    p.interfaces.lan.ipaddr = "dhcp";
    assert.equal(deriveSecondary(p, ctx()).dhcpd.lan.failoverPeerIp, "dhcp");
  });
  test("context primaryInterfaces override the primary's own", () => {
    const ifs = tutorialInterfaces(1);
    ifs.lan.ipaddr = "192.168.99.10";
    assert.equal(
      deriveSecondary(tutorialPrimary(), { primaryInterfaces: ifs }).dhcpd.lan.failoverPeerIp,
      "192.168.99.10",
    );
  });
});

describe("deriveSecondary: hasync", () => {
  test("no sync-to settings on the secondary: synchronizetoip, username, password and areas are gone", () => {
    const h = deriveSecondary(tutorialPrimary(), ctx()).hasync!;
    assert.equal(h.synchronizeToIp, undefined);
    assert.equal(h.username, undefined);
    assert.equal(h.password, undefined);
    assert.deepEqual(h.areas, []);
  });
  test("pfsync peer is the primary's sync interface address, host id distinct", () => {
    const p = tutorialPrimary();
    const h = deriveSecondary(p, ctx()).hasync!;
    assert.equal(h.pfsyncEnabled, true);
    assert.equal(h.pfsyncInterface, "opt1");
    assert.equal(h.pfsyncPeerIp, p.interfaces.opt1.ipaddr);
    assert.ok(
      h.pfHostId !== undefined && parseInt(h.pfHostId, 16) !== parseInt(p.hasync!.pfHostId!, 16),
    );
  });
  test("an explicit secondary host id is used", () => {
    assert.equal(
      deriveSecondary(tutorialPrimary(), { ...ctx(), secondaryPfHostId: "beef" }).hasync!.pfHostId,
      "beef",
    );
  });
  test("a secondary host id equal to the primary's is rejected", () => {
    expectHaError(
      () => deriveSecondary(tutorialPrimary(), { secondaryPfHostId: "01" }),
      "E_INVALID_INPUT",
      "HaSync.secondaryPfHostId",
    );
  });
  test("a malformed host id is rejected", () => {
    expectHaError(
      () => deriveSecondary(tutorialPrimary(), { secondaryPfHostId: "xyz123456" }),
      "E_INVALID_INPUT",
      "HaSync.secondaryPfHostId",
    );
  });
  test("host id ffffffff wraps to 1, never 0", () => {
    const p = tutorialPrimary();
    p.hasync!.pfHostId = "ffffffff";
    assert.equal(deriveSecondary(p, ctx()).hasync!.pfHostId, "1");
  });
  test("a multicast primary (no pfsync peer) gives a multicast secondary", () => {
    const p = tutorialPrimary();
    delete p.hasync!.pfsyncPeerIp;
    assert.equal(deriveSecondary(p, ctx()).hasync!.pfsyncPeerIp, undefined);
  });
  test("no hasync on the primary means none on the secondary", () => {
    const p = tutorialPrimary();
    delete p.hasync;
    assert.equal(deriveSecondary(p, ctx()).hasync, undefined);
  });
});

describe("deriveSecondary: NAT and interfaces", () => {
  test("outbound rules are sent unchanged except nosync rules, which stay primary-only", () => {
    const p = tutorialPrimary();
    const s = deriveSecondary(p, ctx());
    assert.deepEqual(
      s.natRules,
      p.natRules.filter((r) => !r.nosync),
    );
    assert.equal(s.natRules.length, p.natRules.length - 1);
    assert.equal(s.natMode, p.natMode);
  });
  test("interfaces are the secondary's own", () => {
    assert.deepEqual(deriveSecondary(tutorialPrimary(), ctx()).interfaces, tutorialInterfaces(2));
  });
  test("the input is not modified and the output shares no objects with it", () => {
    const p = tutorialPrimary();
    const s = deriveSecondary(p, ctx());
    assert.deepEqual(p, tutorialPrimary());
    s.virtualIps[0].extra = { mutated: true };
    s.natRules[0].descr = "changed";
    s.dhcpd.lan.dnsServers.push("1.1.1.1");
    assert.deepEqual(p, tutorialPrimary());
  });
});

describe("secondaryDrift", () => {
  const expected = () => deriveSecondary(tutorialPrimary(), ctx());
  test("an exact copy shows no drift", () => {
    assert.deepEqual(secondaryDrift(expected(), expected()), []);
  });
  test("the secondary's own plain IP aliases are per node, not drift", () => {
    const obs = expected();
    obs.virtualIps.unshift({
      mode: "ipalias",
      interface: "wan",
      type: "single",
      subnet: "192.168.1.60",
      subnetBits: 24,
      descr: "secondary-only",
    });
    assert.deepEqual(secondaryDrift(expected(), obs), []);
  });
  test("sync areas in another order, empty-string flags and unmodelled extras are not drift", () => {
    const exp = expected();
    exp.hasync!.areas = ["users", "nat"];
    const obs = expected();
    obs.hasync!.areas = ["nat", "users"];
    obs.virtualIps[0].extra = { other: "x" };
    obs.dhcpd.opt1.failoverPeerIp = undefined;
    assert.deepEqual(secondaryDrift(exp, obs), []);
  });
  test("a wrong advskew (e.g. written without the +100) is drift", () => {
    const obs = expected();
    obs.virtualIps[0].advskew = 0;
    assert.deepEqual(secondaryDrift(expected(), obs), [
      { path: "virtualIps[65a1b2c3d4e5f].advskew", expected: 100, observed: 0 },
    ]);
  });
  test("a changed CARP password is drift but its value is never shown", () => {
    const obs = expected();
    obs.virtualIps[2].password = "leakedValue";
    const d = secondaryDrift(expected(), obs);
    assert.deepEqual(d, [
      { path: "virtualIps[65a1b2c3d4e61].password", expected: "(secret)", observed: "(secret)" },
    ]);
    assert.ok(!JSON.stringify(d).includes("leakedValue"));
  });
  test("a missing synced VIP, an extra DHCP interface and a sync-to address are drift", () => {
    const obs = expected();
    obs.virtualIps.splice(1, 1);
    obs.dhcpd.opt9 = { enable: true, rangeFrom: "10.0.0.10", rangeTo: "10.0.0.20", dnsServers: [] };
    obs.hasync!.synchronizeToIp = "172.16.1.1";
    assert.deepEqual(
      secondaryDrift(expected(), obs)
        .map((d) => d.path)
        .sort(),
      ["dhcpd.opt9", "hasync.synchronizeToIp", "virtualIps[65a1b2c3d4e60]"],
    );
  });
  test("a NAT rule changed or missing on the secondary is drift", () => {
    const obs = expected();
    obs.natRules[0].target = "192.168.1.2";
    obs.natRules.push({
      interface: "wan",
      source: "10.1.0.0/16",
      destination: { any: true },
      target: "192.168.1.100",
    });
    const paths = secondaryDrift(expected(), obs).map((d) => d.path);
    assert.deepEqual(paths, ["natRules[0].target", "natRules[1]"]);
  });
  test("hasync missing on one side is drift; missing on both is not", () => {
    const a = expected();
    delete a.hasync;
    const b = expected();
    delete b.hasync;
    assert.deepEqual(secondaryDrift(a, b), []);
    assert.ok(secondaryDrift(a, expected()).some((d) => d.path === "hasync.pfsyncEnabled"));
  });
});
