/**
 * Turns whatever the caller has (an HTTP response, an n8n error item, an Error, a pasted string, ...)
 * into one NormalisedError. The walk is breadth first, so the outermost evidence (the response's own
 * status) is seen before an echo of it deeper down, and it is bounded in nodes, depth and characters
 * so hostile input (cycles, 10,000 levels, 5 MB strings, throwing getters) costs little.
 */
import { decodeJsonString, extractJson, extractLoosePairs } from './extract-json';
import { bareOAuth1Problem, parseOAuth1 } from './oauth1';
import { readPrintedHeaders } from './printed-headers';
import { receivedStatus, statusOfIdentifier } from './status-words';
import { LIMITS, htmlToText, looksBinary, looksLikeHtml, percentDecodeAll, straightenQuotes, window } from './text';
import { SOURCES, type NormalisedError, type Source } from './types';

/** What the built-in rules read: the normalised error plus evidence that is not part of the public shape. */
export interface Evidence {
  error: NormalisedError;
  /** The text in lower case, for phrase checks. */
  lower: string;
  headers: Record<string, string>;
  urls: string[];
  sourceHint: Source | null;
  errorNames: string[];
  /**
   * The status a person would infer when none is given: from an SDK's exception class
   * (`ForbiddenException`) or Xero's documented wording for a status. Never reported as httpStatus.
   * Worked out on first call: most errors are decided before a rule needs it.
   */
  impliedStatus: () => number | null;
  /** Values the input held under secret-looking names; output is scrubbed of them. */
  secrets: string[];
}

const STATUS_KEYS = new Set([
  'statuscode',
  'status',
  'httpcode',
  'http_code',
  'status_code',
  'httpstatus',
  'httpstatuscode',
  'responsecode',
  'response_code',
  'statuscodevalue',
]);
const HEADER_CONTAINERS = new Set(['headers', 'header', 'responseheaders', 'response_headers', 'rawheaders']);
const BODY_KEYS = new Set(['body', 'data', 'responsebody', 'response_body', 'rawbody', 'content']);
const URL_KEYS = new Set(['url', 'uri', 'href', 'endpoint', 'requesturl', 'request_url', 'path', 'baseurl', 'responseurl']);
/** Header names recognised even when they sit outside a `headers` object. */
const LOOSE_HEADERS = new Set([
  'retry-after',
  'x-rate-limit-problem',
  'xero-correlation-id',
  'www-authenticate',
  'x-minlimit-remaining',
  'x-daylimit-remaining',
  'x-appminlimit-remaining',
]);
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-n8n-api-key']);
/** Error and Response instances keep their fields on prototypes or as non-enumerable properties. */
const INSTANCE_FIELDS = [
  'message',
  'name',
  'code',
  'errno',
  'status',
  'statusCode',
  'statusText',
  'headers',
  'body',
  'data',
  'response',
  'cause',
  'description',
  'httpCode',
  'url',
  'errors',
  'error',
  'detail',
  'context',
  'reason',
];
// eslint-disable-next-line no-control-regex -- finding control characters is the point: they mark binary input.
const CONTROL_OR_REPLACEMENT = /[\u0000-\u0008\u000e-\u001f\ufffd]/;
const NET_CODE = /^(?:E[A-Z][A-Z0-9_]{2,}|UND_ERR_[A-Z_]+|ERR_[A-Z0-9_]+)$/;
/** OpenSSL's verification codes as Node reports them in `code`. */
export const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_CRL',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Names under which a value is a secret: never copied to text, and scrubbed from output. */
export function isSecretKey(lk: string): boolean {
  if (lk.endsWith('url') || lk.endsWith('uri') || lk === 'token_type' || lk === 'tokentype' || lk.startsWith('x-rate')) return false;
  return /token|secret|password|passwd|authorization|api[-_]?key|cookie|verifier|assertion|session_handle|private[-_]?key|credential_data/.test(lk);
}

interface Item {
  value: unknown;
  depth: number;
  key: string;
}

class Walker {
  status: number | null = null;
  readonly headers: Record<string, string> = {};
  body: unknown = undefined;
  firstParsed: unknown = undefined;
  readonly texts: string[] = [];
  textLength = 0;
  code: string | null = null;
  readonly urls: string[] = [];
  detail: string | null = null;
  type: string | null = null;
  title: string | null = null;
  oauthError: string | null = null;
  errorDescription: string | null = null;
  oauthProblem: string | null = null;
  oauthAdvice: string | null = null;
  instance: string | null = null;
  description: string | null = null;
  readonly validationMessages: string[] = [];
  readonly errorNames: string[] = [];
  sourceHint: Source | null = null;
  readonly secrets = new Set<string>();
  truncated = false;
  private nodes = 0;
  private readonly seen = new Set<object>();
  private readonly queue: Item[] = [];

  walk(input: unknown): void {
    this.queue.push({ value: input, depth: 0, key: '' });
    for (let head = 0; head < this.queue.length; head++) {
      if (this.nodes >= LIMITS.nodes) {
        this.truncated = true;
        break;
      }
      const item = this.queue[head];
      this.visit(item.value, item.depth, item.key);
    }
  }

  private enqueue(value: unknown, depth: number, key: string): void {
    if (value === null || value === undefined) return;
    const t = typeof value;
    if (t !== 'object' && t !== 'string' && t !== 'function') return;
    if (depth > LIMITS.depth) {
      this.truncated = true;
      return;
    }
    if (this.queue.length < LIMITS.nodes * 2) this.queue.push({ value, depth, key });
    else this.truncated = true;
  }

  private addText(s: string): void {
    if (s.length === 0 || this.textLength >= LIMITS.textChars) return;
    const room = LIMITS.textChars - this.textLength;
    const piece = s.length > room ? s.slice(0, room) : s;
    this.texts.push(piece);
    this.textLength += piece.length + 1;
  }

  private visit(value: unknown, depth: number, key: string): void {
    if (typeof value === 'string') {
      this.nodes++;
      this.visitString(value, depth, key);
      return;
    }
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return;
    const obj = value as object;
    if (this.seen.has(obj)) return;
    if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) {
      // A raw response body (Buffer, Uint8Array): its head read as text.
      this.seen.add(obj);
      this.nodes++;
      this.visitString(bytesToText(obj), depth, key);
      return;
    }
    this.seen.add(obj);
    this.nodes++;
    if (Array.isArray(obj)) {
      const n = Math.min(obj.length, LIMITS.keysPerObject);
      if (obj.length > n) this.truncated = true;
      for (let i = 0; i < n; i++) this.enqueue(read(obj, i), depth + 1, key);
      return;
    }
    for (const k of keysOf(obj)) {
      const v = read(obj, k);
      if (v === undefined || v === null) continue;
      this.visitField(k.length > 100 ? k.slice(0, 100).toLowerCase() : k.toLowerCase(), v, depth, key);
    }
  }

  private visitField(lk: string, v: unknown, depth: number, parentKey: string): void {
    if (STATUS_KEYS.has(lk)) {
      const n = toStatus(v);
      if (n !== null) {
        this.status ??= n;
        return;
      }
    }
    if (HEADER_CONTAINERS.has(lk)) {
      this.readHeaders(v);
      return;
    }
    if (LOOSE_HEADERS.has(lk) && (typeof v === 'string' || typeof v === 'number')) {
      this.headers[lk] ??= String(v).slice(0, 1024);
      return;
    }
    if (lk === 'code' || lk === 'errno') {
      if (typeof v === 'string') {
        if (NET_CODE.test(v) || TLS_CODES.has(v)) this.code ??= v;
        // Any other string `code` is an OAuth authorization code (e.g. a callback's query): a secret.
        else if (v.length >= 6) this.secrets.add(v);
        return;
      }
      if (typeof v !== 'object') return;
    }
    if (typeof v === 'string') {
      if (isSecretKey(lk)) {
        if (v.length >= 4) this.secrets.add(v);
        return;
      }
      if (lk === 'source' && (SOURCES as readonly string[]).includes(v)) this.sourceHint ??= v as Source;
      if (lk === 'name' && v.length < 60) this.errorNames.push(v);
      // The messages under ValidationErrors are what a person needs to fix a 400.
      if (lk === 'message' && parentKey === 'validationerrors' && this.validationMessages.length < 10) this.validationMessages.push(v.slice(0, 300));
    } else if (isSecretKey(lk) && typeof v === 'object') {
      // e.g. n8n's `oauthTokenData`: everything under it is secret.
      this.collectSecrets(v, 0);
      return;
    }
    if (BODY_KEYS.has(lk) && this.body === undefined && (typeof v === 'object' || typeof v === 'string')) this.body = v;
    this.enqueue(v, depth + 1, lk);
  }

  private collectSecrets(v: unknown, depth: number): void {
    if (depth > 4 || this.secrets.size > 200) return;
    if (typeof v === 'string') {
      if (v.length >= 4) this.secrets.add(v);
    } else if (v !== null && typeof v === 'object') {
      for (const k of keysOf(v).slice(0, 50)) this.collectSecrets(read(v, k), depth + 1);
    }
  }

  private visitString(raw: string, depth: number, key: string): void {
    const w = window(raw);
    if (w.truncated) this.truncated = true;
    // Each clean-up is gated by a cheap test: most strings in an error are short plain words.
    if (CONTROL_OR_REPLACEMENT.test(w.text) && looksBinary(w.text)) return;
    let s = straightenQuotes(w.text);
    // A JSON string literal: the text it encodes (its escaped newlines and quotes would hide the words).
    s = decodeJsonString(s) ?? s;
    // URL-encoded JSON or form data (`%7B%22error%22...`): read it decoded, so its keys (and secrets) are seen.
    if (s.includes('%') && /%(?:25|7B|22|3D|26|5B|3A)/i.test(s)) s = percentDecodeAll(s, false);
    if (s.includes('<') && looksLikeHtml(s)) s = htmlToText(s);
    const short = s.length <= 2000 ? s.trim() : null;
    if (short !== null) this.readKnownField(key, short);
    this.addText(s);
    if (depth >= LIMITS.depth) return;
    if (s.includes('{') || s.includes('[') || s.includes('":') || s.includes("':") || s.includes(": '") || s.includes('=>')) {
      const parsed = extractJson(s, LIMITS.jsonNesting);
      if (parsed.length > 0) {
        this.firstParsed ??= parsed[0];
        if (BODY_KEYS.has(key) && this.body === raw) this.body = parsed[0];
        for (const p of parsed) this.enqueue(p, depth + 1, key);
      } else if (s.includes('":') || s.includes("':") || s.includes(": '") || s.includes(': `') || s.includes('=>')) {
        // Fragments, and objects printed by util.inspect, Python's repr (single quotes, bare keys) or Ruby (`=>`).
        const pairs = extractLoosePairs(s);
        if (pairs) {
          this.firstParsed ??= pairs;
          this.enqueue(pairs, depth + 1, key);
        }
      }
    }
  }

  private readKnownField(key: string, s: string): void {
    switch (key) {
      case 'detail':
        this.detail ??= s;
        break;
      case 'type':
        this.type ??= s;
        break;
      case 'title':
        this.title ??= s;
        break;
      case 'instance':
        this.instance ??= s;
        break;
      case 'error':
        if (/^[a-z_]{3,40}$/.test(s)) this.oauthError ??= s;
        break;
      case 'error_description':
      case 'errordescription':
        this.errorDescription ??= s;
        break;
      case 'description':
        // n8n's description: Xero's words when they are plain text (JSON in it is walked separately).
        if (!s.includes('{') && s.length <= 500) this.description ??= s;
        break;
      case 'oauth_problem':
        this.oauthProblem ??= s.toLowerCase();
        break;
      case 'oauth_problem_advice':
        this.oauthAdvice ??= s;
        break;
      default:
        if (URL_KEYS.has(key) && /^(?:https?:\/\/|\/)/i.test(s)) this.urls.push(s);
    }
  }

  private readHeaders(v: unknown): void {
    const set = (name: unknown, value: unknown): void => {
      if (typeof name !== 'string' || name.length > 100) return;
      const ln = name.trim().toLowerCase();
      const val = Array.isArray(value)
        ? value.filter((x) => typeof x === 'string').join(', ')
        : typeof value === 'string' || typeof value === 'number'
          ? String(value)
          : null;
      if (val === null) return;
      if (SECRET_HEADERS.has(ln)) {
        this.secrets.add(val);
        const cred = /^\s*\S+\s+(\S{4,})/.exec(val);
        if (cred) this.secrets.add(cred[1]);
        this.headers[ln] ??= '[redacted]';
        return;
      }
      this.headers[ln] ??= val.slice(0, 1024);
    };
    if (typeof v === 'string') {
      for (const line of v.slice(0, 16384).split(/\r?\n/)) {
        const m = /^\s*([A-Za-z0-9-]{1,80})\s*:\s*(.*)$/.exec(line);
        if (m) set(m[1], m[2].trim());
      }
      return;
    }
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      // Node's rawHeaders ([name, value, ...]) or entries ([[name, value], ...]).
      for (let i = 0; i < Math.min(v.length, 400); i++) {
        const e: unknown = v[i];
        if (Array.isArray(e)) set(e[0], e[1]);
        else if (i % 2 === 0) set(e, v[i + 1]);
      }
      return;
    }
    const forEach = read(v, 'forEach');
    if (typeof forEach === 'function' && typeof read(v, 'get') === 'function') {
      // A fetch Headers or a Map.
      let n = 0;
      try {
        (forEach as (cb: (value: unknown, name: unknown) => void) => void).call(v, (value, name) => {
          if (n++ < 200) set(name, value);
        });
      } catch {
        /* a hostile forEach: keep what was read */
      }
      return;
    }
    for (const k of keysOf(v)) set(k, read(v, k));
  }
}

/** Own keys, bounded. V8 builds the full key list first whatever the API, so a huge object costs O(keys) once. */
function keysOf(obj: object): string[] {
  try {
    const proto: unknown = Object.getPrototypeOf(obj);
    const own = Object.keys(obj);
    const keys = own.length > LIMITS.keysPerObject ? own.slice(0, LIMITS.keysPerObject) : own;
    if (proto === Object.prototype || proto === null) return keys;
    for (const k of INSTANCE_FIELDS) if (!keys.includes(k)) keys.push(k);
    return keys;
  } catch {
    return [];
  }
}

function bytesToText(v: ArrayBufferView | ArrayBuffer): string {
  try {
    const bytes =
      v instanceof ArrayBuffer
        ? new Uint8Array(v, 0, Math.min(v.byteLength, LIMITS.headChars))
        : new Uint8Array(v.buffer, v.byteOffset, Math.min(v.byteLength, LIMITS.headChars));
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  } catch {
    return '';
  }
}

function read(obj: object, key: string | number): unknown {
  try {
    return (obj as Record<string | number, unknown>)[key];
  } catch {
    return undefined;
  }
}

function toStatus(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d{3}\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : null;
}

/** Status lines as people and libraries write them. */
const STATUS_IN_TEXT = [
  // `status: 429`, `statusCode=500`, `status_code: 401`, `Request failed with status code 404`.
  /\bstatus(?:[ _]?code)?['"]?[\s:=]+['"]?(\d{3})\b/i,
  /(?:^|\n)\s*(\d{3}) - /,
  /\bHTTP\/\d(?:\.\d)? (\d{3})\b/,
  /\b(\d{3}) (?:Bad Gateway|Service Unavailable|Gateway Time-?out|Internal Server Error|Not Found|Too Many Requests|Unauthori[sz]ed|Forbidden|Precondition Failed|Bad Request|Not Implemented)\b/i,
  /\bhttp(?:code| code| error| status)?[\s:=]+(\d{3})\b/i,
  // `Xero API 400 Error calling CreateInvoices` (.NET SDK), `[403] Client error` (PHP SDK, Guzzle).
  /\bAPI (\d{3}) error\b/i,
  /\[(\d{3})\] (?:client|server) error\b/i,
  // Python SDK: `(429)\nReason: Too Many Requests`; `GET call failed with: 404`.
  /\((\d{3})\)\s*Reason:/,
  /\bfailed with:? (\d{3})\b/i,
  // ... and .NET's EnsureSuccessStatusCode: `Response status code does not indicate success: 401 (Unauthorized).`
  /\b(?:response code[\s:=]+|does not indicate success:? )(\d{3})\b/i,
  // Prose: `I got an exception with 429 errors`, `a 403 response`.
  /\b([45]\d\d) (?:errors?|responses?)\b/i,
];

/**
 * What a person infers when no status is written: an SDK's exception class, in any of Xero's SDK
 * languages, or Xero's documented wording for a status (developer.xero.com, HTTP response codes).
 * Lower-case phrases, matched on the lower-cased text with plain `includes` (no regex on attacker text).
 */
const IMPLIED_STATUS: readonly (readonly [number, readonly string[]])[] = [
  [
    429,
    [
      'ratelimitexception',
      'rateexceededexception',
      'xeroratelimitexceeded',
      'ratelimitexceededexception',
      'toomanyrequestsexception',
      'rate limit for your organisation/application pairing has been exceeded',
      'exceeded the per ',
    ],
  ],
  [412, ['preconditionfailedexception', 'xeropreconditionfailed', 'one or more conditions given in the request header fields were invalid']],
  [
    404,
    [
      'notfoundexception',
      'xeronotfound',
      'the resource you have specified cannot be found',
      "the resource you're looking for cannot be found",
      'the resource you are looking for cannot be found',
    ],
  ],
  [403, ['forbiddenexception', 'xeroforbidden', "user doesn't have permission to access the resource", 'not permitted to access this resource']],
  [401, ['unauthorizedexception', 'unauthorisedexception', 'xerounauthorized', 'invalid authorization credentials']],
  [
    400,
    [
      'validationexception',
      'postdatainvalidexception',
      'badrequestexception',
      'xerobadrequest',
      'a validation exception has occurred',
      'a validation exception occurred',
      'xml for post data was invalid',
      'json request body could not be read',
    ],
  ],
  [503, ['xeronotavailable', 'serviceunavailableexception', 'api is currently unavailable', 'the organisation temporarily cannot be connected to']],
  [501, ['notimplementedexception', 'xeronotimplemented', 'the method you have called has not been implemented']],
  [500, ['internalservererrorexception', 'xerointernalerror', 'an unhandled error with the xero api', 'an error occurred in xero']],
];
/** The reason phrase alone (`Forbidden - perhaps check your credentials?`), written as HTTP writes it. */
const REASON_PHRASE =
  /\b(Bad Request|Unauthori[sz]ed|Forbidden|Not Found|Precondition Failed|Too Many Requests|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out)\b/;
const REASON_STATUS: Readonly<Record<string, number>> = {
  'bad request': 400,
  unauthorized: 401,
  unauthorised: 401,
  forbidden: 403,
  'not found': 404,
  'precondition failed': 412,
  'too many requests': 429,
  'internal server error': 500,
  'bad gateway': 502,
  'service unavailable': 503,
  'gateway timeout': 504,
  'gateway time-out': 504,
};

/** impliedStatusOf, worked out on the first call only (its own closure, so normalise's locals stay plain). */
function lazyImpliedStatus(status: number | null, lower: string, text: string): () => number | null {
  let implied: number | null | undefined;
  return () => {
    if (implied === undefined) implied = status === null ? impliedStatusOf(lower, text) : null;
    return implied;
  };
}

function impliedStatusOf(lower: string, text: string): number | null {
  for (const [status, phrases] of IMPLIED_STATUS) for (const p of phrases) if (lower.includes(p)) return status;
  const m = REASON_PHRASE.exec(text);
  if (m) return REASON_STATUS[m[1].toLowerCase()] ?? null;
  // A reason phrase glued into an identifier (`HTTPNotFound`, `'NotFound'`, `NOT_FOUND`).
  return statusOfIdentifier(text);
}
const TEXT_HEADER = /(?:^|\n)\s*(retry-after|x-rate-limit-problem|xero-correlation-id)\s*:\s*([^\n]{1,200})/gi;
const TEXT_NET_CODE =
  /\b(ECONNRESET|ECONNREFUSED|ECONNABORTED|ETIMEDOUT|ESOCKETTIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE|EHOSTUNREACH|ENETUNREACH|ENETDOWN|EHOSTDOWN|EPROTO|UND_ERR_[A-Z_]+|ERR_SOCKET_[A-Z_]+|ERR_TLS_CERT_ALTNAME_INVALID|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?)\b/;
const LOGIN_PAGE_ERROR =
  /\b(invalid_grant|invalid_client|invalid_scope|unauthorized_client|access_denied|unsupported_grant_type|invalid_request)\s+:\s*([^\n]{1,200})/i;
const TEXT_OAUTH_ERROR = /\b(invalid_grant|invalid_client|invalid_scope|unauthorized_client|access_denied|unsupported_grant_type|invalid_request)\b/;

/** `copyBody`: only custom rules read the body, so the bounded copy is made only for them. */
export function normalise(input: unknown, copyBody: boolean): Evidence {
  const w = new Walker();
  w.walk(input);

  const text = w.texts.join('\n');
  const lower = text.toLowerCase();

  if (w.oauthProblem === null) {
    const o1 = parseOAuth1(text);
    if (o1) {
      w.oauthProblem = o1.problem;
      w.oauthAdvice ??= o1.advice;
    } else {
      w.oauthProblem = bareOAuth1Problem(lower);
    }
  }
  // Prose that names the expected status as well as the received one: the first status line would be the expected one.
  if (w.status === null) w.status = receivedStatus(lower);
  if (w.status === null) {
    for (const re of STATUS_IN_TEXT) {
      const m = re.exec(text);
      const n = m ? toStatus(m[1]) : null;
      if (n !== null) {
        w.status = n;
        break;
      }
    }
  }
  if (lower.includes('retry-after') || lower.includes('x-rate-limit-problem') || lower.includes('xero-correlation-id')) {
    TEXT_HEADER.lastIndex = 0;
    for (let m = TEXT_HEADER.exec(text); m !== null; m = TEXT_HEADER.exec(text)) w.headers[m[1].toLowerCase()] ??= m[2].trim();
    // The same headers as an SDK printed them: a dict, a hash, a map (printed-headers.ts).
    readPrintedHeaders(text, w.headers);
  }
  w.code ??= TEXT_NET_CODE.exec(text)?.[1] ?? null;
  w.oauthError ??= TEXT_OAUTH_ERROR.exec(lower)?.[1] ?? null;
  // Login-page errors read `Error: unauthorized_client : Invalid redirect_uri`.
  if (w.errorDescription === null && w.oauthError !== null && text.includes(' :')) {
    const m = LOGIN_PAGE_ERROR.exec(text);
    if (m && m[1].toLowerCase() === w.oauthError) w.errorDescription = m[2].trim();
  }

  const headerId = w.headers['xero-correlation-id'];
  const correlationId = pickCorrelationId(headerId) ?? pickCorrelationId(w.instance ?? undefined);
  const body = w.body !== undefined ? w.body : w.firstParsed !== undefined ? w.firstParsed : null;

  return {
    error: {
      status: w.status,
      headers: w.headers,
      body: copyBody ? boundedCopy(body, 0, { n: 0 }) : null,
      text,
      source: 'unknown',
      code: w.code,
      url: w.urls[0] ?? null,
      detail: w.detail,
      type: w.type,
      title: w.title,
      error: w.oauthError,
      errorDescription: w.errorDescription,
      oauthProblem: w.oauthProblem,
      oauthProblemAdvice: w.oauthAdvice,
      correlationId,
      validationMessages: w.validationMessages,
      description: w.description,
      truncated: w.truncated,
      // Set by the caller of normalise from options.context, which is not part of the input.
      context: null,
    },
    lower,
    headers: w.headers,
    urls: w.urls,
    sourceHint: w.sourceHint,
    errorNames: w.errorNames,
    impliedStatus: lazyImpliedStatus(w.status, lower, text),
    secrets: [...w.secrets],
  };
}

/** Correlation ids are GUIDs; anything else under that name is not copied out. */
function pickCorrelationId(v: string | undefined): string | null {
  if (v === undefined) return null;
  const t = v.trim();
  return /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(t) ? t : null;
}

/** A plain, acyclic, small copy of the body for custom rules (and for a worker thread to receive). */
function boundedCopy(v: unknown, depth: number, budget: { n: number }): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.length > 4096 ? v.slice(0, 4096) : v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'object' || depth >= 8 || budget.n++ > 500) return null;
  if (Array.isArray(v)) return v.slice(0, 50).map((x: unknown) => boundedCopy(x, depth + 1, budget));
  const out: Record<string, unknown> = {};
  for (const k of keysOf(v).slice(0, 50)) {
    if (isSecretKey(k.toLowerCase())) continue;
    out[k] = boundedCopy(read(v, k), depth + 1, budget);
  }
  return out;
}
