/** `interfaces` codec, read only (the library never writes interfaces, §7.1). */
import type { InterfaceConfig } from "../../plan/model";
import { flagIsSet, isStruct, leaf, toStruct, type PhpValue } from "../../codec/phpValue";

function intOrUndefined(v: PhpValue | undefined): number | undefined {
  const s = leaf(v).trim();
  return /^\d+$/.test(s) ? Number(s) : undefined;
}

/** Decodes every assignment (`wan`, `lan`, `optN`). */
export function decodeInterfaces(section: PhpValue | undefined): Record<string, InterfaceConfig> {
  const out: Record<string, InterfaceConfig> = {};
  for (const [name, v] of Object.entries(toStruct(section))) {
    const raw = isStruct(v) ? v : {};
    const i: InterfaceConfig = { name, enable: flagIsSet(raw.enable) };
    if (leaf(raw.if)) i.device = leaf(raw.if);
    if (raw.descr !== undefined) i.descr = leaf(raw.descr);
    if (leaf(raw.ipaddr)) i.ipaddr = leaf(raw.ipaddr);
    const subnet = intOrUndefined(raw.subnet);
    if (subnet !== undefined) i.subnet = subnet;
    if (leaf(raw.ipaddrv6)) i.ipaddrv6 = leaf(raw.ipaddrv6);
    const subnetv6 = intOrUndefined(raw.subnetv6);
    if (subnetv6 !== undefined) i.subnetv6 = subnetv6;
    out[name] = i;
  }
  return out;
}
