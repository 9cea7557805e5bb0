/**
 * Issue 18: a structured error and the same error printed as a string (JSON, util.inspect, Python's
 * repr, a one-line log) get the same category and action. A person pasting `console.log(err)` or a
 * Python traceback into a Classify node must not get `unknown` where the object would be understood.
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { classifyXeroError } from '../../../src/classify';
import { loadPasted } from './pasted-corpus';

const NOW = Date.UTC(2026, 0, 1);

/** Python's repr of the JSON-like value: single-quoted strings, None/True/False. */
export function pythonRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') {
    const quote = v.includes("'") && !v.includes('"') ? '"' : "'";
    const body = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  }
  if (Array.isArray(v)) return `[${v.map(pythonRepr).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${pythonRepr(k)}: ${pythonRepr(x)}`)
    .join(', ')}}`;
}

const PRINTERS: [string, (v: unknown) => string][] = [
  ['JSON', (v) => JSON.stringify(v)],
  ['indented JSON', (v) => JSON.stringify(v, null, 2)],
  ['util.inspect', (v) => inspect(v, { depth: Infinity })],
  ['util.inspect on one line', (v) => inspect(v, { depth: Infinity, breakLength: Infinity })],
  ['Python repr', pythonRepr],
  ['a one-line log', (v) => `2026-01-01T09:30:00.000Z ERROR [xero-sync] request failed: ${inspect(v, { depth: Infinity, breakLength: Infinity })}`],
];

const guid = fc.constantFrom('b4f6c2d0-1f2e-4c3b-9a8d-7e6f5a4b3c2d', '70e430b3-b708-4fd4-80f8-f41669bafd13');
const detail = fc.constantFrom(
  'TokenExpired: token expired at 04/29/2020 09:22:02',
  'AuthenticationUnsuccessful',
  'AuthorizationUnsuccessful',
  'The Organisation is offline',
  'An error occurred in Xero. Check the API Status page http://status.developer.xero.com for current service status.',
);
const problem = fc.record({
  Type: fc.constant(null),
  Title: fc.constantFrom('Unauthorized', 'Forbidden', 'An error occurred'),
  Status: fc.constantFrom(401, 403, 500, 503),
  Detail: detail,
  Instance: guid,
});
const validation = fc.record({
  ErrorNumber: fc.constant(10),
  Type: fc.constant('ValidationException'),
  Message: fc.constant('A validation exception occurred'),
  Elements: fc.constant([{ ValidationErrors: [{ Message: "Account code '999' is not a valid code for this document." }] }]),
});
const oauth = fc.record({ error: fc.constantFrom('invalid_grant', 'invalid_client', 'unauthorized_client', 'invalid_scope') });
const headers = fc.record(
  {
    'Retry-After': fc.constantFrom('30', '600', '2'),
    'X-Rate-Limit-Problem': fc.constantFrom('minute', 'day', 'concurrent', 'appminute'),
    'Xero-Correlation-Id': guid,
    'Content-Type': fc.constant('application/json; charset=utf-8'),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  problem,
  validation,
  oauth,
  problem.map((p) => JSON.stringify(p)),
  validation.map((p) => JSON.stringify(p)),
  fc.constantFrom('', 'The Organisation is offline', 'Service Unavailable'),
);
const response = fc.record({
  statusCode: fc.constantFrom(400, 401, 403, 404, 412, 429, 500, 502, 503, 504),
  headers,
  body,
  url: fc.constantFrom('https://api.xero.com/api.xro/2.0/Invoices', 'https://identity.xero.com/connect/token'),
});
const nodeError = fc.record({
  name: fc.constantFrom('Error', 'FetchError', 'RequestError'),
  code: fc.constantFrom(
    'ECONNRESET',
    'ECONNREFUSED',
    'ETIMEDOUT',
    'ENOTFOUND',
    'EAI_AGAIN',
    'UND_ERR_SOCKET',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'CERT_HAS_EXPIRED',
  ),
  message: fc.constantFrom('request to https://api.xero.com/api.xro/2.0/Invoices failed', 'connect failed', 'socket hang up'),
});
const n8nItem = response.map((r) => ({
  json: {
    error: {
      message: 'Authorization failed - please check your credentials',
      description: `${r.statusCode} - ${JSON.stringify(JSON.stringify(r.body))}`,
      httpCode: String(r.statusCode),
    },
  },
}));
const errorTrigger = fc
  .constantFrom('The credential "Xero account" needs to be reconnected.', 'OAuth credentials not connected', 'Unable to sign without access token')
  .map((message) => ({ execution: { error: { message, name: 'NodeOperationError' } }, workflow: { id: '1', name: 'Sync' } }));
const structured = fc.oneof(response, nodeError, n8nItem, errorTrigger);

function verdict(input: unknown): [string, string] {
  const r = classifyXeroError(input, { now: NOW });
  return [r.category, r.action];
}

describe('a structured error printed as a string gets the same category and action', () => {
  it.each(PRINTERS)('%s: generated HTTP responses, Node errors, n8n error items (3,000 each)', (_name, print) => {
    fc.assert(
      fc.property(structured, (input) => {
        const printed = print(input);
        const [a, b] = [verdict(input), verdict(printed)];
        if (a[0] !== b[0] || a[1] !== b[1]) throw new Error(`${a.join('/')} vs ${b.join('/')} for ${printed}`);
      }),
      { seed: 20261201, numRuns: 3000 },
    );
  });

  const objects = loadPasted().filter((c) => typeof c.input === 'object' && c.input !== null);
  it.each(PRINTERS)('%s: the structured cases of the pasted corpus', (_name, print) => {
    for (const c of objects) expect({ id: c.id, verdict: verdict(print(c.input)) }).toEqual({ id: c.id, verdict: verdict(c.input) });
  });
});

it('the Python printer writes what Python writes', () => {
  expect(pythonRepr({ a: "it's", b: null, c: [true, 1], d: 'x\ny' })).toBe(`{'a': "it's", 'b': None, 'c': [True, 1], 'd': 'x\\ny'}`);
});
