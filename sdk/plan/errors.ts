/**
 * The library's one error family. Every failure the library raises is a {@link PfSenseHaError}
 * with a stable {@link ErrorCode}, the field or place it concerns, the offending value (never a
 * secret) and a sentence saying how to fix it.
 */

/** Stable error codes. Codes are part of the public API: never renumber or reuse one. */
export type ErrorCode =
  // input validation (plan layer)
  | "E_INVALID_ADDRESS"
  | "E_ADDRESS_OUTSIDE_SUBNET"
  | "E_ADDRESS_RESERVED"
  | "E_ADDRESS_CONFLICT"
  | "E_PREFIX_TOO_SMALL"
  | "E_MASK_MISMATCH"
  | "E_FAMILY_MISMATCH"
  | "E_VHID_RANGE"
  | "E_VHID_CONFLICT"
  | "E_VHID_EXHAUSTED"
  | "E_ADVBASE_RANGE"
  | "E_ADVSKEW_RANGE"
  | "E_SKEW_ORDER"
  | "E_DHCP_SKEW"
  | "E_CARP_PASSWORD"
  | "E_NAT_SOURCE_UNSAFE"
  | "E_NAT_TARGET"
  | "E_DHCP_RANGE"
  | "E_DHCP_PEER"
  | "E_KEA_HA"
  | "E_INVALID_INPUT"
  // services bound to VIPs (VipServiceBinding)
  | "E_SERVICE_NOT_FOUND"
  | "E_SERVICE_BINDING"
  // node I/O (pfsense layer)
  | "E_AUTH"
  | "E_PRIVILEGE"
  | "E_METHOD_NOT_FOUND"
  | "E_INVALID_PARAMS"
  | "E_FAULT"
  | "E_TRANSPORT"
  | "E_TIMEOUT"
  | "E_HTTP"
  | "E_MALFORMED_REPLY"
  | "E_NODE_PHP_ERROR"
  | "E_TLS"
  | "E_UNSUPPORTED_VERSION"
  | "E_CONCURRENT_EDIT"
  | "E_VERIFY"
  | "E_PREFLIGHT"
  | "E_FIRST_SYNC_LOSS"
  | "E_PARTIAL"
  | "E_IMPORT"
  // cluster health (health layer)
  | "E_HEALTH_GATE"
  | "E_DRILL_REFUSED"
  // backup and rollback (backup layer)
  | "E_ROLLBACK_NO_BACKUP"
  | "E_ROLLBACK_MOVED";

/** Structured detail carried by every {@link PfSenseHaError}. */
export interface ErrorDetail {
  /** Stable machine-readable code. */
  code: ErrorCode;
  /** What went wrong, in one sentence. */
  message: string;
  /** The input field or place concerned, e.g. `CarpVip.vhid` or `node primary`. */
  field?: string;
  /** The offending value, rendered as text. Never a secret. */
  value?: string;
  /** How to fix it. */
  fix?: string;
}

/** Base class of every error the library raises. */
export class PfSenseHaError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly value?: string;
  readonly fix?: string;

  constructor(detail: ErrorDetail, options?: { cause?: unknown }) {
    super(formatErrorMessage(detail), options);
    this.name = "PfSenseHaError";
    this.code = detail.code;
    this.field = detail.field;
    this.value = detail.value;
    this.fix = detail.fix;
  }
}

/** Renders `[CODE] field: message (got value). Fix: ...` — one line, no secrets. */
export function formatErrorMessage(d: ErrorDetail): string {
  const where = d.field ? `${d.field}: ` : "";
  const got = d.value !== undefined ? ` (got ${JSON.stringify(d.value)})` : "";
  const fix = d.fix ? ` Fix: ${d.fix}` : "";
  return `[${d.code}] ${where}${d.message.replace(/\.$/, "")}${got}.${fix}`;
}

/** Shorthand used across the library: `throw haError({...})`. */
export function haError(detail: ErrorDetail, cause?: unknown): PfSenseHaError {
  return new PfSenseHaError(detail, cause === undefined ? undefined : { cause });
}

/** True when `e` belongs to the library's error family (optionally with a given code). */
export function isHaError(e: unknown, code?: ErrorCode): e is PfSenseHaError {
  return e instanceof PfSenseHaError && (code === undefined || e.code === code);
}
