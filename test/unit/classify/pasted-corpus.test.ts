/** Issue 18: each real pasted text is classified the way a person reading it would. */
import { classifyXeroError, isAllowedPair, type Category } from '../../../src/classify';
import { PASTED_SHAPES, loadPasted } from './pasted-corpus';

const NOW = Date.UTC(2026, 0, 1);
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJQQVNURURfQ0FOQVJZIjoiMSJ9.cGFzdGVkQ2FuYXJ5U2lnbmF0dXJl';
const cases = loadPasted();

describe('the pasted corpus', () => {
  it('has cases of every shape, each naming its public source', () => {
    for (const shape of PASTED_SHAPES) expect({ shape, atLeast5: cases.filter((c) => c.shape === shape).length >= 5 }).toEqual({ shape, atLeast5: true });
    for (const c of cases) expect(c.from).toMatch(/^https:\/\//);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const result = classifyXeroError(c.input, { now: NOW });
    for (const [field, value] of Object.entries(c.expect)) expect({ field, value: result[field as keyof typeof result] }).toEqual({ field, value });
    expect(isAllowedPair(result.category as Category, result.action)).toBe(true);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s: the same as a JSON string, and with a token pasted next to it', (_id, c) => {
    const direct = classifyXeroError(c.input, { now: NOW });
    const asString = classifyXeroError(JSON.stringify(c.input), { now: NOW });
    expect([asString.category, asString.action]).toEqual([direct.category, direct.action]);
    const text = typeof c.input === 'string' ? c.input : JSON.stringify(c.input);
    const withToken = classifyXeroError(`${text}\nAuthorization: Bearer ${TOKEN}`, { now: NOW });
    expect(JSON.stringify(withToken)).not.toContain(TOKEN);
  });
});
