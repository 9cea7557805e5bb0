/**
 * The Connection Trigger and Check Connection on a Starter app (issue 28), in-process against the
 * simulator playing the tier: four organisations connected one consent at a time give one "cap minus
 * one" event, the fifth one "cap reached", each once; Check Connection and the Connections node report
 * the app against its cap. No output holds the client id.
 */
import type { IExecuteFunctions, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { XeroGuardCheckConnection } from '../../../nodes/XeroGuardCheckConnection/XeroGuardCheckConnection.node';
import { XeroGuardConnectionTrigger } from '../../../nodes/XeroGuardConnectionTrigger/XeroGuardConnectionTrigger.node';
import { XeroGuardConnections } from '../../../nodes/XeroGuardConnections/XeroGuardConnections.node';
import { DEMO_CLIENT_ID } from '../../../src/simulator';
import { fakeContext, NODE, makeN8nFixture, type N8nFixture } from './n8n-fixture';

describe('connection cap on a Starter app', () => {
  const trigger = new XeroGuardConnectionTrigger();
  const named = { ...NODE, credentials: { xeroGuardOAuth2Api: { id: 'cred9', name: 'Practice books' } } };
  const org = (n: number) => ({ tenantId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, name: `Client ${n} Ltd` });
  const EMAIL = 'practice@xero-guard.test';
  let f: N8nFixture;
  beforeEach(async () => {
    f = await makeN8nFixture();
    f.sim.setTier(DEMO_CLIENT_ID, 'starter');
  });
  afterEach(() => f.close());

  it('4 organisations: one cap-minus-one event; the 5th: one cap-reached event; each once; Check Connection and Connections report it', async () => {
    // Below Advanced each consent connects one organisation: the same user consents four times.
    let grant = f.seed({ email: EMAIL, tenants: [org(1)] });
    for (const n of [2, 3, 4]) grant = f.seed({ email: EMAIL, tenants: [org(n)] });
    const credentials = f.credentials(grant);
    const ctx = { ...fakeContext({ credentials, staticData: {} }), getNode: () => named, getInstanceBaseUrl: () => 'http://localhost:5678/' };
    const poll = async () =>
      ((await trigger.poll.call(ctx as unknown as IPollFunctions)) as INodeExecutionData[][] | null)?.[0]
        ?.map((i) => i.json)
        .filter((e) => e.scope === 'app') ?? [];

    const near = await poll();
    expect(near).toEqual([
      expect.objectContaining({ event: 'connection_cap_near', scope: 'app', tier: 'Starter', connected: 4, cap: 5, credentialName: 'Practice books' }),
    ]);
    expect(String(near[0]!.message)).toMatch(/^Xero credential "Practice books": the Xero app has one connection left \(4 of 5 organisations, Starter tier\)/);
    expect(await poll()).toEqual([]);

    f.seed({ email: EMAIL, tenants: [org(5)] });
    const reached = await poll();
    expect(reached).toEqual([expect.objectContaining({ event: 'connection_cap_reached', connected: 5, cap: 5 })]);
    expect(String(reached[0]!.advice)).toMatch(/Remove a connection you no longer use at Xero/);
    expect(await poll()).toEqual([]);
    expect(await poll()).toEqual([]);
    expect(JSON.stringify([near, reached])).not.toContain(DEMO_CLIENT_ID);

    const check = new XeroGuardCheckConnection();
    const [connected] = await check.execute.call(fakeContext({ credentials }) as unknown as IExecuteFunctions);
    expect(connected[0]!.json.connectionCap).toMatchObject({
      tierName: 'Starter',
      connected: 5,
      cap: 5,
      remaining: 0,
      level: 'at_cap',
      app: expect.stringMatching(/^app [0-9a-f]{8}$/),
    });

    const [listed] = await new XeroGuardConnections().execute.call(fakeContext({ credentials, parameters: { mode: 'list' } }) as unknown as IExecuteFunctions);
    expect(listed[0]!.json.connectionCap).toMatchObject({ connected: 5, cap: 5, level: 'at_cap' });
    expect(JSON.stringify([connected, listed])).not.toContain(DEMO_CLIENT_ID);
  });
});
