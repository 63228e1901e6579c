/**
 * The two parametrised exec_php snippets of the conditional write path (issue "Safe writes"):
 * pfSense has no compare-and-swap, so the library brings its own.
 *
 * - the **read** snippet returns chosen top-level sections together with a change token per
 *   section (an MD5 of it as parsed from one read of config.xml);
 * - the **conditional restore** snippet compares the tokens of the sections the edit depends on
 *   with config.xml as it is now and, only when they all match, runs the node's own `restore_config_section` in the same request, so the
 *   check and the write are decided on the node. xmlrpc.php holds its `xmlrpc` lock for the whole
 *   request (pfSense 2.5+ `src/usr/local/www/xmlrpc.php`, around `handleCall()`), so no other
 *   XML-RPC client, stack or sync push can run in between. GUI saves, cron jobs and packages do
 *   not take that lock, which leaves the time between the snapshot and restore's own
 *   write_config (milliseconds); the session checks items after every write for that reason.
 *
 * Parameters travel as base64 of JSON, so the code is plain ASCII whatever the config holds and
 * JSON's types map onto what XML-RPC would have delivered (strings, ints, `false` for removals,
 * objects with numeric keys for lists with holes). Each builder has a parser, so the emulator can
 * recognise exactly the code this module builds and nothing else.
 */
import type { PhpStruct } from "./phpValue";

/** A change token per top-level section (MD5 of PHP's serialize() of it, as parsed). */
export type SectionTokens = Record<string, string>;

/** Marker of the read snippet's reply. */
export const READ_MARKER = "pfsense-ha:read-sections:1";
/** Marker of the conditional restore snippet's reply. */
export const CONDITIONAL_RESTORE_MARKER = "pfsense-ha:conditional-restore:1";
/** pfSense's lock name the snippets take for themselves (never `config`: write_config takes it). */
export const LIBRARY_LOCK = "pfsenseha";

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v), "utf8").toString("base64");
const unb64 = (s: string): unknown => JSON.parse(Buffer.from(s, "base64").toString("utf8"));

/**
 * The snapshot both snippets take: config.xml's bytes read once and parsed from a private copy
 * (`parse_xml_config`, in every version; `parse_config(true)` is gone from master), so the content
 * and the tokens come from the same bytes. A token per section lets a write depend only on the
 * sections it writes or checks, so an unrelated save (vouchers, packages, another section the
 * GUI saved) is no conflict: restore merges into the fresh parse.
 */
function snapshotPrelude(hashNames: readonly string[]): string[] {
  return [
    "global $g, $config;",
    `$pfha_hash_names = json_decode(base64_decode('${b64(hashNames)}'), true);`,
    "$pfha_snapshot = function () use ($g, $pfha_hash_names) {",
    "  $xml = file_get_contents($g['cf_conf_path'] . '/config.xml');",
    "  $tmp = tempnam($g['tmp_path'], 'pfsenseha');",
    "  file_put_contents($tmp, $xml);",
    "  $cfg = parse_xml_config($tmp, 'pfsense');",
    "  @unlink($tmp);",
    "  $tokens = array();",
    "  foreach ($pfha_hash_names as $n) { $tokens[$n] = md5(serialize(isset($cfg[$n]) ? $cfg[$n] : null)); }",
    "  return array($cfg, $tokens);",
    "};",
  ];
}

const HASH_NAMES = /\$pfha_hash_names = json_decode\(base64_decode\('([A-Za-z0-9+/=]*)'\), true\);/;

/** The sections a token covers: what is read, less `revision` (it changes on every write). */
export function tokenSections(names: readonly string[]): string[] {
  return names.filter((n) => n !== "revision");
}

/**
 * The tokens of the sections the caller holds already. A reply leaves out each section whose
 * token is still that one: the caller has it, so neither the node nor the wire carries it again
 * (at 256 VIPs a read is otherwise ~200 KB that usually did not change since the last write).
 */
function knownLine(known: SectionTokens): string {
  return `$pfha_known = json_decode(base64_decode('${b64(known)}'), true);`;
}

const KNOWN = /\$pfha_known = json_decode\(base64_decode\('([A-Za-z0-9+/=]*)'\), true\);/;

/** Puts section `$pfha_n` into the reply unless the caller knows it at its current token. */
const UNLESS_KNOWN =
  "  if (isset($pfha_cfg[$pfha_n]) && !(isset($pfha_known[$pfha_n]) && isset($pfha_tokens[$pfha_n]) && $pfha_known[$pfha_n] === $pfha_tokens[$pfha_n])) { $pfha_sections[$pfha_n] = $pfha_cfg[$pfha_n]; }";

/**
 * Reads `names` and the change token of `tokenSections(names)` in one request, with the
 * node's `host_firmware_version()` (pfsense-utils.inc, what the XML-RPC method of that name
 * returns; in every version from 2.4), so a first read needs no call of its own for it. A
 * section whose token is in `known` unchanged is left out of the reply (see {@link knownLine}).
 */
export function buildReadSnippet(names: readonly string[], known: SectionTokens = {}): string {
  return [
    ...snapshotPrelude(tokenSections(names)),
    `$pfha_names = json_decode(base64_decode('${b64(names)}'), true);`,
    knownLine(known),
    "list($pfha_cfg, $pfha_tokens) = $pfha_snapshot();",
    "$pfha_sections = array();",
    "foreach ($pfha_names as $pfha_n) {",
    UNLESS_KNOWN,
    "}",
    "$toreturn = array(",
    "  'sections' => $pfha_sections,",
    "  'tokens' => $pfha_tokens,",
    "  'firmware' => host_firmware_version(),",
    `  'marker' => '${READ_MARKER}',`,
    ");",
  ].join("\n");
}

/** The parameters of a read snippet, or undefined when `code` is not exactly one. */
export function parseReadSnippet(
  code: string,
): { names: string[]; known: SectionTokens } | undefined {
  const m = /\$pfha_names = json_decode\(base64_decode\('([A-Za-z0-9+/=]*)'\), true\);/.exec(code);
  const k = KNOWN.exec(code);
  if (!m || !k) return undefined;
  try {
    const names = unb64(m[1]);
    const known = unb64(k[1]) as SectionTokens;
    if (!Array.isArray(names) || !names.every((n) => typeof n === "string")) return undefined;
    return buildReadSnippet(names, known) === code ? { names, known } : undefined;
  } catch {
    return undefined;
  }
}

/** What the conditional restore carries. */
export interface ConditionalRestore {
  /**
   * The tokens the edit was based on, for the sections that must not have changed (those it
   * writes and those its checks read), from the read snippet.
   */
  expected: SectionTokens;
  /** Every section a token is computed for ({@link tokenSections} of what was read). */
  tokenSections: string[];
  /** The restore_config_section payload. */
  sections: PhpStruct;
  /** Trailing timeout passed to restore, seconds (pfSense's own sender uses 900). */
  timeoutS: number;
  /** Tokens of sections the caller holds: left out of the read-back while unchanged. */
  known: SectionTokens;
  /**
   * Config History text for the write ("" keeps restore's "Merged in config (…)"). Set by
   * re-stamping the revision restore wrote: `write_config($desc, false, true)` (config.lib.inc)
   * replaces the current revision without a second backup and without another sync trigger.
   */
  description: string;
}

/** The outcome the conditional restore snippet reports. */
export type ConditionalRestoreStatus = "applied" | "conflict" | "loop";

/**
 * Applies `sections` through the node's own restore only if every section in `expected` still
 * has its token. Reply: `{status, tokens, sections, marker}`: the tokens and the sections (plus
 * `revision`) as they are after the call, so the write needs no separate read-back; sections
 * still at their `known` token are left out (the caller has them). `loop`:
 * the caller is the node's own sync target, so restore would refuse to write (loop protection).
 * No config lock is held around restore: write_config takes `config` itself and pfSense's lock()
 * is not reentrant (a second flock on a new handle would wait for the first forever).
 */
export function buildConditionalRestoreSnippet(r: ConditionalRestore): string {
  return [
    ...snapshotPrelude(r.tokenSections),
    `$pfha_expected = json_decode(base64_decode('${b64(r.expected)}'), true);`,
    knownLine(r.known),
    `$pfha_lock = lock('${LIBRARY_LOCK}', LOCK_EX);`,
    "list($pfha_cfg, $pfha_tokens) = $pfha_snapshot();",
    "$pfha_same = true;",
    "foreach ($pfha_expected as $pfha_n => $pfha_h) {",
    "  if (!isset($pfha_tokens[$pfha_n]) || $pfha_tokens[$pfha_n] !== $pfha_h) { $pfha_same = false; }",
    "}",
    "$pfha_status = 'conflict';",
    "if ($this->loop_detected) {",
    "  $pfha_status = 'loop';",
    "} elseif ($pfha_same) {",
    "  $config = $pfha_cfg;",
    `  $pfha_payload = json_decode(base64_decode('${b64(r.sections)}'), true);`,
    `  $this->restore_config_section($pfha_payload, ${Math.trunc(r.timeoutS)});`,
    "  $pfha_status = 'applied';",
    `  $pfha_desc = base64_decode('${Buffer.from(r.description, "utf8").toString("base64")}');`,
    "  if ($pfha_desc !== '') { write_config($pfha_desc, false, true); }",
    "  list($pfha_cfg, $pfha_tokens) = $pfha_snapshot();",
    "}",
    "unlock($pfha_lock);",
    // The sections as they are now: the caller's read-back, in the same request.
    "$pfha_sections = array();",
    "foreach (array_merge(array('revision'), $pfha_hash_names) as $pfha_n) {",
    UNLESS_KNOWN,
    "}",
    "$toreturn = array(",
    "  'status' => $pfha_status,",
    "  'tokens' => $pfha_tokens,",
    "  'sections' => $pfha_sections,",
    `  'marker' => '${CONDITIONAL_RESTORE_MARKER}',`,
    ");",
  ].join("\n");
}

/** The parameters of a conditional restore snippet, or undefined when `code` is not one. */
export function parseConditionalRestoreSnippet(code: string): ConditionalRestore | undefined {
  const h = HASH_NAMES.exec(code);
  const t = /\$pfha_expected = json_decode\(base64_decode\('([A-Za-z0-9+/=]*)'\), true\);/.exec(
    code,
  );
  const p = /\$pfha_payload = json_decode\(base64_decode\('([A-Za-z0-9+/=]*)'\), true\);/.exec(
    code,
  );
  const s = /\$this->restore_config_section\(\$pfha_payload, (\d+)\);/.exec(code);
  const d = /\$pfha_desc = base64_decode\('([A-Za-z0-9+/=]*)'\);/.exec(code);
  const k = KNOWN.exec(code);
  if (!h || !t || !p || !s || !d || !k) return undefined;
  try {
    const r: ConditionalRestore = {
      expected: unb64(t[1]) as SectionTokens,
      tokenSections: unb64(h[1]) as string[],
      sections: unb64(p[1]) as PhpStruct,
      timeoutS: Number(s[1]),
      description: Buffer.from(d[1], "base64").toString("utf8"),
      known: unb64(k[1]) as SectionTokens,
    };
    return buildConditionalRestoreSnippet(r) === code ? r : undefined;
  } catch {
    return undefined;
  }
}
