import { diffFleet, recordCheck, type FleetEntry, type FleetState, type FleetWatchState } from '../../../src/fleet';
import { CHECK_NOTE, PROBLEM_NOTE, TENANTS_NOTE } from '../../../src/fleet/notes';
import { ManualClock } from '../../../src/clock';
import { classifyXeroError } from '../../../src/classify';
import { MemoryLedger } from '../../../src/ledger';

function entry(key: string, state: FleetState, name = `Name of ${key}`): FleetEntry {
  return {
    key,
    name,
    nameSource: 'stored',
    state,
    reason: state === 'active' ? null : `reason for ${state}`,
    grant: 'authorization_code',
    organisations: null,
    organisationsSeenAt: null,
    accessTokenExpiresAt: null,
    accessTokenValid: state === 'active',
    lastRotationAt: null,
    refreshTokenIdleExpiresAt: null,
    daysLeftBeforeIdleExpiry: 50,
    pendingRefreshSince: null,
    lastErrorCategory: null,
    lastErrorAt: null,
    lastCheck: null,
    version: 1,
    problemCode: null,
  };
}
let n = 0;
const listing = (...chains: FleetEntry[]) => ({ chains, listedAt: new Date(Date.UTC(2026, 0, 1, 0, n++)).toISOString() });

describe('diffFleet', () => {
  test('first snapshot reports only chains that need a human; then one event per changed chain, none while nothing changes', () => {
    const first = diffFleet(null, listing(entry('a', 'active'), entry('b', 'needs_reauth'), entry('c', 'superseded')));
    expect(first.events.map((e) => [e.kind, e.id, e.to])).toEqual([['changed', 'b', 'needs_reauth']]);
    const same = diffFleet(first.state, listing(entry('a', 'active'), entry('b', 'needs_reauth'), entry('c', 'superseded')));
    expect(same.events).toEqual([]);
    // "refreshing" is active at work, not a change.
    expect(diffFleet(same.state, listing(entry('a', 'refreshing'), entry('b', 'needs_reauth'), entry('c', 'superseded'))).events).toEqual([]);
    const changed = diffFleet(same.state, listing(entry('a', 'misconfigured'), entry('b', 'active'), entry('c', 'superseded')));
    expect(changed.events.map((e) => [e.kind, e.id, e.from, e.to, e.name])).toEqual([
      ['changed', 'a', 'active', 'misconfigured', 'Name of a'],
      ['changed', 'b', 'needs_reauth', 'active', 'Name of b'],
    ]);
    expect(changed.state.b.since).not.toBe(same.state.b.since);
    expect(changed.state.c.since).toBe(first.state.c.since);
  });

  test('chains added to and removed from the ledger are one event each, with the name last seen', () => {
    const { state } = diffFleet(null, listing(entry('a', 'active')));
    const next = diffFleet(state, listing(entry('b', 'active', 'Beta books')));
    expect(next.events.map((e) => [e.kind, e.id, e.name])).toEqual([
      ['added', 'b', 'Beta books'],
      ['removed', 'a', 'Name of a'],
    ]);
  });

  test('a malformed remembered state is survived', () => {
    const garbage = { a: null } as unknown as FleetWatchState;
    expect(diffFleet(garbage, listing(entry('a', 'active'))).events.map((e) => e.kind)).toEqual(['added']);
  });
});

describe('recordCheck', () => {
  const clock = new ManualClock(1000);
  const tenant = { tenantId: 't1', tenantName: 'Acme', tenantType: 'ORGANISATION', connectionId: 'c1', createdDateUtc: null, updatedDateUtc: null };

  test('a connected check keeps the organisations and the outcome; a failed one keeps the problem and leaves the organisations as last seen', async () => {
    const ledger = new MemoryLedger({ clock });
    await recordCheck(ledger, 'k', { status: 'connected', tenants: [tenant] }, clock);
    expect(await ledger.readNotes('k')).toEqual({
      [CHECK_NOTE]: { at: 1000, status: 'connected', category: null },
      [TENANTS_NOTE]: { at: 1000, tenants: [{ tenantId: 't1', tenantName: 'Acme', tenantType: 'ORGANISATION' }] },
    });
    clock.advance(5);
    const problem = classifyXeroError({ statusCode: 503, headers: {}, body: '', source: 'api' });
    await recordCheck(ledger, 'k', { status: 'degraded', tenants: [], problem }, clock);
    const notes = await ledger.readNotes('k');
    expect(notes[TENANTS_NOTE]).toEqual({ at: 1000, tenants: [expect.objectContaining({ tenantId: 't1' })] });
    expect(notes[CHECK_NOTE]).toEqual({ at: 1005, status: 'degraded', category: problem.category });
    expect(notes[PROBLEM_NOTE]).toEqual({ at: 1005, category: problem.category, summary: problem.summary });
  });

  test('a revoked grant records that no organisation is reachable any more', async () => {
    const ledger = new MemoryLedger({ clock });
    await recordCheck(ledger, 'k', { status: 'connected', tenants: [tenant] }, clock);
    const problem = classifyXeroError('Access to this Xero organisation was revoked: no organisation is connected to this token.');
    expect(problem.category).toBe('access_revoked');
    await recordCheck(ledger, 'k', { status: 'disconnected', tenants: [], problem }, clock);
    expect((await ledger.readNotes('k'))[TENANTS_NOTE]).toMatchObject({ tenants: [] });
  });
});
