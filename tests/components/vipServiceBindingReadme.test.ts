/**
 * The README's VipServiceBinding example under Pulumi mocks: it type-checks against the public
 * API and registers the binding resources with the item ids as text and the VIP's uniqid.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";

const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
before(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "pfsense-ha:index:CarpVipConfig") state.uniqid = "9ddba0f942b20";
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    "readme",
    "dev",
    false,
  );
});

test("the README's VipServiceBinding example binds an OpenVPN server and a phase 1 to the CarpVip", async () => {
  const { Cluster, CarpVip, VipServiceBinding } = await import("../../sdk");
  const cluster = new Cluster({
    primary: { url: "https://127.0.0.1:8443", username: "admin", password: pulumi.secret("a") },
    secondary: { url: "https://127.0.0.1:8444", username: "admin", password: pulumi.secret("b") },
  });
  // --- example (README) ---
  const wanVip = new CarpVip("wan-vip", {
    cluster,
    interface: "wan",
    subnet: "192.168.1.0/24",
    address: "192.168.1.10",
  });
  const roadwarrior = new VipServiceBinding("roadwarrior", {
    cluster,
    vip: wanVip,
    service: "openvpn-server",
    id: 1,
  });
  new VipServiceBinding("branch", { cluster, vip: wanVip, service: "ipsec-phase1", id: 2 });
  // --- end ---
  assert.ok(pulumi.Output.isInstance(roadwarrior.boundInterface));
  await new Promise((r) => setTimeout(r, 100));
  const bindings = registered.filter((r) => r.type === "pfsense-ha:index:VipServiceBindingConfig");
  assert.deepEqual(
    bindings.map((b) => [b.name, b.inputs.service, b.inputs.itemId, b.inputs.vipUniqid]),
    [
      ["roadwarrior", "openvpn-server", 1, "9ddba0f942b20"],
      ["branch", "ipsec-phase1", 2, "9ddba0f942b20"],
    ],
  );
});
