/**
 * The scopes a reconnect leaves: the pure rule (scope-watch.ts) and what the one watch step reports
 * with it. A connection revoked and reconnected with fewer scopes says which scopes it lost and how
 * to add them back, once, never "works again"; "works again" comes when they are back.
 */
import type { CheckResult, CheckedTenant } from '../../../src/check';
import { N8N_WORDS } from '../../../nodes/shared/node-support';
import { NODE_RED_WORDS } from '../../../node-red/lib/status';
import { classifyXeroError } from '../../../src/classify';
import { detectScopeChange, readWatchMemory, watchStep, type WatchEvent, type WatchMemory, type WatchSettings, type WatchTexts } from '../../../src/host';

const A: CheckedTenant = {
  tenantId: 'a-1',
  tenantName: 'Acme Ltd',
  tenantType: 'ORGANISATION',
  connectionId: 'c-a',
  createdDateUtc: null,
  updatedDateUtc: null,
};
const HEALTH = { accessTokenExpiresAt: null, lastRotationAt: null, daysLeftBeforeIdleExpiry: 59, chainState: 'active' as const };
const SETTINGS: WatchSettings = { tenantId: '', organisations: false, only: [], probe: false, budget: null, emitEveryPoll: false };
const TEXTS: WatchTexts = { words: N8N_WORDS, connectionName: 'Acme books', link: 'http://localhost:5678/home/credentials/7', secrets: ['canary-secret-1234'] };
const FULL = ['offline_access', 'openid', 'profile', 'email', 'accounting.invoices', 'accounting.settings', 'accounting.contacts'];
const SIGN_IN_ONLY = ['offline_access', 'openid', 'profile', 'email'];

let minute = 0;
const at = () => new Date(Date.UTC(2026, 0, 1, 0, minute++)).toISOString();
const connected = (): CheckResult => ({ status: 'connected', reason: 'ok', checkedAt: at(), tenants: [A], tokenHealth: HEALTH });
const revoked = (): CheckResult => ({
  status: 'disconnected',
  reason: 'Xero refused the refresh token',
  checkedAt: at(),
  tenants: [],
  tokenHealth: { ...HEALTH, chainState: 'needs_reauth' },
  problem: classifyXeroError({ statusCode: 400, headers: {}, body: { error: 'invalid_grant' }, source: 'token' }),
});

/** Polls (check, granted scopes) through the step, the memory carried through JSON as a host keeps it. */
function run(polls: Array<[CheckResult, string[] | null]>, texts: WatchTexts = TEXTS): WatchEvent[][] {
  let memory: WatchMemory = { connection: null, organisations: null, budget: null };
  return polls.map(([result, scopes]) => {
    const step = watchStep(memory, { result, denied: [], budgets: [], scopes }, SETTINGS, texts);
    memory = readWatchMemory(JSON.parse(JSON.stringify(step.memory)) as Record<string, unknown>);
    return step.events;
  });
}

describe('the scopes a reconnect leaves', () => {
  it('detectScopeChange: a first sight remembers; a loss is reported once per missing set; the return once; unknown scopes change nothing', () => {
    const first = detectScopeChange(null, FULL);
    expect(first).toEqual({ state: { expected: FULL, missing: [] }, change: null });
    const lost = detectScopeChange(first.state, SIGN_IN_ONLY);
    expect(lost.change).toMatchObject({ kind: 'scopes_lost', missing: ['accounting.invoices', 'accounting.settings', 'accounting.contacts'] });
    expect(detectScopeChange(lost.state, SIGN_IN_ONLY).change).toBeNull();
    expect(detectScopeChange(lost.state, null)).toEqual({ state: lost.state, change: null });
    const fewer = detectScopeChange(lost.state, [...SIGN_IN_ONLY, 'accounting.invoices']);
    expect(fewer.change).toMatchObject({ kind: 'scopes_lost', missing: ['accounting.settings', 'accounting.contacts'] });
    const back = detectScopeChange(fewer.state, [...FULL, 'accounting.payments']);
    expect(back.change).toMatchObject({ kind: 'scopes_restored' });
    expect(back.state).toEqual({ expected: [...FULL, 'accounting.payments'], missing: [] });
  });

  it('a scope covered by another one granted (read by read-write) is not lost', () => {
    const first = detectScopeChange(null, ['accounting.contacts.read']);
    expect(detectScopeChange(first.state, ['accounting.contacts']).change).toBeNull();
  });

  it('revoked, then reconnected with fewer scopes: one message naming them, not "works again"; "works again" when they are back', () => {
    const events = run([
      [connected(), FULL],
      [revoked(), null],
      [connected(), SIGN_IN_ONLY],
      [connected(), SIGN_IN_ONLY],
      [connected(), FULL],
    ]);
    expect(events.map((poll) => poll.map((e) => `${e.kind}:${e.good}`))).toEqual([[], ['problem:false'], ['scopes_lost:false'], [], ['scopes_restored:true']]);
    const [lost] = events[2]!;
    expect(lost).toMatchObject({ scope: 'connection', reconnect: true, link: TEXTS.link });
    expect(lost!.alert.title).toBe('Xero credential "Acme books" lost 3 scopes: accounting.invoices, accounting.settings, accounting.contacts');
    expect(lost!.alert.message).not.toMatch(/works again/);
    expect(lost!.alert.advice).toContain(N8N_WORDS.reconnectShort);
    expect(lost!.alert.message).toContain('accounting.invoices (Accounting: Invoices)');
    expect(events[4]![0]!.alert.title).toBe('Xero credential "Acme books" works again');
  });

  it('while scopes are missing, a connection back from an outage says what is missing, not "works again"', () => {
    const events = run([
      [connected(), FULL],
      [connected(), SIGN_IN_ONLY],
      [revoked(), null],
      [connected(), SIGN_IN_ONLY],
      [connected(), FULL],
    ]);
    expect(events.map((poll) => poll.map((e) => `${e.kind}:${e.good}`))).toEqual([
      [],
      ['scopes_lost:false'],
      ['problem:false'],
      ['scopes_lost:false'],
      ['scopes_restored:true'],
    ]);
  });

  it('a reconnect with every scope back from an outage is "works again" once', () => {
    const events = run([
      [connected(), FULL],
      [revoked(), null],
      [connected(), FULL],
    ]);
    expect(events.map((poll) => poll.map((e) => `${e.kind}:${e.good}`))).toEqual([[], ['problem:false'], ['recovered:true']]);
  });

  it("speaks each host's words and never carries a secret", () => {
    for (const words of [N8N_WORDS, NODE_RED_WORDS]) {
      const texts = { ...TEXTS, words, connectionName: 'Acme canary-secret-1234' };
      const [, lost] = run(
        [
          [connected(), FULL],
          [connected(), SIGN_IN_ONLY],
        ],
        texts,
      );
      expect(lost![0]!.alert.title.startsWith(words.connectionNoun)).toBe(true);
      expect(lost![0]!.alert.advice).toContain(words.reconnectShort);
      expect(JSON.stringify(lost)).not.toContain('canary-secret-1234');
    }
  });
});
