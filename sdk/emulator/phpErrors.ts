/**
 * What a node answers when PHP fails inside a method (design/pfsense-xmlrpc.md §16 items 4 and 10).
 * pfSense writes php.ini itself (src/etc/rc.php_ini_setup): 2.4.x–2.7.x set `display_errors=on`,
 * master since commit 9d78a172ec (February 2024, "Correct PHP error display issues", so 2.8 too)
 * sets it off. pfSense's shutdown handler (config.lib.inc `pfSense_clear_globals()`) prints
 * `PHP ERROR: Type: …, File: …, Line: …, Message: …` after a fatal error and files a `phperror`
 * notice. So a fatal answers HTTP 200 `text/html` with PHP's `Fatal error: …` text on 2.7.x, and
 * HTTP 500 with the handler's text on master. An uncaught exception is caught by XML_RPC2's
 * server and becomes fault 1, whose text names the class, message and trace only when errors are
 * displayed.
 */

/** A PHP fatal error (E_ERROR), e.g. an uncaught TypeError, raised while a method runs. */
export class PhpFatalError extends Error {
  constructor(
    /** PHP's error message, e.g. `Uncaught TypeError: array_merge(): …`. */
    readonly phpMessage: string,
    /** Script the error is reported in. */
    readonly file = "/usr/local/www/xmlrpc.php",
    /** Line the error is reported at. */
    readonly line = 1,
  ) {
    super(phpMessage);
  }
}

/** A PHP exception thrown and not caught by the method's code (XML_RPC2 turns it into fault 1). */
export class PhpException extends Error {
  constructor(
    /** PHP class of the exception, e.g. `Exception`, `ValueError`. */
    readonly phpClass: string,
    message: string,
  ) {
    super(message);
  }
}

/** An HTTP answer of the node. */
export interface PhpErrorReply {
  status: number;
  body: string;
  contentType: string;
}

/** The `PHP ERROR: …` line pfSense's shutdown handler prints, logs and files as a notice. */
export function phpErrorLine(e: PhpFatalError): string {
  return `PHP ERROR: Type: 1, File: ${e.file}, Line: ${e.line}, Message: ${e.phpMessage}`;
}

/** The HTTP reply to a PHP fatal error, by the version's `display_errors`. */
export function phpFatalReply(displayErrors: boolean, e: PhpFatalError): PhpErrorReply {
  if (displayErrors) {
    // PHP prints the error (text, not HTML: html_errors is off), then the handler its own line.
    return {
      status: 200,
      contentType: "text/html; charset=UTF-8",
      body: `\nFatal error: ${e.phpMessage} in ${e.file} on line ${e.line}\n${phpErrorLine(e)}`,
    };
  }
  return {
    status: 500,
    contentType: "text/html; charset=UTF-8",
    body: `<pre>${phpErrorLine(e)}</pre>`,
  };
}

/** Fault 1's string for an uncaught exception, by the version's `display_errors`. */
export function uncaughtExceptionFault(displayErrors: boolean, e: Error): string {
  if (!displayErrors) return "Unhandled PHP Exception";
  const cls = e instanceof PhpException ? e.phpClass : "Exception";
  // XML_RPC2's server: class, message, then the trace as getTraceAsString() renders it.
  return `Unhandled ${cls} exception:${e.message}#0 {main}`;
}
