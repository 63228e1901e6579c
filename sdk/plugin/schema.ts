/**
 * The package schema (`pulumi package get-schema`, SDK generation, Pulumi YAML's type checks).
 * Written as data beside the code it describes; tests/plugin/schema.test.ts holds it against the
 * implementation (tokens, component inputs reaching the resources, outputs registered).
 */
import { RESOURCE_KINDS, PACKAGE } from "./resourceKinds";

type Prop = Record<string, unknown>;

const str = (description: string): Prop => ({ type: "string", description });
const int = (description: string): Prop => ({ type: "integer", description });
const bool = (description: string): Prop => ({ type: "boolean", description });
const strs = (description: string): Prop => ({
  type: "array",
  items: { type: "string" },
  description,
});
const secret = (p: Prop): Prop => ({ ...p, secret: true });
const ref = (type: string, description: string): Prop => ({
  $ref: `#/types/${PACKAGE}:index:${type}`,
  description,
});
const drift = ref("NodeDrift", "Drift found by the last refresh, per node (empty when in sync).");

/** Component inputs, by component. Every one is also an input of the component's resource. */
export const COMPONENT_INPUTS: Record<string, Record<string, Prop>> = {
  CarpVip: {
    interface: str(
      "Interface assignment name the VIP lives on (`wan`, `lan`, `opt1`); same on both nodes.",
    ),
    subnet: str(
      "The interface network in CIDR form. Optional when `address` has a prefix or the primary's interface gives it.",
    ),
    layout: str(
      "`lan` (VIP first usable address) or `wan` (the /29 layout: gateway, primary, secondary, VIP). Default `lan`.",
    ),
    address: str("The VIP address. Default: planned from `subnet` and `layout`."),
    primaryAddress: str("The primary's own address on the interface (checked against the node)."),
    secondaryAddress: str(
      "The secondary's own address on the interface (checked against the node).",
    ),
    vhid: int(
      "CARP VHID 1-255. Default: the lowest free on the interface on both nodes; changing it replaces the VIP (delete first).",
    ),
    advbase: int("Advertisement base, seconds 1-254, equal on both nodes. Default 1."),
    skew: int(
      "The primary's advskew 0-239; the secondary gets skew + 100, capped at 254. Default 0.",
    ),
    password: secret(str("CARP password, 1-19 printable ASCII characters without spaces.")),
    description: str("Description shown in pfSense's GUI."),
    unicast: bool("Unicast CARP (pfSense Plus only). Default false."),
    adopt: bool("Take over a matching CARP VIP made outside this stack at create. Default false."),
    reservedVhids: {
      type: "array",
      items: { type: "integer" },
      description: "VHIDs never to allocate on this interface.",
    },
  },
  HaSyncSettings: {
    syncInterface: str(
      "Interface assignment name of the dedicated sync link (pfsync and XML-RPC).",
    ),
    primarySyncAddress: str(
      "The primary's address on the sync interface. Default: read from the node.",
    ),
    secondarySyncAddress: str(
      "The secondary's address on the sync interface. Default: read from the node.",
    ),
    username: str(
      'The user the primary logs in as on the secondary (needs "System - HA node sync").',
    ),
    password: secret(str("That user's password on the secondary.")),
    areas: strs(
      "The sections pfSense's XML-RPC sync copies (`users`, `rules`, `nat`, `virtualip`, `dhcpd`, ...). Default: all.",
    ),
    acknowledgeSecondaryDeletions: {
      type: "boolean",
      description:
        "Accept that the first sync deletes items only the secondary has (true, or list areas in code).",
    },
    adminSync: bool("Sync the admin account too (pfSense 2.5+). Default false."),
    primaryHostId: str("pfsync host id of the primary (hex, at most 8 characters)."),
    secondaryHostId: str("pfsync host id of the secondary."),
  },
  OutboundNatRule: {
    interface: str("Interface the rule translates on (usually `wan`)."),
    source: str("Source network in CIDR form (the LAN), never containing a node's own address."),
    translation: str("The CARP VIP address the rule translates to."),
    mode: str("Outbound NAT mode to set: `hybrid` (default) or `advanced`."),
    description: str("Rule description."),
    destination: str("Destination network. Default any."),
    protocol: str("Protocol. Default any."),
    sourcePort: str("Source port or range."),
    destinationPort: str("Destination port or range."),
    adopt: bool("Take over a matching hand-made rule at create. Default false."),
  },
  SyncInterfaceRules: {
    syncInterface: str(
      "Interface assignment name of the sync link (HaSyncSettings' `syncInterface`).",
    ),
    primarySyncAddress: str(
      "The primary's sync address (HaSyncSettings' output). Default: read from the node.",
    ),
    secondarySyncAddress: str(
      "The secondary's sync address (HaSyncSettings' output). Default: read from the node.",
    ),
  },
  DhcpFailover: {
    interface: str("Interface whose DHCP server fails over."),
    vip: str("The interface's CARP VIP address (handed out as gateway and DNS)."),
    rangeFrom: str("First address of the pool."),
    rangeTo: str("Last address of the pool."),
    dnsServers: strs("DNS servers handed out (at most 4). Default: the VIP."),
    gateway: str("Gateway handed out. Default: the VIP."),
    keaPrimaryAddress: str(
      "Kea backend: the primary's Kea HA listener address (with keaSecondaryAddress or neither). Default: its address on the interface.",
    ),
    keaSecondaryAddress: str(
      "Kea backend: the secondary's Kea HA listener address. Default: its address on the interface.",
    ),
    keaPrimaryPort: int(
      "Kea backend: the primary's Kea HA listener port (with keaSecondaryPort or neither). Default 8765.",
    ),
    keaSecondaryPort: int("Kea backend: the secondary's Kea HA listener port. Default 8765."),
    keaDhcpv6: bool(
      "Kea backend: DHCPv6 HA too (`kea6/ha`, same listener addresses, own ports; pfSense 2.8+). Default false.",
    ),
    keaDhcpv6PrimaryPort: int(
      "With keaDhcpv6: the primary's DHCPv6 HA listener port (with keaDhcpv6SecondaryPort or neither). Default 8766.",
    ),
    keaDhcpv6SecondaryPort: int(
      "With keaDhcpv6: the secondary's DHCPv6 HA listener port. Default 8766.",
    ),
  },
  CarpIpAliases: {
    vipUniqid: str("The CARP VIP's uniqid (its CarpVip's `uniqid` output): the aliases' parent."),
    vipInterface: str("The CARP VIP's interface (its CarpVip's `interface` output)."),
    vipAddress: str("The CARP VIP address (its CarpVip's `address` output)."),
    subnetBits: int("The VIP network's prefix length (its CarpVip's `subnetBits` output)."),
    primaryAddress: str("The primary's own address there (its CarpVip's `primaryAddress`)."),
    secondaryAddress: str("The secondary's own address there (its CarpVip's `secondaryAddress`)."),
    addresses: strs(
      "Alias addresses, in order, inside the VIP's network. Default: none (all planned).",
    ),
    count: int(
      "How many aliases in all, 1-1024: the addresses first, the rest planned (the lowest free above the VIP and node addresses). Default: the number of addresses.",
    ),
    exclude: strs("Addresses never to plan. Default none."),
    description: str("Description of every alias in pfSense's GUI. Default: none."),
  },
  VipServiceBinding: {
    vip: str("The CARP VIP to bind to: a CarpVip's `uniqid` (stored as interface `_vip<uniqid>`)."),
    service: str("`openvpn-server` (id = vpnid) or `ipsec-phase1` (id = ikeid)."),
    id: str("The item's id as config.xml holds it (`vpnid` / `ikeid`, e.g. `1`)."),
    moveInterface: bool(
      "Allow moving the service to the VIP's interface when it listens on another. Default false.",
    ),
  },
};

// The aggregate: the item components' inputs, inline by key (TypeScript: ClusterHaConfig).
COMPONENT_INPUTS.ClusterHaConfig = {
  carpVips: {
    type: "object",
    additionalProperties: { $ref: `#/types/${PACKAGE}:index:ClusterHaConfigVip` },
    description: "CARP VIPs by key (a CarpVip's inputs each).",
  },
  outboundNat: {
    type: "object",
    additionalProperties: { $ref: `#/types/${PACKAGE}:index:ClusterHaConfigNat` },
    description: "Outbound NAT rules by key; `translation` may name a VIP's key.",
  },
  dhcpFailover: {
    type: "object",
    additionalProperties: { $ref: `#/types/${PACKAGE}:index:ClusterHaConfigDhcp` },
    description: "DHCP failovers by key; `vip` may name a VIP's key.",
  },
};

/** Component outputs, by component. */
export const COMPONENT_OUTPUTS: Record<string, Record<string, Prop>> = {
  CarpVip: {
    vhid: int("Allocated (or given) VHID."),
    address: str("The VIP address."),
    subnetBits: int("Prefix length of the interface network."),
    primaryAdvskew: int("advskew on the primary."),
    secondaryAdvskew: int("advskew on the secondary (primary + 100, capped at 254)."),
    advbase: int("advbase on both nodes, seconds."),
    password: secret(str("The CARP password.")),
    primaryAddress: str("The primary's own address on the interface."),
    secondaryAddress: str("The secondary's own address on the interface."),
    uniqid: str("pfSense's identity of the VIP (same on both nodes)."),
    interface: str("Interface assignment name."),
    drift,
    primaryPeer: str("Unicast mode: the primary's peer; empty in multicast mode."),
    secondaryPeer: str("Unicast mode: the secondary's peer; empty in multicast mode."),
  },
  HaSyncSettings: {
    syncInterface: str("The sync interface's assignment name."),
    primarySyncAddress: str("The primary's sync address."),
    secondarySyncAddress: str("The secondary's sync address."),
    areas: strs("The synced areas."),
    primaryHostId: str("pfsync host id of the primary."),
    secondaryHostId: str("pfsync host id of the secondary."),
    productVersion: str("pfSense version of the primary."),
    configVersion: str("config.xml version of the primary."),
    drift,
    secondaryItemsLostAtFirstSync: strs(
      "Acknowledged items of the secondary the first sync deleted or replaced.",
    ),
  },
  OutboundNatRule: {
    ruleId: str("The rule's identity marker."),
    target: str("The translation address."),
    mode: str("The outbound NAT mode set."),
    drift,
  },
  SyncInterfaceRules: {
    rulesetId: str("The rule set's identity (in every owned rule's marker)."),
    primaryGuiPort: str("The primary's GUI port (`system/webgui/port`, else 443/80)."),
    secondaryGuiPort: str("The secondary's GUI port."),
    rules: strs("The four rules both nodes hold, one line each."),
    drift,
  },
  DhcpFailover: {
    gateway: str("Gateway handed out."),
    dnsServers: strs("DNS servers handed out."),
    primaryPeer: str("Failover peer on the primary (the secondary's interface address)."),
    secondaryPeer: str("Failover peer on the secondary (the primary's interface address)."),
    dhcpBackend: str("`isc` or `kea`: the DHCP backend both nodes run."),
    primaryRole: str("Kea HA role of the primary node (`primary`); empty on ISC."),
    secondaryRole: str("Kea HA role of the secondary node (`standby`); empty on ISC."),
    dhcpv6PrimaryRole: str("Kea DHCPv6 HA role of the primary (`primary`); empty when off."),
    dhcpv6SecondaryRole: str("Kea DHCPv6 HA role of the secondary (`standby`); empty when off."),
    drift,
  },
  CarpIpAliases: {
    addresses: strs("The alias addresses, given ones first, then planned."),
    uniqids: strs("pfSense's uniqid of each alias, in the order of addresses."),
    parentInterface: str("`_vip<uniqid of the CARP VIP>`: the interface every alias is on."),
    drift,
  },
  VipServiceBinding: {
    boundInterface: str("`_vip<uniqid>`: the item's interface on both nodes."),
    previousInterface: str("The interface the item had before (given back on delete)."),
    vipAddress: str("The VIP's address the service now listens on."),
    drift,
  },
};

COMPONENT_OUTPUTS.ClusterHaConfig = {
  carpVips: {
    type: "object",
    additionalProperties: { $ref: "pulumi.json#/Any" },
    description: "The VIPs as the nodes hold them, by key.",
  },
  drift,
};

/** Component inputs whose resource input has another name, by component. */
export const RESOURCE_INPUT_NAMES: Record<string, Record<string, string>> = {
  OutboundNatRule: { translation: "target" },
  VipServiceBinding: { vip: "vipUniqid", id: "itemId" },
};

/** A component's inputs under the names its resource takes them. */
function resourceInputs(component: string): Record<string, Prop> {
  const renames = RESOURCE_INPUT_NAMES[component] ?? {};
  return Object.fromEntries(
    Object.entries(COMPONENT_INPUTS[component] ?? {}).map(([k, p]) => [renames[k] ?? k, p]),
  );
}

/**
 * Component inputs the component cannot do without (the TypeScript Args' non-optional fields):
 * typed SDKs make them required arguments (Go: `pulumi.StringInput`, not `StringPtrInput`).
 */
export const COMPONENT_REQUIRED_INPUTS: Record<string, string[]> = {
  CarpVip: ["interface"],
  HaSyncSettings: ["syncInterface", "username", "password"],
  OutboundNatRule: ["interface", "source", "translation"],
  DhcpFailover: ["interface", "vip", "rangeFrom", "rangeTo"],
  SyncInterfaceRules: ["syncInterface"],
  CarpIpAliases: [
    "vipUniqid",
    "vipInterface",
    "vipAddress",
    "subnetBits",
    "primaryAddress",
    "secondaryAddress",
  ],
  ClusterHaConfig: [],
  VipServiceBinding: ["vip", "service", "id"],
};

/**
 * Component outputs every component has once created (typed SDKs give them non-optional types,
 * e.g. Go's `pulumi.IntOutput`); the others may be absent (unicast peers, drift, ...).
 */
export const COMPONENT_REQUIRED_OUTPUTS: Record<string, string[]> = {
  CarpVip: [
    "vhid",
    "address",
    "subnetBits",
    "primaryAdvskew",
    "secondaryAdvskew",
    "advbase",
    "password",
    "primaryAddress",
    "secondaryAddress",
    "uniqid",
    "interface",
  ],
  HaSyncSettings: ["primarySyncAddress", "secondarySyncAddress", "areas"],
  OutboundNatRule: ["ruleId", "target", "mode"],
  DhcpFailover: ["gateway", "dnsServers", "primaryPeer", "secondaryPeer"],
  SyncInterfaceRules: ["rulesetId", "primaryGuiPort", "secondaryGuiPort", "rules"],
  CarpIpAliases: ["addresses", "uniqids", "parentInterface"],
  ClusterHaConfig: ["carpVips"],
  VipServiceBinding: ["boundInterface", "previousInterface", "vipAddress"],
};

/** The component each custom resource serves (resource inputs = component inputs + `name`). */
const RESOURCE_OF: Record<string, string> = {
  CarpVipConfig: "CarpVip",
  HaSyncConfig: "HaSyncSettings",
  OutboundNatConfig: "OutboundNatRule",
  DhcpFailoverConfig: "DhcpFailover",
  SyncInterfaceRulesConfig: "SyncInterfaceRules",
  CarpIpAliasesConfig: "CarpIpAliases",
  VipServiceBindingConfig: "VipServiceBinding",
};

/** Outputs of a resource whose names differ from its component's (default: the component's). */
const RESOURCE_OUTPUTS: Record<string, Record<string, Prop>> = {
  CarpIpAliasesConfig: {
    parentInterface: str("`_vip<uniqid of the CARP VIP>`."),
    aliasAddresses: strs("The alias addresses, given ones first, then planned."),
    aliasUniqids: strs("pfSense's uniqid of each alias, in the order of aliasAddresses."),
    planned: { type: "array", items: { type: "boolean" }, description: "Which were planned." },
    drift,
    syncedBy: str("Who delivered the secondary's view: `pfsense` or `library`."),
  },
};

/** The TypeScript-only component of a custom resource that has no `construct` form. */
const TYPESCRIPT_COMPONENT_OF: Record<string, string> = {
  ClusterHealthCheck: "ClusterHealthGate",
  ClusterBackupConfig: "Cluster",
};

function endpointType(): Prop {
  return {
    type: "object",
    description: "How to reach one pfSense node's XML-RPC API.",
    properties: {
      url: str("`https://host:port` of the node's web GUI; `/xmlrpc.php` is added."),
      username: str('A user holding the "System - HA node sync" privilege (usually `admin`).'),
      password: secret(str("That user's password.")),
      tls: ref("TlsOptions", "How to trust the node's certificate. Default: the system's CAs."),
      callTimeoutSeconds: {
        type: "number",
        description: "Limit for one XML-RPC call, seconds. Default 200.",
      },
    },
    required: ["url", "username", "password"],
  };
}

function providerInputs(): Record<string, Prop> {
  return {
    primary: ref(
      "NodeEndpoint",
      "The node that normally holds every CARP VIP and pushes config to the secondary.",
    ),
    secondary: ref("NodeEndpoint", "The standby node."),
    syncWaitSeconds: {
      type: "number",
      description:
        "How long to wait for pfSense's own sync before writing the secondary, seconds. Default 30.",
    },
  };
}

const mapOf = (type: string, description: string): Prop => ({
  type: "object",
  additionalProperties: { $ref: `#/types/${PACKAGE}:index:${type}` },
  description,
});

/** Inputs of the resources that serve no construct-able component (TypeScript-only components). */
const OTHER_RESOURCE_INPUTS: Record<string, Record<string, Prop>> = {
  ClusterHaConfigState: {
    name: str("The component's name, for messages."),
    carpVips: mapOf("ClusterHaVipItem", "CARP VIPs by key."),
    carpPasswords: secret({
      type: "object",
      additionalProperties: { type: "string" },
      description: "Each VIP's CARP password, by the VIP's key.",
    }),
    outboundNat: mapOf("ClusterHaNatItem", "Outbound NAT rules by key."),
    dhcpFailover: mapOf("ClusterHaDhcpItem", "DHCP failovers by key."),
  },
  ClusterHealthCheck: {
    timeoutMs: int("Give up after this many ms. Default 60000."),
    pollMs: int("Pause between readings, ms. Default 1000."),
    requireHealthy: bool("Also require full health. Default false."),
    checkEveryUp: bool("Check on every up. Default true."),
  },
  ClusterBackupConfig: {
    name: str("The resource's name, for messages."),
    snapshot: secret({
      type: "object",
      description:
        "Set by the provider: both nodes' revision and library sections before the last up (for `pfsense-ha rollback`).",
    }),
  },
};

/** The aggregate's item types: the item components' resource inputs (the password apart). */
function aggregateItemTypes(): Record<string, Prop> {
  const object = (description: string, properties: Record<string, Prop>): Prop => ({
    type: "object",
    description,
    properties,
  });
  const { password: _password, ...vip } = resourceInputs("CarpVip");
  return {
    [`${PACKAGE}:index:ClusterHaVipItem`]: object("One CARP VIP of ClusterHaConfig.", vip),
    [`${PACKAGE}:index:ClusterHaNatItem`]: object(
      "One outbound NAT rule of ClusterHaConfig (`target` may name a VIP's key).",
      resourceInputs("OutboundNatRule"),
    ),
    [`${PACKAGE}:index:ClusterHaDhcpItem`]: object(
      "One DHCP failover of ClusterHaConfig (`vip` may name a VIP's key).",
      resourceInputs("DhcpFailover"),
    ),
  };
}

/** The aggregate component's item types: the item components' own inputs. */
function aggregateComponentItemTypes(): Record<string, Prop> {
  const object = (description: string, name: string): Prop => ({
    type: "object",
    description,
    properties: COMPONENT_INPUTS[name],
    required: COMPONENT_REQUIRED_INPUTS[name],
  });
  return {
    [`${PACKAGE}:index:ClusterHaConfigVip`]: object("One CARP VIP of ClusterHaConfig.", "CarpVip"),
    [`${PACKAGE}:index:ClusterHaConfigNat`]: object(
      "One outbound NAT rule of ClusterHaConfig.",
      "OutboundNatRule",
    ),
    [`${PACKAGE}:index:ClusterHaConfigDhcp`]: object(
      "One DHCP failover of ClusterHaConfig.",
      "DhcpFailover",
    ),
  };
}

function customResources(): Record<string, Prop> {
  const out: Record<string, Prop> = {};
  for (const k of RESOURCE_KINDS.values()) {
    const component = RESOURCE_OF[k.typeName];
    const inputs: Record<string, Prop> = component
      ? { name: str("The component's name, for messages."), ...resourceInputs(component) }
      : (OTHER_RESOURCE_INPUTS[k.typeName] ?? {});
    out[k.token] = {
      description: component
        ? `The resource behind ${component} (import ids: see the README).`
        : `The resource behind the ${TYPESCRIPT_COMPONENT_OF[k.typeName] ?? "ClusterHaConfig"} component (TypeScript).`,
      inputProperties: inputs,
      properties: component
        ? { ...inputs, ...(RESOURCE_OUTPUTS[k.typeName] ?? COMPONENT_OUTPUTS[component]) }
        : inputs,
      aliases: [{ type: k.legacyType }],
    };
  }
  return out;
}

function components(): Record<string, Prop> {
  const out: Record<string, Prop> = {};
  for (const [name, inputs] of Object.entries(COMPONENT_INPUTS)) {
    out[`${PACKAGE}:index:${name}`] = {
      isComponent: true,
      description: `${name} on both nodes of the cluster its provider reaches (pass the provider as \`providers\`).`,
      inputProperties: inputs,
      requiredInputs: COMPONENT_REQUIRED_INPUTS[name],
      properties: COMPONENT_OUTPUTS[name],
      required: COMPONENT_REQUIRED_OUTPUTS[name],
    };
  }
  return out;
}

/** The schema, as an object. */
export function packageSchema(version: string): Record<string, unknown> {
  return {
    name: PACKAGE,
    displayName: "pfSense HA",
    version,
    description:
      "A two-node pfSense high-availability cluster: CARP VIPs, pfsync and XML-RPC sync, outbound NAT, DHCP failover.",
    license: "Apache-2.0",
    config: { variables: providerInputs() },
    provider: {
      description:
        "One cluster: how to reach both nodes. Changing a password is an update of the provider alone.",
      inputProperties: providerInputs(),
      requiredInputs: ["primary", "secondary"],
    },
    types: {
      ...aggregateItemTypes(),
      ...aggregateComponentItemTypes(),
      [`${PACKAGE}:index:NodeEndpoint`]: endpointType(),
      [`${PACKAGE}:index:TlsOptions`]: {
        type: "object",
        description: "Trust for a node's certificate.",
        properties: {
          fingerprint256: str(
            "SHA-256 fingerprint pin of the certificate (recommended for pfSense's self-signed certificate).",
          ),
          caCertPem: str("A CA certificate, PEM."),
          insecureSkipTlsVerify: bool("No verification (lab only)."),
        },
      },
      [`${PACKAGE}:index:NodeDrift`]: {
        type: "object",
        description: "Differences between the nodes and the recorded state, per node.",
        properties: {
          primary: strs("Primary's drift lines."),
          secondary: strs("Secondary's drift lines."),
        },
      },
    },
    resources: { ...customResources(), ...components() },
    // supportPack: `gen-sdk --language go` writes the SDK's go.mod (module: importBasePath's
    // parent) and the version into its pulumi-plugin.json; respectSchemaVersion puts the version
    // into the SDK's resource options (tools/pulumi-engine/README.md).
    meta: { supportPack: true },
    language: {
      nodejs: { packageName: "pulumi-pfsense-ha" },
      go: {
        importBasePath: "example.com/pulumi-pfsense-ha/sdk/go/pfsenseha",
        generateResourceContainerTypes: false,
        respectSchemaVersion: true,
      },
    },
  };
}
