import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeMethodCall,
  decodeMethodResponse,
  encodeFault,
  encodeMethodResponse,
  encodeXmlRpcValue,
  XmlRpcEncodeError,
} from "../../sdk/codec/xmlrpcEnvelope";

describe("xmlrpcEnvelope: PEAR XML_RPC2 / PHP dialect (§2.2, §10.3)", () => {
  it("encodes a PHP list (keys 0..n-1 or 1..n) as an array and anything else as a struct", () => {
    assert.equal(
      encodeXmlRpcValue(["a"]),
      "<array><data><value><string>a</string></value></data></array>",
    );
    assert.equal(
      encodeXmlRpcValue({ "1": "a", "2": "b" }),
      "<array><data><value><string>a</string></value><value><string>b</string></value></data></array>",
    );
    assert.match(
      encodeXmlRpcValue({ "0": "a", "1": "b", "3": "d" }),
      /^<struct><member><name>0<\/name>/,
    );
    assert.match(encodeXmlRpcValue({ "2": "a" }), /^<struct>/);
    assert.equal(encodeXmlRpcValue({}), "<array><data></data></array>");
    assert.equal(encodeXmlRpcValue([]), "<array><data></data></array>");
  });

  it("encodes ints as <int>, booleans as 1/0 and escapes only & < > in strings", () => {
    assert.equal(encodeXmlRpcValue(105), "<int>105</int>");
    assert.equal(encodeXmlRpcValue(true), "<boolean>1</boolean>");
    assert.equal(encodeXmlRpcValue(false), "<boolean>0</boolean>");
    assert.equal(encodeXmlRpcValue(`a&b<c>"d'`), `<string>a&amp;b&lt;c&gt;"d'</string>`);
    assert.throws(() => encodeXmlRpcValue(null), XmlRpcEncodeError);
  });

  it("writes compact envelopes with the exact declaration line", () => {
    assert.equal(
      encodeMethodResponse(true),
      '<?xml version="1.0" encoding="utf-8"?>\n<methodResponse><params><param><value><boolean>1</boolean></value></param></params></methodResponse>',
    );
    assert.equal(
      encodeFault(-1, "Authentication failed: Invalid username or password"),
      '<?xml version="1.0" encoding="utf-8"?>\n<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>-1</int></value></member><member><name>faultString</name><value><string>Authentication failed: Invalid username or password</string></value></member></struct></value></fault></methodResponse>',
    );
  });

  it("decodes every scalar type, an untyped value as a string, and keeps member order", async () => {
    const body = `<?xml version="1.0"?><methodCall><methodName>pfsense.x</methodName><params>
      <param><value>untyped</value></param><param><value><i4>4</i4></value></param>
      <param><value><boolean>0</boolean></value></param><param><value><double>1.5</double></value></param>
      <param><value><nil/></value></param><param><value><base64>aGk=</base64></value></param>
      <param><value><struct><member><name>b</name><value>1</value></member><member><name>a</name><value>2</value></member></struct></value></param>
      </params></methodCall>`;
    const c = await decodeMethodCall(body);
    assert.equal(c.methodName, "pfsense.x");
    assert.equal(c.params[0], "untyped");
    assert.equal(c.params[1], 4);
    assert.equal(c.params[2], false);
    assert.equal(c.params[3], 1.5);
    assert.equal(c.params[4], null);
    assert.ok(Buffer.isBuffer(c.params[5]));
    assert.deepEqual(Object.keys(c.params[6] as object), ["b", "a"]);
  });

  it("rejects a body that is not a method call, and decodes faults from responses", async () => {
    await assert.rejects(decodeMethodCall("garbage"));
    const f = await decodeMethodResponse(
      encodeFault(-2, "Authentication failed: not enough privileges"),
    );
    assert.deepEqual(f, {
      ok: false,
      faultCode: -2,
      faultString: "Authentication failed: not enough privileges",
    });
  });
});
