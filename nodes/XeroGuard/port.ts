/**
 * What the Xero Guard node needs from the one Xero wire client (src/xero, issue 15), and nothing more.
 * The node describes requests; paging, dates, idempotency keys, rate-limit waits and token refresh are
 * the client's. The binding to the core client lives in port-binding.ts.
 */

export type XeroMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Which base URL a path is relative to: the Accounting API (`/api.xro/2.0`) or api.xero.com itself. */
export type XeroApiBase = 'accounting' | 'root';

/** Paging style of a list endpoint: Xero's `page` parameter, the Journals' `offset`, or a single answer. */
export type XeroPaging = 'page' | 'offset' | 'none';

/** One request, as the node means it: no host, no tenant header, no paging parameters, no idempotency key. */
export interface XeroRequestSpec {
  method: XeroMethod;
  /** Path relative to `base`, starting with `/`; path parameters already encoded. */
  path: string;
  base?: XeroApiBase;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: unknown;
  /** Records live under this key of the answer (`Invoices` in `{ "Invoices": [...] }`). */
  envelope?: string;
  /** For list reads: how the client pages (`none`: one request, its records as the only page). */
  paging?: XeroPaging;
  /** ISO 8601 instant for `If-Modified-Since` (the client formats it for the wire). */
  modifiedSince?: string;
  /** A batch write: the client sends `summarizeErrors=false` and answers one result per element. */
  batch?: boolean;
  /** Binary in or out. */
  binary?: XeroBinarySpec;
}

export type XeroBinarySpec = { direction: 'download'; accept: string; fileName?: string } | { direction: 'upload'; binaryProperty: string; fileName: string };

/** Per call: what only the node knows. */
export interface XeroCallOptions {
  /** Stable id of this write (execution + node + item); the client derives the Idempotency-Key from it. */
  stableId?: string;
  /** Longest rate-limit wait the user allows, in ms; a longer Retry-After fails at once. */
  maxRateLimitWaitMs?: number;
  /** Keep Xero's `/Date(...)/` form instead of ISO 8601. */
  rawDates?: boolean;
}

/** Remaining call budget from the last answer for this organisation (null: the header was absent). */
export interface XeroLimits {
  dayRemaining: number | null;
  minuteRemaining: number | null;
  appMinuteRemaining: number | null;
}

export interface XeroAnswer {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON (dates already converted unless rawDates); null for an empty body. */
  body: unknown;
  limits: XeroLimits;
}

export interface XeroPage {
  /** The records of this page, taken from the envelope. */
  records: unknown[];
  limits: XeroLimits;
}

export interface XeroBinaryAnswer {
  data: Buffer;
  mimeType: string;
  fileName?: string;
  limits: XeroLimits;
}

export interface XeroUpload {
  data: Buffer;
  mimeType: string;
  fileName: string;
}

export interface XeroTenant {
  tenantId: string;
  tenantName: string | null;
  tenantType: string;
}

export interface XeroApiPort {
  /** The organisations the credential reaches (GET /connections). */
  connections(): Promise<XeroTenant[]>;
  request(tenantId: string, spec: XeroRequestSpec, options?: XeroCallOptions): Promise<XeroAnswer>;
  /** Streams pages until Xero answers an empty (or short) one. */
  pages(tenantId: string, spec: XeroRequestSpec, options?: XeroCallOptions): AsyncIterable<XeroPage>;
  download(tenantId: string, spec: XeroRequestSpec, options?: XeroCallOptions): Promise<XeroBinaryAnswer>;
  upload(tenantId: string, spec: XeroRequestSpec, file: XeroUpload, options?: XeroCallOptions): Promise<XeroAnswer>;
  /** The latest budget seen for an organisation, or null before the first answer. */
  limits(tenantId: string): XeroLimits | null;
}

/**
 * What a failure from the port carries (the core client's XeroGuardError has these fields): the
 * classifier's verdict and Xero's own validation messages. Read structurally, never by instanceof.
 */
export interface XeroPortFailure {
  message: string;
  category: string;
  action: string;
  summary?: string;
  advice?: string;
  httpStatus?: number | null;
  retryAfterSeconds?: number | null;
  validationMessages?: string[];
}

export function isXeroPortFailure(error: unknown): error is XeroPortFailure & Error {
  if (!(error instanceof Error)) return false;
  const e = error as unknown as Record<string, unknown>;
  return typeof e.category === 'string' && typeof e.action === 'string';
}
