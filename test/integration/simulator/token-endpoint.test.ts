import { createHash, randomBytes } from 'node:crypto';
import type { ManualClock } from '../../../src/clock';
import { MINUTE } from '../../../src/clock';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_CUSTOM_CLIENT_ID,
  DEMO_PKCE_CLIENT_ID,
  DEMO_TENANT_ID,
  type Simulator,
  type SimulatorTokenResponse,
} from '../../../src/simulator';
import { basic, call, getConnections, getOrganisation, manualSim, postForm, refresh } from './helpers';

let sim: Simulator;
let clock: ManualClock;
beforeEach(async () => {
  ({ sim, clock } = await manualSim());
});
afterEach(() => sim.close());

const REDIRECT = 'http://localhost:5678/rest/oauth2-credential/callback';

/** Clicks through the consent form as a browser would and returns the code from the redirect. */
async function consent(params: Record<string, string>): Promise<URL> {
  const page = await call(
    `${sim.authorizeUrl}?${new URLSearchParams({ response_type: 'code', redirect_uri: REDIRECT, scope: 'offline_access accounting.settings', state: 's1', ...params })}`,
  );
  expect(page.status).toBe(200);
  const hidden = [...page.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m): [string, string] => [
    m[1] as string,
    (m[2] as string).replace(/&amp;/g, '&'),
  ]);
  const form = new URLSearchParams(hidden);
  form.append('email', 'demo@xero-guard.test');
  form.append('tenant', DEMO_TENANT_ID);
  form.append('action', 'allow');
  const res = await call(sim.authorizeUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') as string);
}

describe('authorization_code', () => {
  it('exchanges a code with client auth in a Basic header', async () => {
    const back = await consent({ client_id: DEMO_CLIENT_ID });
    expect(back.searchParams.get('state')).toBe('s1');
    const r = await postForm<SimulatorTokenResponse>(
      sim.tokenUrl,
      { grant_type: 'authorization_code', code: back.searchParams.get('code') as string, redirect_uri: REDIRECT },
      { Authorization: basic() },
    );
    expect(r.status).toBe(200);
    expect(r.json.refresh_token).toBeDefined();
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect((await getConnections(sim, r.json.access_token)).json).toHaveLength(1);
  });

  it('exchanges a code with client_id and client_secret in the form', async () => {
    const back = await consent({ client_id: DEMO_CLIENT_ID });
    const r = await postForm(sim.tokenUrl, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') as string,
      redirect_uri: REDIRECT,
      client_id: DEMO_CLIENT_ID,
      client_secret: DEMO_CLIENT_SECRET,
    });
    expect(r.status).toBe(200);
  });

  it('refuses a code used twice, a wrong redirect_uri, and an expired code', async () => {
    const a = await consent({ client_id: DEMO_CLIENT_ID });
    const form = { grant_type: 'authorization_code', code: a.searchParams.get('code') as string, redirect_uri: REDIRECT };
    expect((await postForm(sim.tokenUrl, form, { Authorization: basic() })).status).toBe(200);
    expect((await postForm(sim.tokenUrl, form, { Authorization: basic() })).json).toEqual({ error: 'invalid_grant' });
    const b = await consent({ client_id: DEMO_CLIENT_ID });
    expect(
      (
        await postForm(
          sim.tokenUrl,
          { ...form, code: b.searchParams.get('code') as string, redirect_uri: 'http://localhost/other' },
          { Authorization: basic() },
        )
      ).json,
    ).toEqual({ error: 'invalid_grant' });
    const c = await consent({ client_id: DEMO_CLIENT_ID });
    clock.advance(5 * MINUTE);
    expect((await postForm(sim.tokenUrl, { ...form, code: c.searchParams.get('code') as string }, { Authorization: basic() })).json).toEqual({
      error: 'invalid_grant',
    });
  });

  it('does PKCE for an app without a secret, and refuses a wrong verifier', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const pkce = { client_id: DEMO_PKCE_CLIENT_ID, code_challenge: challenge, code_challenge_method: 'S256' };
    const good = await consent(pkce);
    const exchange = (code: string, v: string) =>
      postForm<SimulatorTokenResponse>(sim.tokenUrl, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        client_id: DEMO_PKCE_CLIENT_ID,
        code_verifier: v,
      });
    const r = await exchange(good.searchParams.get('code') as string, verifier);
    expect(r.status).toBe(200);
    const refreshed = await postForm(sim.tokenUrl, { grant_type: 'refresh_token', refresh_token: r.json.refresh_token!, client_id: DEMO_PKCE_CLIENT_ID });
    expect(refreshed.status).toBe(200);
    const bad = await consent(pkce);
    expect((await exchange(bad.searchParams.get('code') as string, 'wrong')).json).toEqual({ error: 'invalid_grant' });
  });

  it('also accepts PKCE from a confidential app', async () => {
    const verifier = 'v'.repeat(43);
    const back = await consent({
      client_id: DEMO_CLIENT_ID,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const r = await postForm(
      sim.tokenUrl,
      { grant_type: 'authorization_code', code: back.searchParams.get('code') as string, redirect_uri: REDIRECT, code_verifier: verifier },
      { Authorization: basic() },
    );
    expect(r.status).toBe(200);
  });
});

describe('client authentication and bad requests', () => {
  it('answers invalid_client for an unknown client, a wrong secret, a missing client, and conflicting ids', async () => {
    const t = sim.seedGrant();
    const form = { grant_type: 'refresh_token', refresh_token: t.refresh_token as string };
    expect((await postForm(sim.tokenUrl, form, { Authorization: basic('NOPE', 'x') })).json).toEqual({ error: 'invalid_client' });
    expect((await postForm(sim.tokenUrl, form, { Authorization: basic(DEMO_CLIENT_ID, 'wrong') })).json).toEqual({ error: 'invalid_client' });
    expect((await postForm(sim.tokenUrl, form)).json).toEqual({ error: 'invalid_client' });
    expect((await postForm(sim.tokenUrl, { ...form, client_id: 'OTHER' }, { Authorization: basic() })).json).toEqual({ error: 'invalid_client' });
    // A refused client does not spend or count the token.
    expect(sim.refreshTokenState(t.refresh_token as string)).toBe('live');
    expect(sim.deadTokenUses()).toBe(0);
  });

  it('answers unsupported_grant_type for an unknown or missing grant type', async () => {
    expect((await postForm(sim.tokenUrl, { grant_type: 'password' }, { Authorization: basic() })).json).toEqual({ error: 'unsupported_grant_type' });
    const none = await postForm(sim.tokenUrl, {}, { Authorization: basic() });
    expect(none.status).toBe(400);
    expect(none.json).toEqual({ error: 'unsupported_grant_type' });
    expect(sim.stats().tokenCallsByGrantType).toEqual({ password: 1, '(none)': 1 });
  });

  it('answers invalid_request for a refresh without a refresh_token', async () => {
    expect((await postForm(sim.tokenUrl, { grant_type: 'refresh_token' }, { Authorization: basic() })).json).toEqual({ error: 'invalid_request' });
  });

  it('survives a body that is not a form at all', async () => {
    const r = await call(sim.tokenUrl, { method: 'POST', headers: { Authorization: basic(), 'Content-Type': 'application/json' }, body: '{"grant_type":' });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: 'unsupported_grant_type' });
  });

  it('refuses a body over the size cap with 413', async () => {
    const r = await postForm(sim.tokenUrl, { grant_type: 'refresh_token', refresh_token: 'x'.repeat(200_000) }, { Authorization: basic() });
    expect(r.status).toBe(413);
    expect(r.headers.get('xero-correlation-id')).toBeTruthy();
  });

  it('stops accepting the old secret once the client secret is rotated', async () => {
    const t = sim.seedGrant();
    const secret = sim.rotateClientSecret(DEMO_CLIENT_ID);
    expect((await refresh(sim, t.refresh_token as string)).json).toEqual({ error: 'invalid_client' });
    expect((await refresh(sim, t.refresh_token as string, basic(DEMO_CLIENT_ID, secret))).status).toBe(200);
  });
});

describe('client_credentials (Custom Connections)', () => {
  const custom = basic(DEMO_CUSTOM_CLIENT_ID, DEMO_CLIENT_SECRET);

  it('issues an access token with no refresh token for the one connected organisation', async () => {
    const r = await postForm<SimulatorTokenResponse>(sim.tokenUrl, { grant_type: 'client_credentials' }, { Authorization: custom });
    expect(r.status).toBe(200);
    expect(r.json.refresh_token).toBeUndefined();
    const conns = await getConnections(sim, r.json.access_token);
    expect(conns.json.map((c) => c.tenantId)).toEqual([DEMO_TENANT_ID]);
    expect((await getOrganisation(sim, r.json.access_token, DEMO_TENANT_ID)).status).toBe(200);
  });

  it("answers invalid_scope with Xero's description for a scope the connection lacks", async () => {
    const r = await postForm(sim.tokenUrl, { grant_type: 'client_credentials', scope: 'accounting.invoices' }, { Authorization: custom });
    expect(r.json).toEqual({ error: 'invalid_scope', error_description: 'Client credentials scope validation failed' });
  });

  it('answers unauthorized_client for an app that is not a Custom Connection', async () => {
    expect((await postForm(sim.tokenUrl, { grant_type: 'client_credentials' }, { Authorization: basic() })).json).toEqual({ error: 'unauthorized_client' });
  });
});

describe('revocation', () => {
  it("kills the token's lineage and removes the user's connections to the app", async () => {
    const t = sim.seedGrant();
    const r = await postForm(sim.revocationUrl, { token: t.refresh_token as string }, { Authorization: basic() });
    expect(r.status).toBe(200);
    expect(r.headers.get('xero-correlation-id')).toBeTruthy();
    expect((await getConnections(sim, t.access_token)).json).toEqual([]);
    expect((await getOrganisation(sim, t.access_token, DEMO_TENANT_ID)).status).toBe(403);
    expect((await refresh(sim, t.refresh_token as string)).json).toEqual({ error: 'invalid_grant' });
    expect(sim.log().find((e) => e.type === 'dead-token-use')).toMatchObject({ reason: 'revoked' });
  });

  it('answers 200 for an unknown token, invalid_request without one, invalid_client for a bad client', async () => {
    expect((await postForm(sim.revocationUrl, { token: 'nope' }, { Authorization: basic() })).status).toBe(200);
    expect((await postForm(sim.revocationUrl, {}, { Authorization: basic() })).json).toEqual({ error: 'invalid_request' });
    expect((await postForm(sim.revocationUrl, { token: 'x' }, { Authorization: basic(DEMO_CLIENT_ID, 'bad') })).json).toEqual({ error: 'invalid_client' });
  });
});
