import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  advertisedSkew,
  planCarpTiming,
  secondarySkewFor,
  type CarpTimingInput,
  type ErrorCode,
} from "../../sdk/plan";
import { expectHaError } from "./expectHaError";

describe("planCarpTiming: accepted", () => {
  const cases: {
    name: string;
    input: CarpTimingInput;
    want: { advbase: number; primarySkew: number; secondarySkew: number };
  }[] = [
    {
      name: "defaults: advbase 1, primary 0, secondary 100",
      input: {},
      want: { advbase: 1, primarySkew: 0, secondarySkew: 100 },
    },
    {
      name: "secondary is primary + 100",
      input: { primarySkew: 50 },
      want: { advbase: 1, primarySkew: 50, secondarySkew: 150 },
    },
    {
      name: "secondary caps at 254",
      input: { primarySkew: 200 },
      want: { advbase: 1, primarySkew: 200, secondarySkew: 254 },
    },
    {
      name: "primary 139 keeps maintenance mode effective (secondary 239)",
      input: { primarySkew: 139 },
      want: { advbase: 1, primarySkew: 139, secondarySkew: 239 },
    },
    {
      name: "primary 239 is the largest whose clamped order stays strict",
      input: { primarySkew: 239 },
      want: { advbase: 1, primarySkew: 239, secondarySkew: 254 },
    },
    {
      name: "advbase 254 is allowed and shared by both nodes",
      input: { advbase: 254 },
      want: { advbase: 254, primarySkew: 0, secondarySkew: 100 },
    },
    {
      name: "DHCP failover with primary skew 19",
      input: { primarySkew: 19, dhcpFailover: true },
      want: { advbase: 1, primarySkew: 19, secondarySkew: 119 },
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(planCarpTiming(c.input), c.want));
  }
});

describe("planCarpTiming: rejections", () => {
  const cases: { name: string; input: CarpTimingInput; code: ErrorCode; explains: RegExp }[] = [
    { name: "advbase 0", input: { advbase: 0 }, code: "E_ADVBASE_RANGE", explains: /1 to 254/ },
    {
      name: "advbase 255 (kernel allows it, pfSense does not)",
      input: { advbase: 255 },
      code: "E_ADVBASE_RANGE",
      explains: /1 to 254/,
    },
    {
      name: "fractional advbase",
      input: { advbase: 1.5 },
      code: "E_ADVBASE_RANGE",
      explains: /whole number/,
    },
    {
      name: "negative skew",
      input: { primarySkew: -1 },
      code: "E_ADVSKEW_RANGE",
      explains: /0 to 254/,
    },
    {
      name: "skew 255",
      input: { primarySkew: 255 },
      code: "E_ADVSKEW_RANGE",
      explains: /0 to 254/,
    },
    {
      name: "primary skew 240: both advertise 240 after the clamp",
      input: { primarySkew: 240 },
      code: "E_SKEW_ORDER",
      explains: /240/,
    },
    {
      name: "primary skew 254",
      input: { primarySkew: 254 },
      code: "E_SKEW_ORDER",
      explains: /advertises at most 240/,
    },
    {
      name: "DHCP failover with primary skew 20",
      input: { primarySkew: 20, dhcpFailover: true },
      code: "E_DHCP_SKEW",
      explains: /below 20/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const e = expectHaError(() => planCarpTiming({ ...c.input, field: "CarpVip[lan]" }), c.code);
      assert.match(e.field ?? "", /^CarpVip\[lan\]\.adv(base|skew)$/);
      assert.match(e.message, c.explains);
    });
  }
});

describe("secondarySkewFor / advertisedSkew", () => {
  for (const [p, s] of [
    [0, 100],
    [20, 120],
    [154, 254],
    [254, 254],
  ] as const) {
    test(`primary ${p} → secondary ${s}`, () => assert.equal(secondarySkewFor(p), s));
  }
  test("rejects a skew outside 0-254", () => {
    expectHaError(() => secondarySkewFor(300), "E_ADVSKEW_RANGE");
  });
  test("advertised skew is clamped at 240", () => {
    assert.equal(advertisedSkew(100), 100);
    assert.equal(advertisedSkew(254), 240);
  });
});
