/**
 * VipServiceBinding's rules on plain data: an unknown id (on the primary; on the secondary only
 * when nothing syncs the area) names the field, value, the ids there are and the fix; a VIP that
 * is not CARP, or on another interface than the service's (unless moveInterface), is refused; the
 * segment of `_vip` keys and of an absent phase 1 interface; the GUI's VIP-in-use rule.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { NodeHaConfig } from "../../sdk/plan";
import {
  checkBindingOnNodes,
  checkVipService,
  diffVipService,
  segmentOf,
  servicesUsingVip,
  type VipServiceInputs,
  type VipServiceOutputs,
} from "../../sdk/providers/vipServiceSpec";
import { isHaError } from "../../sdk/plan";

/** Asserts a PfSenseHaError with these parts (strings exact, patterns matched). */
function expectHaError(
  fn: () => unknown,
  want: { code: string; field?: string; value?: string; message?: RegExp; fix?: RegExp },
): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(isHaError(caught), `expected ${want.code}, got ${String(caught)}`);
  assert.equal(caught.code, want.code, caught.message);
  if (want.field) assert.equal(caught.field, want.field);
  if (want.value) assert.equal(caught.value, want.value);
  if (want.message) assert.match(caught.message, want.message);
  assert.match(caught.fix ?? "", want.fix ?? /./);
}

const ep = { url: "https://127.0.0.1:1", username: "admin", password: "x" };

function node(): NodeHaConfig {
  return {
    interfaces: {},
    virtualIps: [
      {
        mode: "carp",
        interface: "wan",
        uniqid: "wanvip",
        vhid: 1,
        type: "single",
        subnet: "192.168.1.10",
        subnetBits: 24,
      },
      {
        mode: "carp",
        interface: "lan",
        uniqid: "lanvip",
        vhid: 2,
        type: "single",
        subnet: "192.168.99.254",
        subnetBits: 24,
      },
      {
        mode: "ipalias",
        interface: "wan",
        uniqid: "alias",
        type: "single",
        subnet: "192.168.1.20",
        subnetBits: 24,
      },
    ],
    natRules: [],
    dhcpd: {},
    openvpnServers: [
      { vpnid: "1", interface: "wan", description: "rw" },
      { vpnid: "2", interface: "_vipwanvip", ipaddr: "192.168.1.10" },
    ],
    ipsecPhase1: [{ ikeid: "4" }, { ikeid: "5", interface: "_vipwanvip", disabled: true }],
  };
}

const inp = (o: Partial<VipServiceInputs>): VipServiceInputs => ({
  primary: ep,
  secondary: ep,
  name: "b",
  service: "openvpn-server",
  itemId: "1",
  vipUniqid: "wanvip",
  ...o,
});

test("an id the primary does not hold is refused with the ids it does hold", () => {
  expectHaError(() => checkBindingOnNodes(inp({ itemId: "9" }), node(), node(), false), {
    code: "E_SERVICE_NOT_FOUND",
    field: "VipServiceBinding[b].id",
    value: "9",
    message: /the primary has no OpenVPN server vpnid 9 \(it has vpnid 1, 2\)/,
    fix: /vpnid as config\.xml holds it/,
  });
  expectHaError(
    () => checkBindingOnNodes(inp({ service: "ipsec-phase1", itemId: "1" }), node(), node(), false),
    {
      code: "E_SERVICE_NOT_FOUND",
      message: /IPsec phase 1 ikeid 1 \(it has ikeid 4, 5\)/,
      fix: /ikeid/,
    },
  );
});

test("the secondary must hold the id only when nothing syncs the area", () => {
  const s = node();
  s.openvpnServers = [];
  expectHaError(() => checkBindingOnNodes(inp({}), node(), s, false), {
    code: "E_SERVICE_NOT_FOUND",
    message:
      /the secondary has no OpenVPN server vpnid 1 \(it has none\); pfSense does not sync "openvpn"/,
    fix: /create the same OpenVPN server vpnid 1 on the secondary, or sync "openvpn"/,
  });
  assert.equal(checkBindingOnNodes(inp({}), node(), s, true).vip?.subnet, "192.168.1.10");
});

test("a VIP that is not CARP, unknown, or on another interface is refused; moveInterface allows the move", () => {
  expectHaError(() => checkBindingOnNodes(inp({ vipUniqid: "alias" }), node(), node(), true), {
    code: "E_SERVICE_BINDING",
    field: "VipServiceBinding[b].vip",
    message: /the VIP 192\.168\.1\.20 is a ipalias VIP, not CARP/,
  });
  expectHaError(() => checkBindingOnNodes(inp({ vipUniqid: "nope" }), node(), node(), true), {
    code: "E_SERVICE_BINDING",
    message: /no CARP VIP with this uniqid/,
  });
  expectHaError(() => checkBindingOnNodes(inp({ vipUniqid: "lanvip" }), node(), node(), true), {
    code: "E_SERVICE_BINDING",
    value: "192.168.99.254 on lan",
    message: /listens on wan; binding it to a VIP on lan moves it there/,
    fix: /bind it to a CarpVip on wan, or set moveInterface: true to move it to lan/,
  });
  const moved = checkBindingOnNodes(
    inp({ vipUniqid: "lanvip", moveInterface: true }),
    node(),
    node(),
    true,
  );
  assert.equal(moved.vip?.interface, "lan");
  // Already on a VIP of the same segment, or a phase 1 with no interface (wan): same segment.
  assert.ok(checkBindingOnNodes(inp({ itemId: "2" }), node(), node(), true).vip);
  assert.ok(
    checkBindingOnNodes(inp({ service: "ipsec-phase1", itemId: "4" }), node(), node(), true).vip,
  );
  assert.equal(segmentOf(node(), "_vipwanvip"), "wan");
  assert.equal(segmentOf(node(), ""), "wan");
  assert.equal(segmentOf(node(), "_vipgone"), "_vipgone");
});

test("static check: service kind and id shape, naming the field", () => {
  const f = checkVipService(inp({ service: "wireguard" as never })).failures;
  assert.equal(f.length, 1);
  assert.equal(f[0].property, "service");
  assert.match(
    f[0].reason,
    /\[E_INVALID_INPUT\] VipServiceBinding\[b\]\.service: unknown service kind/,
  );
  const g = checkVipService(inp({ itemId: "ovpns1" })).failures;
  assert.equal(g[0].property, "itemId");
  assert.match(g[0].reason, /Fix: give the server's vpnid or the phase 1's ikeid/);
  assert.deepEqual(checkVipService(inp({})).failures, []);
});

test("diff: service and id replace, the VIP rebinds in place", () => {
  const olds = {
    ...inp({}),
    drift: { primary: [], secondary: [] },
  } as unknown as VipServiceOutputs;
  assert.deepEqual(diffVipService(olds, inp({})).changes, false);
  assert.deepEqual(diffVipService(olds, inp({ itemId: "2" })).replaces, ["itemId"]);
  assert.deepEqual(diffVipService(olds, inp({ service: "ipsec-phase1" })).replaces, ["service"]);
  const v = diffVipService(olds, inp({ vipUniqid: "lanvip" }));
  assert.deepEqual([v.changed, v.replaces], [["vipUniqid"], []]);
});

test("a VIP is in use by an OpenVPN server on its key or address and an enabled phase 1 on its key", () => {
  const n = node();
  assert.deepEqual(servicesUsingVip(n, n.virtualIps[0]), ["OpenVPN server vpnid 2"]);
  n.ipsecPhase1 = [{ ikeid: "5", interface: "_vipwanvip", descr: "branch" }];
  n.openvpnServers = [{ vpnid: "3", interface: "wan", ipaddr: "192.168.1.10", description: "old" }];
  assert.deepEqual(servicesUsingVip(n, n.virtualIps[0]), [
    'OpenVPN server vpnid 3 "old"',
    'IPsec phase 1 ikeid 5 "branch"',
  ]);
  assert.deepEqual(servicesUsingVip(n, n.virtualIps[1]), []);
});
