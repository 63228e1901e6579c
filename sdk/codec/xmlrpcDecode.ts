/**
 * A fast XML-RPC decoder with the `xmlrpc` package's semantics (its `lib/deserializer.js` on a
 * non-strict `sax` stream): the same value stack, the same types (`<i8>` stays a string,
 * `<boolean>` only 1/0, a bare `<value>` is a string, `<base64>` a Buffer) and the same
 * failures. Why our own: the plugin process decodes every read-back, a whole `virtualip` of
 * hundreds of VIPs per write, and the sax stream spends most of the plugin's CPU on it
 * (profile of 256 CarpVips through the engine). This scans tags with `indexOf` instead of one
 * character at a time; tests/emulator/xmlrpcDecode.test.ts holds it to the package's answers.
 */
// The date decoder is not in the package's typings; it is a plain CommonJS module.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dateFormatter = require("xmlrpc/lib/date_formatter") as {
  decodeIso8601(s: string): Date;
};

/** A decoded response: a value, or a fault with the package's fields. */
export type DecodedReply =
  | { kind: "response"; value: unknown }
  | { kind: "fault"; faultCode: unknown; faultString: unknown };

/** The package's error for a fault reply, with the same fields. */
export interface FaultError extends Error {
  code?: unknown;
  faultCode?: unknown;
  faultString?: unknown;
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** XML entity decoding as sax does it outside strict mode: unknown entities stay as written. */
function decodeEntities(s: string): string {
  if (s.indexOf("&") < 0) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);/g, (whole, e: string) => {
    if (e[0] !== "#") return ENTITIES[e] ?? ENTITIES[e.toLowerCase()] ?? whole;
    const n = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : whole;
  });
}

/** The deserializer's state machine, fed by the tag scanner. */
class Machine {
  stack: unknown[] = [];
  marks: number[] = [];
  data: string[] = [];
  value = false;
  type: "methodresponse" | "methodcall" | null = null;
  responseType: "params" | "fault" | null = null;
  methodName: string | null = null;

  open(name: string): void {
    if (name === "ARRAY" || name === "STRUCT") this.marks.push(this.stack.length);
    this.data = [];
    this.value = name === "VALUE";
  }

  text(t: string): void {
    this.data.push(t);
  }

  close(name: string): void {
    const data = this.data.join("");
    switch (name) {
      case "BOOLEAN":
        if (data !== "1" && data !== "0") throw new Error(`Illegal boolean value '${data}'`);
        return this.push(data === "1");
      case "INT":
      case "I4":
        return this.push(this.number(parseInt(data, 10), "an integer", data));
      case "I8":
        if (!/^-?\d+$/.test(data)) {
          throw new Error(`Expected integer (I8) value but got '${data}'`);
        }
        return this.push(data);
      case "DOUBLE":
        return this.push(this.number(parseFloat(data), "a double", data));
      case "STRING":
      case "NAME":
        return this.push(data);
      case "ARRAY": {
        const mark = this.marks.pop()!;
        this.stack.splice(mark, this.stack.length - mark, this.stack.slice(mark));
        this.value = false;
        return;
      }
      case "STRUCT":
        return this.endStruct();
      case "BASE64":
        return this.push(Buffer.from(data, "base64"));
      case "DATETIME.ISO8601":
        return this.push(dateFormatter.decodeIso8601(data));
      case "VALUE":
        if (this.value) this.push(data);
        return;
      case "NIL":
        return this.push(null);
      case "PARAMS":
        this.responseType = "params";
        return;
      case "FAULT":
        this.responseType = "fault";
        return;
      case "METHODRESPONSE":
        this.type = "methodresponse";
        return;
      case "METHODNAME":
        this.methodName = data;
        return;
      case "METHODCALL":
        this.type = "methodcall";
        return;
      case "DATA":
      case "PARAM":
      case "MEMBER":
        return;
      default:
        throw new Error(`Unknown XML-RPC tag '${name}'`);
    }
  }

  private number(n: number, what: string, data: string): number {
    if (Number.isNaN(n)) throw new Error(`Expected ${what} but got '${data}'`);
    return n;
  }

  private push(v: unknown): void {
    this.stack.push(v);
    this.value = false;
  }

  private endStruct(): void {
    const mark = this.marks.pop()!;
    const items = this.stack.slice(mark);
    const struct: Record<string, unknown> = {};
    for (let i = 0; i < items.length; i += 2) struct[String(items[i])] = items[i + 1];
    this.stack.splice(mark, this.stack.length - mark, struct);
    this.value = false;
  }
}

/** Feeds the machine every tag and text run of `xml`, in order. */
function scan(xml: string, m: Machine): void {
  let i = 0;
  const n = xml.length;
  while (i < n) {
    const lt = xml.indexOf("<", i);
    if (lt < 0) {
      m.text(decodeEntities(xml.slice(i)));
      return;
    }
    if (lt > i) m.text(decodeEntities(xml.slice(i, lt)));
    i = scanMarkup(xml, lt, m);
  }
}

/** One piece of markup at `lt`; returns the index after it. */
function scanMarkup(xml: string, lt: number, m: Machine): number {
  if (xml.startsWith("<![CDATA[", lt)) {
    const end = xml.indexOf("]]>", lt + 9);
    if (end < 0) throw new Error("Unclosed CDATA section");
    m.text(xml.slice(lt + 9, end));
    return end + 3;
  }
  if (xml.startsWith("<!--", lt)) return after(xml, "-->", lt + 4, "comment");
  if (xml[lt + 1] === "?" || xml[lt + 1] === "!") return after(xml, ">", lt + 2, "declaration");
  const gt = xml.indexOf(">", lt + 1);
  if (gt < 0) throw new Error("Unclosed tag");
  const closing = xml[lt + 1] === "/";
  const selfClosing = !closing && xml[gt - 1] === "/";
  const body = xml.slice(closing ? lt + 2 : lt + 1, selfClosing ? gt - 1 : gt);
  const name = /^[^\s/>]*/.exec(body)![0].toUpperCase();
  if (closing) m.close(name);
  else {
    m.open(name);
    if (selfClosing) m.close(name);
  }
  return gt + 1;
}

function after(xml: string, end: string, from: number, what: string): number {
  const at = xml.indexOf(end, from);
  if (at < 0) throw new Error(`Unclosed ${what}`);
  return at + end.length;
}

/** Scans `xml` and applies the package's end-of-document checks (`onDone`). */
function finish(xml: string): Machine {
  const m = new Machine();
  scan(xml, m);
  if (m.type === null || m.marks.length) throw new Error("Invalid XML-RPC message");
  return m;
}

function faultOf(m: Machine): { faultCode: unknown; faultString: unknown } {
  const f = (m.stack[0] ?? {}) as { faultCode?: unknown; faultString?: unknown };
  return { faultCode: f.faultCode, faultString: f.faultString };
}

/** Decodes a `methodResponse`; throws the package's errors for what it would reject. */
export function decodeReplyXml(xml: string): DecodedReply {
  const m = finish(xml);
  if (m.responseType === "fault") return { kind: "fault", ...faultOf(m) };
  if (m.stack.length > 1) throw new Error("Response has more than one param");
  if (m.type !== "methodresponse") throw new Error("Not a method response");
  if (!m.responseType) throw new Error("Invalid method response");
  return { kind: "response", value: m.stack[0] };
}

/** Decodes a `methodCall`; throws the package's errors (a fault document included). */
export function decodeCallXml(xml: string): { methodName: string; params: unknown[] } {
  const m = finish(xml);
  if (m.responseType === "fault") {
    const f = faultOf(m);
    throw faultError(f.faultCode, f.faultString);
  }
  if (m.type !== "methodcall") throw new Error("Not a method call");
  if (!m.methodName) throw new Error("Method call did not contain a method name");
  return { methodName: m.methodName, params: m.stack };
}

/** The error the package reports for a fault reply. */
export function faultError(faultCode: unknown, faultString: unknown): FaultError {
  const e: FaultError = new Error(
    "XML-RPC fault" + (faultString ? `: ${String(faultString)}` : ""),
  );
  e.code = faultCode;
  e.faultCode = faultCode;
  e.faultString = faultString;
  return e;
}
