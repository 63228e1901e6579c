/**
 * CARP VIP identity. pfSense identifies a VIP by its PHP `uniqid()` (13 hex digits); stacked IP
 * aliases refer to it as `_vip<uniqid>`, and the sync sender copies it unchanged to the secondary
 * (§6.4), so it is stable on both nodes and is the resource id.
 */
import { randomBytes } from "node:crypto";

/** A fresh identifier in PHP uniqid() format (13 lowercase hex digits), random rather than
 * time-based so that parallel creates never collide. */
export function newUniqid(): string {
  return randomBytes(7).toString("hex").slice(0, 13);
}
