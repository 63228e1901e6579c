/**
 * XML-RPC envelopes in the dialect of pfSense's server (PEAR XML_RPC2 with PHP values,
 * design/pfsense-xmlrpc.md §2.2, §10.3): compact envelopes, PHP's array-vs-struct rule (an array
 * iff its keys are 0..n-1 or 1..n, else a struct), ints as `<int>`, booleans as 1/0, strings with
 * only `&`, `<`, `>` escaped. Decoding answers as the `xmlrpc` package's deserializer does
 * (codec/xmlrpcDecode.ts).
 */
import { decodeCallXml, decodeReplyXml } from "./xmlrpcDecode";

/** The XML declaration line every pfSense envelope starts with. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

/** A value that cannot be encoded (PHP null) — the server answers fault 1 (§2.2). */
export class XmlRpcEncodeError extends Error {}

function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
}

/** True when the keys are consecutive integers starting at 0 or 1 (XML_RPC2 + pfSense patch). */
function isPhpList(keys: string[]): boolean {
  if (keys.length === 0) return true;
  const nums = keys.map((k) => (/^(0|-?[1-9][0-9]*)$/.test(k) ? Number(k) : NaN));
  if (nums.some((n) => Number.isNaN(n))) return false;
  const start = nums[0];
  if (start !== 0 && start !== 1) return false;
  return nums.every((n, i) => n === start + i);
}

/** Encodes one value (the inside of `<value>`), PHP semantics. */
export function encodeXmlRpcValue(v: unknown): string {
  if (typeof v === "boolean") return `<boolean>${v ? 1 : 0}</boolean>`;
  if (typeof v === "number") {
    if (Number.isInteger(v)) {
      return Math.abs(v) <= 2147483647 ? `<int>${v}</int>` : `<i8>${v}</i8>`;
    }
    if (!Number.isFinite(v)) throw new XmlRpcEncodeError("non-finite double");
    return `<double>${v}</double>`;
  }
  if (typeof v === "string") return `<string>${escapeText(v)}</string>`;
  if (v === null || v === undefined) throw new XmlRpcEncodeError("null cannot be encoded");
  if (Buffer.isBuffer(v)) return `<base64>${v.toString("base64")}</base64>`;
  if (v instanceof Date) {
    return `<dateTime.iso8601>${v.toISOString().replace(/[-]|\.\d{3}Z$/g, "")}</dateTime.iso8601>`;
  }
  if (Array.isArray(v)) {
    return `<array><data>${v.map((x) => `<value>${encodeXmlRpcValue(x)}</value>`).join("")}</data></array>`;
  }
  if (typeof v === "object") {
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (isPhpList(keys)) {
      return `<array><data>${keys.map((k) => `<value>${encodeXmlRpcValue(obj[k])}</value>`).join("")}</data></array>`;
    }
    const members = keys
      .map(
        (k) =>
          `<member><name>${escapeText(k)}</name><value>${encodeXmlRpcValue(obj[k])}</value></member>`,
      )
      .join("");
    return `<struct>${members}</struct>`;
  }
  throw new XmlRpcEncodeError(`cannot encode ${typeof v}`);
}

/** A successful `methodResponse` envelope. Throws {@link XmlRpcEncodeError} for null. */
export function encodeMethodResponse(value: unknown): string {
  return `${XML_DECLARATION}\n<methodResponse><params><param><value>${encodeXmlRpcValue(value)}</value></param></params></methodResponse>`;
}

/** A fault envelope: `faultCode` as `<int>`, `faultString` as `<string>`. */
export function encodeFault(code: number, message: string): string {
  return `${XML_DECLARATION}\n<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>${code}</int></value></member><member><name>faultString</name><value><string>${escapeText(message)}</string></value></member></struct></value></fault></methodResponse>`;
}

/** A `methodCall` envelope as pfSense's own client sends it (§2.2). */
export function encodeMethodCall(method: string, params: unknown[]): string {
  const ps = params.map((p) => `<param><value>${encodeXmlRpcValue(p)}</value></param>`).join("");
  return `${XML_DECLARATION}\n<methodCall><methodName>${escapeText(method)}</methodName><params>${ps}</params></methodCall>`;
}

/** A decoded request. Values: strings, numbers, booleans, arrays, structs, null (nil), Buffer (base64), Date. */
export interface DecodedCall {
  methodName: string;
  params: unknown[];
}

/** Decodes a `methodCall`; rejects when the body is not a parseable XML-RPC call. */
export async function decodeMethodCall(body: Buffer | string): Promise<DecodedCall> {
  const c = decodeCallXml(body.toString());
  return { methodName: c.methodName, params: c.params };
}

/** A decoded response: a value or a fault. */
export type DecodedResponse =
  { ok: true; value: unknown } | { ok: false; faultCode: number; faultString: string };

/** Decodes a `methodResponse`; rejects when the body is not a parseable XML-RPC response. */
export async function decodeMethodResponse(body: Buffer | string): Promise<DecodedResponse> {
  const r = decodeReplyXml(body.toString());
  return r.kind === "response"
    ? { ok: true, value: r.value }
    : { ok: false, faultCode: Number(r.faultCode), faultString: String(r.faultString ?? "") };
}
