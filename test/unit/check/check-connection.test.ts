import { MINUTE } from '../../../src/clock';
import { checkConnection } from '../../../src/check';
import { DEMO_TENANT_ID, DEMO_USER_EMAIL, SECOND_TENANT_ID } from '../../../src/simulator';
import { makeSimFixture, tokenSetOf, type SimFixture } from './sim-fixture';
import { connectionKeyFor } from '../../../src/engine';
import { DEMO_CLIENT_ID } from '../../../src/simulator';

describe('checkConnection against the simulator', () => {
  let f: SimFixture;
  beforeEach(async () => {
    f = await makeSimFixture();
  });
  afterEach(() => f.close());

  const noSecrets = (value: unknown, secrets: Array<string | undefined>) => {
    const text = JSON.stringify(value);
    for (const s of secrets) if (s) expect(text).not.toContain(s);
  };

  it('reports connected with tenants and token health, and no token anywhere', async () => {
    const { key, grant } = await f.connect({ tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] });
    const result = await checkConnection({ engine: f.engine, key, api: f.api });
    expect(result.status).toBe('connected');
    expect(result.tenants.map((t) => t.tenantId).sort()).toEqual([DEMO_TENANT_ID, SECOND_TENANT_ID].sort());
    expect(result.tenants[0]?.connectionId).toEqual(expect.any(String));
    expect(result.problem).toBeUndefined();
    expect(result.tokenHealth.chainState).toBe('active');
    expect(result.tokenHealth.daysLeftBeforeIdleExpiry).toBeGreaterThanOrEqual(59);
    expect(Date.parse(result.tokenHealth.accessTokenExpiresAt as string)).toBeGreaterThan(f.clock.now());
    noSecrets(result, [grant.access_token, grant.refresh_token]);
  });

  it('reads the Organisation of the tenant asked for', async () => {
    const { key } = await f.connect();
    const result = await checkConnection({ engine: f.engine, key, api: f.api, tenantId: DEMO_TENANT_ID });
    expect(result.status).toBe('connected');
    expect(result.organisation?.Name).toEqual(expect.any(String));
  });

  it('reports a tenant the connection does not reach as disconnected, tenant_access_denied', async () => {
    const { key } = await f.connect({ tenants: [DEMO_TENANT_ID] });
    const result = await checkConnection({ engine: f.engine, key, api: f.api, tenantId: SECOND_TENANT_ID });
    expect(result.status).toBe('disconnected');
    expect(result.problem?.category).toBe('tenant_access_denied');
    expect(result.reason).toContain(SECOND_TENANT_ID);
  });

  const reportingEngine = (reported: string[]) => ({
    getAccessToken: (k: string) => f.engine.getAccessToken(k),
    refresh: f.engine.refresh.bind(f.engine),
    status: f.engine.status.bind(f.engine),
    reportRejected: async (k: string, t: string) => {
      reported.push(t);
      await f.engine.reportRejected(k, t);
    },
  });

  it('asks once more when the engine is busy (a transient lease wait), instead of reporting a problem that heals by itself', async () => {
    const { key } = await f.connect();
    let calls = 0;
    const busyOnce = {
      ...reportingEngine([]),
      getAccessToken: async (k: string) => {
        calls++;
        if (calls === 1) throw Object.assign(new Error('Another process is refreshing the Xero connection'), { code: 'BUSY', retryable: true });
        return f.engine.getAccessToken(k);
      },
    };
    const result = await checkConnection({ engine: busyOnce, key, api: f.api });
    expect(result.status).toBe('connected');
    expect(calls).toBe(2);
  });

  it('reports busy when the engine is still busy on the second ask', async () => {
    const { key } = await f.connect();
    const alwaysBusy = {
      ...reportingEngine([]),
      getAccessToken: async () => {
        throw Object.assign(new Error('Another process is refreshing the Xero connection'), { code: 'BUSY', retryable: true });
      },
    };
    const result = await checkConnection({ engine: alwaysBusy, key, api: f.api });
    expect(result.status).toBe('degraded');
  });

  it('reports a token Xero refuses on /connections to the engine (reportRejected), which heals it', async () => {
    const grant = f.sim.seedGrant();
    const key = connectionKeyFor(DEMO_CLIENT_ID, grant.refresh_token as string);
    // The ledger holds an unexpired access token Xero does not know: only the 401 can tell.
    await f.engine.adoptGrant(key, { ...tokenSetOf(grant, f.clock.now()), accessToken: 'refused-access-token' });
    const reported: string[] = [];
    const result = await checkConnection({ engine: reportingEngine(reported), key, api: f.api });
    expect(result.status).toBe('connected');
    expect(reported).toEqual(['refused-access-token']);
    expect(f.sim.refreshTokenState(grant.refresh_token as string)).not.toBe('live');
  });

  it('reports a token Xero refuses on the Organisation call to the engine and reads it again', async () => {
    const { key } = await f.connect();
    const reported: string[] = [];
    let refusals = 1;
    // Xero refuses the token on the Organisation call once (a token revoked between the two calls).
    const api = {
      getConnections: f.api.getConnections.bind(f.api),
      getOrganisation: (token: string, tenantId: string) => f.api.getOrganisation(refusals-- > 0 ? 'refused-access-token' : token, tenantId),
    };
    const result = await checkConnection({ engine: reportingEngine(reported), key, api, tenantId: DEMO_TENANT_ID });
    expect(result.status).toBe('connected');
    expect(result.organisation).toBeDefined();
    expect(reported).toHaveLength(1);
  });

  it('refreshes an expired access token on the way', async () => {
    const { key, grant } = await f.connect();
    f.clock.advance(31 * MINUTE);
    const result = await checkConnection({ engine: f.engine, key, api: f.api });
    expect(result.status).toBe('connected');
    expect(f.sim.refreshTokenState(grant.refresh_token as string)).not.toBe('live');
    expect(Date.parse(result.tokenHealth.lastRotationAt as string)).toBeGreaterThanOrEqual(f.clock.now() - 1000);
  });

  it('reports a revoked user as disconnected and the chain as needs_reauth', async () => {
    const { key, grant } = await f.connect();
    f.sim.revokeUser(DEMO_USER_EMAIL);
    const result = await checkConnection({ engine: f.engine, key, api: f.api });
    expect(result.status).toBe('disconnected');
    expect(['refresh_token_invalid', 'access_revoked']).toContain(result.problem?.category);
    expect(result.problem?.action).toBe('reauthenticate');
    expect(result.tokenHealth.chainState).toBe('needs_reauth');
    expect(result.reason).toMatch(/reconnect/i);
    noSecrets(result, [grant.access_token, grant.refresh_token]);
    // A second check does not call Xero's token endpoint again for a dead chain.
    const before = f.sim.stats();
    const again = await checkConnection({ engine: f.engine, key, api: f.api });
    expect(again.status).toBe('disconnected');
    expect(JSON.stringify(f.sim.stats())).toEqual(JSON.stringify(before));
  });

  it('reports an app with no organisations left as disconnected', async () => {
    const { key } = await f.connect();
    for (const c of f.sim.connections()) f.sim.removeConnection(c.id);
    const result = await checkConnection({ engine: f.engine, key, api: f.api });
    expect(result.status).toBe('disconnected');
    expect(result.tenants).toEqual([]);
    expect(result.problem?.action).toBe('reauthenticate');
  });

  it('reports a rate limit on /connections as degraded', async () => {
    const { key } = await f.connect();
    f.sim.faults.add({ kind: 'rate-limit', endpoint: 'connections', problem: 'minute', retryAfter: 30 });
    const result = await checkConnection({ engine: f.engine, key, api: f.api });
    expect(result.status).toBe('degraded');
    expect(result.problem?.category).toBe('rate_limit_minute');
    expect(result.problem?.retryAfterSeconds).toBe(30);
  });

  it('reports an offline organisation as degraded', async () => {
    const { key } = await f.connect();
    f.sim.faults.add({ kind: 'organisation-offline', endpoint: 'organisation' });
    const result = await checkConnection({ engine: f.engine, key, api: f.api, tenantId: DEMO_TENANT_ID });
    expect(result.status).toBe('degraded');
    expect(result.problem?.category).toBe('organisation_offline');
    expect(result.tenants).toHaveLength(1);
  });

  it('reports a token endpoint outage as degraded, not broken', async () => {
    const { key } = await f.connect();
    f.clock.advance(31 * MINUTE);
    f.sim.faults.add({ kind: 'server-error', endpoint: 'token', status: 502, times: 10 });
    const result = await checkConnection({ engine: f.engine, key, api: f.api });
    expect(result.status).toBe('degraded');
    expect(result.problem?.retryable).toBe(true);
    expect(result.tokenHealth.chainState).not.toBe('needs_reauth');
  });

  it('reports a connection that was never stored as disconnected, not_connected', async () => {
    const result = await checkConnection({ engine: f.engine, key: 'xero:nobody:0000', api: f.api });
    expect(result.status).toBe('disconnected');
    expect(result.problem?.category).toBe('not_connected');
    expect(result.tokenHealth.chainState).toBe('not_connected');
  });

  it('reports a network failure as degraded', async () => {
    const { key } = await f.connect();
    f.sim.faults.add({ kind: 'reset', endpoint: 'connections' });
    const result = await checkConnection({ engine: f.engine, key, api: f.api });
    expect(result.status).toBe('degraded');
    expect(result.problem?.category).toBe('network_error');
  });
});
