/**
 * The Kea HA e2e program (tests/e2e/keaHa.test.ts, README output): a LAN CARP VIP, HA sync with
 * the default areas and a DhcpFailover on lan, on a pair whose nodes were switched to Kea by hand.
 */
import * as pulumi from "@pulumi/pulumi";
import type { automation } from "@pulumi/pulumi";
import * as ha from "../../sdk";
import type { EmulatedNode } from "../../sdk/emulator";
import { toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { stackNodes } from "./clusterProgram";
import { editConfig } from "./nodeConfig";

export function program(): automation.PulumiFn {
  return async () => {
    const cluster = new ha.Cluster({ ...stackNodes(), syncWaitSeconds: 3 });
    const config = new pulumi.Config();
    const lan = new ha.CarpVip("lan", {
      cluster,
      interface: "lan",
      subnet: "192.168.99.0/24",
      address: "192.168.99.254",
      password: pulumi.secret("KeaCarpPw1"),
    });
    new ha.HaSyncSettings("sync", {
      cluster,
      syncInterface: "opt1",
      username: config.require("secondaryUsername"),
      password: config.requireSecret("secondaryPassword"),
    });
    const dhcp = new ha.DhcpFailover("lan-dhcp", {
      cluster,
      interface: "lan",
      vip: lan,
      rangeFrom: "192.168.99.10",
      rangeTo: "192.168.99.99",
    });
    return {
      backend: dhcp.dhcpBackend,
      primaryRole: dhcp.primaryRole,
      secondaryRole: dhcp.secondaryRole,
      primaryPeer: dhcp.primaryPeer,
      secondaryPeer: dhcp.secondaryPeer,
    };
  };
}

/** Switches a node to Kea and names it (System > General / Advanced > Networking by hand). */
export function useKea(node: EmulatedNode, hostname: string, kea?: PhpStruct): void {
  editConfig(node, (tree) => {
    tree.dhcpbackend = "kea";
    toStruct(tree.system).hostname = hostname;
    if (kea) tree.kea = kea;
  });
}
