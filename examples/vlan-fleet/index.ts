/**
 * A CARP VIP on every VLAN of a two-node pfSense cluster. The VLAN interfaces exist on both nodes
 * under the same assignment names (pfSense's HA requirement); this program only adds the VIPs and
 * leaves address, VHID and skew planning to the library: on each /24 the VIP takes the first
 * usable address, the primary the second and the secondary the third ("lan" layout).
 *
 * Config: `vlans` (a list of `{ tag, interface, subnet }`) or the generated default of
 * `vlanCount` (16) VLANs from `firstVlanTag` (100) on interfaces `opt<firstInterface>` (opt2)...
 * with subnets 10.<tag / 256>.<tag % 256>.0/24. Node endpoints as in two-node-cluster.
 *
 * `aliasesPerVlan` (default 0): that many more addresses per VLAN, stacked on its VIP as IP
 * aliases (pfSense's recommendation for many addresses on one segment: one CARP VHID, many
 * aliases on `_vip<uniqid>`). The library plans them just above the VIP and the node addresses
 * (.4, .5, ... on the "lan" layout) and pfSense's own sync (or the library) copies them to the
 * secondary.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ha from "pulumi-pfsense-ha";

const config = new pulumi.Config();

/** One VLAN interface, assigned on both nodes. */
interface Vlan {
  tag: number;
  interface: string;
  subnet: string;
}

function node(role: "primary" | "secondary") {
  return {
    url: config.require(`${role}Url`),
    username: config.get(`${role}Username`) ?? "admin",
    password: config.requireSecret(`${role}Password`),
    tls: { fingerprint256: config.require(`${role}Fingerprint`) },
  };
}

function defaultVlans(): Vlan[] {
  const count = config.getNumber("vlanCount") ?? 16;
  const firstTag = config.getNumber("firstVlanTag") ?? 100;
  const firstInterface = config.getNumber("firstInterface") ?? 2;
  return Array.from({ length: count }, (_, i) => {
    const tag = firstTag + i;
    return {
      tag,
      interface: `opt${firstInterface + i}`,
      subnet: `10.${Math.floor(tag / 256)}.${tag % 256}.0/24`,
    };
  });
}

const cluster = new ha.Cluster({ primary: node("primary"), secondary: node("secondary") });
const carpPassword = config.getSecret("carpPassword");
const vlans = config.getObject<Vlan[]>("vlans") ?? defaultVlans();

const vips = vlans.map(
  (v) =>
    new ha.CarpVip(`vlan${v.tag}`, {
      cluster,
      interface: v.interface,
      subnet: v.subnet,
      password: carpPassword,
      description: `VLAN ${v.tag} gateway`,
    }),
);

const aliasesPerVlan = config.getNumber("aliasesPerVlan") ?? 0;
const aliases =
  aliasesPerVlan > 0
    ? vips.map(
        (vip, i) =>
          new ha.CarpIpAliases(`vlan${vlans[i].tag}-aliases`, {
            cluster,
            vip,
            count: aliasesPerVlan,
            description: `VLAN ${vlans[i].tag} extra address`,
          }),
      )
    : [];

/** Per VLAN: the VIP clients use as their gateway, its VHID and the addresses stacked on it. */
export const gateways = vips.map((vip, i) => ({
  vlan: vlans[i].tag,
  address: vip.address,
  vhid: vip.vhid,
  aliases: aliases[i]?.addresses ?? [],
}));
