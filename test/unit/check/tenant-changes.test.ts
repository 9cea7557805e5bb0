import { detectTenantChanges, isTenantWatchState, type TenantCheck, type TenantWatchState } from '../../../src/check/tenant-changes';
import type { CheckedTenant } from '../../../src/check/types';

const org = (i: number): CheckedTenant => ({
  tenantId: `tenant-${i}`,
  tenantName: `Client ${i} Ltd`,
  tenantType: 'ORGANISATION',
  connectionId: `conn-${i}`,
  createdDateUtc: null,
  updatedDateUtc: null,
});
const twenty = Array.from({ length: 20 }, (_, i) => org(i + 1));
let minute = 0;
const check = (tenants: CheckedTenant[], extra: Partial<TenantCheck> = {}): TenantCheck => ({
  status: tenants.length > 0 ? 'connected' : 'disconnected',
  checkedAt: new Date(Date.UTC(2026, 0, 1, 9, minute++)).toISOString(),
  tenants,
  reason: 'test',
  ...extra,
});

/** Runs polls in order, returning the events of each. */
function poll(checks: TenantCheck[], options = {}): { events: ReturnType<typeof detectTenantChanges>['events'][]; state: TenantWatchState | null } {
  let state: TenantWatchState | null = null;
  const events = checks.map((c) => {
    const result = detectTenantChanges(state, c, options);
    state = result.state;
    return result.events;
  });
  return { events, state };
}

describe('detectTenantChanges', () => {
  test('a first poll of 20 reachable organisations is silent, and so are later polls while nothing changes', () => {
    const { events, state } = poll([check(twenty), check(twenty), check([...twenty].reverse())]);
    expect(events).toEqual([[], [], []]);
    expect(Object.keys(state!.tenants)).toHaveLength(20);
    expect(isTenantWatchState(JSON.parse(JSON.stringify(state)))).toBe(true);
  });

  test('one of 20 disconnected: exactly one event naming it, then silence', () => {
    const nineteen = twenty.filter((t) => t.tenantId !== 'tenant-7');
    const { events } = poll([check(twenty), check(nineteen), check(nineteen)]);
    expect(events[1]).toEqual([
      expect.objectContaining({ kind: 'organisation_disconnected', tenantId: 'tenant-7', tenantName: 'Client 7 Ltd', from: 'reachable', to: 'disconnected' }),
    ]);
    expect(events[2]).toEqual([]);
  });

  test('an organisation added: one event; re-connected after a disconnect: one recovered', () => {
    const nineteen = twenty.slice(0, 19);
    const { events } = poll([check(nineteen), check(twenty), check(nineteen), check(twenty), check(twenty)]);
    expect(events[1]).toEqual([expect.objectContaining({ kind: 'organisation_added', tenantId: 'tenant-20', tenantName: 'Client 20 Ltd' })]);
    expect(events[2]).toEqual([expect.objectContaining({ kind: 'organisation_disconnected', tenantId: 'tenant-20' })]);
    expect(events[3]).toEqual([expect.objectContaining({ kind: 'organisation_recovered', tenantId: 'tenant-20', from: 'disconnected', to: 'reachable' })]);
    expect(events[4]).toEqual([]);
  });

  test('a tenant-specific 403: one unreachable event with the reason, none while it stays, one recovered', () => {
    const denied = [{ tenantId: 'tenant-3', reason: 'Xero answered 403 AuthenticationUnsuccessful for Client 3 Ltd.' }];
    const { events } = poll([check(twenty), check(twenty, { denied }), check(twenty, { denied }), check(twenty)]);
    expect(events[1]).toEqual([
      expect.objectContaining({ kind: 'organisation_unreachable', tenantId: 'tenant-3', reason: denied[0].reason, from: 'reachable', to: 'unreachable' }),
    ]);
    expect(events[2]).toEqual([]);
    expect(events[3]).toEqual([expect.objectContaining({ kind: 'organisation_recovered', tenantId: 'tenant-3', from: 'unreachable' })]);
  });

  test('a first poll reports organisations that are already unreachable, not the healthy ones', () => {
    const { events } = poll([check(twenty, { denied: [{ tenantId: 'tenant-1' }] })]);
    expect(events[0]).toEqual([expect.objectContaining({ kind: 'organisation_unreachable', tenantId: 'tenant-1', reason: expect.stringContaining('403') })]);
  });

  test('revocation of the whole grant: one connection-wide event, not 20, and silence while it stays revoked', () => {
    const { events } = poll([check(twenty), check([], { reason: 'Access was revoked' }), check([]), check([])]);
    expect(events[1]).toHaveLength(1);
    expect(events[1][0]).toMatchObject({ kind: 'connection_lost', tenantId: null, reason: 'Access was revoked' });
    expect(events[1][0].organisations).toHaveLength(20);
    expect(events[2]).toEqual([]);
    expect(events[3]).toEqual([]);
  });

  test('after a revocation, reconnecting gives one connection_restored; an organisation that did not come back gets its own event', () => {
    const { events } = poll([check(twenty), check([]), check(twenty.slice(0, 19)), check(twenty.slice(0, 19))]);
    expect(events[2].map((e) => e.kind)).toEqual(['connection_restored', 'organisation_disconnected']);
    expect(events[2][0].organisations).toHaveLength(19);
    expect(events[2][1]).toMatchObject({ tenantId: 'tenant-20' });
    expect(events[3]).toEqual([]);
  });

  test('a watch that first saw the connection broken: the recovery lists every organisation back, with no "added" per organisation', () => {
    // Issue 29: three posts ("connected again" and one "organisation added" each) for organisations that were there all along.
    const { events } = poll([check([], { reason: 'Access was revoked' }), check([]), check(twenty.slice(0, 2)), check(twenty.slice(0, 3))]);
    expect(events[0].map((e) => e.kind)).toEqual(['connection_lost']);
    expect(events[1]).toEqual([]);
    expect(events[2]).toEqual([
      expect.objectContaining({
        kind: 'connection_restored',
        organisations: [twenty[0], twenty[1]].map(({ tenantId, tenantName }) => ({ tenantId, tenantName })),
      }),
    ]);
    // Known from then on: a third one later is an addition.
    expect(events[3]).toEqual([expect.objectContaining({ kind: 'organisation_added', tenantId: 'tenant-3' })]);
  });

  test('back from a loss the watch knew organisations for: one new beside them is still an addition', () => {
    const { events } = poll([check(twenty.slice(0, 2)), check([]), check(twenty.slice(0, 3))]);
    expect(events[2].map((e) => `${e.kind}:${e.tenantId ?? ''}`)).toEqual(['connection_restored:', 'organisation_added:tenant-3']);
    expect(events[2][0].organisations).toHaveLength(2);
  });
  test('a check that could not tell (degraded, nothing listed) changes nothing and reports nothing', () => {
    const { events, state } = poll([check(twenty), check([], { status: 'degraded' }), check(twenty)]);
    expect(events).toEqual([[], [], []]);
    expect(state!.connection).toBe('ok');
  });

  test('the filter limits events to the chosen organisations, by id or by name', () => {
    const withoutTwo = twenty.filter((t) => t.tenantId !== 'tenant-2' && t.tenantId !== 'tenant-5');
    const { events } = poll([check(twenty), check(withoutTwo)], { only: ['tenant-2', ' client 9 ltd '] });
    expect(events[1]).toEqual([expect.objectContaining({ kind: 'organisation_disconnected', tenantId: 'tenant-2' })]);
    const byName = poll([check(twenty), check(withoutTwo)], { only: ['CLIENT 5 LTD'] });
    expect(byName.events[1]).toEqual([expect.objectContaining({ tenantId: 'tenant-5' })]);
  });

  test('a malformed remembered state (older version, damage) is treated as a first poll', () => {
    expect(isTenantWatchState({ connection: 'ok', tenants: { a: { tenantId: 'a', state: 'gone', since: 'x' } } })).toBe(false);
    const result = detectTenantChanges({ status: 'connected' } as unknown as TenantWatchState, check(twenty.slice(0, 1)));
    expect(result.events).toEqual([]);
    expect(result.state.tenants['tenant-1']).toMatchObject({ state: 'reachable' });
  });

  test('a renamed organisation keeps its state and takes the new name without an event', () => {
    const renamed = twenty.map((t) => (t.tenantId === 'tenant-4' ? { ...t, tenantName: 'Renamed Ltd' } : t));
    const { events, state } = poll([check(twenty), check(renamed)]);
    expect(events[1]).toEqual([]);
    expect(state!.tenants['tenant-4'].tenantName).toBe('Renamed Ltd');
  });
});
