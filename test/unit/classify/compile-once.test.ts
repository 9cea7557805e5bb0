/** Custom rules compile once per expression, however many items (and fresh rule objects) come through. */
jest.mock('jsonata', () => jest.fn(jest.requireActual<(...args: unknown[]) => unknown>('jsonata')));
import jsonata from 'jsonata';
import { classifyXeroErrorAsync, compileRules, type CustomRule } from '../../../src/classify';

const factory = jsonata as unknown as jest.Mock;

it('compiles each expression once across many calls and fresh rule objects', async () => {
  const rule = (): CustomRule => ({ name: 'Day', expression: 'status = 429 and headers."x-rate-limit-problem" = "day"', category: 'quota', action: 'alert' });
  const compiled = compileRules([rule()]);
  for (let i = 0; i < 200; i++) {
    await classifyXeroErrorAsync({ status: 429, headers: { 'x-rate-limit-problem': i % 2 ? 'day' : 'minute' } }, { rules: i % 3 === 0 ? compiled : [rule()] });
  }
  expect(factory).toHaveBeenCalledTimes(1);
});
