/**
 * Issue 24 item 3: one workflow's custom rules must not starve another's. As found, every custom rule of
 * the process shared one evaluator, one item at a time: caller A's item of 100 rules that each run until
 * JSONata's own 250 ms limit made caller B's one-rule item wait 12 s, after which B's rule was dropped
 * ("the rule supervisor did not answer") and the built-in rules routed B's item instead. Crashing rules
 * did the same, a restart of the evaluator each. Now each item has a time budget, callers take turns for
 * a small pool of evaluators, and a rule that did not get its say is named on the item.
 *
 * Outcomes only, no timing thresholds: B's rule decides B's item (and B is answered before A's items,
 * which a queue without turns could not do), A's untried rules are reported as not evaluated. Where time
 * matters the budget is given (0 ms, or shorter than a rule that cannot finish sooner than 250 ms).
 */
import { classifyXeroError, classifyXeroErrorAsync, DEFAULT_RULE_BUDGET_MS, type Classification, type CustomRule } from '../../../src/classify';

const callerB: CustomRule = { name: 'B: server errors are ours', expression: 'status = 500', category: 'our_server_error', action: 'alert' };
const itemB = { statusCode: 500 };

let fresh = 0;
/** Rules that each run until JSONata's own 250 ms limit: distinct expressions, as a flooding caller would write them. */
function slowRules(count: number): CustomRule[] {
  const run = fresh++;
  return Array.from({ length: count }, (_, i) => ({
    name: `A slow ${i}`,
    expression: `($f := function($x) { $f($x + ${run * 1000 + i + 1}) }; $f(0))`,
    category: 'a_slow',
    action: 'alert' as const,
  }));
}
/** Rules that each end the evaluator process (a string past its heap). A stopped rule is switched off, so each is new. */
function crashingRules(count: number): CustomRule[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `A crash ${i}`,
    expression: `$length($pad('', ${150_000_000 + fresh++}, 'x')) > 0`,
    category: 'a_crash',
    action: 'alert' as const,
  }));
}

/** Runs the items at once and records the order they were answered in. */
async function race(items: { label: string; rules: CustomRule[] }[]): Promise<{ order: string[]; results: Map<string, Classification> }> {
  const order: string[] = [];
  const results = new Map<string, Classification>();
  await Promise.all(
    items.map(async ({ label, rules }) => {
      const result = await classifyXeroErrorAsync(itemB, { rules });
      order.push(label);
      results.set(label, result);
    }),
  );
  return { order, results };
}

function expectDecidedByB(result: Classification | undefined): void {
  expect(result).toMatchObject({ category: 'our_server_error', matchedRule: callerB.name, configurationError: null, rulesNotEvaluated: [] });
}

describe('one caller floods the rule evaluator with slow rules', () => {
  it('as found: A has one item of 100 rules that each run 250 ms; B is answered by its own rule, A within its budget', async () => {
    const { results } = await race([
      { label: 'A', rules: slowRules(100) },
      { label: 'B', rules: [callerB] },
    ]);
    expectDecidedByB(results.get('B'));
    const a = results.get('A');
    // A's item ends with its budget: the rules it had no time for are named, not silently dropped.
    expect(a?.category).toBe('server_error');
    expect(a?.rulesNotEvaluated.length).toBeGreaterThan(50);
    expect(a?.rulesNotEvaluated.every((r) => r.reason === 'budget')).toBe(true);
    expect(a?.rulesNotEvaluated.at(-1)).toEqual({ name: 'A slow 99', reason: 'budget' });
    expect(a?.configurationError).toMatch(/^Custom rule "A slow 0" failed while evaluating: Evaluation timeout after 250 milliseconds/);
  });

  it('A has more items in flight than there are evaluators: B still gets its turn, before any of A finishes', async () => {
    const { order, results } = await race([
      { label: 'A1', rules: slowRules(100) },
      { label: 'A2', rules: slowRules(100) },
      { label: 'A3', rules: slowRules(100) },
      { label: 'B', rules: [callerB] },
    ]);
    expectDecidedByB(results.get('B'));
    expect(order[0]).toBe('B');
  });
});

describe('one caller floods the rule evaluator with crashing rules', () => {
  it("B is answered by its own rule, before A's items, while A's rules end evaluator after evaluator", async () => {
    // One caller (one rule set), as a workflow is: three items of it in flight at once.
    const attack = crashingRules(100);
    const { order, results } = await race([
      { label: 'A1', rules: attack },
      { label: 'A2', rules: attack },
      { label: 'A3', rules: attack },
      { label: 'B', rules: [callerB] },
    ]);
    expectDecidedByB(results.get('B'));
    expect(order[0]).toBe('B');
    // A's items: every rule named, as stopped on the item that ran it, switched off on the items after, or out of time.
    for (const label of ['A1', 'A2', 'A3']) {
      const a = results.get(label);
      expect(a?.category).toBe('server_error');
      expect(a?.rulesNotEvaluated).toHaveLength(100);
      expect(a?.rulesNotEvaluated.every((r) => ['stopped', 'switched_off', 'budget'].includes(r.reason))).toBe(true);
    }
    const stopped = ['A1', 'A2', 'A3'].flatMap((label) => results.get(label)?.rulesNotEvaluated.filter((r) => r.reason === 'stopped') ?? []);
    expect(stopped.length).toBeGreaterThan(0);
    expect(results.get('A1')?.configurationError).toMatch(
      /^Custom rule "A crash 0" was stopped: it (?:used more memory than the 96 MB|ended the rule evaluator|ran longer than 1000 ms)/,
    );
  });
});

describe.each([
  ['classifyXeroError (sync)', classifyXeroError],
  ['classifyXeroErrorAsync', classifyXeroErrorAsync],
] as const)('%s: the item time budget', (_name, classify) => {
  const honest: CustomRule = { name: 'Honest', expression: 'status = 500', category: 'our_server_error', action: 'alert' };

  it('defaults to 2 s', () => {
    expect(DEFAULT_RULE_BUDGET_MS).toBe(2000);
  });

  it('a rule the budget left no time for is named on the item, and the built-ins classify it', async () => {
    const result = await classify(itemB, { rules: [honest], ruleBudgetMs: 0 });
    expect(result).toMatchObject({
      category: 'server_error',
      matchedRule: null,
      rulesNotEvaluated: [{ name: 'Honest', reason: 'budget' }],
      configurationError: expect.stringMatching(/^Custom rule "Honest" was not evaluated: the item's 0 ms for custom rules ran out first/),
    });
  });

  it('rules after a slow one are not started once the budget is spent', async () => {
    const [slow] = slowRules(1);
    // The slow rule cannot end before JSONata's 250 ms limit, so nothing after it fits in 100 ms.
    const result = await classify(itemB, { rules: [slow, honest], ruleBudgetMs: 100 });
    expect(result.category).toBe('server_error');
    expect(result.rulesNotEvaluated).toContainEqual({ name: 'Honest', reason: 'budget' });
  });

  it('a budget that is not a number of milliseconds is named, and the default applies', async () => {
    const result = await classify(itemB, { rules: [honest], ruleBudgetMs: -5 });
    expect(result).toMatchObject({
      matchedRule: 'Honest',
      rulesNotEvaluated: [],
      configurationError: expect.stringContaining('(ruleBudgetMs) must be a number'),
    });
  });

  it('with every rule evaluated, nothing is reported', async () => {
    expect(await classify(itemB, { rules: [honest] })).toMatchObject({ matchedRule: 'Honest', rulesNotEvaluated: [], configurationError: null });
    expect((await classify(itemB)).rulesNotEvaluated).toEqual([]);
  });
});
