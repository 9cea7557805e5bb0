/** Inputs of the kinds the contract names but the sample corpus does not hold: one or more per category. */
import { classifyXeroError, isAllowedPair, type Category, type Classification } from '../../../src/classify';
import { CONTEXT_CATEGORIES } from './context-cases';

const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);
const CID = '0d6f4a7e-5b2c-4e1f-9a3b-8c7d6e5f4a3b';

const xeroBody = (status: number, detail: string, lower = false): Record<string, unknown> =>
  lower
    ? { type: null, title: status === 403 ? 'Forbidden' : 'Unauthorized', status, detail, instance: CID, extensions: {} }
    : { Type: null, Title: status === 403 ? 'Forbidden' : 'Unauthorized', Status: status, Detail: detail, Instance: CID, Extensions: {} };

/** n8n's NodeApiError as a node's error output item: Xero's body JSON-stringified into `description`. */
const n8nItem = (status: number, body: unknown): unknown => ({
  json: {
    error: {
      message: status === 401 ? 'Authorization failed - please check your credentials' : `Request failed with status code ${status}`,
      description: `${status} - ${JSON.stringify(typeof body === 'string' ? body : JSON.stringify(body))}`,
      httpCode: String(status),
      name: 'NodeApiError',
    },
  },
});

const errorTrigger = (error: Record<string, unknown>): unknown => ({
  execution: { id: '981', url: 'https://n8n.example.com/workflow/7/executions/981', error, lastNodeExecuted: 'Xero', mode: 'trigger' },
  workflow: { id: '7', name: 'Nightly invoice sync' },
});

type Case = [name: string, input: unknown, category: Category, extra?: Partial<Classification>];

const CASES: Case[] = [
  // access_token_expired
  [
    '401 TokenExpired nested in an n8n item, body JSON-in-a-string',
    n8nItem(401, xeroBody(401, 'TokenExpired: token expired at 03/10/2026 11:31:02')),
    'access_token_expired',
    { httpStatus: 401 },
  ],
  [
    '401 TokenExpired with lower-case keys and header names in capitals',
    {
      STATUSCODE: 401,
      HEADERS: { 'XERO-CORRELATION-ID': CID },
      BODY: JSON.stringify(xeroBody(401, 'TokenExpired: token expired at 04/29/2020 09:22:02', true)),
    },
    'access_token_expired',
    { correlationId: CID },
  ],
  [
    'OAuth1 token_expired',
    'oauth_problem=token_expired&oauth_problem_advice=The%20access%20token%20has%20expired',
    'access_token_expired',
    { source: 'oauth1' },
  ],
  [
    'WWW-Authenticate says the token expired',
    { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token", error_description="The access token expired"' }, body: '' },
    'access_token_expired',
  ],
  // access_token_invalid
  [
    '401 AuthenticationUnsuccessful in an Error Trigger item',
    errorTrigger({
      message: 'Authorization failed - please check your credentials',
      description: `401 - ${JSON.stringify(JSON.stringify(xeroBody(401, 'AuthenticationUnsuccessful')))}`,
      httpCode: '401',
    }),
    'access_token_invalid',
  ],
  ['bare 401 without a body', { statusCode: 401, headers: {}, body: '' }, 'access_token_invalid'],
  // refresh_token_invalid
  [
    'invalid_grant with source token_endpoint',
    { status: 400, source: 'token_endpoint', body: '{"error":"invalid_grant"}' },
    'refresh_token_invalid',
    { source: 'token_endpoint' },
  ],
  [
    'invalid_grant pasted in prose',
    'Since this morning every refresh gives me {"error":"invalid_grant"} from identity.xero.com, what happened?',
    'refresh_token_invalid',
  ],
  [
    'RFC 6749 invalid_grant sentence',
    'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
    'refresh_token_invalid',
  ],
  [
    'n8n reconnect text in an Error Trigger item',
    errorTrigger({ message: 'The credential "Xero - Acme Ltd" needs to be reconnected.', name: 'NodeOperationError' }),
    'refresh_token_invalid',
    { source: 'n8n' },
  ],
  [
    'a serialised NodeOperationError',
    JSON.stringify({ name: 'NodeOperationError', message: 'The credential "Xero account" needs to be reconnected.', level: 'warning' }),
    'refresh_token_invalid',
  ],
  // access_revoked
  [
    'OAuth1 token_rejected double URL-encoded',
    'oauth_problem%3Dtoken_rejected%26oauth_problem_advice%3DThe%2520access%2520token%2520has%2520not%2520been%2520authorized%252C%2520or%2520has%2520been%2520revoked%2520by%2520the%2520user',
    'access_revoked',
  ],
  [
    'OAuth1 revoked, + for spaces, in a JSON field',
    { body: 'oauth_problem=token_rejected&oauth_problem_advice=The+access+token+has+not+been+authorized%2C+or+has+been+revoked+by+the+user' },
    'access_revoked',
  ],
  // token_rotation_lost
  [
    'OAuth1 not-expected token, prose with curly quotes',
    '“oauth_problem=token_rejected&oauth_problem_advice=Token 5HSKD7YU2LNQ8PZXV1RE does not match an expected REQUEST token” is what Xero says',
    'token_rotation_lost',
  ],
  // not_connected
  ['n8n OAuth credentials not connected', { error: { message: 'OAuth credentials not connected', name: 'NodeOperationError' } }, 'not_connected'],
  [
    'consent cancelled on the redirect',
    'https://n8n.example.com/rest/oauth2-credential/callback?error=access_denied&state=eyJ0b2tlbiI6ImFiYyJ9',
    'not_connected',
  ],
  // insufficient_scope
  ['401 AuthorizationUnsuccessful, lower-case keys', { statusCode: 401, body: xeroBody(401, 'AuthorizationUnsuccessful', true) }, 'insufficient_scope'],
  [
    'invalid_scope from the token endpoint',
    {
      statusCode: 400,
      url: 'https://identity.xero.com/connect/token',
      body: { error: 'invalid_scope', error_description: 'Client credentials scope validation failed' },
    },
    'insufficient_scope',
  ],
  [
    'Invalid scope for client login page',
    '<html><head><title>Error</title></head><body><h1>Sorry, something went wrong</h1><p>Error: unauthorized_client : Invalid scope for client</p></body></html>',
    'insufficient_scope',
  ],
  // tenant_access_denied
  ['403 AuthenticationUnsuccessful inside an n8n item', n8nItem(403, xeroBody(403, 'AuthenticationUnsuccessful')), 'tenant_access_denied'],
  [
    '403 AuthenticationUnsuccessful as pasted text',
    'HTTP/1.1 403 Forbidden\n\n{"Type":null,"Title":"Forbidden","Status":403,"Detail":"AuthenticationUnsuccessful","Instance":"x"}',
    'tenant_access_denied',
  ],
  // forbidden
  [
    '403 with another detail',
    { statusCode: 403, body: { Title: 'Forbidden', Status: 403, Detail: 'You do not have permission to access this resource' } },
    'forbidden',
  ],
  // invalid_client
  [
    'invalid_client from the token endpoint, header names odd case',
    { StatusCode: 400, Headers: { 'content-TYPE': 'application/json' }, Body: '{"error":"invalid_client"}', Url: 'https://identity.xero.com/connect/token' },
    'invalid_client',
  ],
  ['Unknown client login page', 'Error: unauthorized_client : Unknown client or client not enabled', 'invalid_client'],
  ['OAuth1 consumer_key_unknown', 'oauth_problem=consumer_key_unknown&oauth_problem_advice=Consumer%20key%20was%20not%20recognised', 'invalid_client'],
  // redirect_uri_mismatch
  [
    'redirect_uri HTML page',
    '<!DOCTYPE html><html><body><div class="error">Error: unauthorized_client : Invalid redirect_uri</div></body></html>',
    'redirect_uri_mismatch',
    { source: 'authorize' },
  ],
  // connection_limit_reached
  ['connectionLimit URL', 'I was sent to https://authorize.xero.com/connectionLimit?appName=Acme when connecting', 'connection_limit_reached'],
  [
    'OAuth1 connection limit exceeded',
    'oauth_problem=connection%20limit%20exceeded&oauth_problem_advice=Maximum%20number%20of%20tenants%20already%20connected',
    'connection_limit_reached',
  ],
  // rate limits
  [
    '429 day, Retry-After as seconds, header names mixed case',
    { statusCode: 429, headers: { 'Retry-After': '3600', 'X-Rate-Limit-Problem': 'Day' } },
    'rate_limit_day',
    { retryAfterSeconds: 3600, rateLimitProblem: 'day' },
  ],
  [
    '429 concurrent without Retry-After',
    { status: 429, headers: { 'x-rate-limit-problem': 'concurrent' } },
    'rate_limit_concurrent',
    { retryAfterSeconds: null },
  ],
  [
    '429 appminute with Retry-After as an HTTP date',
    { status: 429, headers: { 'retry-after': new Date(NOW + 45_000).toUTCString(), 'x-rate-limit-problem': 'appminute' } },
    'rate_limit_app',
    { retryAfterSeconds: 45 },
  ],
  [
    'rate-limit header beats a 503 status line',
    { status: 503, headers: { 'x-rate-limit-problem': 'minute', 'retry-after': '7' } },
    'rate_limit_minute',
    { retryAfterSeconds: 7 },
  ],
  ['429 with no kind', n8nItem(429, ''), 'rate_limited'],
  [
    'OAuth1 rate limit exceeded',
    'oauth_problem=rate%20limit%20exceeded&oauth_problem_advice=please%20wait%20before%20retrying%20the%20xero%20api',
    'rate_limited',
  ],
  [
    'headers as a fetch Headers object',
    { status: 429, headers: new Headers({ 'Retry-After': '12', 'X-Rate-Limit-Problem': 'minute' }) },
    'rate_limit_minute',
    { retryAfterSeconds: 12 },
  ],
  // OAuth 1.0a configuration
  [
    'OAuth1 timestamp_refused in prose',
    'Xero keeps returning oauth_problem=timestamp_refused&oauth_problem_advice=The%20timestamp%20is%20too%20far%20from%20the%20current%20time since we moved servers',
    'clock_skew',
  ],
  ['OAuth1 signature_invalid JSON', { oauth_problem: 'signature_invalid', oauth_problem_advice: 'Failed to validate signature' }, 'signature_invalid'],
  [
    'OAuth1 certificates, encoded',
    'oauth_problem=signature_method_rejected&oauth_problem_advice=No%20certificates%20have%20been%20registered%20for%20the%20consumer',
    'certificate_expired',
  ],
  ['OAuth1 nonce_used', 'oauth_problem=nonce_used&oauth_problem_advice=The nonce value has already been used', 'nonce_reused'],
  // availability
  [
    '503 organisation offline',
    { statusCode: 503, headers: { 'content-type': 'text/plain' }, body: 'The Organisation is offline' },
    'organisation_offline',
    { suggestedWaitSeconds: 300 },
  ],
  ['503 temporarily unavailable inside an n8n item', n8nItem(503, 'The Xero API is temporarily unavailable'), 'service_unavailable'],
  [
    '502 HTML page',
    { statusCode: 502, body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>' },
    'service_unavailable',
  ],
  ['504', { status: 504, body: '' }, 'service_unavailable'],
  ['500', { status: 500, body: { Message: 'An error occurred in Xero.' } }, 'server_error'],
  ['501 Not Implemented', { statusCode: 501, body: 'Not Implemented' }, 'server_error'],
  // network
  [
    'ECONNREFUSED as an Error instance',
    Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }),
    'network_error',
    { action: 'retry', source: 'network' },
  ],
  [
    'EAI_AGAIN in a cause chain',
    Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('getaddrinfo EAI_AGAIN api.xero.com'), { code: 'EAI_AGAIN' }) }),
    'network_error',
    { action: 'retry' },
  ],
  ['UND_ERR_SOCKET', { name: 'SocketError', code: 'UND_ERR_SOCKET', message: 'other side closed' }, 'network_error'],
  [
    'TLS interception under fetch failed',
    Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }),
    }),
    'tls_error',
    { action: 'fix_configuration', source: 'network', severity: 'critical' },
  ],
  [
    'ENOTFOUND needs configuration',
    { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND api.xero.comm' },
    'network_error',
    { action: 'fix_configuration', retryable: false, severity: 'critical' },
  ],
  [
    'n8n connection closed text',
    {
      error: {
        message: 'The connection to the server was closed unexpectedly, perhaps it is offline. You can retry the request immediately or wait and retry later.',
        name: 'NodeApiError',
      },
    },
    'network_error',
  ],
  // timeout
  ['ETIMEDOUT', { code: 'ETIMEDOUT', message: 'connect ETIMEDOUT 52.1.1.1:443' }, 'timeout'],
  ['axios timeout', { code: 'ECONNABORTED', message: 'timeout of 30000ms exceeded' }, 'timeout'],
  ['AbortSignal timeout', Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }), 'timeout'],
  // fix_request
  [
    '400 ValidationException with lower-case keys, in a string',
    JSON.stringify({
      statusCode: 400,
      body: {
        errorNumber: 10,
        type: 'ValidationException',
        message: 'A validation exception occurred',
        elements: [{ validationErrors: [{ message: 'Contact must be specified' }] }],
      },
    }),
    'validation_error',
    { xeroDetail: 'Contact must be specified' },
  ],
  ['400 plain', { status: 400, body: 'Bad request' }, 'validation_error'],
  [
    '404 HTML page',
    { statusCode: 404, headers: { 'Content-Type': 'text/html' }, body: "<html><body><h1>The resource you're looking for cannot be found</h1></body></html>" },
    'not_found',
  ],
  ['412', { statusCode: 412, body: 'Precondition Failed' }, 'precondition_failed'],
  // unknown
  ['an empty object', {}, 'unknown'],
  ['unrelated prose', 'The coffee machine is broken again.', 'unknown'],
];

describe('unseen variants of every kind of input', () => {
  // Every row padded to four cells: jest passes a `done` callback in place of a missing one.
  it.each(CASES.map(([name, input, category, extra]) => [name, input, category, extra ?? {}] as const))('%s', (_name, input, category, extra) => {
    const r = classifyXeroError(input, { now: NOW });
    expect(r.category).toBe(category);
    expect(isAllowedPair(r.category as Category, r.action)).toBe(true);
    expect(r).toMatchObject(extra);
  });

  it('covers every built-in category', () => {
    // plan_restricted needs a caller's context (scopes), which context.test.ts covers.
    const covered = new Set([...CASES.map((c) => c[2]), ...CONTEXT_CATEGORIES]);
    const { CATEGORIES } = jest.requireActual<typeof import('../../../src/classify')>('../../../src/classify');
    expect(CATEGORIES.filter((c) => !covered.has(c))).toEqual([]);
  });
});

describe('evidence precedence', () => {
  it("Xero's Detail beats the status code", () => {
    expect(classifyXeroError({ status: 403, body: xeroBody(403, 'TokenExpired: token expired') }).category).toBe('access_token_expired');
  });
  it('the token endpoint beats the API: invalid_grant is never an API error', () => {
    const r = classifyXeroError({
      status: 401,
      url: 'https://identity.xero.com/connect/token',
      body: { error: 'invalid_grant' },
      headers: { 'www-authenticate': 'Bearer error=invalid_token' },
    });
    expect(r).toMatchObject({ category: 'refresh_token_invalid', source: 'token_endpoint' });
  });
  it('an HTTP status beats a network word in its message', () => {
    expect(classifyXeroError({ status: 404, message: 'socket hang up' }).category).toBe('not_found');
  });
});

describe('Retry-After', () => {
  it('reads an HTTP date against options.now (Date or number)', () => {
    const input = { status: 429, headers: { 'Retry-After': 'Tue, 10 Mar 2026 12:01:30 GMT', 'X-Rate-Limit-Problem': 'minute' } };
    expect(classifyXeroError(input, { now: NOW }).retryAfterSeconds).toBe(90);
    expect(classifyXeroError(input, { now: new Date(NOW + 60_000) }).retryAfterSeconds).toBe(30);
  });
  it('never goes negative for a date in the past', () => {
    const input = { status: 429, headers: { 'retry-after': 'Tue, 10 Mar 2026 11:00:00 GMT' } };
    expect(classifyXeroError(input, { now: NOW }).retryAfterSeconds).toBe(0);
  });
  it('ignores a value that is neither seconds nor a date', () => {
    expect(classifyXeroError({ status: 429, headers: { 'retry-after': 'soon' } }, { now: NOW }).retryAfterSeconds).toBeNull();
  });
});

describe('output fields', () => {
  it('copies status, detail, correlation id and rate-limit problem', () => {
    const r = classifyXeroError({ statusCode: 401, headers: { 'Xero-Correlation-Id': CID }, body: xeroBody(401, 'AuthenticationUnsuccessful') });
    expect(r).toMatchObject({
      httpStatus: 401,
      xeroDetail: 'AuthenticationUnsuccessful',
      correlationId: CID,
      rateLimitProblem: null,
      source: 'api',
      severity: 'info',
      retryable: true,
    });
  });
  it('marks as critical exactly what needs a person before the connection works again', () => {
    expect(classifyXeroError({ statusCode: 400, body: { error: 'invalid_grant' }, url: 'https://identity.xero.com/connect/token' }).severity).toBe('critical');
    expect(classifyXeroError({ statusCode: 500 }).severity).toBe('info');
    expect(classifyXeroError({ statusCode: 404 }).severity).toBe('warning');
  });
  it('gives one plain sentence of summary and of advice', () => {
    for (const [, input] of CASES) {
      const r = classifyXeroError(input, { now: NOW });
      for (const s of [r.summary, r.advice]) {
        expect(s).toMatch(/^[A-Z"].*[.]$/);
        expect(s.split(/[.!?](?:\s|$)/).filter((x) => x.trim() !== '').length).toBe(1);
      }
    }
  });
});
