import { N8N_WORDS } from '../../../nodes/shared/node-support';
import { NODE_RED_WORDS } from '../../../node-red/lib/status';
import { CATEGORIES } from '../../../src/classify';
import {
  ConnectionBusyError,
  ConnectionEndpointsError,
  ConnectionNotFoundError,
  ConnectionStateError,
  RefreshOutcomeUnknownError,
  TokenEndpointRateLimitedError,
  XeroUnreachableError,
} from '../../../src/engine';
import { ADVICE_CODES, adviceFor, alertText, budgetText, organisationAddedText, recoveredText, SLACK_TEXT_LIMIT, type AlertWords } from '../../../src/host';

/** Every user-facing alert text, for every error code and category, in both hosts' words. */
const KEY = 'xero:XEROGUARDDEMOCLIENT0000000000001:6648a5722992d54c';
const CANARY_ACCESS = 'eyJhbGciOiJSUzI1NiJ9.canary-access-token-7f3a9.sig';
const CANARY_REFRESH = 'canary-refresh-9d81c2e0b7a64f53';
const CANARY_SECRET = 'canary-client-secret-Qx7Lm2';
const SECRETS = [CANARY_ACCESS, CANARY_REFRESH, CANARY_SECRET];

const HOSTS: Array<{ words: AlertWords; foreign: RegExp }> = [
  { words: N8N_WORDS, foreign: /Node-RED|xero-connection node|Connect to Xero|credentialSecret|settings\.js|xero-guard\.key/ },
  { words: NODE_RED_WORDS, foreign: /n8n|N8N_|Connect my account|Retry On Fail|\bcredential\b/i },
];

const tokenError = { kind: 'network' as const, message: `The token request failed (refresh ${CANARY_REFRESH}).` };
/** The engine's real errors, whose messages become alert summaries. */
const ENGINE_ERRORS: Error[] = [
  new ConnectionNotFoundError(KEY),
  new ConnectionBusyError(KEY, 15_000),
  new XeroUnreachableError(KEY, tokenError as never),
  new RefreshOutcomeUnknownError(KEY, tokenError as never, Date.UTC(2026, 0, 1)),
  new TokenEndpointRateLimitedError(KEY, 30),
  new ConnectionStateError(KEY, 'needs_reauth', `Xero answered invalid_grant for ${CANARY_ACCESS}.`),
  new ConnectionStateError(KEY, 'misconfigured', 'Xero answered invalid_client.'),
  new ConnectionStateError(KEY, 'superseded', 'a newer connect of the same user'),
  new ConnectionEndpointsError(KEY),
];

function check(text: string, foreign: RegExp): void {
  expect(text.length).toBeLessThanOrEqual(SLACK_TEXT_LIMIT);
  expect(text).not.toMatch(/xero:[A-Za-z0-9]+:/);
  expect(text).not.toMatch(foreign);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe.each(HOSTS)('alert texts in $words.host words', ({ words, foreign }) => {
  const input = { connectionName: 'Acme books', link: 'http://localhost:5678/home/credentials/7', secrets: SECRETS };

  it.each([...ADVICE_CODES, 'UNKNOWN', 'TOKEN_ERROR'])('code %s', (code) => {
    const alert = alertText({ ...input, code, summary: `Something failed near ${KEY} with ${CANARY_SECRET}.` }, words);
    check(alert.text, foreign);
    expect(alert.text).toContain('"Acme books"');
    check(adviceFor({ code, message: `bad ${CANARY_SECRET}` }, words, SECRETS).advice, foreign);
    check(adviceFor({ code, message: `bad ${CANARY_SECRET}` }, words, SECRETS).status, foreign);
  });

  it.each([...CATEGORIES])('category %s', (category) => {
    const alert = alertText({ ...input, category, organisation: { tenantId: 't-1', tenantName: 'Beta Ltd' } }, words);
    check(alert.text, foreign);
    expect(alert.text).toContain('"Acme books" (organisation Beta Ltd)');
    expect(alert.advice.length).toBeGreaterThan(10);
  });

  it.each(ENGINE_ERRORS.map((e) => [e.constructor.name, e] as const))('engine error %s', (_name, error) => {
    const coded = error as Error & { code: string };
    const alert = alertText({ ...input, code: coded.code, summary: coded.message }, words);
    check(alert.text, foreign);
    // The engine's sentence itself names no key and no host.
    expect(error.message).not.toContain(KEY);
    expect(error.message).not.toMatch(/n8n|Node-RED|Connect my account|Connect to Xero/);
  });

  it('a long reason is cut to one Slack message and keeps the link', () => {
    const alert = alertText({ ...input, category: 'server_error', summary: 'x'.repeat(10_000) }, words);
    expect(alert.text.length).toBeLessThanOrEqual(SLACK_TEXT_LIMIT);
    expect(alert.text.endsWith(input.link)).toBe(true);
  });

  it('recovered texts name the connection and the organisation', () => {
    const text = recoveredText(
      { connectionName: 'Acme books', organisation: { tenantId: 't', tenantName: 'Beta Ltd' }, detail: `ok ${CANARY_ACCESS}`, secrets: SECRETS },
      words,
    ).text;
    check(text, foreign);
    expect(text).toMatch(/"Acme books" works again: organisation Beta Ltd/);
  });

  it('budget and organisation-added texts', () => {
    const organisation = { tenantId: 't', tenantName: 'Beta Ltd' };
    for (const low of [true, false])
      check(budgetText({ connectionName: 'Acme books', low, organisation, dayRemaining: 9, dayLimit: 100, secrets: SECRETS }, words).text, foreign);
    expect(budgetText({ connectionName: 'Acme books', low: true, organisation, dayRemaining: 9, dayLimit: 100 }, words).text).toMatch(
      /"Acme books": organisation Beta Ltd is running out of Xero calls today\n9 of 100 calls left/,
    );
    const added = organisationAddedText({ connectionName: `Acme ${KEY}`, organisation }, words).text;
    check(added, foreign);
    expect(added).toContain(`${words.connectionNoun} "Acme": organisation Beta Ltd added`);
  });

  it('a connection without a name is "the <noun>", never the key', () => {
    const text = alertText({ connectionName: null, code: 'NEEDS_REAUTH', summary: `The Xero connection "${KEY}" needs to be reconnected.` }, words).text;
    check(text, foreign);
  });
});
