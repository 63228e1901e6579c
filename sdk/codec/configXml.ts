/**
 * config.xml read/write with pfSense's xmlparse.inc semantics (design/pfsense-xmlrpc.md §9.1):
 * element names lower-cased, list tags always become lists, any other element repeated under one
 * parent is an error, text trimmed of tabs/CR/LF and HTML-entity-decoded, an element without text
 * or children reads as `""`; on write `true`/`""` become an empty element, `false` is omitted,
 * an empty array becomes an empty element, an empty list produces nothing, values are
 * HTML-entity-encoded and some names are wrapped in CDATA.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { haError } from "../plan/errors";
import { isStruct, type PhpStruct, type PhpValue } from "./phpValue";

/** Element names pfSense always reads as lists (xmlparse.inc `listtags()`). */
export const LIST_TAGS: ReadonlySet<string> = new Set([
  "acls", "alias", "aliasurl", "allowedip", "allowedhostname", "authserver",
  "bridged", "build_port_path",
  "ca", "cacert", "cert", "crl", "clone", "config", "container", "columnitem",
  "checkipservice",
  "depends_on_package", "disk", "dnsserver", "dnsupdate", "domainoverrides", "dyndns",
  "earlyshellcmd", "element", "encryption-algorithm-option",
  "field", "fieldname",
  "gateway_item", "gateway_group", "gif", "gre", "group",
  "hash-algorithm-option", "hosts", "ifgroupentry", "igmpentry", "interface_array", "item", "key",
  "lagg", "lbaction", "lbpool", "l7rules", "lbprotocol",
  "member", "menu", "tab", "mobilekey", "monitor_type", "mount",
  "npt", "ntpserver",
  "onetoone", "openvpn-server", "openvpn-client", "openvpn-csc", "option",
  "package", "passthrumac", "phase1", "phase2", "ppp", "pppoe", "priv", "proxyarpnet", "pool",
  "qinqentry", "queue",
  "pages", "pipe", "radnsserver", "roll", "route", "row", "rrddatafile", "rule",
  "schedule", "service", "servernat", "servers",
  "serversdisabled", "shellcmd", "staticmap", "subqueue", "switch", "swport",
  "timerange", "tunnel", "user", "vip", "virtual_server", "vlan", "vlangroup",
  "winsserver", "wolentry", "widget",
]); // prettier-ignore

/** Name prefixes pfSense writes inside CDATA (xmlparse.inc `is_cdata_entity`). */
export const CDATA_PREFIXES: readonly string[] = [
  "auth_pass", "auth_prompt", "auth_user", "certca", "certname", "city", "common_name",
  "descr", "detail", "email", "encryption_password", "ldap_attr",
  "ldap_authcn", "ldap_basedn", "ldap_bind",
  "ldap_extended_query", "login_banner", "organization", "password", "rangedescr",
  "state", "text", "username",
]; // prettier-ignore

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: false,
  parseTagValue: false,
  processEntities: true,
  htmlEntities: false,
  cdataPropName: "__cdata",
  commentPropName: false,
  transformTagName: (n: string) => n.toLowerCase(),
});

type OrderedNode = Record<string, unknown>;

/** PHP `html_entity_decode` for the entities pfSense's own writer produces (plus numeric refs). */
export function htmlEntityDecode(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#[0-9]+|#x[0-9a-fA-F]+|amp|lt|gt|quot|nbsp);/g, (m, e: string) => {
    if (e === "amp") return "&";
    if (e === "lt") return "<";
    if (e === "gt") return ">";
    if (e === "quot") return '"';
    if (e === "nbsp") return "\u00a0";
    const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

/** PHP `htmlentities` (ENT_QUOTES) for the characters that matter in config values. */
export function htmlEntityEncode(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#039;",
  );
}

function nodeName(node: OrderedNode): string {
  for (const k of Object.keys(node)) if (k !== ":@") return k;
  return "";
}

function convertChildren(children: OrderedNode[], path: string): PhpValue {
  let text = "";
  let hasChild = false;
  const out: PhpStruct = {};
  for (const node of children) {
    const name = nodeName(node);
    if (name === "#text") {
      text += String(node[name] ?? "");
    } else if (name === "__cdata") {
      for (const c of node[name] as OrderedNode[]) text += String(c["#text"] ?? "");
    } else if (name !== "") {
      hasChild = true;
      const value = convertChildren(node[name] as OrderedNode[], `${path}/${name}`);
      if (LIST_TAGS.has(name)) {
        const existing = out[name];
        if (Array.isArray(existing)) existing.push(value);
        else out[name] = [value];
      } else if (Object.prototype.hasOwnProperty.call(out, name)) {
        throw haError({
          code: "E_INVALID_INPUT",
          message: `XML error: ${name} cannot occur more than once`,
          field: `${path}/${name}`,
          fix: "Only list elements (vip, rule, user, ...) may repeat; merge or remove the duplicate element.",
        });
      } else {
        out[name] = value;
      }
    }
  }
  if (hasChild) return out;
  // pfSense trims tabs/CR/LF only (not spaces); a whitespace-only first chunk is ignored.
  const trimmed = text.replace(/^[\t\r\n]+|[\t\r\n]+$/g, "");
  if (trimmed.replace(/ /g, "") === "") return "";
  return htmlEntityDecode(trimmed);
}

/**
 * Parses a config.xml document into the tree pfSense's `parse_xml_config` returns for the root
 * `<pfsense>` element. Throws `E_INVALID_INPUT` for malformed XML, a missing root, or a non-list
 * element repeated under one parent.
 */
export function parseConfigXml(xml: string): PhpStruct {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw haError({
      code: "E_INVALID_INPUT",
      message: `XML error: ${valid.err.msg} at line ${valid.err.line}`,
      field: "config.xml",
      fix: "Repair the XML (it must be well-formed with a single <pfsense> root).",
    });
  }
  const doc = parser.parse(xml) as OrderedNode[];
  const root = doc.find((n) => nodeName(n) === "pfsense");
  if (!root) {
    throw haError({
      code: "E_INVALID_INPUT",
      message: "XML error: no pfsense object found",
      field: "config.xml",
      fix: "The document root must be <pfsense>.",
    });
  }
  const tree = convertChildren(root.pfsense as OrderedNode[], "pfsense");
  return isStruct(tree) ? tree : {};
}

function isCdataName(name: string): boolean {
  return CDATA_PREFIXES.some((p) => name.startsWith(p));
}

function scalarElement(name: string, v: unknown, indent: string): string {
  if (v === false) return "";
  if (v === true || v === "") return `${indent}<${name}></${name}>\n`;
  const text = htmlEntityEncode(String(v));
  return isCdataName(name)
    ? `${indent}<${name}><![CDATA[${text}]]></${name}>\n`
    : `${indent}<${name}>${text}</${name}>\n`;
}

function isEmptyContainer(v: PhpValue[] | PhpStruct): boolean {
  return Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;
}

function dumpSub(tree: PhpValue[] | PhpStruct, depth: number): string {
  const indent = "\t".repeat(depth);
  let out = "";
  const entries: [string, PhpValue][] = Array.isArray(tree)
    ? tree.map((v, i) => [String(i), v])
    : Object.entries(tree);
  for (const [name, val] of entries) {
    if (val === null) {
      // PHP null (an XML-RPC <nil/>) is written as an empty element.
      out += `${indent}<${name}></${name}>\n`;
    } else if (typeof val === "object" && !Buffer.isBuffer(val) && !(val instanceof Date)) {
      if (LIST_TAGS.has(name.toLowerCase())) {
        const items = Array.isArray(val) ? val : Object.values(val);
        for (const item of items) {
          if (item === null) {
            out += `${indent}<${name}></${name}>\n`;
          } else if (typeof item === "object") {
            if (isEmptyContainer(item)) out += `${indent}<${name}></${name}>\n`;
            else out += `${indent}<${name}>\n${dumpSub(item, depth + 1)}${indent}</${name}>\n`;
          } else {
            out += scalarElement(name, item, indent);
          }
        }
      } else if (isEmptyContainer(val)) {
        out += `${indent}<${name}></${name}>\n`;
      } else {
        out += `${indent}<${name}>\n${dumpSub(val, depth + 1)}${indent}</${name}>\n`;
      }
    } else {
      out += scalarElement(name, val, indent);
    }
  }
  return out;
}

/** Writes a config tree as pfSense's `dump_xml_config($tree, "pfsense")` does (tab-indented). */
export function dumpConfigXml(tree: PhpStruct): string {
  return `<?xml version="1.0"?>\n<pfsense>\n${dumpSub(tree, 1)}</pfsense>\n`;
}

/**
 * The tree as pfSense holds it after `write_config` re-reads the file (§9.1, §10.6): ints and
 * floats become strings, `true` becomes `""`, `false` disappears, empty arrays become `""`,
 * lists are re-indexed from 0. Throws like {@link parseConfigXml} if the tree cannot be written
 * as valid config.xml (e.g. a numeric member name outside a list tag).
 */
export function normalizeConfigTree(tree: PhpStruct): PhpStruct {
  return parseConfigXml(dumpConfigXml(tree));
}
