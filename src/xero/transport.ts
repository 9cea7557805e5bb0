/**
 * The one HTTP function the core uses. Injected everywhere so tests can fault it and hosts can
 * route it (n8n hands us its own helpers; Node-RED uses this default).
 */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  /** Bytes for binary uploads (attachments); text otherwise. */
  body?: string | Uint8Array;
  timeoutMs?: number;
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

export const DEFAULT_HTTP_TIMEOUT_MS = 15_000;

export const fetchTransport: HttpTransport = async (request) => {
  const timeoutMs = request.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw toTransportError(error, request.url, timeoutMs);
  }
  let body = '';
  let bodyBytes: Uint8Array | undefined;
  try {
    if (request.binary) bodyBytes = new Uint8Array(await response.arrayBuffer());
    else body = await response.text();
  } catch (error) {
    // The status line arrived but the body was cut: for a token call the outcome is unknown.
    throw toTransportError(error, request.url, timeoutMs);
  }
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  return bodyBytes ? { status: response.status, headers, body, bodyBytes } : { status: response.status, headers, body };
};

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

/** Origin and path only: a URL may carry a code or token in its query. */
export function safeOrigin(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}
