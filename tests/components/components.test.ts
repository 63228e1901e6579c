/**
 * The four components under Pulumi mocks: wiring (each builds one custom resource of the
 * expected type, served by the cluster's provider, with the cluster's defaults), outputs, secrets (node passwords,
 * CARP and sync passwords marked secret; nothing secret in component inputs), and the default
 * CARP password from @pulumi/random's RandomPassword within the 19-byte policy.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";

type Registered = { type: string; name: string; inputs: Record<string, unknown>; custom?: boolean };
const registered: Registered[] = [];
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

// The fake provider: what the real one would answer, computed from the inputs it received.
function fakeState(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const plain = unwrap(inputs) as Record<string, unknown>;
  if (type.endsWith(":CarpVipConfig")) {
    const skew = (plain.skew as number | undefined) ?? 0;
    return {
      ...plain,
      uniqid: `uniq-${plain.name as string}`,
      vhid:
        (plain.vhid as number | undefined) ?? 10 + ((plain.reservedVhids as number[]) ?? []).length,
      address: plain.address ?? "192.168.1.1",
      subnetBits: 24,
      advbase: plain.advbase ?? 1,
      primaryAdvskew: skew,
      secondaryAdvskew: Math.min(skew + 100, 254),
      primaryAddress: plain.primaryAddress ?? "192.168.1.2",
      secondaryAddress: plain.secondaryAddress ?? "192.168.1.3",
    };
  }
  if (type === "random:index/randomPassword:RandomPassword") {
    return { ...plain, result: "A".repeat(plain.length as number) };
  }
  if (type.endsWith(":HaSyncConfig")) {
    return {
      ...plain,
      primarySyncAddress: "172.16.1.1",
      secondarySyncAddress: "172.16.1.2",
      areas: plain.areas ?? ["users"],
    };
  }
  if (type.endsWith(":OutboundNatConfig"))
    return { ...plain, ruleId: "nat-1", mode: plain.mode ?? "hybrid" };
  if (type.endsWith(":DhcpFailoverConfig")) {
    return {
      ...plain,
      gateway: plain.vip,
      dnsServers: [plain.vip],
      primaryPeer: "192.168.99.2",
      secondaryPeer: "192.168.99.1",
    };
  }
  return plain;
}

function unwrap(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrap);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o["4dabf18193072939515e22adb298388d"] === SECRET_SIG) return unwrap(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrap(x)]));
  }
  return v;
}

function isSecretValue(v: unknown): boolean {
  return (
    !!v &&
    typeof v === "object" &&
    (v as Record<string, unknown>)["4dabf18193072939515e22adb298388d"] === SECRET_SIG
  );
}

before(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          custom: args.custom,
        });
        return { id: `${args.name}-id`, state: fakeState(args.type, args.inputs) };
      },
      call(args) {
        return args.inputs;
      },
    },
    "project",
    "stack",
    false,
  );
});

async function value<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

async function loadHa() {
  return await import("../../sdk");
}

function cluster(ha: Awaited<ReturnType<typeof loadHa>>) {
  return new ha.Cluster({
    primary: {
      url: "https://127.0.0.1:8443",
      username: "admin",
      password: "node-pw-primary",
      tls: { fingerprint256: "AB:CD" },
    },
    secondary: {
      url: "https://127.0.0.1:8444",
      username: "admin",
      password: pulumi.secret("node-pw-secondary"),
    },
    advbase: 2,
    reservedVhids: { wan: [1, 2] },
  });
}

const byType = (suffix: string) => registered.filter((r) => r.type.endsWith(suffix));

test("CarpVip without a password: a RandomPassword (19 alphanumerics) feeds the VIP, outputs wired, password secret", async () => {
  const ha = await loadHa();
  const vip = new ha.CarpVip("wan", {
    cluster: cluster(ha),
    interface: "wan",
    subnet: "192.168.1.0/24",
    address: "192.168.1.100",
  });
  assert.equal(await value(vip.address), "192.168.1.100");
  assert.equal(
    await value(vip.vhid),
    12,
    "the reserved list for wan reached the provider (fake: 10 + its length)",
  );
  assert.equal(await value(vip.advbase), 2, "the cluster's advbase is the default");
  assert.equal(await value(vip.secondaryAdvskew), 100);
  assert.equal(await value(vip.uniqid), "uniq-wan");
  assert.equal(await pulumi.isSecret(vip.password), true, "the CARP password output is secret");
  assert.equal((await value(vip.password)).length, 19);

  const rp = byType(":RandomPassword").find((r) => r.name === "wan-password");
  assert.ok(rp, "a RandomPassword was created for the VIP");
  assert.equal(rp.inputs.length, 19);
  assert.equal(
    rp.inputs.special,
    false,
    "no special characters: nothing pfSense or ucarp would mangle",
  );

  const res = byType(":CarpVipConfig").find((r) => r.name === "wan");
  assert.ok(res);
  assert.equal(res.type, "pfsense-ha:index:CarpVipConfig");
  assert.ok(isSecretValue(res.inputs.password), "the CARP password input is secret");
  assert.equal(res.inputs.primary, undefined, "no node endpoint among the resource's inputs");
  assert.equal(res.inputs.secondary, undefined);
  assert.deepEqual(res.inputs.reservedVhids, [1, 2]);
  // The endpoints are the cluster provider's settings, each one secret (it holds a password).
  const provider = registered.find((r) => r.type === "pulumi:providers:pfsense-ha");
  assert.ok(provider, "the cluster made its provider");
  assert.ok(
    isSecretValue(provider.inputs.primary),
    "a plain node password makes its endpoint secret",
  );
  const primary = unwrap(provider.inputs.primary) as Record<string, unknown>;
  assert.equal(primary.url, "https://127.0.0.1:8443");
  assert.equal(primary.password, "node-pw-primary");
  assert.ok(!JSON.stringify(res.inputs).includes("node-pw-primary"));

  const comp = registered.find((r) => r.type === "pfsense-ha:index:CarpVip" && r.name === "wan");
  assert.ok(comp, "component type token pfsense-ha:index:CarpVip");
  assert.deepEqual(comp.inputs, {}, "no component inputs stored (pitfall 7)");
});

test("CarpVip with a given password: no RandomPassword, the given one is used and marked secret", async () => {
  const ha = await loadHa();
  const before = byType(":RandomPassword").length;
  const vip = new ha.CarpVip("lan", {
    cluster: cluster(ha),
    interface: "lan",
    subnet: "192.168.99.0/24",
    password: "Given-Pw-1",
    skew: 5,
    vhid: 42,
  });
  assert.equal(await value(vip.password), "Given-Pw-1");
  assert.equal(await pulumi.isSecret(vip.password), true);
  assert.equal(await value(vip.vhid), 42);
  assert.equal(await value(vip.primaryAdvskew), 5);
  assert.equal(await value(vip.secondaryAdvskew), 105);
  assert.equal(byType(":RandomPassword").length, before, "no random password when one is given");
  const res = byType(":CarpVipConfig").find((r) => r.name === "lan");
  assert.equal(res?.inputs.reservedVhids, undefined, "no reservations on lan: none sent");
  // The resource leaves empty drift and multicast peers out of its state; the component does not.
  assert.deepEqual(await value(vip.drift), { primary: [], secondary: [] });
  assert.equal(await value(vip.primaryPeer), "");
  assert.equal(await value(vip.secondaryPeer), "");
});

test("HaSyncSettings: sync password secret, endpoints left to the provider, outputs wired", async () => {
  const ha = await loadHa();
  const s = new ha.HaSyncSettings("sync", {
    cluster: cluster(ha),
    syncInterface: "opt1",
    username: "admin",
    password: "sync-pw",
    areas: ["nat", "virtualip"],
  });
  assert.equal(await value(s.secondarySyncAddress), "172.16.1.2");
  assert.deepEqual(await value(s.areas), ["nat", "virtualip"]);
  const res = byType(":HaSyncConfig")[0];
  assert.equal(res.type, "pfsense-ha:index:HaSyncConfig");
  assert.equal(res.inputs.primary, undefined, "the endpoints are the provider's");
  assert.ok(isSecretValue(res.inputs.password));
  assert.equal(res.inputs.syncInterface, "opt1");
  const comp = registered.find((r) => r.type === "pfsense-ha:index:HaSyncSettings");
  assert.deepEqual(comp?.inputs, {});
});

test("OutboundNatRule translating to a CarpVip takes the VIP's address; DhcpFailover hands out the VIP", async () => {
  const ha = await loadHa();
  const c = cluster(ha);
  const wan = new ha.CarpVip("wan2", {
    cluster: c,
    interface: "wan",
    subnet: "192.168.1.0/24",
    address: "192.168.1.200",
    password: "p1",
  });
  const rule = new ha.OutboundNatRule("out", {
    cluster: c,
    interface: "wan",
    source: "192.168.99.0/24",
    translation: wan,
  });
  assert.equal(await value(rule.target), "192.168.1.200");
  assert.equal(await value(rule.mode), "hybrid");
  const lan = new ha.CarpVip("lan2", {
    cluster: c,
    interface: "lan",
    subnet: "192.168.99.0/24",
    address: "192.168.99.254",
    password: "p2",
  });
  const dhcp = new ha.DhcpFailover("dhcp", {
    cluster: c,
    interface: "lan",
    vip: lan,
    rangeFrom: "192.168.99.10",
    rangeTo: "192.168.99.99",
  });
  assert.equal(await value(dhcp.gateway), "192.168.99.254");
  assert.equal(await value(dhcp.secondaryPeer), "192.168.99.1");
  const natRes = byType(":OutboundNatConfig")[0];
  assert.equal(natRes.inputs.target, "192.168.1.200");
  const dhcpRes = byType(":DhcpFailoverConfig")[0];
  assert.equal(dhcpRes.inputs.vip, "192.168.99.254");
  for (const t of ["pfsense-ha:index:OutboundNatRule", "pfsense-ha:index:DhcpFailover"]) {
    assert.ok(
      registered.some((r) => r.type === t),
      t,
    );
  }
});
