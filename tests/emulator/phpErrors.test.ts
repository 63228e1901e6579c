/**
 * PHP errors inside a method, per version (§16 items 4 and 10): 2.7.x shows them (HTTP 200
 * text/html `Fatal error: …`, fault 1 with class, message and trace), master hides them (HTTP 500
 * `<pre>PHP ERROR: …</pre>`, fault 1 `Unhandled PHP Exception`). Over the node's real HTTPS.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { encodeMethodCall } from "../../sdk/codec/xmlrpcEnvelope";
import { PhpException, PhpFatalError, startNode, type EmulatedNode } from "../../sdk/emulator";
import { basic, callFault, rawPost, tempDir } from "./helpers";

const PW = "php-errors-pw";
const BOOM = "return_the_fatal();";
const THROW = "throw_an_exception();";

async function nodeOf(version: string): Promise<EmulatedNode> {
  const node = await startNode({ dir: tempDir(`php-${version}`), version, adminPassword: PW });
  node.registerExecPhp(BOOM, () => {
    throw new PhpFatalError(
      "Uncaught Error: Call to undefined function return_the_fatal()",
      "/usr/local/www/xmlrpc.php(147) : eval()'d code",
      1,
    );
  });
  node.registerExecPhp(THROW, () => {
    throw new PhpException("ValueError", "bad value");
  });
  return node;
}

const post = (node: EmulatedNode, method: string, params: unknown[]) =>
  rawPost(node.url, encodeMethodCall(method, params as never), {
    Authorization: basic("admin", PW),
  });

describe("PHP errors inside methods, per version", () => {
  const nodes: EmulatedNode[] = [];
  after(async () => {
    for (const n of nodes) await n.stop();
  });

  it("2.7.2 (display_errors on): a fatal answers 200 text/html with PHP's text and a phperror notice", async () => {
    const node = await nodeOf("2.7.2");
    nodes.push(node);
    const r = await post(node, "pfsense.exec_php", [BOOM]);
    assert.equal(r.status, 200);
    assert.match(String(r.headers["content-type"]), /^text\/html/);
    assert.match(
      r.body,
      /^\nFatal error: Uncaught Error: Call to undefined function return_the_fatal\(\)/,
    );
    assert.match(
      r.body,
      /PHP ERROR: Type: 1, File: \/usr\/local\/www\/xmlrpc\.php\(147\) : eval\(\)'d code, Line: 1/,
    );
    const notice = node.listNotices().find((n) => n.id === "phperror");
    assert.equal(notice?.category, "PHP errors");
    assert.match(String(notice?.notice), /^PHP ERROR: Type: 1/);
  });

  it("2.7.2: merge_installedpackages_section without <installedpackages> is the same kind of fatal", async () => {
    const node = await nodeOf("2.7.2");
    nodes.push(node);
    const r = await post(node, "pfsense.merge_installedpackages_section", [{ pkg: "x" }, 900]);
    assert.equal(r.status, 200);
    assert.match(
      r.body,
      /Fatal error: Uncaught TypeError: array_merge\(\): Argument #1 \(\$array\) must be of type array, null given/,
    );
  });

  it("2.7.2: an uncaught exception is fault 1 naming class, message and trace", async () => {
    const node = await nodeOf("2.7.2");
    nodes.push(node);
    const f = await callFault(node, "admin", PW, "pfsense.exec_php", [THROW]);
    assert.equal(f.faultCode, 1);
    assert.match(f.faultString, /^Unhandled ValueError exception:bad value#0 /);
  });

  it("master (display_errors off): a fatal answers HTTP 500 <pre>PHP ERROR: …</pre>; an exception is a bare fault 1", async () => {
    const node = await nodeOf("master");
    nodes.push(node);
    const r = await post(node, "pfsense.exec_php", [BOOM]);
    assert.equal(r.status, 500);
    assert.match(
      r.body,
      /^<pre>PHP ERROR: Type: 1, File: .*Message: Uncaught Error: Call to undefined function return_the_fatal\(\)<\/pre>$/,
    );
    assert.doesNotMatch(r.body, /Fatal error:/);
    const f = await callFault(node, "admin", PW, "pfsense.exec_php", [THROW]);
    assert.deepEqual(f, { faultCode: 1, faultString: "Unhandled PHP Exception" });
  });
});
