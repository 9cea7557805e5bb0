import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../clock';
import { classifyXeroError } from '../../classify';
import { parseRetryAfter } from '../../classify/retry-after';
import { resolveEndpoints, type XeroEndpoints } from '../endpoints';
import { fetchTransport, ResponseTooLargeError, TransportError, type HttpRequest, type HttpResponse, type HttpTransport } from '../transport';
import { RedirectRefusedError } from '../transport';
import { convertXeroDatesInJson, ifModifiedSinceHeader, toRequestJson, type DateMode } from './dates';
import { localClassification, validationMessagesOf, XeroApiError, XeroRequestError, type XeroElementError } from './errors';
import { checkIdempotencyKey, deriveIdempotencyKey, WRITE_METHODS } from './idempotency';
import { readRateLimits, type XeroLimits } from './limits';
import type { XeroPaging as TablePaging } from '../operations';
import { accountingPath, apiPath, rootPath, DEFAULT_PAGE_SIZE, isJournals, isPagedEndpoint, JOURNALS_BATCH, MAX_PAGE_SIZE, recordsOf } from './paths';
import type { XeroTokenSource } from './token-source';
import type { XeroTier } from '../../xero-tiers';

export type XeroMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Query options Xero's list endpoints take; arrays are sent comma-separated, as Xero expects. */
export interface XeroQuery {
  where?: string;
  order?: string;
  IDs?: string | readonly string[];
  statuses?: string | readonly string[];
  ContactIDs?: string | readonly string[];
  InvoiceNumbers?: string | readonly string[];
  summaryOnly?: boolean;
  includeArchived?: boolean;
  page?: number;
  pageSize?: number;
  /** false: a batch write answers per element instead of one 400 for the whole batch. */
  summarizeErrors?: boolean;
  unitdp?: number;
  [name: string]: string | number | boolean | readonly string[] | undefined;
}

/**
 * Which host path a request's path is below: the Accounting API (default), api.xero.com itself, or
 * another Xero API's base path from the operation table (`/payroll.xro/2.0`, `/files.xro/1.0`).
 */
export type XeroApiBase = 'accounting' | 'root' | `/${string}`;

/**
 * How a list pages: Xero's `page`, the Journals' `offset`, or one answer; or an operation's own style
 * from the operation table (its page and size parameters, its counts), as the other APIs page.
 */
export type XeroPaging = 'page' | 'offset' | 'none' | TablePaging;

/**
 * What the classifier needs to tell a missing scope from an endpoint closed to the app (both are 401
 * AuthorizationUnsuccessful): the scope the operation needs, and the scopes the chain was granted.
 */
export interface XeroScopeContext {
  required: readonly string[];
  granted: readonly string[];
}

/** One part of a multipart/form-data upload besides the file (the Files API's name, filename, mimeType). */
export interface XeroFormUpload {
  /** The name of the part that carries the file's bytes (`body` in the Files API). */
  filePart: string;
  fileName: string;
  fields?: Record<string, string>;
}

/** Headers the client owns; a caller's extra header of one of these names is refused. */
const RESERVED_HEADERS = new Set(['authorization', 'xero-tenant-id', 'idempotency-key', 'if-modified-since', 'content-type', 'content-length', 'host']);

export interface XeroRequestOptions {
  method?: XeroMethod;
  /**
   * Below api.xro/2.0: `Invoices`, `Invoices/<InvoiceID>`, `Reports/ProfitAndLoss` (below api.xero.com with
   * base 'root'). Or its segments, each taken literally (`['Invoices', id, 'Attachments', 'a #1.pdf']`).
   */
  path: string | readonly string[];
  /** 'root': the path is below api.xero.com (Payroll, Assets, Projects, ...), for calls no Accounting path covers. */
  base?: XeroApiBase;
  /** Extra request headers (e.g. a Custom API Call's); the client's own headers cannot be overridden. */
  headers?: Record<string, string>;
  /** The organisation; defaults to the client's. */
  tenantId?: string;
  query?: XeroQuery;
  /** Only records changed since then (UTC). ISO 8601, a Date or epoch ms. */
  ifModifiedSince?: string | Date | number;
  body?: unknown;
  /** Default application/json (Xero answers XML otherwise). */
  accept?: string;
  /** Stable per item (e.g. `${executionId}:${itemIndex}`): the Idempotency-Key of a write derives from it. */
  stableId?: string;
  /** Your own Idempotency-Key (wins over stableId). */
  idempotencyKey?: string;
  dates?: DateMode;
  /** The longest a 429 may be waited out, in seconds; the client default otherwise. */
  maxWaitSeconds?: number;
  /** Cap on the answer's size in bytes; the client default otherwise. */
  maxResponseBytes?: number;
  /** The operation's scope and the chain's: a 401 AuthorizationUnsuccessful is then classified as a missing scope or a closed endpoint. */
  scopes?: XeroScopeContext;
}

/** A list read: the request's options without method and body, and how it pages and where its records sit. */
export type XeroListOptions = Omit<XeroRequestOptions, 'method' | 'body'> & {
  /** How the list pages; by default what the endpoint is known to do (PAGED_ENDPOINTS, Journals by offset, else one answer). */
  paging?: XeroPaging;
  /** The key of the answer that holds the records (`Invoices`); by default found from the path (recordsOf). */
  envelope?: string;
};

/** A binary read (a PDF, an attachment's content): no method, body or date conversion, and its own size cap. */
export type XeroDownloadOptions = Omit<XeroRequestOptions, 'method' | 'body' | 'dates'> & {
  /** Cap on the file's size in bytes; the client's maxBinaryBytes otherwise. */
  maxBytes?: number;
};

export interface XeroResponse<T = unknown> {
  status: number;
  /** Parsed JSON with dates as ISO 8601 (unless dates: 'raw'); undefined for an empty answer. */
  body: T;
  /** Lower-case names. */
  headers: Record<string, string>;
  limits: XeroLimits;
  correlationId: string | null;
  /** Batch writes with summarizeErrors=false: the elements Xero refused, by position. */
  elementErrors: XeroElementError[];
  /** The key sent with a write, so a host can log or reuse it. */
  idempotencyKey: string | null;
  /** Seconds spent waiting out 429s before this answer. */
  waitedSeconds: number;
}

export interface XeroPage {
  /** 1-based page number (for Journals: the batch number). */
  page: number;
  records: unknown[];
  /** Xero's `pagination` object when the answer has one. */
  pagination: { page?: number; pageSize?: number; pageCount?: number; itemCount?: number } | null;
  limits: XeroLimits;
  status: number;
}

export interface XeroBinary {
  status: number;
  contentType: string;
  bytes: Uint8Array;
  fileName: string | null;
  limits: XeroLimits;
  correlationId: string | null;
}

export interface XeroUploadOptions {
  /** e.g. `Invoices/<InvoiceID>/Attachments/receipt.pdf`, or its segments taken literally. */
  path: string | readonly string[];
  /** As for a request: below the Accounting API by default, or another API's base path (`/files.xro/1.0`). */
  base?: XeroApiBase;
  data: Uint8Array;
  contentType: string;
  /** Sent as multipart/form-data with the file in one part (the Files API); by default the bytes are the body (attachments). */
  form?: XeroFormUpload;
  /** PUT adds an attachment; POST adds or replaces one of the same name. */
  method?: 'PUT' | 'POST';
  tenantId?: string;
  /** Show the attachment with the online invoice (ACCREC invoices and credit notes). */
  includeOnline?: boolean;
  stableId?: string;
  idempotencyKey?: string;
  maxUploadBytes?: number;
  maxWaitSeconds?: number;
  scopes?: XeroScopeContext;
}

export interface XeroAccountingClientOptions {
  tokens: XeroTokenSource;
  /** The organisation for calls that name none. */
  tenantId?: string;
  endpoints?: Partial<XeroEndpoints>;
  transport?: HttpTransport;
  /** Waits for 429s go through it, so tests never sleep. */
  clock?: Clock;
  dates?: DateMode;
  maxWaitSeconds?: number;
  maxJsonBytes?: number;
  maxBinaryBytes?: number;
  maxUploadBytes?: number;
  timeoutMs?: number;
  /** The app's Xero tier as the user set it: a 401 on an endpoint kept for higher tiers names it (plan_restricted). */
  tier?: XeroTier | null;
}

/** Xero's minute limit resets within 60 s; waiting longer by default would stall a workflow silently. */
export const DEFAULT_MAX_WAIT_SECONDS = 60;
/**
 * A JSON answer bigger than this is refused: a full 1,000-record page of invoices with line items
 * runs to a few megabytes, anything far beyond that is not a Xero answer we can hold safely.
 */
export const DEFAULT_MAX_JSON_BYTES = 8 * 1024 * 1024;
/** The Xero app stores files up to 25 MB (community.xero.com/developer/discussion/3095073). */
export const DEFAULT_MAX_BINARY_BYTES = 25 * 1024 * 1024;
/**
 * Attachments through the API: up to 10 per document and 10 MB per file (raised from 3 MB; Codat's
 * and Workato's Xero docs, 2025-2026). Refused before sending, so no call is spent.
 */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS_PER_DOCUMENT = 10;
/**
 * "A single POST to the Accounting or Payroll APIs has a size limit of 3.5MB"; Xero recommends
 * batches of about 50 elements (developer.xero.com/documentation/auth-and-limits/xero-api-limits).
 */
export const MAX_WRITE_BODY_BYTES = 3.5 * 1024 * 1024;
export const RECOMMENDED_BATCH_SIZE = 50;
/** Large pages take Xero a while; the transport's 15 s default suits token calls, not a 1,000-invoice page. */
export const DEFAULT_ACCOUNTING_TIMEOUT_MS = 60_000;

/** Failures before a connection existed: the request never reached Xero. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** A 429 is waited out at most this many times in one call, whatever Retry-After says. */
const MAX_RATE_LIMIT_WAITS = 10;

interface Sent {
  response: HttpResponse;
  idempotencyKey: string | null;
  waitedSeconds: number;
  method: XeroMethod;
  displayPath: string;
}

/**
 * The one client for Xero's Accounting API: tenant header, paging, dates, idempotency, call budget,
 * 401 healing and error classification. Both hosts (n8n, Node-RED) call only this.
 */
export class XeroAccountingClient {
  private readonly endpoints: XeroEndpoints;
  private readonly transport: HttpTransport;
  private readonly clock: Clock;
  private readonly tokens: XeroTokenSource;
  private readonly tenantId?: string;
  private readonly dates: DateMode;
  private readonly maxWaitSeconds: number;
  private readonly maxJsonBytes: number;
  private readonly maxBinaryBytes: number;
  private readonly maxUploadBytes: number;
  private readonly timeoutMs: number;
  private readonly tier: XeroTier | null;

  constructor(options: XeroAccountingClientOptions) {
    this.endpoints = resolveEndpoints(options.endpoints);
    this.transport = options.transport ?? fetchTransport;
    this.clock = options.clock ?? systemClock;
    this.tokens = options.tokens;
    this.tenantId = options.tenantId;
    this.dates = options.dates ?? 'iso';
    this.maxWaitSeconds = options.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS;
    this.maxJsonBytes = options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES;
    this.maxBinaryBytes = options.maxBinaryBytes ?? DEFAULT_MAX_BINARY_BYTES;
    this.maxUploadBytes = options.maxUploadBytes ?? MAX_ATTACHMENT_BYTES;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_ACCOUNTING_TIMEOUT_MS;
    this.tier = options.tier ?? null;
  }

  /** One call. Resolves with any 2xx/3xx answer; every failure rejects with a XeroApiError. */
  async request<T = unknown>(options: XeroRequestOptions): Promise<XeroResponse<T>> {
    const method = options.method ?? 'GET';
    const { segments, encoded } = this.pathOf(options.path, method, options.base);
    const url = this.urlOf(encoded, options.query, method);
    const headers: Record<string, string> = { ...this.extraHeaders(options.headers, method, encoded), accept: options.accept ?? 'application/json' };
    if (options.ifModifiedSince !== undefined)
      headers['if-modified-since'] = this.guard(() => ifModifiedSinceHeader(options.ifModifiedSince ?? ''), method, encoded);
    let body: string | undefined;
    if (options.body !== undefined) {
      if (method === 'GET' || method === 'DELETE')
        throw this.refuse(method, encoded, `A ${method} request cannot carry a body.`, 'Remove the body, or use POST or PUT to write.');
      body = typeof options.body === 'string' ? options.body : toRequestJson(options.body);
      headers['content-type'] = 'application/json';
      if (Buffer.byteLength(body) > MAX_WRITE_BODY_BYTES) {
        throw this.refuse(
          method,
          encoded,
          `The request body is ${mb(Buffer.byteLength(body))}, over Xero's 3.5 MB limit for one write.`,
          `Split it into batches of about ${RECOMMENDED_BATCH_SIZE} records.`,
        );
      }
    }
    const cap = options.maxResponseBytes ?? this.maxJsonBytes;
    const sent = await this.send({
      method,
      url,
      headers,
      body,
      displayPath: encoded,
      segments,
      options,
      binary: false,
      maxBytes: cap,
      capOption: 'maxJsonBytes',
    });
    return this.readJson<T>(sent, options.dates ?? this.dates, cap);
  }

  /**
   * Every page of a list, one at a time: memory holds one page, never the whole list. Stops at a
   * short or empty page (saving the call that would find it empty) or at the count the answer gives
   * (Xero's pageCount, the Files API's TotalCount). Endpoints that do not page answer once; Journals
   * page by offset. Another API's list pages in its own style, given as `paging` from the operation table.
   */
  async *pages(options: XeroListOptions): AsyncGenerator<XeroPage, void, undefined> {
    const { segments } = this.pathOf(options.path, 'GET', options.base);
    const accounting = options.base === undefined || options.base === 'accounting';
    const known = !accounting ? 'none' : isJournals(segments) ? 'offset' : isPagedEndpoint(segments) ? 'page' : 'none';
    const paging = options.paging ?? known;
    const style = typeof paging === 'string' ? paging : paging.style;
    if (style === 'offset') {
      yield* this.offsetPages(options, segments, typeof paging === 'object' && paging.style === 'offset' ? paging : JOURNALS_OFFSET);
      return;
    }
    if (style === 'none') {
      const r = await this.request({ ...options, method: 'GET' });
      yield { page: 1, records: recordsOf(r.body, segments, options.envelope), pagination: null, limits: r.limits, status: r.status };
      return;
    }
    yield* this.numberedPages(options, segments, typeof paging === 'object' && paging.style === 'page' ? paging : ACCOUNTING_PAGES);
  }

  private async *numberedPages(options: XeroListOptions, segments: string[], paging: PagePaging): AsyncGenerator<XeroPage, void, undefined> {
    const { envelope } = options;
    const given = paging.sizeParam === undefined ? undefined : options.query?.[paging.sizeParam];
    // The API's default size (sent, where it takes a size, so a short page is known to be the last); its largest where it names no default.
    const pageSize = given ?? paging.defaultSize ?? (paging.sizeParam === undefined ? undefined : paging.maxSize);
    const max = paging.maxSize ?? MAX_PAGE_SIZE;
    if (pageSize !== undefined && (typeof pageSize !== 'number' || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > max)) {
      throw this.refuse(
        'GET',
        typeof options.path === 'string' ? options.path : options.path.join('/'),
        `${paging.sizeParam ?? 'The page size'} ${String(pageSize)} is outside Xero's range.`,
        `Use a whole number from 1 to ${max}.`,
      );
    }
    const first = options.query?.[paging.pageParam];
    let page = typeof first === 'number' && Number.isInteger(first) && first > 0 ? first : 1;
    for (;;) {
      const query: XeroQuery = { ...options.query, [paging.pageParam]: page };
      if (paging.sizeParam !== undefined && pageSize !== undefined) query[paging.sizeParam] = pageSize;
      const r = await this.request({ ...options, method: 'GET', query });
      const records = recordsOf(r.body, segments, envelope);
      const pagination = paginationOf(r.body);
      yield { page, records, pagination, limits: r.limits, status: r.status };
      if (records.length === 0 || (pageSize !== undefined && records.length < pageSize)) return;
      if (pagination?.pageCount !== undefined && page >= pagination.pageCount) return;
      const files = filesCountsOf(r.body);
      if (files && page * files.perPage >= files.totalCount) return;
      page++;
    }
  }

  /** Every record of a list, page by page underneath. */
  async *records(options: XeroListOptions): AsyncGenerator<unknown, void, undefined> {
    for await (const page of this.pages(options)) yield* page.records;
  }

  /** A binary answer: an invoice PDF (`accept: 'application/pdf'`) or an attachment's content. */
  async download(options: XeroDownloadOptions): Promise<XeroBinary> {
    const { segments, encoded } = this.pathOf(options.path, 'GET', options.base);
    const url = this.urlOf(encoded, options.query, 'GET');
    const cap = options.maxBytes ?? this.maxBinaryBytes;
    const headers = { accept: options.accept ?? 'application/octet-stream' };
    const sent = await this.send({
      method: 'GET',
      url,
      headers,
      displayPath: encoded,
      segments,
      options,
      binary: true,
      maxBytes: cap,
      capOption: 'maxBinaryBytes',
    });
    const { response } = sent;
    const bytes = response.bodyBytes ?? Buffer.from(response.body);
    if (bytes.byteLength > cap) throw this.tooLarge(sent, bytes.byteLength, cap, 'maxBinaryBytes');
    return {
      status: response.status,
      contentType: response.headers['content-type'] ?? 'application/octet-stream',
      bytes,
      fileName: fileNameOf(response.headers['content-disposition']),
      limits: readRateLimits(response.headers),
      correlationId: response.headers['xero-correlation-id'] ?? null,
    };
  }

  /** A file upload: an attachment (the bytes as the body; answers `{"Attachments":[...]}`), or a Files API upload (multipart). */
  async upload(options: XeroUploadOptions): Promise<XeroResponse> {
    const method = options.method ?? 'PUT';
    const { segments, encoded } = this.pathOf(options.path, method, options.base);
    const cap = options.maxUploadBytes ?? this.maxUploadBytes;
    if (options.data.byteLength === 0) throw this.refuse(method, encoded, 'The attachment is empty.', 'Check the binary property that holds the file.');
    if (options.data.byteLength > cap) {
      throw this.refuse(
        method,
        encoded,
        `The attachment is ${mb(options.data.byteLength)}, over the ${mb(cap)} Xero accepts per file through the API.`,
        'Compress or split the file, or attach it in Xero itself.',
      );
    }
    const query: XeroQuery = options.includeOnline === undefined ? {} : { IncludeOnline: options.includeOnline };
    const url = this.urlOf(encoded, query, method);
    const { body, contentType } = options.form
      ? multipart(options.form, options.data, options.contentType)
      : { body: options.data, contentType: options.contentType };
    const sent = await this.send({
      method,
      url,
      headers: { accept: 'application/json', 'content-type': contentType },
      body,
      displayPath: encoded,
      segments,
      options,
      binary: false,
      maxBytes: this.maxJsonBytes,
      capOption: 'maxJsonBytes',
    });
    return this.readJson(sent, this.dates, this.maxJsonBytes);
  }

  /** Pages by offset: each request names the last record's cursor field (Journals: JournalNumber), a fixed batch each time. */
  private async *offsetPages(options: XeroListOptions, segments: string[], paging: OffsetPaging): AsyncGenerator<XeroPage, void, undefined> {
    let offset = Number(options.query?.[paging.offsetParam] ?? 0);
    for (let batch = 1; ; batch++) {
      const r = await this.request({ ...options, method: 'GET', query: { ...options.query, [paging.offsetParam]: offset } });
      const records = recordsOf(r.body, segments, options.envelope);
      yield { page: batch, records, pagination: null, limits: r.limits, status: r.status };
      const last = records[records.length - 1] as Record<string, unknown> | undefined;
      const cursor = last?.[paging.cursorField];
      if (records.length < paging.batch || typeof cursor !== 'number') return;
      offset = cursor;
    }
  }

  private async send(req: {
    method: XeroMethod;
    url: string;
    headers: Record<string, string>;
    body?: string | Uint8Array;
    displayPath: string;
    segments: string[];
    options: Pick<XeroRequestOptions, 'tenantId' | 'stableId' | 'idempotencyKey' | 'maxWaitSeconds' | 'path' | 'scopes'>;
    binary: boolean;
    /** The transport stops reading past this, so an oversized answer never sits in memory whole. */
    maxBytes: number;
    capOption: string;
  }): Promise<Sent> {
    const { method, displayPath } = req;
    const tenantId = req.options.tenantId ?? this.tenantId;
    if (!tenantId)
      throw this.refuse(method, displayPath, 'No Xero organisation was chosen for this call.', 'Pick the organisation (tenant) in the node, or pass tenantId.');
    const headers: Record<string, string> = { ...req.headers, 'xero-tenant-id': tenantId };
    let idempotencyKey: string | null = null;
    if (WRITE_METHODS.has(method)) {
      idempotencyKey = this.guard(
        () => {
          if (req.options.idempotencyKey !== undefined) return checkIdempotencyKey(req.options.idempotencyKey);
          if (req.options.stableId !== undefined)
            return deriveIdempotencyKey({ stableId: req.options.stableId, method, path: req.segments.join('/'), tenantId });
          return null;
        },
        method,
        displayPath,
      );
      if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    }
    const maxWait = req.options.maxWaitSeconds ?? this.maxWaitSeconds;
    let waitedSeconds = 0;
    let waits = 0;
    let healed = false;
    for (;;) {
      const accessToken = await this.tokens.getAccessToken();
      const request: HttpRequest = { method, url: req.url, headers: { ...headers, authorization: `Bearer ${accessToken}` }, timeoutMs: this.timeoutMs };
      if (req.body !== undefined) request.body = req.body;
      if (req.binary) request.binary = true;
      // One byte over the cap, so an answer of exactly the cap still reaches the client's own check.
      request.maxResponseBytes = req.maxBytes + 1;
      let response: HttpResponse;
      try {
        response = await this.transport(request);
      } catch (error) {
        if (error instanceof ResponseTooLargeError) throw this.tooLargeUnread(method, displayPath, req.maxBytes, req.capOption);
        if (!(error instanceof TransportError)) throw error;
        // The write may or may not have happened; the Idempotency-Key makes the caller's retry safe.
        const classification = classifyXeroError({ code: error.code, message: error.message }, { now: this.clock.now() });
        const unsafe = WRITE_METHODS.has(method) && !idempotencyKey && !NEVER_SENT.has(error.code);
        throw new XeroApiError({
          classification,
          method,
          path: displayPath,
          httpStatus: null,
          ...(unsafe
            ? {
                summary: `${classification.summary} The write may have reached Xero, and it carried no Idempotency-Key: check Xero before retrying, or pass a stable id so a retry cannot create it twice.`,
              }
            : {}),
          // What redirected where (issue 24); the classification's advice says how to fix it.
          ...(error instanceof RedirectRefusedError ? { summary: error.happened } : {}),
        });
      }
      if (response.status < 400) return { response, idempotencyKey, waitedSeconds, method, displayPath };
      const failure = this.failure(response, method, displayPath, req.binary, req.options.scopes);
      if (response.status === 401 && !healed && failure.action === 'refresh_and_retry') {
        healed = true;
        await this.tokens.reportRejected(accessToken);
        continue;
      }
      if (response.status === 429) {
        const retryAfter = parseRetryAfter(response.headers['retry-after'], this.clock.now()) ?? failure.classification.suggestedWaitSeconds;
        if (retryAfter !== null && waitedSeconds + retryAfter <= maxWait && waits < MAX_RATE_LIMIT_WAITS) {
          waits++;
          waitedSeconds += retryAfter;
          await this.clock.sleep(retryAfter * 1000);
          continue;
        }
      }
      throw failure;
    }
  }

  private failure(response: HttpResponse, method: string, path: string, binary: boolean, scopes?: XeroScopeContext): XeroApiError {
    const text = binary && response.bodyBytes ? Buffer.from(response.bodyBytes.subarray(0, 64 * 1024)).toString('utf8') : response.body;
    const parsed = parseJson(text);
    const { messages, elementErrors } = validationMessagesOf(parsed);
    // The scopes tell a missing scope from an endpoint closed to the app's tier or the user's role (both 401 AuthorizationUnsuccessful).
    // The app's tier, when set, lets a plan_restricted text name it.
    const tier = this.tier === null ? {} : { appTier: this.tier };
    const context = scopes ? { context: { requiredScopes: scopes.required, grantedScopes: scopes.granted, endpoint: `${method} ${path}`, ...tier } } : {};
    const classification = classifyXeroError(
      { status: response.status, headers: response.headers, body: parsed ?? text },
      { now: this.clock.now(), ...context },
    );
    return new XeroApiError({
      classification,
      method,
      path,
      httpStatus: response.status,
      validationMessages: messages,
      elementErrors,
      limits: readRateLimits(response.headers),
    });
  }

  private readJson<T>(sent: Sent, dates: DateMode, cap: number): XeroResponse<T> {
    const { response } = sent;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: most answers are under the cap without counting.
    if (response.body.length * 3 > cap) {
      const size = Buffer.byteLength(response.body);
      if (size > cap) throw this.tooLarge(sent, size, cap, 'maxJsonBytes');
    }
    let body: unknown = undefined;
    if (response.body.trim() !== '') {
      const parsed = parseJson(dates === 'iso' ? convertXeroDatesInJson(response.body) : response.body);
      if (parsed === undefined) {
        const isJson = (response.headers['content-type'] ?? '').includes('json');
        if (isJson || (sent.method === 'GET' && response.status === 200)) {
          throw new XeroApiError({
            classification: localClassification({
              summary: `Xero answered HTTP ${response.status} with something that is not JSON.`,
              advice: 'Check that the API URL points at Xero (or the simulator) and not at a proxy or login page.',
              httpStatus: response.status,
            }),
            method: sent.method,
            path: sent.displayPath,
            httpStatus: response.status,
          });
        }
        body = response.body;
      } else body = parsed;
    }
    const { elementErrors } = sent.method === 'GET' ? { elementErrors: [] } : validationMessagesOf(body);
    return {
      status: response.status,
      body: body as T,
      headers: response.headers,
      limits: readRateLimits(response.headers),
      correlationId: response.headers['xero-correlation-id'] ?? null,
      elementErrors,
      idempotencyKey: sent.idempotencyKey,
      waitedSeconds: sent.waitedSeconds,
    };
  }

  private tooLargeUnread(method: XeroMethod, path: string, cap: number, option: string): XeroApiError {
    return new XeroApiError({
      classification: localClassification({
        summary: `Xero's answer is over the ${mb(cap)} this node accepts, so it was not read.`,
        advice: `Ask for less (a smaller pageSize, summaryOnly, a where filter), or raise ${option}.`,
        httpStatus: null,
      }),
      method,
      path,
      httpStatus: null,
    });
  }

  private tooLarge(sent: Sent, size: number, cap: number, option: string): XeroApiError {
    return new XeroApiError({
      classification: localClassification({
        summary: `Xero's answer is ${mb(size)}, over the ${mb(cap)} this node accepts.`,
        advice: `Ask for less (a smaller pageSize, summaryOnly, a where filter), or raise ${option}.`,
        httpStatus: sent.response.status,
      }),
      method: sent.method,
      path: sent.displayPath,
      httpStatus: sent.response.status,
      limits: readRateLimits(sent.response.headers),
    });
  }

  private pathOf(path: string | readonly string[], method: XeroMethod, base: XeroApiBase = 'accounting'): { segments: string[]; encoded: string } {
    return this.guard(
      () => (base === 'root' ? rootPath(path) : base === 'accounting' ? accountingPath(path) : apiPath(base, path)),
      method,
      typeof path === 'string' ? path : path.join('/'),
    );
  }

  private extraHeaders(extra: Record<string, string> | undefined, method: XeroMethod, path: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(extra ?? {})) {
      const lower = name.trim().toLowerCase();
      if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(lower))
        throw this.refuse(method, path, `Header name "${name.slice(0, 40)}" is not a valid HTTP header name.`, 'Use letters, digits and dashes only.');
      if (RESERVED_HEADERS.has(lower))
        throw this.refuse(method, path, `Header "${name}" is set by Xero Guard itself and cannot be overridden.`, 'Remove it from the headers.');
      if (/[\r\n]/.test(value)) throw this.refuse(method, path, `Header "${name}" has a line break in its value.`, 'Remove the line break.');
      out[lower] = value;
    }
    return out;
  }

  private urlOf(encodedPath: string, query: XeroQuery | undefined, method: XeroMethod): string {
    const url = new URL(`${this.endpoints.apiUrl}${encodedPath}`);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (typeof value === 'number' && !Number.isFinite(value))
        throw this.refuse(method, encodedPath, `Query option ${name} is not a number.`, 'Pass a finite number.');
      url.searchParams.set(name, Array.isArray(value) ? value.join(',') : String(value));
    }
    return url.toString();
  }

  private guard<T>(fn: () => T, method: string, path: string): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof RangeError) throw this.refuse(method, path, error.message, 'Correct the input; nothing was sent to Xero.');
      throw error;
    }
  }

  private refuse(method: string, path: string, summary: string, advice: string): XeroRequestError {
    return new XeroRequestError({
      classification: localClassification({ summary, advice, category: 'validation_error', action: 'fix_request' }),
      method,
      path,
      httpStatus: null,
    });
  }
}

type PagePaging = Extract<TablePaging, { style: 'page' }>;
type OffsetPaging = Extract<TablePaging, { style: 'offset' }>;

/** The Accounting API's own page style (PAGED_ENDPOINTS): `page` and `pageSize`, 100 by default. */
const ACCOUNTING_PAGES: PagePaging = {
  style: 'page',
  pageParam: 'page',
  sizeParam: 'pageSize',
  defaultSize: DEFAULT_PAGE_SIZE,
  maxSize: MAX_PAGE_SIZE,
  counts: 'pagination',
};
/** The Journals' offset: the last JournalNumber seen, 100 at a time. */
const JOURNALS_OFFSET: OffsetPaging = { style: 'offset', offsetParam: 'offset', cursorField: 'JournalNumber', batch: JOURNALS_BATCH };

/** The Files API's counts (`{TotalCount, Page, PerPage}` beside the records), or null. */
function filesCountsOf(body: unknown): { totalCount: number; perPage: number } | null {
  const b = body && typeof body === 'object' ? (body as { TotalCount?: unknown; PerPage?: unknown }) : {};
  return typeof b.TotalCount === 'number' && typeof b.PerPage === 'number' && b.PerPage > 0 ? { totalCount: b.TotalCount, perPage: b.PerPage } : null;
}

/** A multipart/form-data body: the form's fields, then the file in its part (RFC 7578). */
function multipart(form: XeroFormUpload, data: Uint8Array, contentType: string): { body: Uint8Array; contentType: string } {
  const boundary = `----XeroGuard${randomBytes(12).toString('hex')}`;
  // A quote or line break would end the header it sits in: names and file names never carry one.
  const quoted = (v: string) => v.replace(/["\r\n]/g, '_');
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(form.fields ?? {}))
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n${value}\r\n`));
  chunks.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(form.filePart)}"; filename="${quoted(form.fileName)}"\r\nContent-Type: ${contentType.replace(/[\r\n]/g, '')}\r\n\r\n`,
    ),
    Buffer.from(data),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

function paginationOf(body: unknown): XeroPage['pagination'] {
  const p = body && typeof body === 'object' ? (body as { pagination?: unknown }).pagination : undefined;
  return p && typeof p === 'object' ? (p as XeroPage['pagination']) : null;
}

function parseJson(text: string): unknown {
  const first = text.trimStart().charAt(0);
  if (first !== '{' && first !== '[') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function fileNameOf(disposition: string | undefined): string | null {
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition ?? '');
  if (!m?.[1]) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
