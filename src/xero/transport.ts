/**
 * The one HTTP function the core uses. Injected everywhere so tests can fault it and hosts can
 * route it (n8n hands us its own helpers; Node-RED uses this default).
 *
 * It follows no redirect (issue 24): fetch would strip the bearer on a redirect to another origin but
 * send the tenant id, the Idempotency-Key, a 307/308 body and a token form with the live refresh token
 * on to wherever a Location points, and take the answer from there as Xero's. Xero's API and identity
 * service never redirect these calls, so a redirect means a wrong URL or something in between, and it
 * is an error that says so. Same-origin redirects too: one rule is simpler to trust, and following
 * them would turn a POST into a GET without its body (301/302/303) or re-send a token form, where the
 * fix is to set the URL that answers directly.
 */
import { REDIRECT_REFUSED_TEXT } from '../classify/texts';
import { redact } from '../secrets/redact';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  /** Bytes for binary uploads (attachments); text otherwise. */
  body?: string | Uint8Array;
  timeoutMs?: number;
  /**
   * The largest answer body read, in bytes (default DEFAULT_MAX_RESPONSE_BYTES, 1 MiB): a
   * misbehaving or hostile endpoint cannot make us buffer without limit. Raise it per request
   * for answers known to be large (attachments, PDFs).
   */
  maxResponseBytes?: number;
  /** Read the answer as bytes into `bodyBytes` (PDFs, attachments); `body` is then ''. */
  binary?: boolean;
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
  /** Set when the request asked for `binary`. */
  bodyBytes?: Uint8Array;
}

export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;

/** A request that got no HTTP answer: reset, refused, DNS, timeout. `code` is Node's error code. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly url: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** An answer that was larger than the request's maxResponseBytes: not read, and the connection dropped. */
export class ResponseTooLargeError extends TransportError {
  constructor(
    url: string,
    readonly limitBytes: number,
  ) {
    super(
      `The answer from ${safeOrigin(url)} is larger than the ${formatBytes(limitBytes)} limit for this request, so it was not read; that endpoint is not behaving like Xero (check the URL), or the request needs a larger maxResponseBytes.`,
      'ERESPONSETOOLARGE',
      url,
    );
    this.name = 'ResponseTooLargeError';
  }
}

/** The statuses fetch would follow. 304 (an answer to If-Modified-Since) is not one of them. */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** An answer that redirects: not followed, and nothing was sent where it points. */
export class RedirectRefusedError extends TransportError {
  /** What redirected where, without the fix (the classifier's advice for EREDIRECT is the fix). */
  readonly happened: string;

  constructor(
    url: string,
    readonly status: number,
    /** Where it pointed: origin and path, without query, redacted; null without a usable Location. */
    readonly target: string | null,
  ) {
    const happened = `${safeOrigin(url)} answered HTTP ${status}, a redirect to ${target ?? 'an address it did not give'}; Xero Guard follows no redirect (Xero's API and token endpoint never send one), so nothing was sent there.`;
    super(`${happened} ${REDIRECT_REFUSED_TEXT.advice}`, 'EREDIRECT', url);
    this.name = 'RedirectRefusedError';
    this.happened = happened;
  }
}

export const DEFAULT_HTTP_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

export const fetchTransport: HttpTransport = async (request) => {
  const timeoutMs = request.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const maxBytes = request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
  } catch (error) {
    throw toTransportError(error, request.url, timeoutMs);
  }
  if (REDIRECT_STATUSES.has(response.status)) {
    await response.body?.cancel().catch(() => undefined);
    throw new RedirectRefusedError(request.url, response.status, redirectTarget(response.headers.get('location'), request));
  }
  let body = '';
  let bodyBytes: Uint8Array | undefined;
  try {
    const bytes = await readCapped(response, maxBytes, request.url);
    if (request.binary) bodyBytes = bytes;
    else body = new TextDecoder('utf-8').decode(bytes);
  } catch (error) {
    if (error instanceof ResponseTooLargeError) throw error;
    // The status line arrived but the body was cut: for a token call the outcome is unknown.
    throw toTransportError(error, request.url, timeoutMs);
  }
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  return bodyBytes ? { status: response.status, headers, body, bodyBytes } : { status: response.status, headers, body };
};

/** Reads the body up to `maxBytes`, refusing early on a declared Content-Length and cancelling the stream once over. */
async function readCapped(response: Response, maxBytes: number, url: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(url, maxBytes);
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(url, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes}-byte`;
}

function toTransportError(error: unknown, url: string, timeoutMs: number): TransportError {
  const where = safeOrigin(url);
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new TransportError(`No answer from ${where} within ${timeoutMs} ms`, 'ETIMEDOUT', url);
  }
  const code = errorCode(error) ?? 'ENETWORK';
  return new TransportError(`Request to ${where} failed: ${code}`, code, url);
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Where a redirect pointed, for the error: origin and path (the path is often the fix: a missing or extra
 * segment), never the query. A hostile server received our request and may echo its secrets into the
 * Location, so the request's own header and form values are redacted, and anything token-shaped.
 */
function redirectTarget(location: string | null, request: HttpRequest): string | null {
  if (location === null || location.trim() === '') return null;
  let target: URL;
  try {
    target = new URL(location, request.url);
  } catch {
    return 'an address that is not a valid URL';
  }
  const secrets = Object.values(request.headers).flatMap(credentialsIn);
  if (typeof request.body === 'string') for (const [, value] of new URLSearchParams(request.body)) secrets.push(value);
  const shown = redact(`${target.origin}${target.pathname}`, secrets);
  return shown.length > 200 ? `${shown.slice(0, 197)}...` : shown;
}

/** A header value, its credential after the scheme, and for Basic the client id and secret it encodes. */
function credentialsIn(value: string): string[] {
  const credential = value.replace(/^\S+\s+/, '');
  if (!/^basic\s/i.test(value)) return [value, credential];
  const decoded = Buffer.from(credential, 'base64').toString('utf8');
  return [value, credential, decoded, ...decoded.split(':')];
}

/** Origin and path only: a URL may carry a code or token in its query. */
export function safeOrigin(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}
