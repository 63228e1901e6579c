/**
 * Reading and editing an emulated node's config.xml tree directly (the "GUI" side of the tests),
 * independent of the client under test.
 */
import { cloneValue, leaf, toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import type { EmulatedNode } from "../../sdk/emulator";

/** The node's `<vip>` entries as raw structs. */
export function rawVips(n: EmulatedNode): PhpStruct[] {
  return toList(toStruct(n.config().virtualip).vip).map((v) => toStruct(v));
}

/** One VIP by uniqid. */
export function rawVip(n: EmulatedNode, uniqid: string): PhpStruct | undefined {
  return rawVips(n).find((v) => leaf(v.uniqid) === uniqid);
}

/** Outbound NAT rules as raw structs. */
export function rawNatRules(n: EmulatedNode): PhpStruct[] {
  const outbound = toStruct(toStruct(n.config().nat).outbound);
  return toList(outbound.rule).map((r) => toStruct(r));
}

/** Outbound NAT mode. */
export function rawNatMode(n: EmulatedNode): string {
  return leaf(toStruct(toStruct(n.config().nat).outbound).mode);
}

/** Edits the node's config like a GUI user (a revision, and the primary's auto-sync trigger). */
export function guiEdit(
  n: EmulatedNode,
  edit: (tree: PhpStruct) => void,
  message = "GUI edit",
): void {
  const tree = cloneValue(n.config()) as PhpStruct;
  edit(tree);
  n.writeConfigAs(tree, message);
}

/** Appends a VIP entry in a GUI edit. */
export function addRawVip(n: EmulatedNode, vip: PhpStruct): void {
  guiEdit(
    n,
    (tree) => {
      const section = toStruct(tree.virtualip);
      section.vip = [...toList(section.vip), vip];
      tree.virtualip = section;
    },
    "add VIP",
  );
}

/** Sets a member of one VIP (by uniqid) in a GUI edit. */
export function setRawVipField(n: EmulatedNode, uniqid: string, key: string, value: string): void {
  guiEdit(
    n,
    (tree) => {
      const section = toStruct(tree.virtualip);
      section.vip = toList(section.vip).map((v) => {
        const s = toStruct(v);
        return leaf(s.uniqid) === uniqid ? { ...s, [key]: value } : s;
      });
      tree.virtualip = section;
    },
    "edit VIP",
  );
}
