/**
 * `ipsec` codec: `ipsec/phase1` is modelled (ikeid, interface, descr, disabled); every other
 * member of a phase 1 (pre-shared key, proposals, peer, ...) is kept verbatim in its stored
 * order, and every other member of the section (`phase2`, `client`, `mobilekey`, ...) is carried
 * through from the node's read.
 *
 * The receiver replaces `<ipsec>` wholesale (pfSense 2.7.2 xmlrpc.php `restore_config_section`,
 * `$sync_full_sections`; §5.2) and runs `ipsec_configure()` on any change (xmlrpc.php
 * `filter_configure()`, redmine #12075), so the payload is always the whole section.
 */
import type { IpsecPhase1 } from "../../plan/model";
import {
  cloneValue,
  isStruct,
  toList,
  toStruct,
  type PhpStruct,
  type PhpValue,
} from "../../codec/phpValue";
import { decodeItem, encodeItem, flag, str, type FieldSpec } from "./fieldCodec";

const PHASE1_FIELDS: readonly FieldSpec<IpsecPhase1, unknown>[] = [
  str("ikeid", "ikeid", true),
  str("interface", "interface"),
  str("descr", "descr"),
  flag("disabled", "disabled", ""),
];

/** Decodes one `<phase1>`. */
export function decodeIpsecPhase1(raw: PhpStruct): IpsecPhase1 {
  return decodeItem<IpsecPhase1, unknown>(raw, PHASE1_FIELDS, undefined);
}

/** Encodes one phase 1 (unmodelled members as read, in their order). */
export function encodeIpsecPhase1(p: IpsecPhase1): PhpStruct {
  return encodeItem<IpsecPhase1, unknown>(p, PHASE1_FIELDS, undefined);
}

/** The phase 1 entries of the section (`""` or absent → none). */
export function decodeIpsec(section: PhpValue | undefined): IpsecPhase1[] {
  return toList(toStruct(section).phase1).filter(isStruct).map(decodeIpsecPhase1);
}

/**
 * The complete `ipsec` section: phase 1 entries from the model, every other member from
 * `current` (the section as read from the node), untouched and in place.
 */
export function encodeIpsec(phase1: IpsecPhase1[], current: PhpValue | undefined): PhpStruct {
  const out: PhpStruct = isStruct(current) ? cloneValue(current) : {};
  if (phase1.length > 0) out.phase1 = phase1.map(encodeIpsecPhase1);
  else delete out.phase1;
  return out;
}

/** The interface pfSense uses for a phase 1: `wan` when none is stored. */
export function effectivePhase1Interface(p: IpsecPhase1): string {
  return p.interface === undefined || p.interface === "" ? "wan" : p.interface;
}
