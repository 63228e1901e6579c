/**
 * A fleet of sites (package subpath `pulumi-pfsense-ha/fleet`): one Pulumi stack per HA pair,
 * driven with the Automation API over one per-site project, with bounded parallelism.
 */
export { parseSites, readSitesFile, siteSecrets } from "./sites";
export type { FleetNode, FleetSite, FleetSites } from "./sites";
export { siteStackConfig } from "./siteConfig";
export { countChanges, runSite } from "./runSite";
export type { FleetOperation, RunSiteOptions, SiteResult } from "./runSite";
export { runFleet, secretScrubber } from "./runFleet";
export type { FleetOptions, FleetReport } from "./runFleet";
export { formatFleetSummary } from "./formatFleet";
