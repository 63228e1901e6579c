/**
 * `filter` codec: `filter/rule` is modelled (type, interface, protocol, source, destination,
 * description, tracker, disabled, nosync); every other member of a rule (`created`, `updated`,
 * `log`, `statetype`, `max-src-*`, `gateway`, ...) is kept verbatim, in its stored order, and every
 * other member of the section (`separator`, ...) is carried through from the node's read.
 *
 * The receiver replaces `<filter>` wholesale (pfSense 2.7.2 xmlrpc.php `restore_config_section`,
 * `$sync_full_sections`; §5.2), so the payload is always the whole section, every rule in order.
 * Field forms follow the GUI's writer (firewall_rules_edit.php at RELENG_2_7_2: `$filterent`;
 * util.inc `pconfig_to_address()`): a host is `address` without `/32`, a special network
 * (`opt1`, `opt1ip`, `(self)`) is `network`, `any` / `not` are presence flags, `port` a port or
 * range `a-b`.
 */
import type { FilterAddress, FilterRule } from "../../plan/model";
import {
  cloneValue,
  flagIsSet,
  isStruct,
  leaf,
  toList,
  toStruct,
  type PhpStruct,
  type PhpValue,
} from "../../codec/phpValue";
import { decodeItem, encodeItem, flag, str, type FieldSpec } from "./fieldCodec";

function decodeAddress(v: PhpValue | undefined): FilterAddress {
  const raw = toStruct(v);
  const a: FilterAddress = {};
  if (flagIsSet(raw.any)) a.any = true;
  if (raw.address !== undefined) a.address = leaf(raw.address);
  if (raw.network !== undefined) a.network = leaf(raw.network);
  if (flagIsSet(raw.not)) a.not = true;
  if (raw.port !== undefined) a.port = leaf(raw.port);
  return a;
}

/** The GUI's member order: any | network | address, then not, then port. */
function encodeAddress(a: FilterAddress): PhpStruct {
  const out: PhpStruct = {};
  if (a.any) out.any = "";
  if (a.network !== undefined) out.network = a.network;
  if (a.address !== undefined) out.address = a.address;
  if (a.not) out.not = "";
  if (a.port !== undefined) out.port = a.port;
  return out;
}

function address(key: "source" | "destination"): FieldSpec<FilterRule, unknown> {
  return {
    keys: [key],
    fields: [key],
    decode: (raw) => ({ [key]: decodeAddress(raw[key]) }),
    encode: (m) => ({ [key]: encodeAddress(m[key]) }),
  };
}

const RULE_FIELDS: readonly FieldSpec<FilterRule, unknown>[] = [
  str("tracker", "tracker"),
  str("type", "type", true),
  str("interface", "interface", true),
  str("ipprotocol", "ipProtocol"),
  str("protocol", "protocol"),
  address("source"),
  address("destination"),
  flag("disabled", "disabled", ""),
  str("descr", "descr"),
  flag("nosync", "nosync", ""),
];

/** Decodes one `filter/rule`. */
export function decodeFilterRule(raw: PhpStruct): FilterRule {
  return decodeItem<FilterRule, unknown>(raw, RULE_FIELDS, undefined);
}

/** Encodes one `filter/rule` (members the model does not own come back verbatim, in order). */
export function encodeFilterRule(r: FilterRule): PhpStruct {
  return encodeItem<FilterRule, unknown>(r, RULE_FIELDS, undefined);
}

/** Decodes every `filter/rule`, in order. */
export function decodeFilter(section: PhpValue | undefined): FilterRule[] {
  return toList(toStruct(section).rule)
    .filter(isStruct)
    .map((r) => decodeFilterRule(r));
}

/**
 * The complete `filter` section: the rules from the model, every other member from `current`
 * (the section as read from the node), untouched and in place.
 */
export function encodeFilter(rules: FilterRule[], current: PhpValue | undefined): PhpStruct {
  const filter: PhpStruct = isStruct(current) ? cloneValue(current) : {};
  if (rules.length > 0) filter.rule = rules.map((r) => encodeFilterRule(r));
  else delete filter.rule;
  return filter;
}
