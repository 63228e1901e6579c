/**
 * The client reports a PHP error of the node (E_NODE_PHP_ERROR) rather than "check the URL", for
 * both ways pfSense answers one (§16 items 4 and 10): 2.7.2 with HTTP 200 text/html `Fatal error:`,
 * master with HTTP 500 `<pre>PHP ERROR: …</pre>`. Over the emulator's real HTTPS.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isHaError, type PfSenseHaError } from "../../sdk/plan/errors";
import { PhpFatalError } from "../../sdk/emulator";
import { createNodeClient } from "../../sdk/pfsense";
import { callNode } from "../../sdk/pfsense/transport";
import { startHarness } from "./emulatorHarness";

const BOOM = "$x = undefined_function_of_the_test();";

for (const version of ["2.7.2", "master"]) {
  test(`${version}: a PHP fatal inside exec_php is E_NODE_PHP_ERROR naming the PHP message and place, one attempt`, async () => {
    const h = await startHarness({ version });
    try {
      h.node.registerExecPhp(BOOM, ({ node }) => {
        throw new PhpFatalError(
          `Uncaught Error: Call to undefined function undefined_function_of_the_test() password=${node.password}`,
          "/usr/local/www/xmlrpc.php(147) : eval()'d code",
          1,
        );
      });
      const c = createNodeClient(h.endpoint());
      const err = (await c.execPhp(BOOM).catch((e: unknown) => e)) as PfSenseHaError;
      assert.ok(isHaError(err, "E_NODE_PHP_ERROR"), String(err));
      assert.match(
        err.message,
        /PHP failed on the node \(HTTP (200|500), in \/usr\/local\/www\/xmlrpc\.php\(147\) : eval\(\)'d code:1\)/,
      );
      assert.match(err.message, /Call to undefined function undefined_function_of_the_test\(\)/);
      assert.match(err.message, version === "master" ? /HTTP 500/ : /HTTP 200/);
      assert.doesNotMatch(`${err.message} ${err.fix}`, /check (that )?the URL/i);
      assert.match(err.fix ?? "", /PHP errors/);
      const everything = `${err.message} ${err.fix} ${err.field} ${err.value} ${String(err.cause ?? "")}`;
      assert.ok(!everything.includes(h.node.password), "no password in the error");
      assert.equal(c.stats.calls, 1);
    } finally {
      await h.close();
    }
  });

  test(`${version}: merge_installedpackages_section without <installedpackages> says how to fix it`, async () => {
    const h = await startHarness({ version });
    try {
      const stats = { calls: 0, bytesSent: 0, bytesReceived: 0 };
      const method = "pfsense.merge_installedpackages_section";
      const err = (await callNode(h.endpoint(), stats, method, [{ a: "1" }, 900], {
        idempotent: false,
      }).catch((e: unknown) => e)) as PfSenseHaError;
      assert.ok(isHaError(err, "E_NODE_PHP_ERROR"), String(err));
      assert.match(err.message, /array_merge\(\): Argument #1 \(\$array\) must be of type array/);
      assert.match(err.fix ?? "", /no <installedpackages> section/);
    } finally {
      await h.close();
    }
  });
}
