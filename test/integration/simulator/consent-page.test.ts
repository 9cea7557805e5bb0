import { DEMO_CLIENT_ID, DEMO_PKCE_CLIENT_ID, DEMO_TENANT_ID, SECOND_TENANT_ID, startSimulator, type Simulator } from '../../../src/simulator';
import { call, manualSim } from './helpers';

let sim: Simulator;
afterEach(() => sim.close());

const REDIRECT = 'http://127.0.0.1:9999/callback';
const authorize = (params: Record<string, string>) =>
  call(
    `${sim.authorizeUrl}?${new URLSearchParams({ response_type: 'code', client_id: DEMO_CLIENT_ID, redirect_uri: REDIRECT, scope: 'offline_access accounting.settings', state: 'xyz', ...params })}`,
  );

function formOf(page: string): URLSearchParams {
  const action = /<form method="post" action="([^"]+)">/.exec(page)?.[1];
  expect(action).toBe('/identity/connect/authorize');
  return new URLSearchParams(
    [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m): [string, string] => [
      m[1] as string,
      (m[2] as string).replace(/&amp;/g, '&'),
    ]),
  );
}

const submit = (form: URLSearchParams) =>
  call(sim.authorizeUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });

describe('consent page', () => {
  beforeEach(async () => {
    ({ sim } = await manualSim());
  });

  it('is a real HTML form with login, organisations, Allow and Cancel', async () => {
    const page = await authorize({});
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('xero-correlation-id')).toBeTruthy();
    for (const fragment of ['name="email"', 'name="password"', `value="${DEMO_TENANT_ID}"`, 'value="allow"', 'value="cancel"', 'Xero Guard Demo'])
      expect(page.text).toContain(fragment);
  });

  it('redirects with code, scope and state on Allow, connecting the chosen organisations', async () => {
    const form = formOf((await authorize({})).text);
    form.append('tenant', DEMO_TENANT_ID);
    form.append('tenant', SECOND_TENANT_ID);
    form.append('action', 'allow');
    const r = await submit(form);
    expect(r.status).toBe(302);
    const back = new URL(r.headers.get('location') as string);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('xyz');
    expect(back.searchParams.get('scope')).toBe('offline_access accounting.settings');
    expect(back.searchParams.get('code')).toMatch(/^[0-9a-f]{64}$/);
    expect(
      sim
        .connections()
        .filter((c) => c.clientId === DEMO_CLIENT_ID)
        .map((c) => c.tenantId)
        .sort(),
    ).toEqual([DEMO_TENANT_ID, SECOND_TENANT_ID].sort());
  });

  it('sends error=access_denied back on Cancel', async () => {
    const form = formOf((await authorize({})).text);
    form.append('action', 'cancel');
    const back = new URL((await submit(form)).headers.get('location') as string);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('xyz');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('asks again when no organisation was chosen for an API scope', async () => {
    const form = formOf((await authorize({})).text);
    form.append('action', 'allow');
    const r = await submit(form);
    expect(r.status).toBe(200);
    expect(r.text).toContain('Choose at least one organisation');
  });

  it("shows Xero's error pages for an unknown client, a bad redirect_uri and a bad scope", async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ client_id: 'NOPE' }, 'Error: unauthorized_client : Unknown client or client not enabled'],
      [{ redirect_uri: 'https://evil.example/cb' }, 'Error: unauthorized_client : Invalid redirect_uri'],
      [{ scope: 'offline_access not.a.scope!' }, 'Error: unauthorized_client : Invalid scope for client'],
      [{ scope: '' }, 'Error: unauthorized_client : Invalid scope for client'],
    ];
    for (const [params, message] of cases) {
      const r = await authorize(params);
      expect(r.status).toBe(400);
      expect(r.text).toContain(message);
      expect(r.headers.get('xero-correlation-id')).toBeTruthy();
    }
  });

  it('redirects back with an error for a bad response_type, a non-S256 challenge, and a PKCE app without a challenge', async () => {
    const errorOf = async (params: Record<string, string>) => new URL((await authorize(params)).headers.get('location') as string).searchParams.get('error');
    expect(await errorOf({ response_type: 'token' })).toBe('unsupported_response_type');
    expect(await errorOf({ code_challenge: 'abc', code_challenge_method: 'plain' })).toBe('invalid_request');
    expect(await errorOf({ client_id: DEMO_PKCE_CLIENT_ID })).toBe('invalid_request');
  });

  it('refuses an organisation that does not exist', async () => {
    const form = formOf((await authorize({})).text);
    form.append('tenant', '00000000-0000-0000-0000-000000000000');
    form.append('action', 'allow');
    expect((await submit(form)).status).toBe(400);
  });
});

describe('granular scopes', () => {
  it('answers invalid_scope to an app created after March 2026 that asks for broad scopes', async () => {
    sim = await startSimulator({ clients: [{ clientId: 'NEWAPP', clientSecret: 's', redirectUris: [REDIRECT], granularScopesOnly: true }] });
    const broad = await authorize({ client_id: 'NEWAPP', scope: 'offline_access accounting.transactions' });
    expect(broad.text).toContain('Error: invalid_scope');
    expect((await authorize({ client_id: 'NEWAPP', scope: 'offline_access accounting.invoices' })).status).toBe(200);
  });
});

describe('connection limit', () => {
  it("sends the user to the connection-limit page once the app holds its tier's organisations", async () => {
    ({ sim } = await manualSim({ connectionLimit: 1 }));
    sim.seedGrant({ tenants: [DEMO_TENANT_ID] });
    const form = formOf((await authorize({})).text);
    form.append('tenant', SECOND_TENANT_ID);
    form.append('action', 'allow');
    const r = await submit(form);
    expect(r.status).toBe(302);
    const limitPage = await call(new URL(r.headers.get('location') as string, sim.url).toString());
    expect(limitPage.text).toContain(
      'Sorry! Xero Guard Demo has reached their Xero connection limit, please let them know so they can connect more Xero organisations.',
    );
    expect(() => sim.seedGrant({ tenants: [SECOND_TENANT_ID] })).toThrow(/connection limit/);
    // Reconnecting an organisation the app already holds is not a new connection.
    expect(() => sim.seedGrant({ tenants: [DEMO_TENANT_ID] })).not.toThrow();
  });
});
