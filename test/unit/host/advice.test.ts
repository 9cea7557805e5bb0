/** The host kit's table from error code to advice and status, and the one redaction behind it. */
import { LedgerCorruptError, LedgerKeyError, LedgerUnavailableError, XeroGuardError, XeroGuardSetupError } from '../../../src/errors';
import { adviceFor, checkResultForError, DEFAULT_XERO_SCOPES, requestedScopes, STATUS_LENGTH, XERO_SCOPES, type HostWords } from '../../../src/host';
import { redactSecrets } from '../../../src/secrets';
import { jwtClaims, jwtExpiry, tokenSetUser } from '../../../src/xero';

const WORDS: HostWords = {
  connectButton: '"Connect"',
  holder: 'the holder',
  reconnect: 'Press Connect',
  reconnectShort: 'press Connect',
  ledgerSettings: 'the ledger settings',
  ledgerSettingsShort: 'the ledger',
  sameKey: 'use one key',
  sameKeyShort: 'one key',
  processes: 'every process',
  retry: 'retry on fail',
  docs: 'the docs',
  log: 'the log',
};

const coded = (code: string, retryable = false, message = `a ${code} failure`) => Object.assign(new Error(message), { code, retryable });

test.each([
  ['NEEDS_REAUTH', 'red', true, /press Connect/],
  ['NOT_CONNECTED', 'red', true, /never connected/],
  ['SUPERSEDED', 'red', true, /press Connect/],
  ['BUSY', 'yellow', false, /another process/],
  ['REFRESH_OUTCOME_UNKNOWN', 'yellow', false, /will retry/],
  ['RATE_LIMITED', 'yellow', false, /will retry/],
  ['LEDGER_CONFIG', 'red', false, /the ledger/],
  ['LEDGER_SOMETHING_NEW', 'red', false, /ledger unreachable/],
])('%s: %s, reconnect %s, status in the host words', (code, fill, reconnect, status) => {
  const advice = adviceFor(coded(code, fill === 'yellow'), WORDS);
  expect(advice).toMatchObject({ code, fill, reconnect });
  expect(advice.status).toMatch(status);
  expect(advice.advice.length).toBeGreaterThan(10);
});

test('the core errors map by their own codes, and a setup error says its own fix', () => {
  expect(adviceFor(new LedgerKeyError('sealed elsewhere'), WORDS).status).toBe('ledger sealed with another key: one key');
  expect(adviceFor(new LedgerCorruptError('bad file'), WORDS).status).toBe('ledger file damaged: see the log, restore or delete it');
  expect(adviceFor(new LedgerUnavailableError('down', true), WORDS).fill).toBe('red');
  const setup = new XeroGuardSetupError('MISCONFIGURED', 'No client id: add it.', 'no client id: add it here');
  expect(setup).toBeInstanceOf(XeroGuardError);
  expect(setup).toMatchObject({ name: 'XeroGuardSetupError', code: 'MISCONFIGURED', retryable: false });
  expect(adviceFor(setup, WORDS)).toMatchObject({ status: 'no client id: add it here', fill: 'red' });
});

test('an unknown failure: retryable passes (yellow), otherwise says what failed, redacted and cut to a status line', () => {
  expect(adviceFor(coded('SOMETHING', true), WORDS).fill).toBe('yellow');
  const long = adviceFor(new Error(`the server said ${'x'.repeat(300)} with client secret s3cr3t-canary-value`), WORDS, ['s3cr3t-canary-value']);
  expect(long.code).toBe('UNKNOWN');
  expect(long.status.length).toBeLessThanOrEqual(STATUS_LENGTH);
  const secret = adviceFor(new Error('refused s3cr3t-canary-value'), WORDS, ['s3cr3t-canary-value']);
  expect(secret.status).toBe('fix: refused [redacted]');
  expect(adviceFor('not even an error', WORDS).code).toBe('UNKNOWN');
});

test('a failure before a check becomes a check result of the usual shape', () => {
  const result = checkResultForError(new XeroGuardSetupError('NOT_CONNECTED', 'OAuth credentials not connected'));
  expect(result).toMatchObject({ status: 'disconnected', tenants: [], tokenHealth: { chainState: 'not_connected' }, problem: { action: 'reauthenticate' } });
  expect(checkResultForError(new LedgerUnavailableError('down', true)).status).toBe('degraded');
});

test('one redaction: held secrets, passwords in URLs, bearer tokens and JWTs', () => {
  const jwt = `eyJ${'a'.repeat(20)}.eyJ${'b'.repeat(20)}.${'c'.repeat(20)}`;
  const text = redactSecrets(`postgres://xero:pg-canary-81c3@db:5432/n8n failed; Authorization: Bearer abcdef123456789; token ${jwt}; held held-canary-1234`, [
    'held-canary-1234',
  ]);
  for (const leaked of ['pg-canary-81c3', 'abcdef123456789', jwt, 'held-canary-1234']) expect(text).not.toContain(leaked);
  expect(text).toContain('postgres://xero:[redacted]@db:5432/n8n');
});

test('one JWT decoder: claims, expiry and who, never throwing on junk', () => {
  const encode = (claims: object) => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;
  expect(jwtClaims(encode({ sub: 'u1', exp: 100 }))).toEqual({ sub: 'u1', exp: 100 });
  expect(jwtExpiry(encode({ exp: 100 }))).toBe(100_000);
  expect(jwtClaims('not.a-jwt.at-all')).toEqual({});
  expect(jwtClaims(undefined)).toEqual({});
  expect(tokenSetUser({ accessToken: encode({ xero_userid: 'x1' }), idToken: encode({ email: 'a@b.test', given_name: 'Ann', family_name: 'Lee' }) })).toEqual({
    email: 'a@b.test',
    name: 'Ann Lee',
    xeroUserId: 'x1',
  });
});

test("one scope table: the defaults are n8n's own Xero credential's, all offered; the base scopes come first, once", () => {
  expect(DEFAULT_XERO_SCOPES).toEqual([
    'accounting.invoices',
    'accounting.payments',
    'accounting.banktransactions',
    'accounting.manualjournals',
    'accounting.attachments',
    'accounting.settings',
    'accounting.contacts',
  ]);
  const offered = new Set(XERO_SCOPES.map((s) => s.value));
  expect(DEFAULT_XERO_SCOPES.filter((s) => !offered.has(s))).toEqual([]);
  expect(XERO_SCOPES.map((s) => s.label)).toEqual([...XERO_SCOPES.map((s) => s.label)].sort((a, b) => a.localeCompare(b)));
  expect(requestedScopes('accounting.settings,offline_access  accounting.contacts')).toEqual([
    'offline_access',
    'openid',
    'profile',
    'email',
    'accounting.settings',
    'accounting.contacts',
  ]);
  expect(requestedScopes(['accounting.settings'], { base: false })).toEqual(['accounting.settings']);
});
