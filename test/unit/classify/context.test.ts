/**
 * Issue 28: a 401 `AuthorizationUnsuccessful` is a missing scope or an endpoint closed to the app's
 * tier (or the user's role), and only the caller's context (scopes required and granted) tells which.
 * Without a context nothing changes; with one, only that reading changes.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  classifyXeroError,
  classifyXeroErrorAsync,
  isAllowedPair,
  normaliseXeroError,
  type Category,
  type ClassifyContext,
  type CustomRule,
} from '../../../src/classify';
import { missingScopeText, planRestrictedText } from '../../../src/classify/texts';
import { gateOf } from '../../../src/classify/gated-endpoints';
import { AFTER_GATES, AUTHORIZATION_UNSUCCESSFUL, JOURNALS_GRANTED, JOURNALS_SCOPE_MISSING } from './context-cases';
import { loadCorpus } from './corpus';
import { loadPasted } from './pasted-corpus';
import { CANARY, leaked } from './canaries';

const now = AFTER_GATES;
const oneSentence = (s: string): void => {
  expect(s).toMatch(/^[A-Z"].*[.]$/);
  expect(s.split(/[.!?](?:\s|$)/).filter((x) => x.trim() !== '').length).toBe(1);
};

describe.each(AUTHORIZATION_UNSUCCESSFUL)('401 AuthorizationUnsuccessful as %s', (_shape, input) => {
  const bare = classifyXeroError(input, { now });

  it('without a context: insufficient_scope, as before contexts existed', () => {
    expect(bare).toMatchObject({ category: 'insufficient_scope', action: 'fix_configuration', severity: 'critical', missingScopes: null });
  });

  it('every required scope granted: plan_restricted, naming Journals and the Advanced tier, never a refresh', () => {
    const r = classifyXeroError(input, { now, context: JOURNALS_GRANTED });
    expect(r).toMatchObject({ category: 'plan_restricted', action: 'fix_configuration', retryable: false, severity: 'warning', missingScopes: [] });
    expect(r.summary).toContain('Journals');
    expect(r.summary).toContain('Advanced tier');
    expect(r.advice).toMatch(/^Reconnecting will not help/);
    expect(r.httpStatus).toBe(bare.httpStatus);
    expect(isAllowedPair(r.category as Category, r.action)).toBe(true);
  });

  it('a required scope missing: insufficient_scope naming accounting.journals.read', () => {
    const r = classifyXeroError(input, { now, context: JOURNALS_SCOPE_MISSING });
    expect(r).toMatchObject({ category: 'insufficient_scope', action: 'fix_configuration', severity: 'critical', missingScopes: ['accounting.journals.read'] });
    expect(r.summary).toContain('accounting.journals.read');
    expect(r.advice).toContain('Add accounting.journals.read');
  });

  it.each<[string, ClassifyContext]>([
    ['empty lists', { grantedScopes: [], requiredScopes: [] }],
    ['nothing required', { grantedScopes: ['accounting.journals.read'], requiredScopes: [] }],
    ['no granted list', { requiredScopes: ['accounting.journals.read'], endpoint: 'Journals' }],
    ['only an endpoint', { endpoint: 'Journals' }],
    ['an empty object', {}],
  ])('a context that cannot tell (%s): exactly the classification without one', (_name, context) => {
    expect(classifyXeroError(input, { now, context })).toEqual(bare);
  });

  it('a known empty grant with something required: every required scope is missing', () => {
    const r = classifyXeroError(input, { now, context: { grantedScopes: [], requiredScopes: ['accounting.invoices.read', 'accounting.contacts.read'] } });
    expect(r).toMatchObject({ category: 'insufficient_scope', missingScopes: ['accounting.invoices.read', 'accounting.contacts.read'] });
    expect(r.summary).toContain('scopes accounting.invoices.read and accounting.contacts.read');
  });

  it('the async path decides the same way', async () => {
    expect(await classifyXeroErrorAsync(input, { now, context: JOURNALS_GRANTED })).toEqual(classifyXeroError(input, { now, context: JOURNALS_GRANTED }));
  });
});

describe('which granted scope covers a required one', () => {
  const input = AUTHORIZATION_UNSUCCESSFUL[0][1];
  const decide = (grantedScopes: string[] | string, requiredScopes: string[]): string | null =>
    classifyXeroError(input, { now, context: { grantedScopes: grantedScopes as string[], requiredScopes, endpoint: 'Invoices' } }).category;

  it.each<[string, string[] | string, string[]]>([
    ['the same scope', ['accounting.invoices.read'], ['accounting.invoices.read']],
    ['its read-write form', ['accounting.invoices'], ['accounting.invoices.read']],
    ['the broad scope it replaced (apps before March 2026)', ['accounting.transactions'], ['accounting.invoices']],
    ['the broad read scope for a read', ['accounting.transactions.read'], ['accounting.manualjournals.read']],
    ['the broad reports scope', ['accounting.reports.read'], ['accounting.reports.balancesheet.read']],
    ["Xero's space-separated scope string", 'openid offline_access accounting.invoices', ['accounting.invoices.read']],
  ])('%s covers it: plan_restricted', (_name, granted, required) => {
    expect(decide(granted, required)).toBe('plan_restricted');
  });

  it.each<[string, string[], string[]]>([
    ['a read scope does not cover the write one', ['accounting.invoices.read'], ['accounting.invoices']],
    ['the broad read scope does not cover a write', ['accounting.transactions.read'], ['accounting.payments']],
    ['transactions do not cover journals', ['accounting.transactions'], ['accounting.journals.read']],
    ['another granular scope does not', ['accounting.payments'], ['accounting.invoices']],
  ])('%s: insufficient_scope', (_name, granted, required) => {
    expect(decide(granted, required)).toBe('insufficient_scope');
  });
});

describe('what Xero is reported to require, named where known', () => {
  const input = AUTHORIZATION_UNSUCCESSFUL[0][1];
  const granted = (endpoint: string, scope: string): ClassifyContext => ({ grantedScopes: [scope], requiredScopes: [scope], endpoint });

  it('manual journals from 29 June 2026: the Adviser role, worded as one vendor reported it', () => {
    const r = classifyXeroError(input, { now, context: granted('https://api.xero.com/api.xro/2.0/ManualJournals/1b1f1c4e', 'accounting.manualjournals.read') });
    expect(r.category).toBe('plan_restricted');
    expect(r.summary).toContain('one vendor reports that from 29 June 2026');
    expect(r.summary).toContain('Adviser role');
  });

  it('before a gate began, the endpoint is named without claiming what it needs', () => {
    const before = Date.UTC(2026, 0, 15);
    for (const [endpoint, scope] of [
      ['Journals', 'accounting.journals.read'],
      ['ManualJournals', 'accounting.manualjournals.read'],
    ]) {
      const r = classifyXeroError(input, { now: before, context: granted(endpoint, scope) });
      expect(r.category).toBe('plan_restricted');
      expect(r.summary).toContain(`Xero refused ${endpoint}`);
      expect(r.summary).not.toMatch(/Advanced|Adviser/);
    }
  });

  it('an endpoint with no known gate is named; none at all gives the general texts', () => {
    expect(classifyXeroError(input, { now, context: granted('Quotes', 'accounting.invoices') }).summary).toContain('Xero refused Quotes');
    const none = classifyXeroError(input, { now, context: { grantedScopes: ['accounting.invoices'], requiredScopes: ['accounting.invoices'] } });
    expect(none.summary).toMatch(/^Xero refused this request although the connection has every scope it needs/);
  });

  it("the endpoint comes from the error's API URL when the context names none", () => {
    const r = classifyXeroError(
      { statusCode: 401, url: 'https://api.xero.com/api.xro/2.0/Journals?offset=200', body: { Detail: 'AuthorizationUnsuccessful' } },
      { now, context: { grantedScopes: ['accounting.journals.read'], requiredScopes: ['accounting.journals.read'] } },
    );
    expect(r.summary).toContain('Advanced tier');
  });

  it('every text it can give is one plain sentence of summary and of advice, in the words docs/classifier.md shows', () => {
    const doc = readFileSync(resolve(__dirname, '../../../docs/classifier.md'), 'utf8');
    const texts = [
      planRestrictedText('Journals', gateOf('Journals', now)),
      planRestrictedText('ManualJournals', gateOf('ManualJournals', now)),
      planRestrictedText('Quotes', null),
      planRestrictedText(null, null),
      missingScopeText(['accounting.journals.read'], gateOf('Journals', now)),
    ];
    for (const t of texts) {
      oneSentence(t.summary);
      oneSentence(t.advice);
      expect(doc).toContain(t.summary);
      expect(doc).toContain(t.advice);
    }
    for (const n of [1, 2, 3, 4, 5, 9]) {
      const t = missingScopeText(
        Array.from({ length: n }, (_, i) => `payroll.scope${'abcdefghi'[i]}.read`),
        null,
      );
      oneSentence(t.summary);
      oneSentence(t.advice);
    }
  });
});

describe('a context changes nothing but the AuthorizationUnsuccessful reading', () => {
  const everything: ClassifyContext = { grantedScopes: ['accounting.invoices'], requiredScopes: ['accounting.invoices'], endpoint: 'Invoices' };
  const missing: ClassifyContext = { grantedScopes: [], requiredScopes: ['accounting.invoices'], endpoint: 'Invoices' };
  const inputs = [...loadCorpus(), ...loadPasted()].map((c) => [c.id, c.input] as const);

  it.each(inputs)('%s', (_id, input) => {
    const bare = classifyXeroError(input, { now });
    for (const context of [everything, missing]) {
      const r = classifyXeroError(input, { now, context });
      if (bare.category === 'insufficient_scope' && r.missingScopes !== null) continue;
      expect(r).toEqual(bare);
    }
  });
});

describe('a hostile context', () => {
  const input = AUTHORIZATION_UNSUCCESSFUL[0][1];
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const contexts: [string, unknown][] = [
    ['a revoked Proxy', revoked.proxy],
    [
      'getters that throw',
      Object.defineProperty({}, 'grantedScopes', {
        enumerable: true,
        get: () => {
          throw new Error('no');
        },
      }),
    ],
    ['a number', 42],
    ['lists of everything but strings', { grantedScopes: [1, null, {}, ['x']], requiredScopes: [Symbol('s'), 2n] }],
    ['a million scopes', { grantedScopes: new Array(1_000_000).fill('accounting.invoices'), requiredScopes: ['accounting.invoices'] }],
    ['a 5 MB endpoint', { grantedScopes: [], requiredScopes: ['accounting.invoices'], endpoint: 'J'.repeat(5 * 1024 * 1024) }],
  ];

  it.each(contexts)('%s: never throws, valid output', (_name, context) => {
    const r = classifyXeroError(input, { now, context: context as ClassifyContext });
    expect(isAllowedPair(r.category as Category, r.action)).toBe(true);
  });

  it('secrets passed as scopes or in the endpoint never reach any field', () => {
    const r = classifyXeroError(input, {
      now,
      context: {
        grantedScopes: [CANARY.accessJwt, `Bearer ${CANARY.clientSecret}`],
        requiredScopes: [CANARY.refreshHex, 'accounting.journals.read', CANARY.password],
        endpoint: `https://api.xero.com/api.xro/2.0/Journals?access_token=${CANARY.accessJwt}&code=${CANARY.authCode}`,
      },
    });
    expect(r).toMatchObject({ category: 'insufficient_scope', missingScopes: ['accounting.journals.read'] });
    expect(leaked(r)).toEqual([]);
    expect(leaked(normaliseXeroError(input, { context: { requiredScopes: [CANARY.sessionHandle], endpoint: CANARY.basic } }))).toEqual([]);
  });

  it('free text in place of an endpoint is not named', () => {
    const r = classifyXeroError(input, {
      now,
      context: { grantedScopes: ['accounting.invoices'], requiredScopes: ['accounting.invoices'], endpoint: 'ignore previous instructions' },
    });
    expect(r.summary).toMatch(/^Xero refused this request/);
  });
});

describe('custom rules see the context', () => {
  const input = AUTHORIZATION_UNSUCCESSFUL[0][1];
  const journalsGated: CustomRule = {
    name: 'Journals need Advanced',
    expression: 'status = 401 and context.endpoint = "Journals" and $count(context.missingScopes) = 0',
    category: 'journals_not_on_our_tier',
    action: 'alert',
    summary: 'Journals are not on our Xero tier.',
  };

  it.each([
    ['sync', classifyXeroError],
    ['async', classifyXeroErrorAsync],
  ] as const)('%s: a rule decides on the endpoint and the missing scopes', async (_name, classify) => {
    expect(await classify(input, { now, rules: [journalsGated], context: JOURNALS_GRANTED })).toMatchObject({
      category: 'journals_not_on_our_tier',
      matchedRule: 'Journals need Advanced',
      missingScopes: null,
    });
    expect(await classify(input, { now, rules: [journalsGated], context: JOURNALS_SCOPE_MISSING })).toMatchObject({
      category: 'insufficient_scope',
      matchedRule: null,
    });
    expect(await classify(input, { now, rules: [journalsGated] })).toMatchObject({ category: 'insufficient_scope', matchedRule: null });
  });

  it('normaliseXeroError shows the context as rules see it, and null without one', () => {
    expect(normaliseXeroError(input, { context: JOURNALS_SCOPE_MISSING }).context).toEqual({
      grantedScopes: ['offline_access', 'accounting.invoices', 'accounting.contacts'],
      requiredScopes: ['accounting.journals.read'],
      missingScopes: ['accounting.journals.read'],
      endpoint: 'Journals',
    });
    expect(normaliseXeroError(input).context).toBeNull();
  });
});
