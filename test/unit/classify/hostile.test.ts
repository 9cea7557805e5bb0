/** The contract: never throws, whatever it is given, and stays bounded. Timing is the bench's job. */
import { classifyXeroError, isAllowedPair, type Category, type Classification } from '../../../src/classify';

function valid(r: Classification): void {
  expect(isAllowedPair(r.category as Category, r.action)).toBe(true);
  expect(typeof r.summary).toBe('string');
}

function nested(depth: number): unknown {
  let v: Record<string, unknown> = { Detail: 'TokenExpired: at the bottom' };
  for (let i = 0; i < depth; i++) v = { error: v };
  return v;
}

const FIVE_MB = 5 * 1024 * 1024;

const HOSTILE: [string, () => unknown][] = [
  ['null', () => null],
  ['undefined', () => undefined],
  ['a number', () => 401],
  ['NaN', () => NaN],
  ['a bigint', () => 10n],
  ['a symbol', () => Symbol('x')],
  ['a function', () => () => 1],
  ['true', () => true],
  ['an empty string', () => ''],
  [
    'a cyclic object',
    () => {
      const a: Record<string, unknown> = { statusCode: 401 };
      a.self = a;
      a.error = { parent: a, list: [a, a] };
      return a;
    },
  ],
  [
    'a cyclic array',
    () => {
      const a: unknown[] = [];
      a.push(a, { body: a });
      return a;
    },
  ],
  ['depth 10,000 object', () => nested(10_000)],
  ['depth 10,000 JSON string', () => `${'{"error":'.repeat(10_000)}"x"${'}'.repeat(10_000)}`],
  ['depth 10,000 arrays in a string', () => `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
  ['a 5 MB string of letters', () => 'a'.repeat(FIVE_MB)],
  ['a 5 MB string of braces and quotes', () => '{"'.repeat(FIVE_MB / 2)],
  ['a 5 MB JSON-looking string', () => `{"Detail":"${'x'.repeat(FIVE_MB)}"}`],
  ['a 5 MB string of pairs', () => '"Detail":"AuthenticationUnsuccessful",'.repeat(FIVE_MB / 38)],
  ['a 5 MB HTML page', () => `<html><body>${'<div>'.repeat(FIVE_MB / 5)}</body></html>`],
  ['5 MB of percent escapes', () => `oauth_problem=${'%2'.repeat(FIVE_MB / 3)}`],
  ['5 MB of angle brackets', () => '<'.repeat(FIVE_MB)],
  ['a binary-looking string', () => String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => (i * 7919) % 65536))],
  ['lone surrogates', () => '\uD800\uDC00\uD800 oauth_problem=\uDFFF'],
  ['a Buffer', () => Buffer.from('{"error":"invalid_grant"}')],
  ['a 1,000,000 element array', () => new Array(1_000_000).fill({ status: 500 })],
  ['an object with 100,000 keys', () => Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]))],
  [
    'getters that throw',
    () =>
      Object.defineProperty({ status: 401 }, 'body', {
        enumerable: true,
        get: () => {
          throw new Error('no');
        },
      }),
  ],
  [
    'a Proxy that throws on everything',
    () =>
      new Proxy(
        {},
        {
          get: () => {
            throw new Error('trap');
          },
          ownKeys: () => {
            throw new Error('trap');
          },
          getPrototypeOf: () => {
            throw new Error('trap');
          },
        },
      ),
  ],
  [
    'a revoked Proxy',
    () => {
      const p = Proxy.revocable({}, {});
      p.revoke();
      return { error: p.proxy };
    },
  ],
  [
    'getters that make new objects forever',
    () => {
      const make = (): object => ({
        get next() {
          return make();
        },
        get other() {
          return make();
        },
      });
      return make();
    },
  ],
  ['a Map and a Set', () => ({ headers: new Map([['Retry-After', '5']]), body: new Set([1, 2]) })],
  ['a Date and a RegExp', () => ({ at: new Date(), re: /x/ })],
  ['an object with a null prototype', () => Object.assign(Object.create(null) as object, { statusCode: 404 })],
  ['keys of 1 MB', () => ({ ['k'.repeat(1 << 20)]: 'v' })],
];

describe('hostile input', () => {
  it.each(HOSTILE)('%s: never throws, valid output', (_name, make) => {
    const input = make();
    let r: Classification | undefined;
    expect(() => {
      r = classifyXeroError(input);
    }).not.toThrow();
    valid(r as Classification);
  });

  it('still reads evidence near the top of deep nesting', () => {
    expect(classifyXeroError({ statusCode: 503, body: nested(10_000) }).httpStatus).toBe(503);
  });

  it('a map of headers is read like an object', () => {
    expect(
      classifyXeroError(
        {
          status: 429,
          headers: new Map([
            ['Retry-After', '5'],
            ['X-Rate-Limit-Problem', 'minute'],
          ]),
        },
        { now: 0 },
      ),
    ).toMatchObject({ category: 'rate_limit_minute', retryAfterSeconds: 5 });
  });

  it('a Buffer is not mistaken for text or a list', () => {
    valid(classifyXeroError(Buffer.alloc(1 << 20, 0xff)));
  });

  it('an invalid now falls back to the clock instead of failing', () => {
    valid(classifyXeroError({ status: 429, headers: { 'retry-after': 'Tue, 10 Mar 2026 12:01:30 GMT' } }, { now: new Date('nope') }));
    valid(classifyXeroError({ status: 429 }, { now: Infinity }));
  });
});
