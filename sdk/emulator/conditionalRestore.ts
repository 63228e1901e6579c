/**
 * The emulator's answers to the library's conditional-write snippets (sdk/codec/
 * conditionalSnippets.ts). Only code exactly as the builders produce it is honoured; anything
 * else falls through to exec_php's default (`true`, recorded), as unknown PHP would.
 *
 * What is modelled, from pfSense 2.7.2:
 * - the snippet parses config.xml as it is on disk (`parse_xml_config`), which is the emulator's
 *   tree after its last commit, and hashes the sections the library reads;
 * - `$this->loop_detected` is tested first: restore would refuse to write (xmlrpc.php);
 * - `$this->restore_config_section()` is the server object's own method (xmlrpc.php,
 *   `pfsense_xmlrpc_server`), so the restore semantics and its revision text are the node's;
 * - the whole request runs under xmlrpc.php's `xmlrpc` lock (the emulator's request lock), and
 *   the emulator's GUI saves (`writeConfigAs`, faults) run between requests, never inside one.
 */
import { createHash } from "node:crypto";
import {
  CONDITIONAL_RESTORE_MARKER,
  READ_MARKER,
  parseConditionalRestoreSnippet,
  parseReadSnippet,
  tokenSections,
} from "../codec/conditionalSnippets";
import type { PhpStruct } from "../codec/phpValue";

/** What the handlers need of a node (EmulatedNode implements it). */
export interface ConditionalWriteHost {
  /** The config as parsed from config.xml now. */
  config(): PhpStruct;
  /** `host_firmware_version()` (pfsense-utils.inc) on this node. */
  firmwareInfo(): PhpStruct;
  /** The node's own restore_config_section, as called by the server object. */
  restoreAsServer(payload: PhpStruct, sourceIp: string): void;
  /** `write_config($desc, false, true)`: a new current revision, no backup, no sync trigger. */
  restampRevision(description: string, sourceIp: string): void;
  /** `$this->loop_detected`: the caller is the node's own sync target (§3.4). */
  loopDetectedFor(sourceIp: string): boolean;
  /** A GUI save, when the fault `kind` is armed (returns whether it fired). */
  guiEditIfArmed(kind: "concurrentEdit"): boolean;
  registerExecPhp(
    match: (code: string) => boolean,
    handler: (ctx: { code: string; sourceIp: string }) => unknown,
  ): void;
}

/**
 * The token of each of `names` in `cfg`. pfSense's snippet hashes PHP's serialize() of each;
 * the emulator's own stable encoding serves the same purpose (the client treats tokens as
 * opaque and only compares them).
 */
function sectionTokens(cfg: PhpStruct, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    out[n] = createHash("md5")
      .update(JSON.stringify(cfg[n] ?? null))
      .digest("hex");
  }
  return out;
}

/** The snippets' reply sections: each of `names` the node has, unless the caller knows its token. */
function unlessKnown(
  cfg: PhpStruct,
  names: readonly string[],
  tokens: Record<string, string>,
  known: Record<string, string>,
): PhpStruct {
  const out: PhpStruct = {};
  for (const n of names) {
    if (cfg[n] === undefined) continue;
    if (tokens[n] !== undefined && known[n] === tokens[n]) continue;
    out[n] = cfg[n];
  }
  return out;
}

/** Registers the read and conditional restore snippet handlers on `node`. */
export function registerConditionalWriteHandlers(node: ConditionalWriteHost): void {
  node.registerExecPhp(
    (code) => parseReadSnippet(code) !== undefined,
    ({ code }) => {
      const { names, known } = parseReadSnippet(code)!;
      const cfg = node.config();
      const tokens = sectionTokens(cfg, tokenSections(names));
      const sections = unlessKnown(cfg, names, tokens, known);
      // The same GUI save after a read as for backup_config_section (faults.concurrentEditAfterRead).
      node.guiEditIfArmed("concurrentEdit");
      return { sections, tokens, firmware: node.firmwareInfo(), marker: READ_MARKER };
    },
  );
  node.registerExecPhp(
    (code) => parseConditionalRestoreSnippet(code) !== undefined,
    ({ code, sourceIp }) => {
      const r = parseConditionalRestoreSnippet(code)!;
      let tokens = sectionTokens(node.config(), r.tokenSections);
      const same = Object.entries(r.expected).every(([n, t]) => tokens[n] === t);
      let status = "conflict";
      if (node.loopDetectedFor(sourceIp)) status = "loop";
      else if (same) {
        node.restoreAsServer(r.sections, sourceIp);
        status = "applied";
        if (r.description !== "") node.restampRevision(r.description, sourceIp);
        tokens = sectionTokens(node.config(), r.tokenSections);
      }
      const sections = unlessKnown(
        node.config(),
        ["revision", ...r.tokenSections],
        tokens,
        r.known,
      );
      return { status, tokens, sections, marker: CONDITIONAL_RESTORE_MARKER };
    },
  );
}
