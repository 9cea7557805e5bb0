/**
 * Inputs built against the patterns that read pasted text (printed objects, status words, inline
 * headers, exception names): each one is the worst case for one pattern. The classifier must answer,
 * validly, without throwing; how long each takes is measured by `npm run bench -- classify`
 * (classify.hostile5MB), where a backtracking pattern would show as seconds instead of milliseconds.
 */
import { classifyXeroError, isAllowedPair, type Category } from '../../../src/classify';
import { PATHOLOGICAL } from './pathological-inputs';

describe('pathological pasted text', () => {
  it.each(PATHOLOGICAL.map(([name, make]) => [name, make] as const))('%s: answers validly', (_name, make) => {
    const r = classifyXeroError(make(), { now: 0 });
    expect(isAllowedPair(r.category as Category, r.action)).toBe(true);
    expect(r.summary.length).toBeGreaterThan(0);
  });

  it('still reads the evidence after the noise', () => {
    const noise = "'k': '".repeat(20_000);
    expect(
      classifyXeroError(`${noise}\nHTTP response headers: {'Retry-After': '30', 'X-Rate-Limit-Problem': 'minute'} (429)\nReason: Too Many Requests`, {
        now: 0,
      }),
    ).toMatchObject({ category: 'rate_limit_minute', retryAfterSeconds: 30 });
  });
});
