import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { syncClientLogUrl } from "../../sdk/emulator/syncClientUrl";

const withGui = (webgui: Record<string, string>) => ({ system: { webgui } });

describe("sync client URL (xmlrpc_client.inc: the sender's own GUI protocol and port)", () => {
  it("uses the sender's GUI port and protocol", () => {
    assert.equal(
      syncClientLogUrl(withGui({ protocol: "https", port: "8443" }), "172.16.1.2"),
      "https://172.16.1.2:8443/xmlrpc.php",
    );
    assert.equal(
      syncClientLogUrl(withGui({ protocol: "http", port: "8080" }), "172.16.1.2"),
      "http://172.16.1.2:8080/xmlrpc.php",
    );
  });

  it("an empty (or 0) port falls back to 80 for http and 443 otherwise", () => {
    assert.equal(
      syncClientLogUrl(withGui({ protocol: "http" }), "10.0.0.2"),
      "http://10.0.0.2:80/xmlrpc.php",
    );
    assert.equal(
      syncClientLogUrl(withGui({ protocol: "https", port: "0" }), "10.0.0.2"),
      "https://10.0.0.2:443/xmlrpc.php",
    );
    assert.equal(syncClientLogUrl({}, "10.0.0.2"), "https://10.0.0.2:443/xmlrpc.php");
  });

  it("port 443 means https even with protocol http; IPv6 is bracketed", () => {
    assert.equal(
      syncClientLogUrl(withGui({ protocol: "http", port: "443" }), "fd00::2"),
      "https://[fd00::2]:443/xmlrpc.php",
    );
  });
});
