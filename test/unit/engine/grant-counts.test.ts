/** The simulator's per-grant view the engine tests read: token calls per grant and the current sequence. */
import { ManualClock } from '../../../src/clock';
import { startSimulator, type Simulator } from '../../../src/simulator';
import { fetchTransport } from '../../../src/xero';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator({
    clock: new ManualClock(),
    clients: [{ clientId: 'COUNTCLIENT', clientSecret: 's', redirectUris: ['http://localhost/cb'] }],
    users: [{ email: 'count@xero-guard.test' }],
  });
});
afterEach(() => sim.close());

async function refresh(refreshToken: string): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetchTransport({
    method: 'POST',
    url: sim.tokenUrl,
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('COUNTCLIENT:s').toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  });
  return { status: response.status, body: JSON.parse(response.body) as Record<string, string> };
}

test('GET /__admin/grants counts refresh calls per grant (a grace reuse included) and gives the newest sequence number', async () => {
  const one = sim.seedGrant({ clientId: 'COUNTCLIENT', email: 'count@xero-guard.test' });
  const two = sim.seedGrant({ clientId: 'COUNTCLIENT', email: 'count@xero-guard.test' });
  const first = await refresh(one.refresh_token as string);
  await refresh(first.body.refresh_token);
  await refresh(one.refresh_token as string);
  const response = await fetchTransport({ method: 'GET', url: `${sim.adminUrl}/grants`, headers: {} });
  expect(response.status).toBe(200);
  const grants = JSON.parse(response.body) as Array<{ grantId: string; tokenCalls: number; sequence: number; clientId: string }>;
  const byCalls = [...grants].sort((a, b) => b.tokenCalls - a.tokenCalls);
  // Under the default same-pair, the grace reuse answers the first rotation's pair again: no new sequence.
  expect(byCalls.map((g) => [g.tokenCalls, g.sequence])).toEqual([
    [3, 2],
    [0, 0],
  ]);
  expect(grants.every((g) => g.clientId === 'COUNTCLIENT')).toBe(true);
  // Only counts and ids: no token in the answer.
  for (const token of [one.refresh_token, two.refresh_token, first.body.refresh_token, one.access_token]) expect(response.body).not.toContain(token);
});
