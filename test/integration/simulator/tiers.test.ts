/**
 * Xero's app tiers on the simulator (docs/simulator.md "Tiers"): per app, the connection cap (the consent
 * past it lands on Xero's connection-limit page), the day limit per organisation (1,000 on Starter),
 * Journals refused below Advanced with the missing scope's 401, and one organisation per consent below
 * Advanced. Each switched at start, per app, and through the admin API; an app without a tier behaves as before.
 */
import { DAY, SECOND } from '../../../src/clock';
import { DEMO_CLIENT_ID, DEMO_TENANT_ID, SECOND_TENANT_ID, type Simulator, type SimulatorAppView } from '../../../src/simulator';
import { admin, call, getOrganisation, manualSim, type AdminRefusal, type Answer } from './helpers';

let sim: Simulator;
afterEach(() => sim.close());

const REDIRECT = 'http://127.0.0.1:9999/callback';
const JOURNALS_SCOPES = ['offline_access', 'accounting.settings', 'accounting.journals.read'];

const journals = <T = unknown>(token: string): Promise<Answer<T>> =>
  call<T>(`${sim.apiUrl}/api.xro/2.0/Journals`, {
    headers: { Authorization: `Bearer ${token}`, 'xero-tenant-id': DEMO_TENANT_ID, Accept: 'application/json' },
  });

const consentPage = (): Promise<Answer> =>
  call(
    `${sim.authorizeUrl}?${new URLSearchParams({ response_type: 'code', client_id: DEMO_CLIENT_ID, redirect_uri: REDIRECT, scope: 'offline_access accounting.settings', state: 's' })}`,
  );

/** The consent form as the page would post it, with these organisations ticked and Allow pressed. */
async function consent(email: string, tenants: string[]): Promise<Answer> {
  const page = (await consentPage()).text;
  const form = new URLSearchParams(
    [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m): [string, string] => [
      m[1] as string,
      (m[2] as string).replace(/&amp;/g, '&'),
    ]),
  );
  form.set('email', email);
  for (const t of tenants) form.append('tenant', t);
  form.set('action', 'allow');
  return call(sim.authorizeUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
}

const connectedTenants = (): string[] =>
  sim
    .connections()
    .filter((c) => c.clientId === DEMO_CLIENT_ID)
    .map((c) => c.tenantId)
    .sort();

/** An answer as a client sees it, without what differs per call. */
const shape = (a: Answer) => ({
  status: a.status,
  contentType: a.headers.get('content-type'),
  wwwAuthenticate: a.headers.get('www-authenticate'),
  body: { ...(a.json as Record<string, unknown>), Instance: '<correlation id>' },
});

describe('Journals by tier', () => {
  it("refuses Journals below Advanced with exactly the missing scope's 401, counted as a call; answers it at Advanced", async () => {
    ({ sim } = await manualSim({ tier: 'starter' }));
    const token = sim.seedGrant({ scopes: JOURNALS_SCOPES }).access_token;
    const refused = await journals(token);
    expect(refused.json).toEqual({
      Type: null,
      Title: 'Unauthorized',
      Status: 401,
      Detail: 'AuthorizationUnsuccessful',
      Instance: refused.headers.get('xero-correlation-id'),
      Extensions: {},
    });
    expect(refused.headers.get('x-daylimit-remaining')).toBe('999');
    // The same answer as a connection without accounting.journals.read gets where Journals is open.
    sim.setTier(DEMO_CLIENT_ID, 'advanced');
    const missingScope = await journals(sim.seedGrant({ scopes: ['offline_access', 'accounting.settings'] }).access_token);
    expect(shape(missingScope)).toEqual(shape(refused));
    const answered = await journals<{ Journals: unknown }>(token);
    expect(answered.status).toBe(200);
    expect(Array.isArray(answered.json.Journals)).toBe(true);
  });

  it('leaves Journals open to an app without a tier, and to Enterprise; closes it to Core and Plus', async () => {
    ({ sim } = await manualSim());
    const token = sim.seedGrant({ scopes: JOURNALS_SCOPES }).access_token;
    expect((await journals(token)).status).toBe(200);
    for (const [tier, status] of [
      ['core', 401],
      ['plus', 401],
      ['enterprise', 200],
    ] as const) {
      expect((await admin(sim, 'POST', '/apps/tier', { clientId: DEMO_CLIENT_ID, tier })).status).toBe(200);
      expect([tier, (await journals(token)).status]).toEqual([tier, status]);
    }
  });
});

describe('connection cap by tier', () => {
  it("sends the sixth organisation's consent at Starter to Xero's connection-limit page, connecting nothing", async () => {
    const organisations = Array.from({ length: 6 }, (_, i) => ({ tenantId: `0000000${i}-0000-4000-8000-000000000000`, name: `Client ${i + 1} Ltd` }));
    ({ sim } = await manualSim({ tier: 'starter', organisations }));
    for (const org of organisations.slice(0, 5)) {
      const allowed = await consent('demo@xero-guard.test', [org.tenantId]);
      expect(new URL(allowed.headers.get('location') as string).searchParams.get('code')).toMatch(/^[0-9a-f]{64}$/);
    }
    const sixth = await consent('demo@xero-guard.test', [organisations[5]!.tenantId]);
    expect(sixth.status).toBe(302);
    const location = new URL(sixth.headers.get('location') as string, sim.url);
    expect(location.pathname).toBe('/connectionLimit');
    const page = await call(location.toString());
    expect(page.text).toContain(
      'Sorry! Xero Guard Demo has reached their Xero connection limit, please let them know so they can connect more Xero organisations.',
    );
    expect(connectedTenants()).toEqual(organisations.slice(0, 5).map((o) => o.tenantId));
    // Reconnecting one the app holds is not a new connection; Core's cap is 50.
    expect(new URL((await consent('demo@xero-guard.test', [organisations[0]!.tenantId])).headers.get('location') as string).pathname).toBe('/callback');
    expect(() => sim.seedGrant({ tenants: [organisations[5]!.tenantId] })).toThrow(/connection limit of 5/);
    sim.setTier(DEMO_CLIENT_ID, 'core');
    expect(new URL((await consent('demo@xero-guard.test', [organisations[5]!.tenantId])).headers.get('location') as string).pathname).toBe('/callback');
  });

  it('holds the lower of the tier cap and the simulator-wide connection limit', async () => {
    ({ sim } = await manualSim({ tier: 'starter', connectionLimit: 1 }));
    sim.seedGrant({ tenants: [DEMO_TENANT_ID] });
    expect(() => sim.seedGrant({ tenants: [SECOND_TENANT_ID] })).toThrow(/connection limit of 1/);
    expect(sim.apps().find((a) => a.clientId === DEMO_CLIENT_ID)).toMatchObject({ tier: 'starter', connectionCap: 1, connected: 1 });
  });
});

describe('day limit by tier', () => {
  it("answers the 1,001st call of a rolling day at Starter with Xero's 429, rate limits otherwise off; each app counts its own", async () => {
    ({ sim } = await manualSim({
      clients: [
        { ...app('STARTERAPP'), tier: 'starter' },
        { ...app('COREAPP'), tier: 'core' },
      ],
    }));
    const token = sim.seedGrant({ clientId: 'STARTERAPP' }).access_token;
    for (let i = 0; i < 1000; i++) {
      const r = await getOrganisation(sim, token, DEMO_TENANT_ID);
      if (r.status !== 200 || r.headers.get('x-daylimit-remaining') !== String(999 - i))
        throw new Error(`call ${i + 1}: ${r.status} ${r.headers.get('x-daylimit-remaining')}`);
      // 40 calls a minute, inside the token's 30 minutes: the minute limit never comes into it.
      sim.clock.advance(1.5 * SECOND);
    }
    const refused = await getOrganisation(sim, token, DEMO_TENANT_ID);
    expect(refused.status).toBe(429);
    expect(refused.text).toBe('');
    expect(refused.headers.get('x-rate-limit-problem')).toBe('day');
    expect(refused.headers.get('x-daylimit-remaining')).toBe('0');
    expect(refused.headers.get('x-minlimit-remaining')).toBe('21');
    expect(refused.headers.get('x-appminlimit-remaining')).toBe('9961');
    // The oldest call leaves the rolling day a day after it was made, 1,500 seconds ago.
    expect(Number(refused.headers.get('retry-after'))).toBe(DAY / SECOND - 1500);
    // Another app on the same organisation has its own count and its own tier's limit.
    const core = await getOrganisation(sim, sim.seedGrant({ clientId: 'COREAPP' }).access_token, DEMO_TENANT_ID);
    expect([core.status, core.headers.get('x-daylimit-remaining')]).toEqual([200, '4999']);
    sim.clock.advance(Number(refused.headers.get('retry-after')) * SECOND);
    expect((await getOrganisation(sim, sim.seedGrant({ clientId: 'STARTERAPP' }).access_token, DEMO_TENANT_ID)).status).toBe(200);
  });

  it("leaves an app without a tier unlimited while rate limits are off, as before tiers; a test's own per-organisation figure stands over a tier's", async () => {
    ({ sim } = await manualSim({ rateLimits: false }));
    sim.accounting.setTenantRateLimits(DEMO_TENANT_ID, { perDay: 2 });
    const token = sim.seedGrant().access_token;
    for (let i = 0; i < 3; i++) expect((await getOrganisation(sim, token, DEMO_TENANT_ID)).status).toBe(200);
    sim.setTier(DEMO_CLIENT_ID, 'starter');
    const refused = await getOrganisation(sim, token, DEMO_TENANT_ID);
    expect([refused.status, refused.headers.get('x-rate-limit-problem')]).toEqual([429, 'day']);
  });
});

describe('organisations per consent by tier', () => {
  it('offers one organisation per consent below Advanced and refuses a form sent with several; Advanced connects several', async () => {
    ({ sim } = await manualSim({ tier: 'plus' }));
    const page = (await consentPage()).text;
    expect(page).toContain(`<input type="radio" name="tenant" value="${DEMO_TENANT_ID}" checked>`);
    expect(page).not.toContain('type="checkbox"');
    const both = await consent('demo@xero-guard.test', [DEMO_TENANT_ID, SECOND_TENANT_ID]);
    expect(both.status).toBe(200);
    expect(both.text).toContain('Xero Guard Demo can connect one organisation at a time. Choose one organisation.');
    expect(connectedTenants()).toEqual([]);
    expect(() => sim.seedGrant({ tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] })).toThrow(/^tenants: name one organisation: on the Plus tier/);
    const seeded = await admin<AdminRefusal>(sim, 'POST', '/seed-grant', { tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] });
    expect([seeded.status, seeded.json.field]).toEqual([400, 'tenants']);
    // One at a time works: two consents, two organisations.
    await consent('demo@xero-guard.test', [DEMO_TENANT_ID]);
    await consent('demo@xero-guard.test', [SECOND_TENANT_ID]);
    expect(connectedTenants()).toEqual([DEMO_TENANT_ID, SECOND_TENANT_ID].sort());

    sim.setTier(DEMO_CLIENT_ID, 'advanced');
    sim.revokeUser('demo@xero-guard.test');
    expect((await consentPage()).text).toContain(`<input type="checkbox" name="tenant" value="${DEMO_TENANT_ID}" checked>`);
    expect(new URL((await consent('demo@xero-guard.test', [DEMO_TENANT_ID, SECOND_TENANT_ID])).headers.get('location') as string).pathname).toBe('/callback');
    expect(connectedTenants()).toEqual([DEMO_TENANT_ID, SECOND_TENANT_ID].sort());
  });
});

describe('tier controls', () => {
  it('switches through the admin API, shows each app with what its tier allows (never its secret), and refuses what names no tier', async () => {
    ({ sim } = await manualSim());
    const before = await admin<SimulatorAppView[]>(sim, 'GET', '/apps');
    expect(before.json.find((a) => a.clientId === DEMO_CLIENT_ID)).toEqual({
      clientId: DEMO_CLIENT_ID,
      name: 'Xero Guard Demo',
      tier: null,
      connectionCap: null,
      connected: 0,
      dayLimit: null,
      severalOrganisationsPerConsent: true,
      closedEndpoints: [],
    });
    expect(before.text).not.toContain('xero-guard-demo-secret');
    const set = await admin(sim, 'POST', '/apps/tier', { clientId: DEMO_CLIENT_ID, tier: 'Starter' });
    expect(set.json).toMatchObject({ tier: 'starter', connectionCap: 5, dayLimit: 1000, severalOrganisationsPerConsent: false, closedEndpoints: ['Journals'] });
    for (const [body, field] of [
      [{ clientId: DEMO_CLIENT_ID, tier: 'gold' }, 'tier'],
      [{ clientId: DEMO_CLIENT_ID, tier: 3 }, 'tier'],
      [{ clientId: DEMO_CLIENT_ID }, 'tier'],
      [{ clientId: 'NOPE', tier: 'core' }, 'clientId'],
      [{ clientId: DEMO_CLIENT_ID, tier: 'core', extra: 1 }, 'extra'],
    ] as const) {
      const r = await admin<AdminRefusal>(sim, 'POST', '/apps/tier', body);
      expect([r.status, r.json.field]).toEqual([400, field]);
    }
    expect((await admin<SimulatorAppView>(sim, 'POST', '/apps/tier', { clientId: DEMO_CLIENT_ID, tier: null })).json.tier).toBeNull();
    expect(sim.log().filter((e) => e.type === 'action' && e.action === 'setTier')).toHaveLength(2);
  });

  it('takes the tier at start per app, over the tier given for every app, in any case', async () => {
    ({ sim } = await manualSim({ tier: 'Advanced' as never, clients: [{ ...app('MINE'), tier: 'starter' }, app('OTHER')] }));
    expect(sim.apps().map((a) => [a.clientId, a.tier])).toEqual([
      ['MINE', 'starter'],
      ['OTHER', 'advanced'],
    ]);
    await expect(manualSim({ tier: 'gold' as never })).rejects.toThrow(/^tier: must be one of starter, core, plus, advanced, enterprise/);
  });
});

function app(clientId: string) {
  return { clientId, clientSecret: 's', name: clientId, redirectUris: [REDIRECT] };
}
