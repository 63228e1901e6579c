/**
 * ClusterHaConfig `check` runs every item through its kind's node rules: a bad item fails at
 * preview under its place in the aggregate (`carpVips.<key>.address`), nothing written; an
 * aggregate's VIP clashes with a standalone CarpVip of the same program.
 */
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { providers } from "../../sdk/providers/runtime";
import type { ClusterHaInputs } from "../../sdk/providers/clusterHaSpec";
import { addRawVip, guiEdit } from "./nodeView";
import { toStruct } from "../../sdk/codec/phpValue";
import { newProviderProcess, startFixture, type PairFixture } from "./pairFixture";

let fx: PairFixture;

function aggIn(over: Partial<ClusterHaInputs> = {}): ClusterHaInputs {
  return {
    primary: fx.primary,
    secondary: fx.secondary,
    name: "site",
    carpVips: {
      wan: { interface: "wan", address: "192.168.1.100" },
      lan: { interface: "lan", address: "192.168.99.254" },
    },
    carpPasswords: { wan: "AggPw0001", lan: "AggPw0002" },
    outboundNat: { out: { interface: "wan", source: "192.168.99.0/24", target: "wan" } },
    dhcpFailover: {
      lan: { interface: "lan", vip: "lan", rangeFrom: "192.168.99.10", rangeTo: "192.168.99.99" },
    },
    ...over,
  };
}

before(async () => {
  fx = await startFixture();
  addRawVip(fx.pair.primary, {
    mode: "carp",
    interface: "wan",
    vhid: "7",
    advskew: "0",
    advbase: "1",
    password: "HandMade1",
    uniqid: "handmade0001",
    descr: "by hand",
    type: "single",
    subnet_bits: "24",
    subnet: "192.168.1.77",
  });
  guiEdit(fx.pair.primary, (tree) => {
    const dhcpd = toStruct(tree.dhcpd);
    dhcpd.lan = {
      ...toStruct(dhcpd.lan),
      staticmap: [{ mac: "00:aa:bb:cc:dd:ee", ipaddr: "192.168.99.50" }],
    };
    tree.dhcpd = dhcpd;
  });
});
after(() => fx.close());
beforeEach(() => newProviderProcess());

test("each bad item fails at check under its place in the aggregate; nothing written", async () => {
  const revs = fx.pair.primary.revisions.length;
  const r = await providers.clusterHa.check(
    {},
    aggIn({
      carpVips: {
        wan: { interface: "wan", address: "192.168.1.77" },
        lan: { interface: "lan", address: "192.168.99.254" },
      },
    }),
  );
  const byProperty = new Map(r.failures.map((f) => [f.property, f.reason]));
  assert.match(byProperty.get("carpVips.wan.address") ?? "", /E_ADDRESS_CONFLICT.*by hand/);
  assert.match(
    byProperty.get("dhcpFailover.lan.rangeFrom") ?? "",
    /E_DHCP_RANGE.*static mapping 192\.168\.99\.50/,
  );
  assert.equal(fx.pair.primary.revisions.length, revs);
});

test("a valid aggregate passes; its VIPs then clash with a standalone CarpVip of the program", async () => {
  const ok = await providers.clusterHa.check(
    {},
    aggIn({
      dhcpFailover: {
        lan: {
          interface: "lan",
          vip: "lan",
          rangeFrom: "192.168.99.100",
          rangeTo: "192.168.99.199",
        },
      },
    }),
  );
  assert.deepEqual(ok.failures, []);
  const standalone = await providers.carpVip.check(
    {},
    {
      primary: fx.primary,
      secondary: fx.secondary,
      name: "extra",
      interface: "wan",
      address: "192.168.1.100",
      password: "ExtraPw01",
    },
  );
  assert.match(
    standalone.failures[0]?.reason ?? "",
    /E_ADDRESS_CONFLICT.*CarpVip\[site\/wan\] declares/,
  );
});

test("NAT from the WAN subnet in an aggregate fails at check", async () => {
  const r = await providers.clusterHa.check(
    {},
    aggIn({ outboundNat: { out: { interface: "wan", source: "192.168.1.0/24", target: "wan" } } }),
  );
  assert.ok(
    r.failures.some(
      (f) => f.property === "outboundNat.out.source" && /E_NAT_SOURCE_UNSAFE/.test(f.reason),
    ),
    JSON.stringify(r.failures),
  );
});
