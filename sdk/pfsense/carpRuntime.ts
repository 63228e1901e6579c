/**
 * Decoding of the replies of the fixed exec_php snippets (sdk/codec/phpSnippets.ts, §8).
 * Each snippet returns a struct with a `marker`; a plain `true` means `$toreturn` was never set,
 * i.e. the snippet did not run as intended (§4.2: falsy results come back as `true`).
 */
import { haError } from "../plan/errors";
import { isStruct, leaf, toList, toStruct, type PhpStruct, type PhpValue } from "../codec/phpValue";
import type { CarpRuntimeStatus } from "./types";

/** Markers the snippets put into their replies. */
export const MARKERS = {
  carpStatus: "pfsense-ha:carp-status:1",
  maintenance: "pfsense-ha:maintenance:1",
  notices: "pfsense-ha:notices:1",
} as const;

/** Checks the marker of a snippet reply and returns it as a struct. */
export function expectMarked(
  reply: PhpValue,
  marker: string,
  what: string,
  field: string,
): PhpStruct {
  if (reply === true) {
    throw haError({
      code: "E_MALFORMED_REPLY",
      message: `exec_php (${what}) returned plain true: the snippet did not set $toreturn, so it did not run as sent (a PHP error, a filtered call, or a node that is not pfSense)`,
      field,
      fix: "see the node's PHP error log (Status > System Logs); the snippets need pfSense 2.4 or later",
    });
  }
  if (!isStruct(reply) || leaf(reply.marker) !== marker) {
    throw haError({
      code: "E_MALFORMED_REPLY",
      message: `exec_php (${what}) returned an unexpected value without the marker "${marker}"`,
      field,
      value: JSON.stringify(reply)?.slice(0, 120),
      fix: "check that the URL points at pfSense's /xmlrpc.php",
    });
  }
  return reply;
}

const STATES = new Set(["MASTER", "BACKUP", "INIT", ""]);

/** Decodes the carpStatus snippet's reply. */
export function decodeCarpStatus(reply: PhpValue, field: string): CarpRuntimeStatus {
  const s = expectMarked(reply, MARKERS.carpStatus, "CARP status", field);
  const vips: CarpRuntimeStatus["vips"] = {};
  // An empty PHP array comes back as an XML-RPC array (§2.2): treat it as "no VIPs".
  for (const [uniqid, state] of Object.entries(toStruct(s.vips))) {
    const st = leaf(state).toUpperCase();
    vips[uniqid] = (STATES.has(st) ? st : "") as CarpRuntimeStatus["vips"][string];
  }
  return {
    allow: s.allow === true || s.allow === 1 || s.allow === "1",
    demotion: Number(leaf(s.demotion)) || 0,
    maintenance: s.maintenance === true || s.maintenance === 1 || s.maintenance === "1",
    vips,
  };
}

/** Decodes the maintenance snippets' reply; checks that the mode is what was asked. */
export function decodeMaintenance(reply: PhpValue, on: boolean, field: string): void {
  const s = expectMarked(
    reply,
    MARKERS.maintenance,
    on ? "maintenance on" : "maintenance off",
    field,
  );
  const got = s.maintenance === true || s.maintenance === 1 || s.maintenance === "1";
  if (got !== on) {
    throw haError({
      code: "E_VERIFY",
      message: `maintenance mode should be ${on ? "on" : "off"} but the node reports ${got ? "on" : "off"}`,
      field,
      fix: "retry; check Status > CARP on the node",
    });
  }
}

/** Decodes the syncNotices snippet's reply into notice texts. */
export function decodeSyncNotices(reply: PhpValue, field: string): string[] {
  const s = expectMarked(reply, MARKERS.notices, "sync notices", field);
  return toList(s.notices).map((n) => {
    if (isStruct(n)) {
      const notice = leaf(n.notice) || leaf(n.msg) || leaf(n.message);
      return notice || JSON.stringify(n);
    }
    return leaf(n);
  });
}
