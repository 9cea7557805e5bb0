/**
 * The credential on a real n8n 2.41.1 loading the packed tarball, against the simulator, through
 * n8n's own HTTP Request node (predefined credential type xeroGuardOAuth2Api): connect-time token
 * data, any Xero endpoint, no n8n-side refresh on a 401, one token call per rotation, a chain that
 * survives a restart, and 20 parallel executions after expiry with exactly one token-endpoint call.
 */
import { MINUTE } from '../../../src/clock';
import { DEMO_TENANT_ID, type Simulator } from '../../../src/simulator';
import type { OffsetClock } from '../../../src/clock';
import { e2eTest } from '../harness/diagnostics';
import { progress } from '../../../tools/n8n/install';
import { startN8n, type N8nHandle } from '../../../tools/n8n/n8n';
import { credentialFor, httpRequestWorkflow, seedExpiredGrant, startE2eSimulator, tokenCalls } from '../../../tools/n8n/xero';

jest.setTimeout(300_000);

describe('Xero OAuth2 (Guarded) credential on real n8n through the HTTP Request node', () => {
  let n8n: N8nHandle | undefined;
  let sim: Simulator | undefined;
  let clock: OffsetClock;
  const test = e2eTest(() => ({ n8n, sim }));
  // One Xero user per credential: a new chain of the same user and app supersedes the older one.
  const creds: Record<'fresh' | 'rotate' | 'storm', { id: string; name: string }> = {} as never;
  const initial: Record<string, { refresh_token?: string; access_token: string }> = {};

  beforeAll(async () => {
    ({ sim, clock } = await startE2eSimulator());
    n8n = await startN8n();
    const fresh = sim.seedGrant({ email: 'fresh@xero-guard.test' });
    const rotate = seedExpiredGrant(sim, clock, 'rotate@xero-guard.test');
    const storm = seedExpiredGrant(sim, clock, 'storm@xero-guard.test');
    const list = [
      credentialFor(sim, fresh, { name: 'Xero fresh' }),
      credentialFor(sim, rotate, { name: 'Xero rotate' }),
      credentialFor(sim, storm, { name: 'Xero storm' }),
    ];
    const started = Date.now();
    await n8n.importCredentials(list);
    progress(`credential: import:credentials took ${Date.now() - started} ms`);
    creds.fresh = { id: list[0]!.id, name: list[0]!.name };
    creds.rotate = { id: list[1]!.id, name: list[1]!.name };
    creds.storm = { id: list[2]!.id, name: list[2]!.name };
    initial.fresh = fresh;
    initial.rotate = rotate;
    initial.storm = storm;
    const workflows: Array<[string, Record<string, unknown>]> = [
      [
        'fresh-connections',
        httpRequestWorkflow({ name: 'fresh: connections', path: 'fresh-connections', url: `${sim.apiUrl}/connections`, credential: creds.fresh }),
      ],
      [
        'fresh-organisation',
        httpRequestWorkflow({
          name: 'fresh: organisation',
          path: 'fresh-organisation',
          url: `${sim.apiUrl}/api.xro/2.0/Organisation`,
          credential: creds.fresh,
          tenantId: DEMO_TENANT_ID,
        }),
      ],
      [
        'rotate-connections',
        httpRequestWorkflow({ name: 'rotate: connections', path: 'rotate-connections', url: `${sim.apiUrl}/connections`, credential: creds.rotate }),
      ],
      [
        'rotate-force',
        {
          name: 'rotate: force refresh',
          nodes: [
            {
              id: 'f1',
              name: 'Webhook',
              type: 'n8n-nodes-base.webhook',
              typeVersion: 2,
              position: [0, 0],
              webhookId: '7d1e4c2a-9b3f-4e6d-8a1c-2f5b7e9d0c13',
              parameters: { httpMethod: 'POST', path: 'rotate-force', responseMode: 'lastNode', responseData: 'allEntries', options: {} },
            },
            {
              id: 'f2',
              name: 'Refresh',
              type: 'n8n-nodes-xero-guard.xeroGuardRefreshToken',
              typeVersion: 1,
              position: [220, 0],
              parameters: { mode: 'force' },
              credentials: { xeroGuardOAuth2Api: creds.rotate },
            },
          ],
          connections: { Webhook: { main: [[{ node: 'Refresh', type: 'main', index: 0 }]] } },
          settings: { executionOrder: 'v1' },
        },
      ],
      [
        'storm-connections',
        httpRequestWorkflow({ name: 'storm: connections', path: 'storm-connections', url: `${sim.apiUrl}/connections`, credential: creds.storm }),
      ],
    ];
    for (const [, workflow] of workflows) await n8n.activate(await n8n.importWorkflow(workflow));
  }, 1_800_000); // the first run installs n8n (minutes; up to ~17 min on a loaded 2-core machine)

  afterAll(async () => {
    await n8n?.stop();
    await sim?.close();
  });

  test('the credential imported with connect-time token data works for /connections and Organisation, with no token call while the token is fresh', async () => {
    const before = tokenCalls(sim!);
    const connections = await n8n!.webhook('fresh-connections');
    expect(connections.status).toBe(200);
    expect((connections.json as Array<{ tenantId: string }>).map((c) => c.tenantId)).toContain(DEMO_TENANT_ID);
    const organisation = await n8n!.webhook('fresh-organisation');
    expect(organisation.status).toBe(200);
    expect(JSON.stringify(organisation.json)).toContain('Organisations');
    expect(tokenCalls(sim!)).toBe(before);
    // The request was signed with the connect-time access token.
    const requests = sim!.log().filter((e) => e.type === 'request' && (e.endpoint === 'connections' || e.endpoint === 'organisation'));
    expect(requests.map((e) => (e as { status: unknown }).status)).toEqual([200, 200]);
  });

  test('a 401 through the HTTP Request node makes n8n call no token endpoint and retry nothing', async () => {
    const before = tokenCalls(sim!);
    const apiBefore = sim!.stats().requestsByEndpoint.connections ?? 0;
    // Only the simulator moves: its access token expired, the engine (real clock) still trusts it.
    clock.advance(31 * MINUTE);
    try {
      const answer = await n8n!.webhook('fresh-connections');
      expect(answer.status).toBe(500);
    } finally {
      clock.advance(-31 * MINUTE);
    }
    expect(tokenCalls(sim!)).toBe(before);
    // One request, answered 401, and no second attempt.
    expect((sim!.stats().requestsByEndpoint.connections ?? 0) - apiBefore).toBe(1);
    const last = sim!
      .log()
      .filter((e) => e.type === 'request' && e.endpoint === 'connections')
      .at(-1);
    expect((last as { status: unknown }).status).toBe(401);
    const failed = await n8n!.executions({ status: 'error' });
    const error = JSON.stringify(failed[0]?.data?.resultData?.error ?? {});
    expect(error).toMatch(/Authorization failed|401/);
    expect(sim!.deadTokenUses()).toBe(0);
  });

  test('an access token past expiry rotates across the 31-minute clock jump with exactly one token call', async () => {
    const before = tokenCalls(sim!);
    const first = await n8n!.webhook('rotate-connections');
    expect(first.status).toBe(200);
    expect(tokenCalls(sim!) - before).toBe(1);
    expect(sim!.refreshTokenState(initial.rotate!.refresh_token!)).not.toBe('live');
    const second = await n8n!.webhook('rotate-connections');
    expect(second.status).toBe(200);
    expect(tokenCalls(sim!) - before).toBe(1);
    expect(sim!.deadTokenUses()).toBe(0);
  });

  test('a restart of n8n keeps the chain: the stored connect-time refresh token is never presented again', async () => {
    const before = tokenCalls(sim!);
    await n8n!.restart();
    const answer = await n8n!.webhook('rotate-connections');
    expect(answer.status).toBe(200);
    // The rotated access token came from the ledger: no token call, and the spent root was not reused.
    expect(tokenCalls(sim!)).toBe(before);
    expect(sim!.deadTokenUses()).toBe(0);
    // A rotation after the restart presents the ledger's refresh token, not the stored (spent) root.
    const forced = await n8n!.webhook('rotate-force');
    expect(forced.status).toBe(200);
    expect((forced.json as Array<{ refreshed: boolean }>)[0].refreshed).toBe(true);
    expect(tokenCalls(sim!) - before).toBe(1);
    expect(sim!.deadTokenUses()).toBe(0);
    expect((await n8n!.webhook('rotate-connections')).status).toBe(200);
    expect(tokenCalls(sim!) - before).toBe(1);
  });

  test('20 parallel executions through the HTTP Request node after expiry make exactly one token-endpoint call', async () => {
    const before = tokenCalls(sim!);
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 20 }, () => n8n!.webhook('storm-connections')));
    progress(`credential: 20 parallel executions took ${Date.now() - started} ms`);
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(tokenCalls(sim!) - before).toBe(1);
    expect(sim!.deadTokenUses()).toBe(0);
    const runs = await n8n!.executions({ limit: 100 });
    expect(runs.filter((r) => r.workflowData?.name === 'storm: connections' && r.status === 'success')).toHaveLength(20);
  });
});
