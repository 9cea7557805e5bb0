import {
  classifyXeroError,
  classifyXeroErrorAsync,
  compileRules,
  normaliseXeroError,
  RuleConfigurationError,
  type ClassifyOptions,
  type CustomRule,
} from '../../../src/classify';
import { loadCorpus } from './corpus';

const dayLimit: CustomRule = {
  name: 'Day limit means stop for today',
  expression: 'status = 429 and headers."x-rate-limit-problem" = "day"',
  category: 'daily_quota_spent',
  action: 'alert',
  summary: 'The daily Xero allowance is used up.',
  advice: 'Pause the sync schedule until tomorrow and tell the finance team.',
  severity: 'critical',
};
const payroll: CustomRule = { name: 'Payroll is not ours', expression: '$contains($lowercase(text), "payroll")', category: 'forbidden', action: 'alert' };
const bySource: CustomRule = {
  name: 'Token endpoint down',
  expression: 'source = "token_endpoint" and status >= 500',
  category: 'service_unavailable',
  action: 'wait_and_retry',
};
const byCode: CustomRule = {
  name: 'Proxy resets',
  expression: 'code = "ECONNRESET" and $contains(text, "proxy")',
  category: 'network_error',
  action: 'fix_configuration',
};
const byBody: CustomRule = {
  name: 'Detail through body',
  expression: 'body.Detail = "AuthenticationUnsuccessful" and status = 401',
  category: 'access_revoked',
  action: 'reauthenticate',
};

const day429 = { statusCode: 429, headers: { 'Retry-After': '600', 'X-Rate-Limit-Problem': 'day' } };

type Classify = (input: unknown, options?: ClassifyOptions) => unknown;
const both: [string, Classify][] = [
  ['classifyXeroError (sync)', classifyXeroError],
  ['classifyXeroErrorAsync', classifyXeroErrorAsync],
];

describe.each(both)('%s with custom rules', (_name, classify) => {
  it('a matching rule decides category, action, texts and severity; retryable follows the action', async () => {
    const r = await classify(day429, { rules: [dayLimit] });
    expect(r).toMatchObject({
      category: 'daily_quota_spent',
      action: 'alert',
      retryable: false,
      summary: dayLimit.summary,
      advice: dayLimit.advice,
      severity: 'critical',
      matchedRule: dayLimit.name,
      retryAfterSeconds: 600,
      httpStatus: 429,
      configurationError: null,
    });
  });

  it('rules see status, headers, text, source, code and body of the normalised error', async () => {
    const rules = [dayLimit, payroll, bySource, byCode, byBody];
    expect(await classify({ status: 403, body: 'Payroll API access is not enabled for this organisation' }, { rules })).toMatchObject({
      matchedRule: payroll.name,
      category: 'forbidden',
      summary: expect.stringMatching(/refused/),
    });
    expect(await classify({ status: 502, url: 'https://identity.xero.com/connect/token', body: '' }, { rules })).toMatchObject({
      matchedRule: bySource.name,
      retryable: true,
    });
    expect(await classify({ code: 'ECONNRESET', message: 'socket hang up via proxy 10.0.0.5' }, { rules })).toMatchObject({
      matchedRule: byCode.name,
      action: 'fix_configuration',
    });
    expect(await classify({ statusCode: 401, body: JSON.stringify({ Detail: 'AuthenticationUnsuccessful' }) }, { rules })).toMatchObject({
      matchedRule: byBody.name,
      category: 'access_revoked',
    });
  });

  it('the first matching rule wins, and built-ins decide when none matches', async () => {
    const first: CustomRule = { ...payroll, name: 'first', expression: 'status = 429' };
    expect(await classify(day429, { rules: [first, dayLimit] })).toMatchObject({ matchedRule: 'first' });
    expect(await classify({ statusCode: 404 }, { rules: [dayLimit, payroll] })).toMatchObject({
      category: 'not_found',
      matchedRule: null,
      configurationError: null,
    });
  });

  it('a rule that does not compile is a configuration error naming it; the others and the built-ins still work', async () => {
    const broken: CustomRule = { name: 'Broken rule', expression: 'status = = 429', category: 'x', action: 'alert' };
    const r1 = await classify(day429, { rules: [broken] });
    expect(r1).toMatchObject({
      category: 'rate_limit_day',
      action: 'wait_and_retry',
      matchedRule: null,
      configurationError: expect.stringContaining('"Broken rule"'),
      rulesNotEvaluated: [{ name: 'Broken rule', reason: 'not_usable' }],
    });
    const r2 = await classify(day429, { rules: [broken, dayLimit] });
    expect(r2).toMatchObject({
      category: 'daily_quota_spent',
      configurationError: expect.stringContaining('"Broken rule"'),
      rulesNotEvaluated: [{ name: 'Broken rule', reason: 'not_usable' }],
    });
    // Rules after the deciding one are not listed: first match wins, they had nothing to say.
    expect(await classify(day429, { rules: [dayLimit, broken] })).toMatchObject({ rulesNotEvaluated: [] });
  });

  it('a rule that throws while evaluating is a configuration error naming it', async () => {
    const throws: CustomRule = { name: 'Thrower', expression: '$error("my rule is wrong")', category: 'x', action: 'alert' };
    const r = await classify(day429, { rules: [throws] });
    // It was evaluated, to an error: named in configurationError, not listed as not evaluated.
    expect(r).toMatchObject({ category: 'rate_limit_day', configurationError: expect.stringMatching(/"Thrower".*my rule is wrong/), rulesNotEvaluated: [] });
  });

  it('a runaway rule is stopped and reported, not left hanging', async () => {
    const loop: CustomRule = { name: 'Forever', expression: '($f := function($x) { $f($x + 1) }; $f(0))', category: 'x', action: 'alert' };
    const r = await classify({ statusCode: 500 }, { rules: [loop] });
    expect(r).toMatchObject({ category: 'server_error', configurationError: expect.stringContaining('"Forever"') });
  });

  it('invalid fields are configuration errors naming the rule', async () => {
    const badAction = { name: 'Bad action', expression: 'true', category: 'x', action: 'panic' } as unknown as CustomRule;
    expect(await classify({ statusCode: 500 }, { rules: [badAction] })).toMatchObject({
      category: 'server_error',
      configurationError: expect.stringMatching(/"Bad action".*action must be one of/),
    });
    expect(await classify({ statusCode: 500 }, { rules: 'status = 500' as unknown as CustomRule[] })).toMatchObject({
      category: 'server_error',
      configurationError: expect.stringContaining('list'),
    });
  });

  it('$now() and $millis() follow options.now, so a rule is deterministic', async () => {
    const late: CustomRule = { name: 'After hours', expression: '$substring($now(), 11, 2) = "23"', category: 'after_hours', action: 'alert' };
    expect(await classify({ statusCode: 500 }, { now: Date.UTC(2026, 0, 1, 23, 30), rules: [late] })).toMatchObject({ category: 'after_hours' });
    expect(await classify({ statusCode: 500 }, { now: Date.UTC(2026, 0, 1, 9, 30), rules: [late] })).toMatchObject({ category: 'server_error' });
  });

  it('compiled rules are accepted as options.rules', async () => {
    const compiled = compileRules([dayLimit, payroll]);
    expect(await classify(day429, { rules: compiled })).toMatchObject({ matchedRule: dayLimit.name });
  });
});

describe('compileRules', () => {
  it('throws a RuleConfigurationError naming the first unusable rule', () => {
    expect(() => compileRules([dayLimit, { name: 'Typo', expression: 'status =', category: 'x', action: 'alert' }])).toThrow(RuleConfigurationError);
    try {
      compileRules([{ name: 'Typo', expression: 'status = (', category: 'x', action: 'alert' }]);
    } catch (err) {
      expect(err).toMatchObject({ ruleName: 'Typo', message: expect.stringMatching(/^Custom rule "Typo": the expression does not compile/) });
    }
    expect(() => compileRules([{ name: '', expression: 'true', category: 'x', action: 'alert' }])).toThrow(/Custom rule "#1": the rule has no name/);
    expect(() => compileRules([{ name: 'Caps', expression: 'true', category: 'Not Snake', action: 'alert' }])).toThrow(/"Caps": category must be/);
  });
});

describe('sync and async agree', () => {
  it('on every corpus case with a set of rules', async () => {
    const rules = [
      dayLimit,
      payroll,
      bySource,
      byCode,
      byBody,
      { name: 'OAuth1', expression: 'oauthProblem = "token_rejected"', category: 'legacy_oauth1', action: 'reauthenticate' } as CustomRule,
    ];
    for (const c of loadCorpus()) {
      const sync = classifyXeroError(c.input, { now: 0, rules });
      const async = await classifyXeroErrorAsync(c.input, { now: 0, rules });
      expect(sync).toEqual(async);
    }
  });
});

describe('JSONata truthiness is the same on both paths', () => {
  // The worker carries its own copy of the truthiness function (it cannot import TypeScript).
  it.each(['[]', '[0, ""]', '{}', '""', '0', '"x"', '[false, 1]', 'function($x) { 1 }', 'nothing.here', '{"a": null}', '0.0001', 'false'])(
    '%s',
    async (expression) => {
      const rules: CustomRule[] = [{ name: 'probe', expression, category: 'probe', action: 'alert' }];
      const sync = classifyXeroError({ statusCode: 500 }, { rules });
      const async = await classifyXeroErrorAsync({ statusCode: 500 }, { rules });
      expect(sync.category).toBe(async.category);
    },
  );
});

describe('normaliseXeroError', () => {
  it('shows what a rule sees', () => {
    const n = normaliseXeroError({ StatusCode: 429, Headers: { 'X-Rate-Limit-Problem': 'day', Authorization: 'Bearer abcdef123456' } });
    expect(n).toMatchObject({ status: 429, headers: { 'x-rate-limit-problem': 'day', authorization: '[redacted]' }, source: 'api' });
  });
});
