/** Property-based tests of the planning invariants (fast-check). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Address4, Address6 } from "ip-address";
import {
  allocateVhids,
  deriveSecondary,
  isHaError,
  planAddresses,
  planCarpTiming,
  advertisedSkew,
  VHID_MAX,
  type NodeHaConfig,
  type VirtualIp,
} from "../../sdk/plan";
import { tutorialInterfaces, tutorialPrimary } from "./fixtures";

const RUNS = { numRuns: 300 };

/** A random IPv4 or IPv6 subnet with any host address inside and the layout's minimum size. */
const subnetArb = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 29 }))
    .map(([n, p]) => ({
      text: `${Address4.fromBigInt(BigInt(n)).correctForm()}/${p}`,
      family: 4 as const,
      prefix: p,
    })),
  fc
    .tuple(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 1, max: 125 }))
    .map(([n, p]) => ({
      text: `${Address6.fromBigInt(n).correctForm()}/${p}`,
      family: 6 as const,
      prefix: p,
    })),
);

function toBig(family: 4 | 6, a: string): bigint {
  return family === 4 ? new Address4(a).bigInt() : new Address6(a).bigInt();
}

describe("property: address plans", () => {
  test("default plans are distinct, inside the subnet and never network/broadcast/anycast", () => {
    fc.assert(
      fc.property(subnetArb, fc.constantFrom("wan" as const, "lan" as const), (s, layout) => {
        const plan = planAddresses({ subnet: s.text, layout });
        const bits = s.family === 4 ? 32 : 128;
        const size = 1n << BigInt(bits - s.prefix);
        const net = toBig(s.family, plan.network);
        const all = [
          plan.primary,
          plan.secondary,
          plan.vip,
          ...(plan.gateway ? [plan.gateway] : []),
        ];
        assert.equal(all.length, layout === "wan" ? 4 : 3);
        assert.equal(new Set(all).size, all.length);
        for (const a of all) {
          const v = toBig(s.family, a);
          assert.ok(v > net, `${a} above the network address`);
          assert.ok(
            s.family === 6 ? v <= net + size - 1n : v < net + size - 1n,
            `${a} inside ${s.text}`,
          );
        }
      }),
      RUNS,
    );
  });

  test("explicit addresses keep their slot and the other slots avoid them", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 29 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        (prefix, offsets, given) => {
          const base = 10n << 24n;
          const addr = (o: number) => Address4.fromBigInt(base + BigInt(o)).correctForm();
          const input = {
            subnet: `10.0.0.0/${prefix}`,
            primary: given[0] ? addr(offsets[0]) : undefined,
            secondary: given[1] ? addr(offsets[1]) : undefined,
            vip: given[2] ? addr(offsets[2]) : undefined,
          };
          let plan;
          try {
            plan = planAddresses(input);
          } catch (e) {
            // The only acceptable rejection: two explicit slots given the same address.
            assert.ok(isHaError(e, "E_ADDRESS_CONFLICT"), String(e));
            const explicit = [input.primary, input.secondary, input.vip].filter(
              (x) => x !== undefined,
            );
            assert.notEqual(new Set(explicit).size, explicit.length);
            return;
          }
          if (input.primary) assert.equal(plan.primary, input.primary);
          if (input.secondary) assert.equal(plan.secondary, input.secondary);
          if (input.vip) assert.equal(plan.vip, input.vip);
          assert.equal(new Set([plan.primary, plan.secondary, plan.vip]).size, 3);
        },
      ),
      RUNS,
    );
  });
});

describe("property: VHID allocation", () => {
  const inUseArb = fc.uniqueArray(fc.integer({ min: 1, max: VHID_MAX }), { maxLength: 40 });
  const keysArb = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), {
    minLength: 1,
    maxLength: 60,
  });

  test("allocations are unique, in 1-255 and avoid VHIDs in use and reserved", () => {
    fc.assert(
      fc.property(keysArb, inUseArb, inUseArb, (keys, inUse, reserved) => {
        const taken = new Set([...inUse, ...reserved]);
        const free = VHID_MAX - taken.size;
        let got: Record<string, number>;
        try {
          got = allocateVhids({
            segment: "lan",
            requests: keys.map((key) => ({ key })),
            inUse: inUse.map((vhid) => ({ vhid, owner: `unmanaged-${vhid}` })),
            reserved,
          });
        } catch (e) {
          assert.ok(isHaError(e, "E_VHID_EXHAUSTED"));
          assert.ok(keys.length > free);
          return;
        }
        const values = keys.map((k) => got[k]);
        assert.equal(new Set(values).size, keys.length);
        for (const v of values) {
          assert.ok(Number.isInteger(v) && v >= 1 && v <= VHID_MAX);
          assert.ok(!taken.has(v));
        }
      }),
      RUNS,
    );
  });

  test("stable: existing VIPs keep their VHIDs when others are added or removed", () => {
    fc.assert(
      fc.property(
        keysArb,
        fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
        fc.uniqueArray(fc.string({ minLength: 7, maxLength: 9 }), { maxLength: 20 }),
        inUseArb,
        (keys, keep, added, reserved) => {
          const reservedSmall = reserved.slice(0, 20);
          const first = allocateVhids({
            segment: "wan",
            requests: keys.map((key) => ({ key })),
            inUse: [],
            reserved: reservedSmall,
          });
          const kept = keys.filter((_, i) => keep[i]);
          const second = allocateVhids({
            segment: "wan",
            requests: [
              ...kept.map((key) => ({ key, vhid: first[key] })),
              ...added.map((key) => ({ key })),
            ],
            inUse: [],
            reserved: reservedSmall,
          });
          for (const k of kept) assert.equal(second[k], first[k]);
          const all = Object.values(second);
          assert.equal(new Set(all).size, all.length);
        },
      ),
      RUNS,
    );
  });

  test("a new VIP gets the lowest VHID not taken", () => {
    fc.assert(
      fc.property(inUseArb, (inUse) => {
        fc.pre(inUse.length < VHID_MAX);
        const got = allocateVhids({
          segment: "lan",
          requests: [{ key: "new" }],
          inUse: inUse.map((vhid) => ({ vhid, owner: "x" })),
        });
        let lowest = 1;
        while (inUse.includes(lowest)) lowest++;
        assert.equal(got.new, lowest);
      }),
      RUNS,
    );
  });
});

describe("property: skew order", () => {
  test("for every accepted input the secondary advertises a strictly larger skew than the primary", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 260 }),
        fc.integer({ min: -2, max: 258 }),
        fc.boolean(),
        (primarySkew, advbase, dhcpFailover) => {
          let t;
          try {
            t = planCarpTiming({ primarySkew, advbase, dhcpFailover });
          } catch (e) {
            assert.ok(isHaError(e));
            return;
          }
          assert.ok(advertisedSkew(t.secondarySkew) > advertisedSkew(t.primarySkew));
          assert.ok(t.secondarySkew <= 254);
          assert.ok(t.advbase >= 1 && t.advbase <= 254);
          if (dhcpFailover) assert.ok(t.primarySkew < 20);
        },
      ),
      { numRuns: 1000 },
    );
  });

  test("the derived secondary VIP advertises a larger skew than the primary's for accepted timings", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 239 }), (primarySkew) => {
        const t = planCarpTiming({ primarySkew });
        const p = tutorialPrimary();
        p.virtualIps[0].advskew = t.primarySkew;
        const s = deriveSecondary(p, {}).virtualIps[0];
        assert.equal(s.advskew, t.secondarySkew);
        assert.ok(advertisedSkew(s.advskew!) > advertisedSkew(t.primarySkew));
      }),
      RUNS,
    );
  });
});

describe("property: deriveSecondary is a function of its input only", () => {
  const vipArb: fc.Arbitrary<VirtualIp> = fc
    .record(
      {
        mode: fc.constantFrom(
          "carp" as const,
          "ipalias" as const,
          "proxyarp" as const,
          "other" as const,
        ),
        interface: fc.constantFrom("wan", "lan", "opt1", "_vipabc", "lo0"),
        vhid: fc.integer({ min: 1, max: 255 }),
        advskew: fc.integer({ min: 0, max: 254 }),
        advbase: fc.integer({ min: 1, max: 255 }),
        password: fc.string({ maxLength: 19 }),
        uniqid: fc.string({
          unit: fc.constantFrom(..."0123456789abcdef"),
          minLength: 13,
          maxLength: 13,
        }),
        descr: fc.string(),
        type: fc.constantFrom("single" as const, "network" as const),
        subnet: fc.ipV4(),
        subnetBits: fc.integer({ min: 8, max: 32 }),
        extra: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue()),
      },
      { requiredKeys: ["mode", "interface", "type", "subnet", "subnetBits"] },
    )
    .map((v) => v as VirtualIp);
  const configArb: fc.Arbitrary<NodeHaConfig> = fc
    .record({
      virtualIps: fc.array(vipArb, { maxLength: 12 }),
      natRules: fc.array(
        fc.record(
          {
            interface: fc.constantFrom("wan", "opt2"),
            source: fc.constantFrom("192.168.99.0/24", "lan", "10.0.0.0/8"),
            destination: fc.constant({ any: true as const }),
            target: fc.ipV4(),
            nosync: fc.boolean(),
            descr: fc.string(),
          },
          { requiredKeys: ["interface", "source", "destination", "target"] },
        ),
        { maxLength: 6 },
      ),
      dhcpd: fc.dictionary(
        fc.constantFrom("lan", "opt1", "opt5"),
        fc.record({
          enable: fc.boolean(),
          rangeFrom: fc.ipV4(),
          rangeTo: fc.ipV4(),
          dnsServers: fc.array(fc.ipV4(), { maxLength: 4 }),
          failoverPeerIp: fc.oneof(fc.constant(""), fc.ipV4()),
        }),
      ),
      interfaces: fc.constant(tutorialInterfaces(1)),
      natMode: fc.constantFrom("automatic" as const, "hybrid" as const, "advanced" as const),
      hasync: fc.constant(tutorialPrimary().hasync),
    })
    // fast-check builds optional-key records with a null prototype; real configs are plain data
    .map((c) => structuredClone(c));

  test("same input → deep-equal output; the input is left untouched", () => {
    fc.assert(
      fc.property(configArb, (cfg) => {
        const before = structuredClone(cfg);
        const ctx = { secondaryInterfaces: tutorialInterfaces(2) };
        const a = deriveSecondary(cfg, ctx);
        const b = deriveSecondary(structuredClone(cfg), structuredClone(ctx));
        assert.deepEqual(a, b);
        assert.deepEqual(cfg, before);
        // skews only ever grow, VIPs keep their identities, nosync rules never reach the secondary
        for (const v of a.virtualIps) {
          const src = cfg.virtualIps.find((p) => p.uniqid === v.uniqid && p.subnet === v.subnet)!;
          if (src.advskew !== undefined) assert.ok(v.advskew! >= src.advskew && v.advskew! <= 254);
        }
        assert.ok(a.natRules.every((r) => !r.nosync));
      }),
      RUNS,
    );
  });
});
