/**
 * pulumi-pfsense-ha: declare a two-node pfSense HA cluster in a Pulumi program.
 *
 * Components (type tokens `pfsense-ha:index:<Name>`): {@link CarpVip}, {@link HaSyncSettings},
 * {@link OutboundNatRule}, {@link DhcpFailover}, all taking a {@link Cluster}. The planning core
 * (pure functions, no I/O) is exported too, as is the library's error family.
 */
export * from "./components";
export * from "./plan";
export type { TlsOptions } from "./pfsense/types";
export type { NodeDrift } from "./providers/nodeDrift";
