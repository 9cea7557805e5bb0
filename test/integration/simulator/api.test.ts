import type { ManualClock } from '../../../src/clock';
import { MINUTE } from '../../../src/clock';
import { DEMO_CLIENT_ID, DEMO_TENANT_ID, SECOND_TENANT_ID, type Simulator } from '../../../src/simulator';
import { call, getConnections, getOrganisation, manualSim, START, type XeroProblem } from './helpers';

let sim: Simulator;
let clock: ManualClock;
beforeEach(async () => {
  ({ sim, clock } = await manualSim());
});
afterEach(() => sim.close());

describe('GET /connections', () => {
  it("lists the user's connections to this app with zone-less UTC dates and only the app-minute header", async () => {
    const t = sim.seedGrant({ tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] });
    const r = await getConnections(sim, t.access_token);
    expect(r.status).toBe(200);
    expect(r.json).toHaveLength(2);
    const c = r.json[0];
    expect(Object.keys(c)).toEqual(['id', 'authEventId', 'tenantId', 'tenantType', 'tenantName', 'createdDateUtc', 'updatedDateUtc']);
    expect(c).toMatchObject({
      tenantId: DEMO_TENANT_ID,
      tenantType: 'ORGANISATION',
      tenantName: 'Demo Company (NZ)',
      createdDateUtc: '2026-04-01T09:00:00.0000000',
    });
    expect(r.headers.get('x-appminlimit-remaining')).toBe('9999');
    expect(r.headers.get('x-minlimit-remaining')).toBeNull();
    expect(r.headers.get('xero-correlation-id')).toBeTruthy();
  });

  it('filters by authEventId and answers the same path in any case', async () => {
    const t = sim.seedGrant();
    const authEventId = (await getConnections(sim, t.access_token)).json[0].authEventId;
    expect((await getConnections(sim, t.access_token, `?authEventId=${authEventId}`)).json).toHaveLength(1);
    expect((await getConnections(sim, t.access_token, '?authEventId=00000000-0000-0000-0000-000000000000')).json).toEqual([]);
    expect((await call(`${sim.apiUrl}/Connections`, { headers: { Authorization: `Bearer ${t.access_token}` } })).status).toBe(200);
  });

  it('gives a still-valid token [] once the connection was removed', async () => {
    const t = sim.seedGrant();
    sim.removeConnection(sim.connections().find((c) => c.clientId === DEMO_CLIENT_ID)?.id as string);
    expect((await getConnections(sim, t.access_token)).json).toEqual([]);
  });

  it('moves updatedDateUtc, not createdDateUtc, when the user reconnects', async () => {
    sim.seedGrant();
    clock.advance(MINUTE);
    const again = sim.seedGrant();
    const [c] = (await getConnections(sim, again.access_token)).json;
    expect(c.createdDateUtc).toBe('2026-04-01T09:00:00.0000000');
    expect(c.updatedDateUtc).toBe('2026-04-01T09:01:00.0000000');
  });
});

describe('DELETE /connections/{id}', () => {
  it('deletes by connection id with 204, refuses a tenant id with 403 and an unknown id with 404', async () => {
    const t = sim.seedGrant({ tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] });
    const [first] = (await getConnections(sim, t.access_token)).json;
    const auth = { Authorization: `Bearer ${t.access_token}` };
    expect((await call(`${sim.apiUrl}/connections/${SECOND_TENANT_ID}`, { method: 'DELETE', headers: auth })).status).toBe(403);
    const unknown = await call(`${sim.apiUrl}/connections/00000000-0000-0000-0000-000000000000`, { method: 'DELETE', headers: auth });
    expect(unknown.status).toBe(404);
    const del = await call(`${sim.apiUrl}/connections/${first.id}`, { method: 'DELETE', headers: auth });
    expect(del.status).toBe(204);
    expect(del.headers.get('xero-correlation-id')).toBeTruthy();
    expect((await getConnections(sim, t.access_token)).json.map((c) => c.tenantId)).toEqual([SECOND_TENANT_ID]);
  });

  it('needs a valid token', async () => {
    expect((await call(`${sim.apiUrl}/connections/x`, { method: 'DELETE' })).status).toBe(401);
  });
});

describe('GET /api.xro/2.0/Organisation', () => {
  it('answers the organisation with the rate-limit headers', async () => {
    const t = sim.seedGrant();
    const r = await getOrganisation(sim, t.access_token, DEMO_TENANT_ID);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ Status: 'OK', ProviderName: 'Xero Guard Demo', DateTimeUTC: `/Date(${START})/` });
    expect(r.json.Organisations[0]).toMatchObject({
      OrganisationID: DEMO_TENANT_ID,
      Name: 'Demo Company (NZ)',
      IsDemoCompany: true,
      CreatedDateUTC: `/Date(${START})/`,
    });
    expect(r.headers.get('x-minlimit-remaining')).toBe('59');
    expect(r.headers.get('x-daylimit-remaining')).toBe('4999');
    expect(r.headers.get('x-appminlimit-remaining')).toBe('9999');
  });

  it('answers 401 TokenExpired after 30 minutes, with WWW-Authenticate and the correlation id as Instance', async () => {
    const t = sim.seedGrant();
    clock.advance(30 * MINUTE);
    const r = await getOrganisation(sim, t.access_token, DEMO_TENANT_ID);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer error=invalid_token');
    expect(r.json).toEqual({
      Type: null,
      Title: 'Unauthorized',
      Status: 401,
      Detail: 'TokenExpired: token expired at 04/01/2026 09:30:00',
      Instance: r.headers.get('xero-correlation-id'),
      Extensions: {},
    });
  });

  it('answers 401 AuthenticationUnsuccessful for no token, a forged token and a token from another simulator', async () => {
    const other = (await manualSim()).sim;
    const foreign = other.seedGrant().access_token;
    await other.close();
    const t = sim.seedGrant();
    const [h, p] = t.access_token.split('.');
    for (const token of [undefined, 'garbage', `${h}.${p}.AAAA`, foreign]) {
      const r = await call<XeroProblem>(`${sim.apiUrl}/api.xro/2.0/Organisation`, {
        headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'xero-tenant-id': DEMO_TENANT_ID },
      });
      expect(r.status).toBe(401);
      expect(r.json.Detail).toBe('AuthenticationUnsuccessful');
      expect(r.headers.get('www-authenticate')).toBe('Bearer error=invalid_token');
    }
  });

  it('answers 401 AuthorizationUnsuccessful for a token without accounting.settings', async () => {
    const t = sim.seedGrant({ scopes: ['offline_access', 'accounting.contacts'] });
    const r = await getOrganisation(sim, t.access_token, DEMO_TENANT_ID);
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ Title: 'Unauthorized', Status: 401, Detail: 'AuthorizationUnsuccessful' });
  });

  it('answers 403 for a missing, wrong, disconnected or reset tenant', async () => {
    const t = sim.seedGrant();
    const forbidden = { Type: null, Title: 'Forbidden', Status: 403, Detail: 'AuthenticationUnsuccessful' };
    expect((await call(`${sim.apiUrl}/api.xro/2.0/Organisation`, { headers: { Authorization: `Bearer ${t.access_token}` } })).json).toMatchObject(forbidden);
    expect((await getOrganisation(sim, t.access_token, SECOND_TENANT_ID)).json).toMatchObject(forbidden);
    sim.resetOrganisation(DEMO_TENANT_ID);
    const r = await getOrganisation<XeroProblem>(sim, t.access_token, DEMO_TENANT_ID);
    expect(r.status).toBe(403);
    expect(r.json.Instance).toBe(r.headers.get('xero-correlation-id'));
  });

  it('answers 403 once the user is revoked, and the refresh token is dead', async () => {
    const t = sim.seedGrant();
    sim.revokeUser('demo@xero-guard.test');
    expect((await getOrganisation(sim, t.access_token, DEMO_TENANT_ID)).status).toBe(403);
    expect(sim.refreshTokenState(t.refresh_token as string)).toBe('revoked');
  });
});

describe('unknown paths', () => {
  it("answers Xero's 404 HTML page with a correlation id", async () => {
    const r = await call(`${sim.apiUrl}/api.xro/2.0/Nothing`);
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.text).toContain("The resource you're looking for cannot be found");
    expect(r.headers.get('xero-correlation-id')).toBeTruthy();
  });
});

describe('OIDC discovery', () => {
  it('serves a discovery document and JWKS that point back at the simulator', async () => {
    const d = await call<{ jwks_uri: string }>(sim.discoveryUrl);
    expect(d.json).toMatchObject({
      issuer: 'https://identity.xero.com',
      token_endpoint: sim.tokenUrl,
      authorization_endpoint: sim.authorizeUrl,
      revocation_endpoint: sim.revocationUrl,
    });
    const jwks = await call<{ keys: unknown[] }>(d.json.jwks_uri);
    expect(jwks.json.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
  });
});
