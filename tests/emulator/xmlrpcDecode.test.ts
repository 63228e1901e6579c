import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { decodeCallXml, decodeReplyXml } from "../../sdk/codec/xmlrpcDecode";
import {
  encodeFault,
  encodeMethodCall,
  encodeMethodResponse,
} from "../../sdk/codec/xmlrpcEnvelope";

// The package decoder the fast one must agree with.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Deserializer = require("xmlrpc/lib/deserializer") as new (encoding?: string) => {
  deserializeMethodResponse(s: Readable, cb: (err: Error | null, v?: unknown) => void): void;
  deserializeMethodCall(
    s: Readable,
    cb: (err: Error | null, m?: string, p?: unknown[]) => void,
  ): void;
};

type Outcome = { value: unknown } | { error: string; faultCode?: unknown; faultString?: unknown };

function packageReply(xml: string): Promise<Outcome> {
  return new Promise((resolve) => {
    let done = false;
    new Deserializer("utf8").deserializeMethodResponse(Readable.from([xml]), (err, v) => {
      if (done) return;
      done = true;
      if (!err) return resolve({ value: v });
      const f = err as Error & { faultCode?: unknown; faultString?: unknown };
      resolve(
        f.faultCode !== undefined
          ? { error: "fault", faultCode: f.faultCode, faultString: f.faultString }
          : { error: err.message },
      );
    });
  });
}

function fastReply(xml: string): Outcome {
  try {
    const r = decodeReplyXml(xml);
    return r.kind === "response"
      ? { value: r.value }
      : { error: "fault", faultCode: r.faultCode, faultString: r.faultString };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** A pseudo-random PHP-like value: what pfSense's config sections and replies are made of. */
function randomValue(seed: { n: number }, depth: number): unknown {
  const r = () => (seed.n = (seed.n * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = Math.floor(r() * (depth > 3 ? 4 : 7));
  const text = () =>
    ["", "wan", "a&b<c>", "Ünïcode ✓", "  spaced  ", "x".repeat(Math.floor(r() * 40))][
      Math.floor(r() * 6)
    ];
  switch (pick) {
    case 0:
      return text();
    case 1:
      return Math.floor(r() * 2e9) - 1e9;
    case 2:
      return r() < 0.5;
    case 3:
      return r() * 1000 - 500;
    case 4:
      return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(seed, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(r() * 5); i++)
        o[`k${i}_${text()}`] = randomValue(seed, depth + 1);
      return o;
    }
  }
}

describe("xmlrpcDecode: the fast decoder answers as the xmlrpc package's deserializer does", () => {
  it("decodes 300 generated replies to the same values", async () => {
    const seed = { n: 42 };
    for (let i = 0; i < 300; i++) {
      const xml = encodeMethodResponse(randomValue(seed, 0));
      assert.deepEqual(fastReply(xml), await packageReply(xml), xml);
    }
  });

  it("agrees on whitespace, untyped values, entities, CDATA, self-closing tags and other types", async () => {
    const cases = [
      `<?xml version="1.0"?>\n<methodResponse>\n  <params>\n    <param>\n      <value>\n        <struct>\n          <member>\n            <name>a</name>\n            <value><string>x</string></value>\n          </member>\n        </struct>\n      </value>\n    </param>\n  </params>\n</methodResponse>\n`,
      "<methodResponse><params><param><value>bare &amp; &lt;text&gt; &#65;&#x42; &unknown;</value></param></params></methodResponse>",
      "<methodResponse><params><param><value><string><![CDATA[<raw> & ]]></string></value></param></params></methodResponse>",
      "<methodResponse><params><param><value/></param></params></methodResponse>",
      "<methodResponse><params><param><value><array><data><value><nil/></value><value><i8>12345678901</i8></value><value><i4>-7</i4></value></data></array></value></param></params></methodResponse>",
      "<methodResponse><params><param><value><base64>aGVsbG8=</base64></value></param></params></methodResponse>",
      "<methodResponse><params><param><value><dateTime.iso8601>20261201T10:20:30</dateTime.iso8601></value></param></params></methodResponse>",
      "<METHODRESPONSE><PARAMS><PARAM><VALUE><INT>5</INT></VALUE></PARAM></PARAMS></METHODRESPONSE>",
      "<!-- note --><methodResponse><params><param><value><boolean>1</boolean></value></param></params></methodResponse>",
      encodeFault(-1, "Authentication failed: Invalid username or password"),
    ];
    for (const xml of cases) assert.deepEqual(fastReply(xml), await packageReply(xml), xml);
  });

  it("rejects what the package rejects, with the same messages", async () => {
    const bad = [
      "<html><body>502 Bad Gateway</body></html>",
      "<methodResponse><params><param><value><boolean>yes</boolean></value></param></params></methodResponse>",
      "<methodResponse><params><param><value><int>x</int></value></param></params></methodResponse>",
      "<methodResponse><params><param><value><i8>1.5</i8></value></param></params></methodResponse>",
      "<methodResponse><params><param><value><array><data>",
      "<methodResponse><params><param><value><int>1</int></value></param><param><value><int>2</int></value></param></params></methodResponse>",
      "<methodResponse></methodResponse>",
      encodeMethodCall("pfsense.host_firmware_version", []),
    ];
    for (const xml of bad) {
      const fast = fastReply(xml);
      assert.ok("error" in fast, `the fast decoder accepted ${xml}`);
      assert.deepEqual(fast, await packageReply(xml), xml);
    }
  });

  it("decodes method calls as the package does, and refuses a reply in their place", async () => {
    const xml = encodeMethodCall("pfsense.exec_php", ["$toreturn = 1;", { a: [1, "b"] }, 30]);
    const pkg = await new Promise<{ m?: string; p?: unknown[] }>((resolve) =>
      new Deserializer("utf8").deserializeMethodCall(Readable.from([xml]), (_e, m, p) =>
        resolve({ m, p }),
      ),
    );
    const fast = decodeCallXml(xml);
    assert.deepEqual({ m: fast.methodName, p: fast.params }, pkg);
    assert.throws(() => decodeCallXml(encodeMethodResponse(1)), /Not a method call/);
  });
});
