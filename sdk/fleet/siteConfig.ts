/**
 * A site's stack config for the per-site project: the keys examples/two-node-cluster reads
 * (`<role>Url`, `<role>Username`, `<role>Password` as a secret, `<role>Fingerprint` or
 * `<role>CaCertFile`), then the site's own `config` (plain) and `secrets` (secret).
 */
import type { automation } from "@pulumi/pulumi";
import type { FleetSite } from "./sites";

/** The stack config of one site; passwords and `secrets` are marked secret. */
export function siteStackConfig(site: FleetSite): automation.ConfigMap {
  const out: automation.ConfigMap = {};
  for (const role of ["primary", "secondary"] as const) {
    const n = site[role];
    out[`${role}Url`] = { value: n.url };
    out[`${role}Username`] = { value: n.username };
    out[`${role}Password`] = { value: n.password, secret: true };
    if (n.fingerprint256) out[`${role}Fingerprint`] = { value: n.fingerprint256 };
    if (n.caCertFile) out[`${role}CaCertFile`] = { value: n.caCertFile };
  }
  for (const [k, v] of Object.entries(site.config)) out[k] = { value: v };
  for (const [k, v] of Object.entries(site.secrets)) out[k] = { value: v, secret: true };
  return out;
}
