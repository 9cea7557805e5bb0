import { CallBudget } from '../../../src/check/call-budget';
import { ManualClock, MINUTE } from '../../../src/clock';
import { classifyXeroError } from '../../../src/classify';
import { TokenEngine } from '../../../src/engine';
import { LedgerCorruptError, LedgerUnavailableError } from '../../../src/errors';
import { fleetEntryOf, listFleet, recordCheck } from '../../../src/fleet';
import { MemoryLedger, type ConnectionRecord } from '../../../src/ledger';

const START = Date.UTC(2026, 4, 1, 12, 0, 0);
const DAY = 86_400_000;
const tenant = (id: string, name: string) => ({
  tenantId: id,
  tenantName: name,
  tenantType: 'ORGANISATION',
  connectionId: `c-${id}`,
  createdDateUtc: null,
  updatedDateUtc: null,
});

function chain(key: string, patch: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return {
    key,
    version: 0,
    grant: 'authorization_code',
    state: 'active',
    stateReason: null,
    tokenSet: {
      accessToken: `AT-CANARY-${key}`,
      refreshToken: `RT-CANARY-${key}`,
      tokenType: 'Bearer',
      scope: ['offline_access'],
      expiresAt: START + 20 * MINUTE,
      obtainedAt: START - 10 * MINUTE,
    },
    lastRotationAt: START - 10 * DAY,
    pending: null,
    candidates: [],
    history: [{ seq: 1, at: START - 10 * DAY, from: null, to: 'active', reason: 'connected' }],
    createdAt: START - 10 * DAY,
    updatedAt: START,
    ...patch,
  };
}

describe('fleet entries', () => {
  let clock: ManualClock;
  let ledger: MemoryLedger;
  beforeEach(() => {
    clock = new ManualClock(START);
    ledger = new MemoryLedger({ clock });
  });

  test('an active chain: expiry, last rotation, days left before the 60-day idle limit, organisations with their call budget', async () => {
    await ledger.write(chain('k1', { displayName: 'Practice books' }), 0);
    await recordCheck(ledger, 'k1', { status: 'connected', tenants: [tenant('t1', 'Acme'), tenant('t2', 'Beta')] }, clock);
    const budget = new CallBudget({ notes: ledger, key: 'k1', clock });
    budget.record('t1', { dayRemaining: 999 });
    budget.record('t1', { dayRemaining: 50 });
    budget.record('t2', { dayRemaining: 4000 });
    await budget.flush();
    const entry = await fleetEntryOf(ledger, 'k1', { clock });
    expect(entry).toMatchObject({
      name: 'Practice books',
      nameSource: 'stored',
      state: 'active',
      accessTokenValid: true,
      accessTokenExpiresAt: new Date(START + 20 * MINUTE).toISOString(),
      lastRotationAt: new Date(START - 10 * DAY).toISOString(),
      daysLeftBeforeIdleExpiry: 50,
      refreshTokenIdleExpiresAt: new Date(START + 50 * DAY).toISOString(),
      pendingRefreshSince: null,
      lastErrorCategory: null,
      lastCheck: { at: new Date(START).toISOString(), status: 'connected', category: null },
      organisations: [
        { tenantId: 't1', tenantName: 'Acme', tenantType: 'ORGANISATION', dayRemaining: 50, dayLimit: 1000, budgetLevel: 'low' },
        { tenantId: 't2', tenantName: 'Beta', tenantType: 'ORGANISATION', dayRemaining: 4000, dayLimit: 4001, budgetLevel: 'ok' },
      ],
    });
    expect(JSON.stringify(entry)).not.toContain('CANARY');
  });

  test('a refresh under way shows as refreshing with its start; an old lost one as active with the pending refresh', async () => {
    await ledger.write(chain('fresh', { pending: { refreshTokenFp: 'fp', startedAt: START - 1000, owner: 'h' } }), 0);
    await ledger.write(chain('lost', { pending: { refreshTokenFp: 'fp', startedAt: START - 40 * MINUTE, owner: 'h' } }), 0);
    const { chains } = await listFleet(ledger, { clock });
    expect(chains.map((c) => [c.key, c.state, c.pendingRefreshSince])).toEqual([
      ['fresh', 'refreshing', new Date(START - 1000).toISOString()],
      ['lost', 'active', new Date(START - 40 * MINUTE).toISOString()],
    ]);
  });

  test('last error: the category of the chain state when it needs a human, else the last problem a check recorded', async () => {
    const engine = new TokenEngine({ ledger, clock });
    await ledger.write(chain('dead'), 0);
    clock.advance(MINUTE);
    await engine.markSuperseded('dead', 'reconnected as another chain');
    await ledger.write(chain('blip'), 0);
    await recordCheck(
      ledger,
      'blip',
      {
        status: 'degraded',
        tenants: [],
        problem: classifyXeroError({ statusCode: 429, headers: { 'x-rate-limit-problem': 'day', 'retry-after': '60' }, body: '', source: 'api' }),
      },
      clock,
    );
    const dead = await fleetEntryOf(ledger, 'dead', { clock });
    expect(dead).toMatchObject({
      state: 'superseded',
      reason: 'reconnected as another chain',
      lastErrorCategory: 'access_revoked',
      lastErrorAt: new Date(START + MINUTE).toISOString(),
    });
    const blip = await fleetEntryOf(ledger, 'blip', { clock });
    expect(blip).toMatchObject({ state: 'active', lastErrorCategory: 'rate_limit_day', lastCheck: expect.objectContaining({ status: 'degraded' }) });
    expect(await fleetEntryOf(ledger, 'nothing', { clock })).toBeNull();
  });

  test('names sort the listing, and counts add up by state', async () => {
    await ledger.write(chain('k-b', { displayName: 'beta books' }), 0);
    await ledger.write(chain('k-a', { displayName: 'Alpha Books' }), 0);
    await ledger.write(chain('k-c', { displayName: 'Gamma', state: 'needs_reauth', stateReason: 'invalid_grant' }), 0);
    const listing = await listFleet(ledger, { clock });
    expect(listing.chains.map((c) => c.name)).toEqual(['Alpha Books', 'beta books', 'Gamma']);
    expect(listing.counts).toEqual({ active: 2, needs_reauth: 1 });
    expect(listing.ledger).toBe('memory ledger');
  });

  test('each entry shows the status the engine reports for the same record: one reading of a record for both', async () => {
    await ledger.write(chain('active'), 0);
    await ledger.write(chain('refreshing', { pending: { refreshTokenFp: 'fp', startedAt: START - 1000, owner: 'h' } }), 0);
    await ledger.write(chain('dead', { state: 'needs_reauth', stateReason: 'invalid_grant', lastRotationAt: START - 70 * DAY }), 0);
    await ledger.write(chain('app', { grant: 'client_credentials', tokenSet: { ...chain('app').tokenSet, refreshToken: undefined } }), 0);
    const engine = new TokenEngine({ ledger, clock, policy: { leaseTtlMs: 5_000 } });
    const { chains } = await listFleet(ledger, { clock, policy: { leaseTtlMs: 5_000 } });
    expect(chains).toHaveLength(4);
    for (const entry of chains) {
      const status = await engine.status(entry.key);
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      expect(entry).toMatchObject({
        state: status.state,
        reason: status.reason,
        grant: status.grant,
        version: status.version,
        accessTokenValid: status.accessTokenValid,
        accessTokenExpiresAt: iso(status.accessTokenExpiresAt),
        lastRotationAt: iso(status.lastRotationAt),
        refreshTokenIdleExpiresAt: iso(status.refreshTokenIdleExpiresAt),
        daysLeftBeforeIdleExpiry: status.daysLeftBeforeIdleExpiry,
        pendingRefreshSince: iso(status.pendingRefreshSince),
      });
    }
    expect(chains.map((c) => [c.key, c.state])).toEqual([
      ['active', 'active'],
      ['app', 'active'],
      ['dead', 'needs_reauth'],
      ['refreshing', 'refreshing'],
    ]);
  });

  test('a record that cannot be opened is the entry of no chain, marked unreadable with our reason; storage that cannot be reached fails the listing', async () => {
    await ledger.write(chain('good'), 0);
    await ledger.write(chain('damaged'), 0);
    await ledger.write(chain('foreign'), 0);
    const failing = Object.create(ledger) as MemoryLedger;
    failing.read = async (key: string) => {
      if (key === 'damaged') throw new LedgerCorruptError('The ledger entry of "damaged" is damaged: restore it from a backup.');
      if (key === 'foreign') throw new Error('bad decrypt RT-CANARY-foreign');
      return ledger.read(key);
    };
    const { chains } = await listFleet(failing, { clock });
    const byKey = Object.fromEntries(chains.map((c) => [c.key, c]));
    const nothingKnown = {
      nameSource: 'key',
      grant: null,
      organisations: null,
      organisationsSeenAt: null,
      accessTokenExpiresAt: null,
      accessTokenValid: false,
      lastRotationAt: null,
      refreshTokenIdleExpiresAt: null,
      daysLeftBeforeIdleExpiry: null,
      pendingRefreshSince: null,
      lastErrorCategory: null,
      lastErrorAt: null,
      lastCheck: null,
      version: 0,
    };
    expect(byKey.damaged).toEqual({
      ...nothingKnown,
      key: 'damaged',
      name: 'damaged',
      state: 'unreadable',
      reason: 'The ledger entry of "damaged" is damaged: restore it from a backup.',
      problemCode: 'LEDGER_CORRUPT',
    });
    expect(byKey.foreign).toEqual({
      ...nothingKnown,
      key: 'foreign',
      name: 'foreign',
      state: 'unreadable',
      reason: 'The ledger entry could not be read.',
      problemCode: 'UNKNOWN',
    });
    expect(JSON.stringify(chains)).not.toContain('CANARY');
    expect(byKey.good.state).toBe('active');
    failing.read = async () => {
      throw new LedgerUnavailableError('The ledger cannot be reached.');
    };
    await expect(listFleet(failing, { clock })).rejects.toThrow('The ledger cannot be reached.');
  });
});
