/**
 * createNodeClient: the typed XML-RPC API of one pfSense node (§4). Every method sends the
 * trailing timeout int (§4: required on 2.5.2+, ignored elsewhere). Reads are idempotent and
 * retried on transport failures; writes (restore, interfaces_carp_configure, exec_php with
 * arbitrary code, maintenance mode) are never retried.
 */
import { haError } from "../plan/errors";
import { isStruct, type PhpStruct, type PhpValue } from "../codec/phpValue";
import {
  PHP_CARP_STATUS,
  PHP_MAINTENANCE_OFF,
  PHP_MAINTENANCE_ON,
  PHP_SYNC_NOTICES,
} from "../codec/phpSnippets";
import {
  CONDITIONAL_RESTORE_MARKER,
  READ_MARKER,
  buildConditionalRestoreSnippet,
  buildReadSnippet,
  tokenSections,
} from "../codec/conditionalSnippets";
import type { ClientStats, NodeClient, NodeEndpoint } from "./types";
import { callNode } from "./transport";
import { parseFirmwareInfo } from "./version";
import { decodeCarpStatus, decodeMaintenance, decodeSyncNotices } from "./carpRuntime";
import { nodeLabel } from "./endpointLabel";

/** Trailing timeout (seconds) sent with every call, as pfSense's own client does (§2.4, §6.5). */
export const DEFAULT_REMOTE_TIMEOUT_S = 240;
/** Trailing timeout (seconds) for restore_config_section (§6.2 step 7). */
export const RESTORE_REMOTE_TIMEOUT_S = 900;

/** Creates a client for one node. No I/O happens until a method is called. */
export function createNodeClient(ep: NodeEndpoint): NodeClient {
  const stats: ClientStats = { calls: 0, bytesSent: 0, bytesReceived: 0 };
  const field = nodeLabel(ep);
  const call = (
    method: string,
    param: PhpValue,
    idempotent: boolean,
    t = DEFAULT_REMOTE_TIMEOUT_S,
  ): Promise<unknown> => callNode(ep, stats, `pfsense.${method}`, [param, t], { idempotent });
  const expectTrue = (method: string, v: unknown): void => {
    if (v !== true) {
      throw haError({
        code: "E_MALFORMED_REPLY",
        message: `pfsense.${method} returned ${JSON.stringify(v)?.slice(0, 80)} instead of true`,
        field,
        fix: "check that the URL points at pfSense's /xmlrpc.php",
      });
    }
  };
  const malformed = (what: string, v: unknown) =>
    haError({
      code: "E_MALFORMED_REPLY",
      // The reply may hold config secrets, so only its shape is named.
      message: `pfsense.exec_php with ${what} returned ${Array.isArray(v) ? "an array" : typeof v} that is not the snippet's reply (marker, status, sections and tokens)`,
      field,
      fix: "check that the URL points at pfSense's /xmlrpc.php and that the node runs pfSense 2.5 or later",
    });
  // An empty PHP array travels as an empty XML-RPC array, not a struct (§4.4).
  const struct = (x: PhpValue | undefined): PhpValue | undefined =>
    Array.isArray(x) && x.length === 0 ? {} : x;
  const tokenRead = (r: PhpStruct, what: string) => {
    const sections = struct(r.sections);
    const tokens = struct(r.tokens);
    if (!isStruct(sections) || !isStruct(tokens)) throw malformed(what, r);
    if (!Object.values(tokens).every((t) => typeof t === "string")) throw malformed(what, r);
    return { sections, tokens: tokens as Record<string, string> };
  };
  return {
    endpoint: ep,
    stats,
    async firmwareVersion() {
      return parseFirmwareInfo(await call("host_firmware_version", "", true));
    },
    async backupSections(names: string[]) {
      const v = await call("backup_config_section", names, true);
      // None of the names exist → empty PHP array → empty XML-RPC array (§4.4).
      if (Array.isArray(v) && v.length === 0) return {};
      if (!isStruct(v as PhpValue)) {
        throw haError({
          code: "E_MALFORMED_REPLY",
          message: "pfsense.backup_config_section did not return a struct",
          field,
          value: JSON.stringify(v)?.slice(0, 80),
          fix: "check that the URL points at pfSense's /xmlrpc.php",
        });
      }
      return v as PhpStruct;
    },
    async restoreSections(sections: PhpStruct) {
      expectTrue(
        "restore_config_section",
        await call("restore_config_section", sections, false, RESTORE_REMOTE_TIMEOUT_S),
      );
    },
    async readWithToken(names: string[], known: Record<string, string> = {}) {
      const v = await call("exec_php", buildReadSnippet(names, known), true);
      // `true`: the snippet left no $toreturn, so exec_php is not running our code (§4.2).
      if (v === true) return undefined;
      const r = v as PhpStruct;
      if (!isStruct(v) || r.marker !== READ_MARKER) throw malformed("the read snippet", v);
      if (!isStruct(r.firmware)) throw malformed("the read snippet", v);
      return { ...tokenRead(r, "the read snippet"), firmware: parseFirmwareInfo(r.firmware) };
    },
    async conditionalRestore(
      expected: Record<string, string>,
      readNames: string[],
      sections: PhpStruct,
      description = "",
      known: Record<string, string> = {},
    ) {
      const code = buildConditionalRestoreSnippet({
        expected,
        tokenSections: tokenSections(readNames),
        sections,
        timeoutS: RESTORE_REMOTE_TIMEOUT_S,
        description,
        known,
      });
      const v = await call("exec_php", code, false, RESTORE_REMOTE_TIMEOUT_S);
      const r = v as PhpStruct;
      if (!isStruct(v) || r.marker !== CONDITIONAL_RESTORE_MARKER) {
        throw malformed("the conditional restore snippet", v);
      }
      const status = r.status;
      if (status !== "applied" && status !== "conflict" && status !== "loop") {
        throw malformed("the conditional restore snippet", v);
      }
      return { status, after: tokenRead(r, "the conditional restore snippet") };
    },
    async interfacesCarpConfigure() {
      expectTrue("interfaces_carp_configure", await call("interfaces_carp_configure", "", false));
    },
    async execPhp(code: string) {
      return (await call("exec_php", code, false)) as PhpValue;
    },
    async carpStatus() {
      return decodeCarpStatus((await call("exec_php", PHP_CARP_STATUS, true)) as PhpValue, field);
    },
    async setMaintenanceMode(on: boolean) {
      const v = await call("exec_php", on ? PHP_MAINTENANCE_ON : PHP_MAINTENANCE_OFF, false);
      decodeMaintenance(v as PhpValue, on, field);
    },
    async syncNotices() {
      return decodeSyncNotices((await call("exec_php", PHP_SYNC_NOTICES, true)) as PhpValue, field);
    },
  };
}
