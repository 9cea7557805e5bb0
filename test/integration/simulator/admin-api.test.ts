import {
  DEMO_CLIENT_ID,
  DEMO_TENANT_ID,
  type Simulator,
  type SimulatorConnection,
  type SimulatorFault,
  type SimulatorStats,
  type SimulatorTokenResponse,
} from '../../../src/simulator';
import { admin, basic, call, getOrganisation, manualSim, refresh, START, type AdminRefusal } from './helpers';
import { DAY } from '../../../src/clock';

/** What GET and POST /__admin/clock answer. */
type AdminClock = { now: number; iso: string };
/** GET /__admin/apis/counts: records per collection of one API at one organisation. */
type ApiCounts = { counts: Record<string, number> };

let sim: Simulator;
beforeEach(async () => {
  ({ sim } = await manualSim());
});
afterEach(() => sim.close());

describe('admin API', () => {
  it('lists its routes at /__admin', async () => {
    const r = await admin<{ routes: string[] }>(sim, 'GET', '');
    expect(r.status).toBe(200);
    expect(r.json.routes).toContain('POST /faults');
  });

  it('sets and advances the clock', async () => {
    expect((await admin(sim, 'GET', '/clock')).json).toEqual({ now: START, iso: new Date(START).toISOString() });
    expect((await admin<AdminClock>(sim, 'POST', '/clock', { advanceMs: 59 * DAY })).json.now).toBe(START + 59 * DAY);
    expect((await admin<AdminClock>(sim, 'POST', '/clock', { time: '2030-01-01T00:00:00Z' })).json.iso).toBe('2030-01-01T00:00:00.000Z');
    expect(sim.clock.now()).toBe(Date.UTC(2030, 0, 1));
  });

  it('seeds a grant, and the tokens work', async () => {
    const r = await admin<SimulatorTokenResponse>(sim, 'POST', '/seed-grant', {
      scopes: ['offline_access', 'accounting.settings'],
      tenants: [DEMO_TENANT_ID, { tenantId: '11111111-2222-3333-4444-555555555555', name: 'Seeded Ltd' }],
    });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ expires_in: 1800, token_type: 'Bearer', scope: 'offline_access accounting.settings' });
    expect((await getOrganisation(sim, r.json.access_token, '11111111-2222-3333-4444-555555555555')).json.Organisations[0].Name).toBe('Seeded Ltd');
    expect((await admin<SimulatorConnection[]>(sim, 'GET', '/connections')).json.filter((c) => c.clientId === DEMO_CLIENT_ID)).toHaveLength(2);
  });

  it('adds, lists and removes faults', async () => {
    const added = await admin<SimulatorFault>(sim, 'POST', '/faults', { kind: 'server-error', endpoint: 'token', times: 3 });
    expect(added.status).toBe(201);
    expect((await admin(sim, 'GET', '/faults')).json).toEqual([expect.objectContaining({ id: added.json.id, kind: 'server-error', times: 3 })]);
    expect((await admin(sim, 'DELETE', `/faults/${added.json.id}`)).status).toBe(200);
    await admin(sim, 'POST', '/faults', { kind: 'reset' });
    expect((await admin(sim, 'DELETE', '/faults')).status).toBe(200);
    expect((await admin(sim, 'GET', '/faults')).json).toEqual([]);
  });

  it('switches grace mode, rate limits and connection limit', async () => {
    expect((await admin(sim, 'POST', '/grace-mode', { mode: 'fresh-pair-revokes' })).json).toEqual({ mode: 'fresh-pair-revokes' });
    expect(sim.graceMode).toBe('fresh-pair-revokes');
    expect((await admin(sim, 'GET', '/grace-mode')).json).toEqual({ mode: 'fresh-pair-revokes' });
    expect((await admin(sim, 'POST', '/rate-limits', { enabled: true, perMinute: 1 })).status).toBe(200);
    const t = sim.seedGrant();
    await getOrganisation(sim, t.access_token, DEMO_TENANT_ID);
    expect((await getOrganisation(sim, t.access_token, DEMO_TENANT_ID)).status).toBe(429);
    expect((await admin(sim, 'POST', '/rate-limits', { enabled: false })).status).toBe(200);
    expect((await getOrganisation(sim, t.access_token, DEMO_TENANT_ID)).status).toBe(200);
    expect((await admin(sim, 'POST', '/connection-limit', { limit: 0 })).status).toBe(200);
    expect(() => sim.seedGrant({ tenants: ['b7f0c6d2-8e9a-4f3b-a1c2-3d4e5f6a7b8c'] })).toThrow(/connection limit/);
    expect((await admin(sim, 'POST', '/connection-limit', { limit: null })).status).toBe(200);
  });

  it('performs every action', async () => {
    const t = sim.seedGrant();
    const u = sim.seedGrant({ email: 'gone@xero-guard.test' });
    expect((await admin(sim, 'POST', '/expire-refresh-token', { refreshToken: t.refresh_token })).status).toBe(200);
    expect((await admin(sim, 'GET', `/refresh-token-state?token=${t.refresh_token}`)).json).toEqual({ state: 'expired' });
    expect((await admin(sim, 'POST', '/revoke-user', { user: 'gone@xero-guard.test' })).json).toEqual({ grantsRevoked: 1, connectionsRemoved: 1 });
    expect(sim.refreshTokenState(u.refresh_token as string)).toBe('revoked');
    const fresh = sim.seedGrant();
    const conn = sim.connections().find((c) => c.clientId === DEMO_CLIENT_ID) as { id: string };
    expect((await admin(sim, 'POST', '/remove-connection', { connectionId: conn.id })).status).toBe(200);
    expect((await getOrganisation(sim, fresh.access_token, DEMO_TENANT_ID)).status).toBe(403);
    const rotated = await admin(sim, 'POST', '/rotate-client-secret', { clientId: DEMO_CLIENT_ID, clientSecret: 'new-secret' });
    expect(rotated.json).toEqual({ clientId: DEMO_CLIENT_ID, clientSecret: 'new-secret' });
    expect((await refresh(sim, fresh.refresh_token as string, basic(DEMO_CLIENT_ID, 'new-secret'))).status).toBe(200);
    expect((await admin(sim, 'POST', '/reset-organisation', { tenantId: DEMO_TENANT_ID })).json).toEqual({ connectionsRemoved: expect.any(Number) });
  });

  it('reports stats, the log since a sequence number, and dead token uses', async () => {
    const t = sim.seedGrant();
    await refresh(sim, t.refresh_token as string);
    sim.expireRefreshToken(t.refresh_token as string);
    await refresh(sim, t.refresh_token as string);
    const stats = (await admin<SimulatorStats>(sim, 'GET', '/stats')).json;
    expect(stats).toMatchObject({ tokenCalls: 2, refreshTokensSpent: 1, deadTokenUses: 1 });
    const log = (await admin<Array<{ seq: number }>>(sim, 'GET', '/log')).json;
    const last = log[log.length - 1].seq;
    expect((await admin(sim, 'GET', `/log?since=${last - 1}`)).json).toHaveLength(1);
    expect((await admin(sim, 'GET', `/dead-token-uses?of=${t.refresh_token}`)).json).toEqual({ deadTokenUses: 1 });
    expect((await admin(sim, 'GET', '/dead-token-uses')).json).toEqual({ deadTokenUses: 1 });
    // Admin calls are not part of what the simulated clients did.
    expect(stats.requestsByEndpoint.admin).toBeUndefined();
  });

  describe('bad input', () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/faults', { kind: 'explode' }, 'kind'],
      ['POST', '/faults', { kind: 'delay' }, 'ms'],
      ['POST', '/faults', '{not json', 'body'],
      ['POST', '/faults', '[1,2]', 'body'],
      ['POST', '/clock', {}, 'advanceMs'],
      ['POST', '/clock', { time: 'yesterday-ish' }, 'time'],
      ['POST', '/clock', { advanceMs: 'a lot' }, 'advanceMs'],
      ['POST', '/grace-mode', { mode: 'lenient' }, 'mode'],
      ['POST', '/grace-mode', {}, 'mode'],
      ['POST', '/rate-limits', { perMinute: 5 }, 'enabled'],
      ['POST', '/rate-limits', { enabled: true, perMinute: -1 }, 'perMinute'],
      ['POST', '/connection-limit', { limit: 'ten' }, 'limit'],
      ['POST', '/seed-grant', { clientId: 'NOPE' }, 'clientId'],
      ['POST', '/seed-grant', { tenants: ['no-such-tenant'] }, 'tenants'],
      ['POST', '/seed-grant', { tenants: 'all' }, 'tenants'],
      ['POST', '/seed-grant', { scopes: ['bad scope!'] }, 'scopes'],
      ['POST', '/seed-grant', { colour: 'blue' }, 'colour'],
      ['POST', '/revoke-user', {}, 'user'],
      ['POST', '/revoke-user', { user: 'nobody@example.com' }, 'user'],
      ['POST', '/remove-connection', { connectionId: 'nope' }, 'connectionId'],
      ['POST', '/expire-refresh-token', { refreshToken: 'nope' }, 'refreshToken'],
      ['POST', '/rotate-client-secret', { clientId: 'NOPE' }, 'clientId'],
      ['POST', '/reset-organisation', { tenantId: 'nope' }, 'tenantId'],
      ['DELETE', '/faults/not-a-fault', undefined, 'id'],
      ['GET', '/log?since=-3', undefined, 'since'],
      ['GET', '/refresh-token-state', undefined, 'token'],
    ];
    it.each(cases)('%s %s %j -> 400 naming %s', async (method, path, body, field) => {
      const r = await admin<AdminRefusal>(sim, method, path, body);
      expect(r.status).toBe(400);
      expect(r.json.field).toBe(field);
      expect(r.json.error).toMatch(new RegExp(`^${field}: `));
      expect(r.headers.get('xero-correlation-id')).toBeTruthy();
    });

    it('answers an unknown route with 404 naming it', async () => {
      const r = await admin<AdminRefusal>(sim, 'POST', '/explode', {});
      expect(r.status).toBe(404);
      expect(r.json.error).toBe('unknown admin route: POST /__admin/explode');
      expect((await admin<AdminRefusal>(sim, 'PUT', '/stats')).json.error).toBe('unknown admin route: PUT /__admin/stats');
    });

    it('refuses a huge body with 413 and keeps serving', async () => {
      const r = await call(`${sim.adminUrl}/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ kind: 'reset', message: 'x'.repeat(1_000_000) }),
      }).catch(() => ({ status: 413 }));
      expect(r.status).toBe(413);
      expect((await admin(sim, 'GET', '/stats')).status).toBe(200);
    });
  });

  it('counts and resets the other APIs’ stores per organisation', async () => {
    const token = sim.seedGrant({ scopes: ['payroll.employees'] }).access_token;
    const employees = await call<{ employees: unknown[] }>(`${sim.apiUrl}/payroll.xro/2.0/Employees`, {
      headers: { authorization: `Bearer ${token}`, 'xero-tenant-id': DEMO_TENANT_ID },
    });
    expect(employees.status).toBe(200);
    const counts = await admin<ApiCounts>(sim, 'GET', `/apis/counts?tenantId=${DEMO_TENANT_ID}&api=payroll-nz`);
    expect(counts.json.counts['/employees']).toBe(employees.json.employees.length);
    expect((await admin(sim, 'GET', `/apis/counts?tenantId=${DEMO_TENANT_ID}&api=bankfeeds`)).status).toBe(400);
    expect((await admin(sim, 'POST', '/apis/reset', { tenantId: DEMO_TENANT_ID })).json).toEqual({ tenantId: DEMO_TENANT_ID, reset: true });
    expect((await admin<ApiCounts>(sim, 'GET', `/apis/counts?tenantId=${DEMO_TENANT_ID}&api=payroll-nz`)).json.counts).toEqual({});
  });
});
