/**
 * Recognises a PHP error in a non-XML reply body. pfSense 2.4.x–2.7.x run PHP with
 * `display_errors=on` (src/etc/rc.php_ini_setup), so a fatal error inside a method answers
 * HTTP 200 text/html with PHP's `Fatal error: …` (or `Parse error: …`) text; master/2.8 answer
 * HTTP 500 with the text of pfSense's shutdown handler (config.lib.inc `pfSense_clear_globals()`):
 * `PHP ERROR: Type: N, File: F, Line: L, Message: M`. Either way the node, not the URL, is at fault.
 */

/** A PHP error found in a reply body: its message and where PHP reported it. */
export interface PhpErrorInBody {
  /** First line of PHP's message, e.g. `Uncaught TypeError: array_merge(): …`. */
  message: string;
  /** `file:line` when the body says, else undefined. */
  where?: string;
}

const HANDLER = /PHP ERROR: Type: \d+, File: (.*?), Line: (\d+), Message: ([^\n<]*)/;
const DISPLAYED =
  /(?:^|\n)(?:<b>)?(Fatal error|Parse error)(?:<\/b>)?: +([^\n<]*?)(?: in (\S.*?)(?: on line |:)(\d+))?(?:\n|<br|$)/;

/** The PHP error in `body`, if it carries one; texts are cut to 300 characters. */
export function phpErrorInBody(body: string): PhpErrorInBody | undefined {
  const cut = (s: string) => s.trim().slice(0, 300);
  const h = HANDLER.exec(body);
  if (h) return { message: cut(h[3]), where: `${h[1]}:${h[2]}` };
  const d = DISPLAYED.exec(body);
  if (d) return { message: cut(`${d[1]}: ${d[2]}`), where: d[3] ? `${d[3]}:${d[4]}` : undefined };
  return undefined;
}
