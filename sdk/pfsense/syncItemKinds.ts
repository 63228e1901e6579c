/**
 * The item lists inside the sections pfSense's sync sends, and how an item is named: by the
 * identity pfSense itself keys it on where it has one (a rule's tracker, an alias's name, a
 * certificate's refid, a DHCP interface, a static mapping's MAC), else by what an engineer
 * reads in the GUI (a port forward's interface, protocol, port and target). Used to say which
 * of the secondary's items the first sync deletes or replaces.
 */
import { leaf, toStruct, type PhpStruct } from "../codec/phpValue";

/** One kind of item in a synced section. */
export interface ItemKind {
  /** Path from the config root to the list; `*` = every keyed child (e.g. `dhcpd/*`). */
  path: readonly string[];
  /** What the GUI calls it, e.g. "port forward". */
  kind: string;
  /** The item's identity: same identity on both nodes and different content = replaced. */
  id(item: PhpStruct, key: string): string;
}

const f = (item: PhpStruct, ...keys: string[]): string =>
  keys.map((k) => leaf(item[k])).find((v) => v !== "") ?? "";

/** A rule's endpoint (`source`/`destination`): `any`, a network or an address, and a port. */
function endpoint(v: PhpStruct | undefined): string {
  const e = toStruct(v);
  const where = e.any !== undefined ? "any" : f(e, "network", "address") || "any";
  const port = leaf(e.port);
  return `${e.not !== undefined ? "!" : ""}${where}${port ? `:${port}` : ""}`;
}

const byName = (i: PhpStruct) => f(i, "name");
const byRefid = (i: PhpStruct) => f(i, "refid");

function portForward(i: PhpStruct): string {
  const target = `${leaf(i.target)}${leaf(i["local-port"]) ? `:${leaf(i["local-port"])}` : ""}`;
  return `${leaf(i.interface)} ${leaf(i.protocol) || "any"} ${endpoint(toStruct(i.destination))} -> ${target}`;
}

function outbound(i: PhpStruct): string {
  return `${leaf(i.interface)} ${endpoint(toStruct(i.source))} -> ${leaf(i.target) || "interface address"}`;
}

/** Every list the first sync can take items out of, by section (§5.2, §6.3). */
export const ITEM_KINDS: readonly ItemKind[] = [
  { path: ["filter", "rule"], kind: "firewall rule", id: (i) => `tracker ${f(i, "tracker")}` },
  { path: ["nat", "rule"], kind: "port forward", id: portForward },
  { path: ["nat", "outbound", "rule"], kind: "outbound NAT rule", id: outbound },
  { path: ["nat", "onetoone"], kind: "1:1 NAT", id: (i) => `${leaf(i.interface)} ${f(i, "external")}` },
  { path: ["nat", "npt"], kind: "NPt", id: (i) => `${leaf(i.interface)} ${endpoint(toStruct(i.source))}` },
  { path: ["aliases", "alias"], kind: "alias", id: byName },
  { path: ["schedules", "schedule"], kind: "schedule", id: byName },
  { path: ["cert"], kind: "certificate", id: byRefid },
  { path: ["ca"], kind: "CA", id: byRefid },
  { path: ["crl"], kind: "CRL", id: byRefid },
  { path: ["ipsec", "phase1"], kind: "IPsec phase 1", id: (i) => `ikeid ${f(i, "ikeid")}` },
  { path: ["ipsec", "phase2"], kind: "IPsec phase 2", id: (i) => `ikeid ${f(i, "ikeid")} ${f(i, "uniqid", "reqid")}` },
  { path: ["ipsec", "mobilekey"], kind: "IPsec pre-shared key", id: (i) => f(i, "ident") },
  { path: ["openvpn", "openvpn-server"], kind: "OpenVPN server", id: (i) => `vpnid ${f(i, "vpnid")}` },
  { path: ["openvpn", "openvpn-client"], kind: "OpenVPN client", id: (i) => `vpnid ${f(i, "vpnid")}` },
  { path: ["openvpn", "openvpn-csc"], kind: "OpenVPN client override", id: (i) => f(i, "common_name") },
  { path: ["dhcpd", "*"], kind: "DHCP server", id: (_i, key) => key },
  { path: ["dhcpd", "*", "staticmap"], kind: "DHCP static mapping", id: (i) => f(i, "mac", "cid") },
  { path: ["wol", "wolentry"], kind: "Wake-on-LAN entry", id: (i) => f(i, "mac") },
  { path: ["staticroutes", "route"], kind: "static route", id: (i) => f(i, "network") },
  { path: ["gateways", "gateway_item"], kind: "gateway", id: byName },
  { path: ["gateways", "gateway_group"], kind: "gateway group", id: byName },
  { path: ["shaper", "queue"], kind: "traffic shaper queue", id: byName },
  { path: ["dnshaper", "queue"], kind: "limiter", id: byName },
  { path: ["dnsmasq", "hosts"], kind: "DNS forwarder host override", id: (i) => `${leaf(i.host)}.${leaf(i.domain)}` },
  { path: ["dnsmasq", "domainoverrides"], kind: "DNS forwarder domain override", id: (i) => f(i, "domain") },
  { path: ["unbound", "hosts"], kind: "DNS resolver host override", id: (i) => `${leaf(i.host)}.${leaf(i.domain)}` },
  { path: ["unbound", "domainoverrides"], kind: "DNS resolver domain override", id: (i) => f(i, "domain") },
  { path: ["captiveportal", "*"], kind: "captive portal zone", id: (_i, key) => key },
  { path: ["system", "user"], kind: "user", id: byName },
  { path: ["system", "group"], kind: "group", id: byName },
  { path: ["system", "authserver"], kind: "authentication server", id: byName },
]; // prettier-ignore

/**
 * A VIP's identity as the receiver keys it (xmlrpc.php `restore_config_section`, the `$oldvips`
 * keys): `<interface>_vip<vhid>` for CARP, the address for the rest.
 */
export function vipIdentity(v: PhpStruct): string {
  return leaf(v.mode) === "carp"
    ? `${leaf(v.interface)}_vip${leaf(v.vhid)} ${leaf(v.subnet)}`
    : `${leaf(v.mode)} ${leaf(v.interface)} ${leaf(v.subnet)}`;
}
