import { classifyXeroError, isAllowedPair, type Category } from '../../../src/classify';
import { loadCorpus } from './corpus';

const NOW = Date.UTC(2026, 0, 1);
const cases = loadCorpus();

describe('the shared sample corpus', () => {
  it('has cases to check', () => {
    expect(cases.length).toBeGreaterThanOrEqual(18);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s is classified as expected', (_id, c) => {
    const result = classifyXeroError(c.input, { now: NOW });
    for (const [field, value] of Object.entries(c.expect)) expect({ field, value: result[field as keyof typeof result] }).toEqual({ field, value });
    expect(isAllowedPair(result.category as Category, result.action)).toBe(true);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s classifies the same as a JSON string', (_id, c) => {
    const direct = classifyXeroError(c.input, { now: NOW });
    const asString = classifyXeroError(JSON.stringify(c.input), { now: NOW });
    expect(asString.category).toBe(direct.category);
    expect(asString.action).toBe(direct.action);
  });
});
