import { DAY, MINUTE } from '../../../src/clock';
import { GRACE_MODES, type GraceMode, type Simulator } from '../../../src/simulator';
import { decodeJwt, manualSim, refresh } from './helpers';
import type { ManualClock } from '../../../src/clock';

let sim: Simulator;
let clock: ManualClock;

afterEach(async () => {
  await sim.close();
});

async function setup(graceMode: GraceMode): Promise<void> {
  ({ sim, clock } = await manualSim({ graceMode }));
}

describe('refresh-token rotation', () => {
  beforeEach(() => setup('same-pair'));

  it('rotates on every refresh and issues 30-minute JWT access tokens with Xero claims', async () => {
    const first = sim.seedGrant();
    const r = await refresh(sim, first.refresh_token as string);
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)).toEqual(['id_token', 'access_token', 'expires_in', 'token_type', 'refresh_token', 'scope']);
    expect(r.json.expires_in).toBe(1800);
    expect(r.json.token_type).toBe('Bearer');
    expect(r.json.refresh_token).not.toBe(first.refresh_token);
    const header = JSON.parse(Buffer.from(r.json.access_token.split('.')[0], 'base64url').toString());
    expect(header.alg).toBe('RS256');
    const claims = decodeJwt(r.json.access_token);
    expect(claims.exp - claims.nbf).toBe(1800);
    expect(claims.iss).toBe('https://identity.xero.com');
    expect(claims.scope).toEqual(first.scope.split(' '));
    for (const claim of ['xero_userid', 'authentication_event_id', 'jti', 'client_id', 'sub', 'auth_time', 'global_session_id'])
      expect(claims[claim]).toBeDefined();
    expect(r.headers.get('xero-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends a refresh token only with offline_access and an id_token only with openid', () => {
    const noOffline = sim.seedGrant({ scopes: ['accounting.settings'] });
    expect(noOffline.refresh_token).toBeUndefined();
    expect(noOffline.id_token).toBeUndefined();
    const offline = sim.seedGrant({ scopes: ['offline_access', 'accounting.settings'] });
    expect(offline.refresh_token).toBeDefined();
    expect(offline.id_token).toBeUndefined();
  });

  it('answers a dead refresh token with a bare invalid_grant and counts it against its grant', async () => {
    const first = sim.seedGrant();
    const other = sim.seedGrant();
    await refresh(sim, first.refresh_token as string);
    clock.advance(30 * MINUTE);
    const r = await refresh(sim, first.refresh_token as string);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: 'invalid_grant' });
    expect(r.headers.get('xero-correlation-id')).toBeTruthy();
    expect(sim.deadTokenUses()).toBe(1);
    expect(sim.deadTokenUses(first.refresh_token)).toBe(1);
    expect(sim.deadTokenUses(other.refresh_token)).toBe(0);
    expect(sim.refreshTokenState(first.refresh_token as string)).toBe('spent');
    expect(sim.log().filter((e) => e.type === 'dead-token-use')).toEqual([expect.objectContaining({ reason: 'spent', refreshToken: first.refresh_token })]);
  });

  it('does not count a string that was never a refresh token as a dead use', async () => {
    const r = await refresh(sim, 'not-a-token');
    expect(r.json).toEqual({ error: 'invalid_grant' });
    expect(sim.stats()).toMatchObject({ deadTokenUses: 0, unknownTokenUses: 1 });
  });

  it("refuses another app's refresh token without calling it a dead use", async () => {
    const t = sim.seedGrant();
    const pkce = await refresh(sim, t.refresh_token as string, `Basic ${Buffer.from('XEROGUARDDEMOPKCE000000000000001:').toString('base64')}`);
    expect(pkce.json).toEqual({ error: 'invalid_grant' });
    expect(sim.deadTokenUses()).toBe(0);
    expect(sim.refreshTokenState(t.refresh_token as string)).toBe('live');
  });

  it('counts revoked and force-expired refresh tokens as dead', async () => {
    const a = sim.seedGrant();
    const b = sim.seedGrant({ email: 'other@xero-guard.test' });
    sim.expireRefreshToken(a.refresh_token as string);
    sim.revokeUser('other@xero-guard.test');
    expect((await refresh(sim, a.refresh_token as string)).json).toEqual({ error: 'invalid_grant' });
    expect((await refresh(sim, b.refresh_token as string)).json).toEqual({ error: 'invalid_grant' });
    expect(
      sim
        .log()
        .filter((e) => e.type === 'dead-token-use')
        .map((e) => (e as { reason: string }).reason),
    ).toEqual(['expired', 'revoked']);
    expect(sim.deadTokenUses()).toBe(2);
  });
});

describe('time travel', () => {
  beforeEach(() => setup('same-pair'));

  it('keeps a connection alive across two 59-day jumps', async () => {
    const first = sim.seedGrant();
    clock.advance(59 * DAY);
    const second = await refresh(sim, first.refresh_token as string);
    expect(second.status).toBe(200);
    clock.advance(59 * DAY);
    const third = await refresh(sim, second.json.refresh_token);
    expect(third.status).toBe(200);
    expect(sim.deadTokenUses()).toBe(0);
  });

  it('expires a refresh token left unused for 61 days', async () => {
    const first = sim.seedGrant();
    clock.advance(61 * DAY);
    const r = await refresh(sim, first.refresh_token as string);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: 'invalid_grant' });
    expect(sim.log().find((e) => e.type === 'dead-token-use')).toMatchObject({ reason: 'expired' });
  });

  it('expires at exactly 60 days, not a moment later', async () => {
    const a = sim.seedGrant();
    const b = sim.seedGrant();
    clock.advance(60 * DAY - 1);
    expect((await refresh(sim, a.refresh_token as string)).status).toBe(200);
    clock.advance(1);
    expect((await refresh(sim, b.refresh_token as string)).status).toBe(400);
  });
});

describe.each(GRACE_MODES)('grace window in %s mode', (mode) => {
  beforeEach(() => setup(mode));

  it('accepts the spent token for 30 minutes without counting a dead use, then refuses it', async () => {
    const root = sim.seedGrant();
    const first = await refresh(sim, root.refresh_token as string);
    clock.advance(30 * MINUTE - 1);
    const again = await refresh(sim, root.refresh_token as string);
    expect(again.status).toBe(200);
    expect(sim.deadTokenUses()).toBe(0);
    if (mode === 'same-pair') expect(again.json).toEqual(first.json);
    else expect(again.json.refresh_token).not.toBe(first.json.refresh_token);
    clock.advance(1);
    expect((await refresh(sim, root.refresh_token as string)).json).toEqual({ error: 'invalid_grant' });
    expect(sim.deadTokenUses(root.refresh_token)).toBe(1);
    expect(sim.stats().graceReuses).toBe(1);
  });

  it('measures the window from the first rotation: reuses do not extend it', async () => {
    const root = sim.seedGrant();
    await refresh(sim, root.refresh_token as string);
    clock.advance(20 * MINUTE);
    expect((await refresh(sim, root.refresh_token as string)).status).toBe(200);
    clock.advance(10 * MINUTE);
    expect((await refresh(sim, root.refresh_token as string)).status).toBe(400);
  });

  it('decides whether the first child survives a grace reuse by mode', async () => {
    const root = sim.seedGrant();
    const first = await refresh(sim, root.refresh_token as string);
    await refresh(sim, root.refresh_token as string);
    const useFirstChild = await refresh(sim, first.json.refresh_token);
    if (mode === 'fresh-pair-revokes') {
      expect(useFirstChild.json).toEqual({ error: 'invalid_grant' });
      expect(sim.deadTokenUses()).toBe(1);
      expect(sim.log().find((e) => e.type === 'dead-token-use')).toMatchObject({ reason: 'killed' });
    } else {
      expect(useFirstChild.status).toBe(200);
      expect(sim.deadTokenUses()).toBe(0);
    }
  });

  it('in each mode, an access token of a killed pair stops working only under fresh-pair-revokes', async () => {
    const root = sim.seedGrant();
    const first = await refresh(sim, root.refresh_token as string);
    await refresh(sim, root.refresh_token as string);
    const org = await fetch(`${sim.apiUrl}/api.xro/2.0/Organisation`, {
      headers: { Authorization: `Bearer ${first.json.access_token}`, 'xero-tenant-id': 'a3c3ee1f-4b5b-4c1e-9d4e-0d1c2b3a4f5e' },
    });
    expect(org.status).toBe(mode === 'fresh-pair-revokes' ? 401 : 200);
  });

  it('counts every presentation of a dead token, not just the first', async () => {
    const root = sim.seedGrant();
    await refresh(sim, root.refresh_token as string);
    clock.advance(31 * MINUTE);
    for (let i = 0; i < 3; i++) await refresh(sim, root.refresh_token as string);
    expect(sim.deadTokenUses()).toBe(3);
    expect(sim.stats().deadTokenUsesByGrant).toEqual({ [Object.keys(sim.stats().deadTokenUsesByGrant)[0] as string]: 3 });
  });
});

describe('grace mode switching', () => {
  beforeEach(() => setup('same-pair'));

  it('can be switched at run time', async () => {
    sim.graceMode = 'fresh-pair';
    expect(sim.graceMode).toBe('fresh-pair');
    const root = sim.seedGrant();
    const a = await refresh(sim, root.refresh_token as string);
    const b = await refresh(sim, root.refresh_token as string);
    expect(a.json.refresh_token).not.toBe(b.json.refresh_token);
  });
});
