/**
 * Test helpers: a generic XML-RPC client (the `xmlrpc` package, not the project's client), raw
 * HTTPS posts for byte-level checks, temp dirs and a realistic HA config.
 */
import { mkdtempSync } from "node:fs";
import * as https from "node:https";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as xmlrpc from "xmlrpc";
import { dumpConfigXml, parseConfigXml } from "../../sdk/codec/configXml";
import { toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { DEFAULT_CONFIG_XML, pairNodeConfigXml } from "../../sdk/emulator";

/** A fresh temporary directory. */
export function tempDir(label = "emu"): string {
  return mkdtempSync(path.join(tmpdir(), `pfha-${label}-`));
}

/** An XML-RPC fault as the generic client reports it. */
export interface FaultError extends Error {
  faultCode?: number;
  faultString?: string;
  code?: string;
}

/** Calls a method with the generic `xmlrpc` client (TLS pinned to the node's certificate). */
export function call(
  ep: { url: string; caCertPem?: string },
  user: string,
  pass: string,
  method: string,
  params: unknown[],
  headers: Record<string, string> = {},
): Promise<unknown> {
  const u = new URL(ep.url);
  const client = xmlrpc.createSecureClient({
    host: u.hostname,
    port: Number(u.port),
    path: "/xmlrpc.php",
    basic_auth: { user, pass },
    headers: { ...headers }, // the client writes Authorization into this object
    ca: ep.caCertPem,
    rejectUnauthorized: ep.caCertPem !== undefined,
    checkServerIdentity: () => undefined,
  } as Parameters<typeof xmlrpc.createSecureClient>[0]);
  return new Promise((resolve, reject) => {
    client.methodCall(method, params, (err: unknown, value: unknown) =>
      err ? reject(err) : resolve(value),
    );
  });
}

/** Calls a method and returns the fault (fails if the call succeeds). */
export async function callFault(
  ep: { url: string; caCertPem?: string },
  user: string,
  pass: string,
  method: string,
  params: unknown[],
  headers: Record<string, string> = {},
): Promise<{ faultCode: number; faultString: string }> {
  try {
    const v = await call(ep, user, pass, method, params, headers);
    throw new Error(`expected a fault from ${method}, got ${JSON.stringify(v)}`);
  } catch (e) {
    const f = e as FaultError;
    if (f.faultCode === undefined) throw e;
    return { faultCode: f.faultCode, faultString: String(f.faultString) };
  }
}

/** Raw HTTPS POST; returns status, headers and body. */
export function rawPost(
  url: string,
  body: string,
  headers: Record<string, string> = {},
  pathname = "/xmlrpc.php",
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(pathname, url),
      {
        method: "POST",
        headers: { "Content-Length": Buffer.byteLength(body), ...headers },
        rejectUnauthorized: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Basic auth header value. */
export function basic(user: string, pass: string): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
}

/** A CARP VIP item in config shape. */
export function carpVip(
  ifc: string,
  vhid: number,
  subnet: string,
  uniqid: string,
  advskew = "0",
): PhpStruct {
  return {
    mode: "carp",
    interface: ifc,
    vhid: String(vhid),
    advskew,
    advbase: "1",
    password: `pw${vhid}`,
    uniqid,
    descr: `${ifc} CARP ${vhid}`,
    type: "single",
    subnet_bits: "24",
    subnet,
  };
}

/**
 * The reference config plus a realistic HA setup: interfaces wan/lan/opt1/opt2, VIPs of every
 * mode (carp, stacked ipalias, plain ipalias, proxyarp, other), port forwards, 1:1 NAT, outbound
 * rules (one nosync), filter rules and DHCP on lan and opt2.
 */
export function realisticConfigXml(role: "primary" | "secondary" = "primary"): string {
  const t = parseConfigXml(DEFAULT_CONFIG_XML);
  const h = role === "primary" ? "1" : "2";
  t.version = "23.3";
  t.interfaces = {
    wan: { enable: "", if: "em0", descr: "WAN", ipaddr: `192.168.1.${h}`, subnet: "24" },
    lan: { enable: "", if: "em1", descr: "LAN", ipaddr: `192.168.99.${h}`, subnet: "24" },
    opt1: { enable: "", if: "em2", descr: "SYNC", ipaddr: `172.16.1.${h}`, subnet: "24" },
    opt2: { enable: "", if: "em3", descr: "DMZ", ipaddr: `10.20.0.${h}`, subnet: "24" },
  };
  t.virtualip = {
    vip: [
      carpVip("wan", 1, "192.168.1.254", "6500000000001"),
      carpVip("lan", 2, "192.168.99.254", "6500000000002"),
      {
        mode: "ipalias",
        interface: "_vip6500000000001",
        uniqid: "6500000000003",
        descr: "stacked alias",
        type: "single",
        subnet_bits: "24",
        subnet: "192.168.1.250",
      },
      {
        mode: "ipalias",
        interface: "wan",
        uniqid: "6500000000004",
        descr: `node alias ${h}`,
        type: "single",
        subnet_bits: "24",
        subnet: `192.168.1.24${h}`,
      },
      {
        mode: "proxyarp",
        interface: "wan",
        noexpand: "",
        descr: `proxy ${h}`,
        type: "network",
        subnet_bits: "29",
        subnet: "203.0.113.8",
      },
      {
        mode: "other",
        interface: "wan",
        descr: "other vip",
        type: "single",
        subnet_bits: "32",
        subnet: "198.51.100.7",
      },
    ],
  };
  t.nat = {
    outbound: {
      mode: "hybrid",
      rule: [
        {
          source: { network: "192.168.99.0/24" },
          descr: "LAN out",
          target: "192.168.1.254",
          interface: "wan",
          destination: { any: "" },
        },
        {
          source: { network: "10.20.0.0/24" },
          descr: "DMZ out (primary only)",
          target: "wanip",
          interface: "wan",
          destination: { any: "" },
          nosync: "",
        },
      ],
    },
    rule: [
      {
        source: { any: "" },
        destination: { network: "wanip", port: "443" },
        protocol: "tcp",
        target: "192.168.99.10",
        "local-port": "443",
        interface: "wan",
        descr: "HTTPS to web",
        "associated-rule-id": "nat_1",
      },
      {
        source: { any: "" },
        destination: { network: "wanip", port: "25" },
        protocol: "tcp",
        target: "192.168.99.11",
        "local-port": "25",
        interface: "wan",
        descr: "SMTP",
      },
    ],
    onetoone: [
      {
        external: "198.51.100.20",
        internal: "10.20.0.20",
        destination: { any: "" },
        interface: "wan",
        descr: "1:1 DMZ host",
      },
    ],
  };
  t.filter = {
    rule: [
      {
        type: "pass",
        interface: "wan",
        ipprotocol: "inet",
        protocol: "tcp",
        source: { any: "" },
        destination: { address: "192.168.99.10", port: "443" },
        descr: "NAT HTTPS to web",
        "associated-rule-id": "nat_1",
        tracker: "1700000001",
      },
      {
        type: "pass",
        interface: "opt1",
        ipprotocol: "inet",
        source: { network: "opt1" },
        destination: { any: "" },
        descr: "SYNC any",
        tracker: "1700000002",
      },
      {
        type: "block",
        interface: "opt2",
        ipprotocol: "inet",
        source: { network: "opt2" },
        destination: { network: "lan" },
        descr: "DMZ to LAN <blocked> & logged",
        log: "",
        tracker: "1700000003",
      },
    ],
  };
  t.dhcpd = {
    lan: {
      enable: "",
      range: { from: "192.168.99.100", to: "192.168.99.199" },
      gateway: "192.168.99.254",
      dnsserver: ["192.168.99.254"],
      failover_peerip: role === "primary" ? "192.168.99.2" : "192.168.99.1",
      staticmap: [{ mac: "00:11:22:33:44:55", ipaddr: "192.168.99.50", descr: "printer" }],
    },
    opt2: {
      enable: "",
      range: { from: "10.20.0.100", to: "10.20.0.150" },
      failover_peerip: role === "primary" ? "10.20.0.2" : "10.20.0.1",
    },
  };
  return dumpConfigXml(t);
}

/** The admin and sync password the custom pair configs of {@link customMemberXml} expect. */
export const CUSTOM_PAIR_PASSWORD = "custom-configs-pw-1";

/** A pair member's config with a GUI port, its own VIPs and (primary) an hasync section. */
export function customMemberXml(role: "primary" | "secondary", port: string): string {
  const tree = parseConfigXml(pairNodeConfigXml(role));
  const sys = toStruct(tree.system);
  sys.webgui = { protocol: "https", port };
  sys.hostname = role === "primary" ? "edge-a" : "edge-b";
  tree.system = sys;
  const own: PhpStruct = {
    mode: "proxyarp",
    interface: "wan",
    descr: `${role} own`,
    type: "single",
    subnet_bits: "32",
    subnet: role === "primary" ? "192.168.1.61" : "192.168.1.62",
  };
  tree.virtualip = {
    vip: role === "primary" ? [carpVip("lan", 7, "192.168.99.7", "6600000000a7", "0"), own] : [own],
  };
  if (role === "primary") {
    tree.hasync = {
      synchronizetoip: "172.16.1.2",
      username: "admin",
      password: CUSTOM_PAIR_PASSWORD,
      synchronizevirtualip: "on",
      synchronizealiases: "on",
    };
  }
  return dumpConfigXml(tree);
}
