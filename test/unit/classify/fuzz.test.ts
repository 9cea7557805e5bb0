/**
 * 100,000 generated inputs (random JSON, mutated corpus entries, random and Xero-flavoured strings),
 * each with secrets planted: the classifier never throws, always answers with a pair from the table,
 * keeps `retryable` consistent with the action, and never lets a planted secret out.
 */
import fc from 'fast-check';
import { ACTIONS, CATEGORIES, SEVERITIES, SOURCES, classifyXeroError, isAllowedPair, type Category, type Classification } from '../../../src/classify';
import { CANARIES, CANARY, leaked } from './canaries';
import { loadCorpus } from './corpus';

const SEED = 20260310;
const corpus = loadCorpus().map((c) => c.input);

function check(r: Classification): void {
  if (!(CATEGORIES as readonly string[]).includes(r.category)) throw new Error(`category ${r.category}`);
  if (!(ACTIONS as readonly string[]).includes(r.action)) throw new Error(`action ${r.action}`);
  if (!isAllowedPair(r.category as Category, r.action)) throw new Error(`pair ${r.category}/${r.action}`);
  const retry = r.action === 'retry' || r.action === 'refresh_and_retry' || r.action === 'wait_and_retry';
  if (r.retryable !== retry) throw new Error(`retryable ${r.retryable} for ${r.action}`);
  if (!(SEVERITIES as readonly string[]).includes(r.severity)) throw new Error(`severity ${r.severity}`);
  if (!(SOURCES as readonly string[]).includes(r.source)) throw new Error(`source ${r.source}`);
  if (r.summary === '' || r.advice === '') throw new Error('empty text');
  if (r.retryAfterSeconds !== null && !(Number.isInteger(r.retryAfterSeconds) && r.retryAfterSeconds >= 0))
    throw new Error(`retryAfter ${r.retryAfterSeconds}`);
  const out = leaked(r);
  if (out.length > 0) throw new Error(`leaked ${out.join(', ')}`);
}

/** Places a secret where real inputs carry one: under a secret name, in an auth header, in a query string, or bare (token-shaped ones). */
const planted = fc.constantFrom<(s: string) => unknown>(
  (s) => ({ refresh_token: s }),
  (s) => ({ access_token: s, token_type: 'Bearer' }),
  (s) => ({ headers: { Authorization: `Bearer ${s}` } }),
  (s) => ({ headers: { authorization: `Basic ${s}` } }),
  (s) => `refresh_token=${s}&grant_type=refresh_token`,
  (s) => `https://n8n.example.com/callback?code=${s}&state=x`,
  (s) => ({ client_secret: s }),
  (s) => ({ oauthTokenData: { access_token: s, refresh_token: s } }),
  (s) => JSON.stringify({ refresh_token: s }),
);
const tokenShaped = [CANARY.accessJwt, CANARY.refreshHex, CANARY.clientSecret, CANARY.authCode, CANARY.sessionHandle, CANARY.basic];
const secret = fc.constantFrom(...CANARIES);
const bareToken = fc.constantFrom(...tokenShaped);

const FRAGMENTS = [
  'oauth_problem=',
  'oauth_problem_advice=',
  'token_rejected',
  'nonce_used',
  'rate limit exceeded',
  '%3D',
  '%26',
  '%25',
  '&',
  '=',
  '+',
  '"Detail":',
  '"Status":',
  '"Title":',
  '{',
  '}',
  '[',
  ']',
  '"',
  '\\"',
  '“',
  '”',
  ':',
  ',',
  'null',
  '401',
  '403',
  '429',
  '503',
  'TokenExpired',
  'AuthenticationUnsuccessful',
  'AuthorizationUnsuccessful',
  'ValidationException',
  'invalid_grant',
  'unauthorized_client : ',
  'Invalid redirect_uri',
  'needs to be reconnected',
  'Retry-After: ',
  'X-Rate-Limit-Problem: ',
  'minute',
  'day',
  'ECONNRESET',
  'ENOTFOUND',
  '<html>',
  '</p>',
  '<script>',
  '&amp;',
  '&#x27;',
  ' ',
  '\n',
  '\u0000',
  '\uFFFD',
  '\uD800',
  'Bearer ',
  'eyJ',
  '.',
  'The Organisation is offline',
  // What people paste (issue 18): printed objects, SDK exceptions, status words, TLS failures.
  "'",
  '`',
  "': '",
  'statusCode: ',
  "HTTPHeaderDict({'Retry-After': '",
  "'X-Rate-Limit-Problem': '",
  'None',
  'True',
  'ForbiddenException',
  'PostDataInvalidException',
  '(429)\nReason: ',
  '[403] Client error',
  'Xero API 400 Error calling ',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'self-signed certificate',
  "TimeoutError: Timeout awaiting 'request'",
  "You've exceeded the per minute rate limit",
];
const xeroish = fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 12 }), bareToken), { maxLength: 40 }).map((parts) => parts.join(''));

function setDeep(target: unknown, path: number, value: unknown): unknown {
  if (target === null || typeof target !== 'object') return value;
  const keys = Object.keys(target);
  if (keys.length === 0) return { ...(target as object), injected: value };
  const k = keys[path % keys.length];
  const copy: Record<string, unknown> = Array.isArray(target)
    ? ([...target] as unknown as Record<string, unknown>)
    : { ...(target as Record<string, unknown>) };
  copy[k] = path % 3 === 0 ? value : setDeep(copy[k], Math.floor(path / 3), value);
  return copy;
}

function recase(v: unknown, mode: number, depth = 0): unknown {
  if (depth > 20 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => recase(x, mode, depth + 1));
  const change = (k: string): string => (mode === 0 ? k.toLowerCase() : mode === 1 ? k.toUpperCase() : k[0] ? k[0].toUpperCase() + k.slice(1) : k);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [change(k), recase(x, mode, depth + 1)]));
}

const mutation = fc.constantFrom<(v: unknown, n: number, extra: unknown) => unknown>(
  (v) => v,
  (v) => JSON.stringify(v),
  (v) => JSON.stringify(JSON.stringify(v)),
  (v, n) => recase(v, n % 3),
  (v) => ({
    json: {
      error: { message: 'Authorization failed - please check your credentials', description: `401 - ${JSON.stringify(JSON.stringify(v))}`, httpCode: '401' },
    },
  }),
  (v) => ({ execution: { error: { message: 'Workflow failed', description: typeof v === 'string' ? v : JSON.stringify(v) } }, workflow: { id: '1' } }),
  (v, n) => {
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    return s.slice(0, n % (s.length + 1));
  },
  (v, n, extra) => setDeep(v, n, extra),
  // Surrogates replaced first: a slice can split a pair, and encodeURIComponent rejects the half.
  (v) => encodeURIComponent((typeof v === 'string' ? v : JSON.stringify(v)).replace(/[\uD800-\uDFFF]/g, '\uFFFD')),
  (v) => (typeof v === 'string' ? v : JSON.stringify(v)).replace(/"/g, '”'),
  (v) => `We saw this in the logs: ${typeof v === 'string' ? v : JSON.stringify(v)} (please help)`,
  (v) => `<html><body><pre>${typeof v === 'string' ? v : JSON.stringify(v)}</pre></body></html>`,
);

const mutatedCorpus = fc
  .tuple(
    fc.constantFrom(...corpus),
    fc.array(mutation, { minLength: 1, maxLength: 3 }),
    fc.nat(),
    fc.oneof(fc.jsonValue({ maxDepth: 3 }), xeroish),
    planted,
    secret,
  )
  .map(([input, muts, n, extra, plant, s]) => {
    let v: unknown = setDeep(input, n, plant(s));
    for (const m of muts) v = m(v, n, extra);
    return v;
  });

const randomJson = fc.tuple(fc.jsonValue({ maxDepth: 4 }), fc.nat(), planted, secret).map(([v, n, plant, s]) => setDeep(v, n, plant(s)));

const randomString = fc
  .tuple(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), xeroish), bareToken, fc.nat())
  .map(([s, token, n]) => {
    const at = n % (s.length + 1);
    return `${s.slice(0, at)} ${token} ${s.slice(at)}`;
  });

const property = (arb: fc.Arbitrary<unknown>) => fc.property(arb, (input) => check(classifyXeroError(input, { now: 0 })));

describe('property: 100,000 generated inputs', () => {
  it('mutated corpus entries (40,000)', () => {
    fc.assert(property(mutatedCorpus), { seed: SEED, numRuns: 40_000 });
  });
  it('random JSON with secrets planted (35,000)', () => {
    fc.assert(property(randomJson), { seed: SEED + 1, numRuns: 35_000 });
  });
  it('random and Xero-flavoured strings with tokens in them (25,000)', () => {
    fc.assert(property(randomString), { seed: SEED + 2, numRuns: 25_000 });
  });
});
