/**
 * Issue 28, the kinds of pasted text that have structured forms: a response's headers printed by any
 * SDK's language (Ruby's hash, Python's dict, Java's and Go's maps, PHP's print_r and var_export,
 * Elixir's tuples, JSON, util.inspect, .NET's header lines) inside that SDK's exception message, and
 * prose that names an expected and a received status in any runtime's words. The printed form must
 * read the same as the structured one: same category, Retry-After, rate-limit kind, correlation id,
 * status.
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { classifyXeroError } from '../../../src/classify';

const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);

type Headers = Record<string, string>;

const rubyValue = (v: string): string => JSON.stringify(v);
/** Python's repr of a dict of plain strings (no quotes or backslashes in them here). */
const pythonRepr = (h: Headers): string =>
  `{${Object.entries(h)
    .map(([k, v]) => `'${k}': '${v}'`)
    .join(', ')}}`;
/** Printers of a header map, as each language prints a map of strings (or of lists of strings). */
const PRINTERS: [string, (h: Headers) => string][] = [
  [
    'Ruby hash (before 3.4)',
    (h) =>
      `{${Object.entries(h)
        .map(([k, v]) => `${rubyValue(k)}=>${rubyValue(v)}`)
        .join(', ')}}`,
  ],
  [
    'Ruby hash (3.4)',
    (h) =>
      `{${Object.entries(h)
        .map(([k, v]) => `${rubyValue(k)} => ${rubyValue(v)}`)
        .join(', ')}}`,
  ],
  ['Python dict', (h) => pythonRepr(h)],
  ['Python HTTPHeaderDict', (h) => `HTTPHeaderDict(${pythonRepr(h)})`],
  [
    'Java Map<String, List<String>>',
    (h) =>
      `{${Object.entries(h)
        .map(([k, v]) => `${k}=[${v}]`)
        .join(', ')}}`,
  ],
  [
    'Go http.Header',
    (h) =>
      `map[${Object.entries(h)
        .map(([k, v]) => `${k}:[${v}]`)
        .join(' ')}]`,
  ],
  [
    'PHP print_r',
    (h) =>
      `Array\n(\n${Object.entries(h)
        .map(([k, v]) => `    [${k}] => Array\n        (\n            [0] => ${v}\n        )\n`)
        .join('\n')})`,
  ],
  [
    'PHP var_export',
    (h) =>
      `array (\n${Object.entries(h)
        .map(([k, v]) => `  '${k}' => \n  array (\n    0 => '${v}',\n  ),`)
        .join('\n')}\n)`,
  ],
  [
    'Elixir header tuples',
    (h) =>
      `[${Object.entries(h)
        .map(([k, v]) => `{${JSON.stringify(k)}, ${JSON.stringify(v)}}`)
        .join(', ')}]`,
  ],
  ['JSON', (h) => JSON.stringify(h)],
  ['util.inspect', (h) => inspect(h, { breakLength: Infinity })],
  [
    '.NET header lines',
    (h) =>
      Object.entries(h)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n'),
  ],
];

/** Each SDK's exception message around the printed headers (xero-ruby ApiError, xero-python ApiException, Guzzle, Xero-Java). */
const MESSAGES: [string, (headers: string) => string][] = [
  ['xero-ruby', (h) => `XeroRuby::ApiError (Error message: the server returns an error\nHTTP status code: 429\nResponse headers: ${h}\nResponse body: )`],
  [
    'xero-python',
    (h) =>
      `xero_python.exceptions.http_status_exceptions.RateLimitException: (429)\nReason: Too Many Requests\nHTTP response headers: ${h}\nHTTP response body: `,
  ],
  [
    'xero-php',
    (h) =>
      `XeroAPI\\XeroPHP\\ApiException: [429] Client error: \`GET https://api.xero.com/api.xro/2.0/Invoices\` resulted in a \`429 Too Many Requests\` response headers ${h}`,
  ],
  ['Xero-Java', (h) => `com.xero.api.XeroApiException: statusCode=429, headers=${h}`],
];

const guid = fc.constantFrom('6cd4b8fe-3d2e-4a5c-9f0b-1f2e3d4c5b6a', 'D54B3DD1-2FAD-4DE4-A4C6-BFF86A96BAE7');
const retryAfter = fc.oneof(fc.integer({ min: 0, max: 86_400 }).map(String), fc.constantFrom('Tue, 10 Mar 2026 12:01:30 GMT', 'Wed, 11 Mar 2026 00:00:00 GMT'));
const nameCase = fc.constantFrom(
  (n: string) => n,
  (n: string) => n.toLowerCase(),
);
const headers = fc
  .record(
    {
      'Retry-After': retryAfter,
      'X-Rate-Limit-Problem': fc.constantFrom('minute', 'day', 'concurrent', 'appminute'),
      'Xero-Correlation-Id': guid,
      'Content-Type': fc.constant('application/json; charset=utf-8'),
      'X-MinLimit-Remaining': fc.integer({ min: 0, max: 60 }).map(String),
    },
    { requiredKeys: ['Content-Type'] },
  )
  .chain((h) => nameCase.map((c) => Object.fromEntries(Object.entries(h).map(([k, v]) => [c(k), v])) as Headers));

function reading(input: unknown): unknown {
  const r = classifyXeroError(input, { now: NOW });
  return {
    category: r.category,
    retryAfterSeconds: r.retryAfterSeconds,
    rateLimitProblem: r.rateLimitProblem,
    correlationId: r.correlationId?.toLowerCase() ?? null,
  };
}

describe("a 429's headers printed by any SDK read the same as the headers themselves", () => {
  it.each(PRINTERS)('%s, inside each SDK’s exception message', (_name, print) => {
    fc.assert(
      fc.property(headers, fc.constantFrom(...MESSAGES), (h, [, message]) => {
        const printed = message(print(h));
        const want = reading({ statusCode: 429, headers: h });
        const got = reading(printed);
        if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${JSON.stringify(got)} vs ${JSON.stringify(want)} for ${printed}`);
      }),
      { seed: 20260310, numRuns: 300 },
    );
  });
});

/** How runtimes and people write that they expected one status and received another. */
const TWO_STATUSES = [
  'OPError: expected {expected} OK, got: {received} Forbidden', // openid-client
  'java.lang.AssertionError: Status expected:<{expected}> but was:<{received}>', // Spring MockMvc
  '1 expectation failed.\nExpected status code <{expected}> but was <{received}>.', // REST Assured
  'Error: expected {expected} "OK", got {received} "Error"', // supertest
  'expected: {expected}\nreceived: {received}', // jest
  'Expected: {expected}\n  Actual: {received}', // NUnit, xUnit
  'status = {received}, want {expected}', // Go tests
  'unexpected status: got {received}, want {expected}', // Go
  'AssertionError: expected status {expected} but got {received}', // Python, chai
  'Expected status code in ({expected}-299), got {received}', // AFNetworking
  'the API returned {received} instead of {expected}', // prose
  'received {received} instead of {expected}',
  'wanted 2xx, got {received}',
  'it return : {received} not {expected}',
  'The call came back with {received} rather than {expected}',
];

describe('prose that names an expected and a received status reads the received one', () => {
  const received = fc.constantFrom(400, 401, 403, 404, 409, 412, 422, 429, 500, 502, 503, 504);
  const expected = fc.constantFrom(200, 201, 202, 204);

  it.each(TWO_STATUSES.map((t) => [t] as const))('%s', (template) => {
    fc.assert(
      fc.property(expected, received, (e, r) => {
        const text = template.replace('{expected}', String(e)).replace('{received}', String(r));
        const got = classifyXeroError(text, { now: NOW });
        const want = classifyXeroError({ statusCode: r }, { now: NOW });
        if (got.httpStatus !== r || got.category !== want.category) throw new Error(`${got.httpStatus}/${got.category} for ${JSON.stringify(text)}`);
      }),
      { seed: 20260310, numRuns: 40 },
    );
  });
});
