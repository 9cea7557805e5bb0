import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';
import { XeroGuardCheckConnection } from '../../../nodes/XeroGuardCheckConnection/XeroGuardCheckConnection.node';
import { XeroGuardConnectionTrigger } from '../../../nodes/XeroGuardConnectionTrigger/XeroGuardConnectionTrigger.node';
import { DAY } from '../../../src/clock';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_USER_EMAIL } from '../../../src/simulator';
import { fakeContext, NODE, makeN8nFixture, type FakeOptions, type N8nFixture } from './n8n-fixture';

/** The per-organisation watch and the call budget of the Connection Trigger, in-process against the simulator. */
describe('Xero Guard Connection Trigger: organisations and call budget', () => {
  const node = new XeroGuardConnectionTrigger();
  const nodeWithCredential = { ...NODE, credentials: { xeroGuardOAuth2Api: { id: 'cred7', name: 'Practice login' } } };
  const poller = (options: FakeOptions) => {
    const ctx = { ...fakeContext(options), getNode: () => nodeWithCredential, getInstanceBaseUrl: () => 'http://localhost:5678/' };
    return async () => ((await node.poll.call(ctx as unknown as IPollFunctions)) as INodeExecutionData[][] | null)?.[0]?.map((i) => i.json) ?? null;
  };
  const tenants = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({ tenantId: `00000000-0000-4000-8000-${String(from + i).padStart(12, '0')}`, name: `Client ${from + i} Ltd` }));
  let f: N8nFixture;
  beforeEach(async () => {
    f = await makeN8nFixture();
  });
  afterEach(() => f.close());

  it('20 organisations: one event for the one disconnected (naming it), one for the one added, one connection-wide event on revocation', async () => {
    const grant = f.seed({ tenants: tenants(20) });
    // A practice with 20 clients is past Starter's 5 connections: its app is on Core or above.
    const poll = poller({ credentials: f.credentials(grant, { xeroAppTier: 'core' }), staticData: {} });
    expect(await poll()).toBeNull();
    expect(await poll()).toBeNull();

    const gone = f.sim.connections().find((c) => c.tenantName === 'Client 7 Ltd');
    f.sim.removeConnection(gone!.id);
    const disconnected = await poll();
    expect(disconnected).toHaveLength(1);
    expect(disconnected?.[0]).toMatchObject({
      event: 'organisation_disconnected',
      scope: 'organisation',
      tenantName: 'Client 7 Ltd',
      tenantId: gone!.tenantId,
      credentialName: 'Practice login',
    });
    expect(String(disconnected?.[0]?.message)).toMatch(/^Xero credential "Practice login" \(organisation Client 7 Ltd\)/);
    expect(await poll()).toBeNull();

    // The same user connects one more organisation to the app: it shows on this grant's /connections.
    f.seed({ tenants: tenants(1, 20) });
    const added = await poll();
    expect(added).toHaveLength(1);
    expect(added?.[0]).toMatchObject({ event: 'organisation_added', tenantName: 'Client 20 Ltd' });
    expect(await poll()).toBeNull();

    f.sim.revokeUser(DEMO_USER_EMAIL);
    const lost = await poll();
    expect(lost).toHaveLength(1);
    expect(lost?.[0]).toMatchObject({ event: 'problem', scope: 'connection', status: 'disconnected' });
    expect(lost?.[0]?.organisations).toHaveLength(20);
    const text = JSON.stringify(lost);
    for (const secret of [grant.access_token, grant.refresh_token as string, DEMO_CLIENT_SECRET]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/xero:XEROGUARD|Node-RED/);
    expect(await poll()).toBeNull();
  });

  it('limits the watch to the chosen organisations', async () => {
    const grant = f.seed({ tenants: tenants(3) });
    const poll = poller({ credentials: f.credentials(grant), staticData: {}, parameters: { onlyOrganisations: 'client 1 ltd' } });
    expect(await poll()).toBeNull();
    f.sim.removeConnection(f.sim.connections().find((c) => c.tenantName === 'Client 2 Ltd')!.id);
    expect(await poll()).toBeNull();
    f.sim.removeConnection(f.sim.connections().find((c) => c.tenantName === 'Client 1 Ltd')!.id);
    expect((await poll())?.map((e) => e.tenantName)).toEqual(['Client 1 Ltd']);
  });

  /** The user's own work spends the organisation's day: straight to the simulator with the grant's token, until `left` calls are left. */
  const spendUntil = async (grant: { access_token: string }, tenantId: string, left: number): Promise<void> => {
    // Only the day is under test: Xero's 60 a minute would stop the spending first.
    f.sim.setRateLimits({ perMinute: 100_000 });
    let remaining = Infinity;
    while (remaining > left) {
      const answer = await fetch(`${f.sim.apiUrl}/api.xro/2.0/Organisation`, {
        headers: { authorization: `Bearer ${grant.access_token}`, 'xero-tenant-id': tenantId, accept: 'application/json' },
      });
      remaining = Number(answer.headers.get('x-daylimit-remaining'));
    }
  };

  it('budget at Starter: one warning under the threshold, no housekeeping call in the reserve, one recovery', async () => {
    const [tenant] = tenants(1);
    const grant = f.seed({ tenants: [tenant!] });
    // Starter's day: 1,000 calls per organisation (the simulator plays the tier, the credential says it by default).
    f.sim.setTier(DEMO_CLIENT_ID, 'starter');
    await spendUntil(grant, tenant!.tenantId, 30);
    const poll = poller({ credentials: f.credentials(grant), staticData: {}, parameters: { probeOrganisations: true } });
    const organisationCalls = () => f.sim.log().filter((e) => e.type === 'request' && /Organisation/.test(String((e as { path?: string }).path ?? ''))).length;
    const before = organisationCalls();
    const events: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 15; i++) events.push(...((await poll()) ?? []));
    expect(events.map((e) => e.event)).toEqual(['budget_low']);
    expect(events[0]).toMatchObject({ scope: 'budget', tenantName: 'Client 0 Ltd', dayRemaining: 29, dayLimit: 1000 });
    // The probes stop at the reserve (2% of 1,000): 29 left down to 20, none after it.
    expect(organisationCalls() - before).toBe(10);

    f.clock.advance(DAY + 1000);
    const back = await poll();
    expect(back?.map((e) => e.event)).toEqual(['budget_recovered']);
    expect(await poll()).toBeNull();
  });

  it('Check Connection reports the call budget at Starter and does not read an organisation in its reserve', async () => {
    const [tenant] = tenants(1);
    const grant = f.seed({ tenants: [tenant] });
    f.sim.setTier(DEMO_CLIENT_ID, 'starter');
    await spendUntil(grant, tenant!.tenantId, 24);
    const check = new XeroGuardCheckConnection();
    const run = async () => {
      const [connected, problems] = await check.execute.call(
        fakeContext({ credentials: f.credentials(grant), parameters: { tenantId: tenant.tenantId } }) as unknown as IExecuteFunctions,
      );
      return [...connected, ...problems][0]?.json as Record<string, unknown>;
    };
    const first = await run();
    expect(first.callBudget).toEqual([expect.objectContaining({ tenantId: tenant.tenantId, dayRemaining: 23, dayLimit: 1000, dayLimitSource: 'tier' })]);
    for (let i = 0; i < 3; i++) await run();
    const organisationCalls = () => f.sim.log().filter((e) => e.type === 'request' && (e as { endpoint?: string }).endpoint === 'organisation').length;
    const before = organisationCalls();
    const last = await run();
    expect(last.callBudget).toEqual([expect.objectContaining({ dayRemaining: 20, level: 'reserve' })]);
    expect(last.organisationSkipped).toMatch(/last Xero calls of the day/);
    expect(organisationCalls()).toBe(before);
  });

  it('a 403 for one listed organisation is one organisation_unreachable event naming it, and one recovery; no rotation', async () => {
    const grant = f.seed({ tenants: tenants(5) });
    const refused = tenants(5)[3]!;
    const poll = poller({ credentials: f.credentials(grant, { xeroAppTier: 'core' }), staticData: {}, parameters: { probeOrganisations: true } });
    expect(await poll()).toBeNull();
    const rotations = f.sim.stats().tokenCallsByGrantType.refresh_token ?? 0;
    // Xero refuses that one organisation (403) while /connections still lists it.
    f.sim.refuseTenant(refused.tenantId, true);
    const fired = await poll();
    expect(fired).toHaveLength(1);
    expect(fired?.[0]).toMatchObject({
      event: 'organisation_unreachable',
      tenantId: refused.tenantId,
      tenantName: refused.name,
      category: 'tenant_access_denied',
    });
    expect(String(fired?.[0]?.message)).toMatch(/^Xero credential "Practice login" \(organisation Client 3 Ltd\)/);
    expect(await poll()).toBeNull();
    f.sim.refuseTenant(refused.tenantId, false);
    expect((await poll())?.map((e) => [e.event, e.tenantName])).toEqual([['organisation_recovered', 'Client 3 Ltd']]);
    // One organisation of five refused is that organisation's trouble: no rotation to tell a revoked grant.
    expect((f.sim.stats().tokenCallsByGrantType.refresh_token ?? 0) - rotations).toBe(0);
  });
});
