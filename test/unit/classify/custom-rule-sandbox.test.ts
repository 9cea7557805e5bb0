/**
 * Issue 14 item 3: a hostile custom rule must not stop the host process or block its event loop.
 * Both attacks as found: a rule that is a V8 fatal error (it ended n8n and Node-RED at once, in the
 * calling thread and in a worker thread alike) and a catastrophic regex over error text that comes
 * from outside (it blocked the event loop 13 to 36 s, because JSONata's time limit is not checked
 * inside a native regex call). Before the sandbox, this file could not finish: the first test ended
 * the jest worker itself.
 */
import { classifyXeroError, classifyXeroErrorAsync, type CustomRule } from '../../../src/classify';

const fatal: CustomRule = { name: 'Memory bomb', expression: "$count($split($pad('', 150000000, 'x'), '')) > 0", category: 'bomb', action: 'alert' };
const backtracking: CustomRule = { name: 'Backtracking regex', expression: '$contains(text, /^(a+)+$/)', category: 'redos', action: 'alert' };
const honest: CustomRule = { name: 'Server errors are ours', expression: 'status = 500', category: 'our_server_error', action: 'alert' };
/** 28 characters that make `/^(a+)+$/` backtrack for tens of seconds in a backtracking engine. */
const evilText = { statusCode: 500, body: `${'a'.repeat(28)}!` };

/** True when a macrotask got its turn before `work` settled: the event loop was not blocked meanwhile. */
async function loopStayedFree<T>(work: Promise<T>): Promise<{ result: T; ticks: number }> {
  let ticks = 0;
  let running = true;
  const tick = (): void => {
    if (!running) return;
    ticks++;
    setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  const result = await work;
  running = false;
  return { result, ticks };
}

describe('a custom rule that is a V8 fatal error', () => {
  it('async path: the host survives, the rule is named as over the memory limit, the next rule still decides', async () => {
    const { result, ticks } = await loopStayedFree(classifyXeroErrorAsync({ statusCode: 500 }, { rules: [fatal, honest] }));
    expect(result).toMatchObject({
      category: 'our_server_error',
      matchedRule: honest.name,
      configurationError: expect.stringMatching(
        /^Custom rule "Memory bomb" was stopped: it (?:used more memory than the \d+ MB a rule may use|ran longer than \d+ ms)/,
      ),
      // Issue 24: the item says which rule had no say on it.
      rulesNotEvaluated: [{ name: 'Memory bomb', reason: 'stopped' }],
    });
    expect(ticks).toBeGreaterThan(0);
  });

  it('sync path: the host survives and the built-ins still classify', () => {
    const bomb: CustomRule = { ...fatal, name: 'Memory bomb (sync)', expression: "$count($split($pad('', 150000001, 'y'), '')) > 0" };
    expect(classifyXeroError({ statusCode: 429, headers: { 'x-rate-limit-problem': 'minute' } }, { rules: [bomb] })).toMatchObject({
      category: 'rate_limit_minute',
      action: 'wait_and_retry',
      configurationError: expect.stringMatching(/^Custom rule "Memory bomb \(sync\)" was stopped: it (?:used more memory|ran longer)/),
    });
  });

  it('is switched off afterwards instead of stopping the evaluator for every item', async () => {
    const again = await classifyXeroErrorAsync({ statusCode: 500 }, { rules: [{ ...fatal }, honest] });
    expect(again).toMatchObject({
      category: 'our_server_error',
      configurationError: expect.stringContaining('switched off until the rule is changed'),
      rulesNotEvaluated: [{ name: 'Memory bomb', reason: 'switched_off' }],
    });
  });
});

describe('a catastrophic regex over text from outside', () => {
  it('async path: the event loop keeps running while the rule is stopped, and the rule is named', async () => {
    const { result, ticks } = await loopStayedFree(classifyXeroErrorAsync(evilText, { rules: [backtracking, honest] }));
    expect(result).toMatchObject({
      category: 'our_server_error',
      configurationError: expect.stringMatching(/^Custom rule "Backtracking regex" was stopped: it ran longer than \d+ ms$/),
    });
    expect(ticks).toBeGreaterThan(0);
  });

  it('stopped for time once, it is tried again (a loaded machine can slow an honest rule); twice, it is switched off', async () => {
    const second = await classifyXeroErrorAsync(evilText, { rules: [backtracking, honest] });
    expect(second.configurationError).toMatch(
      /^Custom rule "Backtracking regex" was stopped: it ran longer than \d+ ms \(switched off until the rule is changed/,
    );
    expect(second.rulesNotEvaluated).toEqual([{ name: 'Backtracking regex', reason: 'stopped' }]);
    const third = await classifyXeroErrorAsync(evilText, { rules: [backtracking, honest] });
    expect(third).toMatchObject({
      category: 'our_server_error',
      configurationError: second.configurationError,
      rulesNotEvaluated: [{ name: 'Backtracking regex', reason: 'switched_off' }],
    });
  });

  it('sync path: returns, with the rule named, instead of hanging the caller', () => {
    const rule: CustomRule = { ...backtracking, name: 'Backtracking regex (sync)', expression: '$match(text, /^(a|a)+$/)' };
    expect(classifyXeroError(evilText, { rules: [rule] })).toMatchObject({
      category: 'server_error',
      configurationError: expect.stringContaining('"Backtracking regex (sync)" was stopped: it ran longer than'),
    });
  });
});

describe('rule size', () => {
  it('an expression longer than a rule needs is refused up front, naming the rule', async () => {
    const long: CustomRule = { name: 'Huge', expression: `status = 500 or ${'status = 1 or '.repeat(1000)}false`, category: 'x', action: 'alert' };
    expect((await classifyXeroErrorAsync({ statusCode: 500 }, { rules: [long] })).configurationError).toMatch(
      /^Custom rule "Huge" is not usable: the expression is longer than 10,000 characters/,
    );
  });
});
