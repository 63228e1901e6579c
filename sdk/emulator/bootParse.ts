/**
 * Two things pfSense does to a config.xml as it boots that the plain codec does not:
 * - xmlparse.inc `endElement()` pops a zero-length entry of a list tag as it parses, so the
 *   factory `<dnsserver></dnsserver>` is gone from the first written config;
 * - config.lib.inc `convert_config()` (2.4.x–2.7.x) creates `system/already_run_config_upgrade`
 *   (an empty array, written as an empty element) whenever it upgrades `<version>`; master reads
 *   it with a default instead and no longer creates it.
 */
import { LIST_TAGS } from "../codec/configXml";
import { isStruct, type PhpStruct, type PhpValue } from "../codec/phpValue";

/** Removes zero-length entries of list tags at any depth (in place); returns the tree. */
export function dropEmptyListEntries(tree: PhpStruct): PhpStruct {
  for (const [k, v] of Object.entries(tree)) {
    if (LIST_TAGS.has(k.toLowerCase())) {
      const kept = (Array.isArray(v) ? v : [v]).filter((x) => x !== "");
      if (kept.length === 0) delete tree[k];
      else tree[k] = Array.isArray(v) ? kept : (kept[0] as PhpValue);
    }
    const now = tree[k];
    for (const x of Array.isArray(now) ? now : [now]) if (isStruct(x)) dropEmptyListEntries(x);
  }
  return tree;
}

/** convert_config()'s marker, added when a version upgrade runs (not on master). */
export function markConfigUpgrade(tree: PhpStruct, master: boolean): void {
  if (master) return;
  const sys = isStruct(tree.system) ? tree.system : {};
  if (!isStruct(sys.already_run_config_upgrade)) sys.already_run_config_upgrade = "";
  tree.system = sys;
}
