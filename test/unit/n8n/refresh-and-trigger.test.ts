import type { IExecuteFunctions, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { XeroGuardConnectionTrigger } from '../../../nodes/XeroGuardConnectionTrigger/XeroGuardConnectionTrigger.node';
import { XeroGuardRefreshToken } from '../../../nodes/XeroGuardRefreshToken/XeroGuardRefreshToken.node';
import { DAY, MINUTE } from '../../../src/clock';
import { DEMO_CLIENT_SECRET, DEMO_USER_EMAIL } from '../../../src/simulator';
import { fakeContext, NODE, makeN8nFixture, type FakeOptions, type N8nFixture } from './n8n-fixture';

describe('Xero Guard Refresh Token node', () => {
  const node = new XeroGuardRefreshToken();
  const run = (options: FakeOptions) => node.execute.call(fakeContext(options) as unknown as IExecuteFunctions);
  let f: N8nFixture;
  beforeEach(async () => {
    f = await makeN8nFixture();
  });
  afterEach(() => f.close());

  it('does nothing when nothing is due, rotates when forced, and never shows tokens by default', async () => {
    const grant = f.seed();
    const [idle] = await run({ credentials: f.credentials(grant), parameters: { mode: 'ifNeeded' } });
    expect(idle?.[0]?.json).toMatchObject({ refreshed: false, mode: 'ifNeeded', chainState: 'active' });
    expect(f.tokenCalls()).toBe(0);
    const [forced] = await run({ credentials: f.credentials(grant), parameters: { mode: 'force' }, items: [{ json: {} }, { json: {} }, { json: {} }] });
    expect(forced).toHaveLength(3);
    expect(forced?.[2]?.pairedItem).toEqual({ item: 2 });
    expect(forced?.[0]?.json).toMatchObject({ refreshed: true, mode: 'force' });
    expect(f.tokenCalls()).toBe(1);
    const text = JSON.stringify(forced);
    for (const secret of [grant.access_token, grant.refresh_token as string, DEMO_CLIENT_SECRET]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/"accessToken"|"refreshToken"/);
  });

  it('keeps an idle connection alive: if needed rotates once the last rotation is 7 days old', async () => {
    const grant = f.seed();
    await run({ credentials: f.credentials(grant) });
    f.clock.advance(8 * DAY);
    const [out] = await run({ credentials: f.credentials(grant), parameters: { mode: 'ifNeeded' } });
    expect(out?.[0]?.json).toMatchObject({ refreshed: true, daysLeftBeforeIdleExpiry: 59 });
    expect(f.sim.stats().deadTokenUses).toBe(0);
  });

  it('shows the current tokens only with the unsafe option, with a warning', async () => {
    const grant = f.seed();
    const [out] = await run({ credentials: f.credentials(grant), parameters: { mode: 'force', includeTokens: true } });
    const json = out?.[0]?.json as Record<string, string>;
    expect(json.accessToken).toEqual(expect.any(String));
    expect(json.refreshToken).toEqual(expect.any(String));
    expect(json.refreshToken).not.toBe(grant.refresh_token);
    expect(json.warning).toMatch(/secrets/);
  });

  it('fails a revoked connection with what to do, or reports it in json.error with continueOnFail', async () => {
    const grant = f.seed();
    await run({ credentials: f.credentials(grant) });
    f.sim.revokeUser(DEMO_USER_EMAIL);
    const error = await run({ credentials: f.credentials(grant), parameters: { mode: 'force' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeOperationError);
    expect((error as NodeOperationError).message).toMatch(/needs to be reconnected/);
    expect((error as NodeOperationError).description).toMatch(/"Switch account"/);
    const [out] = await run({ credentials: f.credentials(grant), parameters: { mode: 'ifNeeded' }, continueOnFail: true });
    expect(out?.[0]?.json.error).toMatch(/needs to be reconnected/);
    const text = JSON.stringify(out) + String((error as Error).stack);
    for (const secret of [grant.access_token, grant.refresh_token as string, DEMO_CLIENT_SECRET]) expect(text).not.toContain(secret);
  });

  it('refuses on n8n older than 2.20', async () => {
    process.env.XERO_GUARD_N8N_VERSION = '2.19.0';
    await expect(run({ credentials: f.credentials(f.seed()) })).rejects.toThrow(/needs n8n 2\.20\.0 or newer, but this is n8n 2\.19\.0/);
    expect(f.tokenCalls()).toBe(0);
  });
});

describe('Xero Guard Connection Trigger', () => {
  const node = new XeroGuardConnectionTrigger();
  let f: N8nFixture;
  beforeEach(async () => {
    f = await makeN8nFixture();
  });
  afterEach(() => f.close());

  const nodeWithCredential = { ...NODE, credentials: { xeroGuardOAuth2Api: { id: 'cred42', name: 'Xero demo' } } };
  const poller = (options: FakeOptions) => {
    const ctx = { ...fakeContext(options), getNode: () => nodeWithCredential, getInstanceBaseUrl: () => 'http://localhost:5678/' };
    return () => node.poll.call(ctx as unknown as IPollFunctions);
  };

  it('emits nothing while healthy, exactly one problem on revocation, then nothing, then one recovery', async () => {
    const grant = f.seed();
    const staticData: Record<string, unknown> = {};
    const poll = poller({ credentials: f.credentials(grant), staticData });
    expect(await poll()).toBeNull();
    expect(await poll()).toBeNull();
    expect(staticData.xeroGuardWatch).toMatchObject({ status: 'connected' });

    f.sim.revokeUser(DEMO_USER_EMAIL);
    const fired = (await poll()) as INodeExecutionData[][];
    expect(fired).toHaveLength(1);
    expect(fired[0]).toHaveLength(1);
    const json = fired[0]?.[0]?.json as Record<string, unknown>;
    expect(json).toMatchObject({
      event: 'problem',
      status: 'disconnected',
      previousStatus: 'connected',
      action: 'reauthenticate',
      credentialName: 'Xero demo',
    });
    expect(['refresh_token_invalid', 'access_revoked']).toContain(json.category);
    expect(json.advice).toEqual(expect.any(String));
    expect(json.reconnectUrl).toBe('http://localhost:5678/home/credentials/cred42');
    // The alert names the credential, gives n8n's step only, and the link.
    expect(json.message).toMatch(/^Xero credential "Xero demo" needs reconnecting/);
    expect(json.message).toMatch(/"Switch account"/);
    expect(json.message).toContain('http://localhost:5678/home/credentials/cred42');
    expect(json.message).not.toMatch(/xero:|Node-RED|Connect to Xero/);
    const text = JSON.stringify(fired);
    for (const secret of [grant.access_token, grant.refresh_token as string, DEMO_CLIENT_SECRET]) expect(text).not.toContain(secret);
    expect(await poll()).toBeNull();
    f.clock.advance(31 * MINUTE);
    expect(await poll()).toBeNull();

    // Reconnecting (a new grant stored by "Connect my account") brings it back: one recovery item.
    const again = f.seed();
    const recovered = await poller({ credentials: f.credentials(again), staticData })();
    expect(recovered?.[0]?.[0]?.json).toMatchObject({ event: 'recovered', status: 'connected', previousStatus: 'disconnected', reconnectUrl: null });
  });

  it('keeps the refresh token alive across 70 idle days with one poll a day', async () => {
    const grant = f.seed();
    const poll = poller({ credentials: f.credentials(grant), staticData: {} });
    for (let day = 0; day < 70; day++) {
      expect(await poll()).toBeNull();
      f.clock.advance(DAY);
    }
    expect(f.sim.stats().deadTokenUses).toBe(0);
    expect(f.tokenCalls()).toBeGreaterThanOrEqual(9);
  });

  it('always emits the current state in a manual test, without changing what it remembers', async () => {
    const grant = f.seed();
    const staticData: Record<string, unknown> = {};
    const manual = await poller({ credentials: f.credentials(grant), staticData, mode: 'manual' })();
    expect(manual?.[0]?.[0]?.json).toMatchObject({ status: 'connected' });
    expect(staticData.xeroGuardWatch).toBeUndefined();
  });

  it('emits every poll when asked', async () => {
    const grant = f.seed();
    const poll = poller({ credentials: f.credentials(grant), staticData: {}, parameters: { emitEveryPoll: true } });
    expect((await poll())?.[0]?.[0]?.json).toMatchObject({ event: 'first', status: 'connected' });
    expect((await poll())?.[0]?.[0]?.json).toMatchObject({ event: 'poll', status: 'connected' });
  });

  it('reports a never-connected credential as a problem, and refuses old n8n', async () => {
    const out = await poller({ credentials: f.credentials(), staticData: {} })();
    expect(out?.[0]?.[0]?.json).toMatchObject({ event: 'problem', category: 'not_connected' });
    process.env.XERO_GUARD_N8N_VERSION = '1.99.0';
    await expect(poller({ credentials: f.credentials(f.seed()), staticData: {} })()).rejects.toThrow(/needs n8n 2\.20\.0/);
  });
});
