/**
 * The simulator's admin API needs no authentication, so what it shows must not be worth stealing:
 * /__admin/log names tokens by fingerprint only, and a malformed percent-escape is a 400 naming
 * the problem, not a 500.
 */
import { fingerprint } from '../../../src/secrets';
import { startSimulator, type Simulator } from '../../../src/simulator';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../../src/simulator/directory';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});

const basic = `Basic ${Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64')}`;
const refresh = (refreshToken: string) =>
  fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  });

describe('GET /__admin/log', () => {
  it('shows every token (issued, spent, reused, unknown) as a fingerprint, never in full', async () => {
    const seeded = sim.seedGrant();
    const first = (await (await refresh(seeded.refresh_token as string)).json()) as { access_token: string; refresh_token: string };
    await refresh(seeded.refresh_token as string); // a reuse inside the grace window
    const realLooking = 'canary-a-real-xero-refresh-token-sent-here-by-mistake';
    expect((await refresh(realLooking)).status).toBe(400);

    const response = await fetch(`${sim.url}/__admin/log`);
    expect(response.status).toBe(200);
    const text = await response.text();
    for (const secret of [seeded.access_token, seeded.refresh_token as string, first.access_token, first.refresh_token, realLooking]) {
      expect(text).not.toContain(secret);
    }
    const events = JSON.parse(text) as Array<Record<string, unknown>>;
    const types = (fp: string) => events.filter((e) => e.refreshTokenFp === fp).map((e) => e.type);
    expect(types(fingerprint(seeded.refresh_token as string))).toEqual(expect.arrayContaining(['token-spent', 'grace-reuse']));
    expect(types(fingerprint(realLooking))).toEqual(['unknown-token-use']);
    const issued = events.find((e) => e.type === 'token-issued' && e.refreshTokenFp === fingerprint(first.refresh_token));
    expect(issued).toMatchObject({ accessTokenFp: fingerprint(first.access_token), parentRefreshTokenFp: fingerprint(seeded.refresh_token as string) });
  });
});

describe('a malformed percent-escape', () => {
  it.each([
    ['an admin route parameter', 'DELETE', '/__admin/faults/%zz'],
    ['a truncated UTF-8 escape', 'DELETE', '/__admin/faults/%E0%A4'],
  ])('in %s is answered 400 with a message naming it', async (_label, method, path) => {
    const response = await fetch(`${sim.url}${path}`, { method });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/malformed percent-escape/);
  });

  it('in a connection id is answered 400, not 500', async () => {
    const seeded = sim.seedGrant();
    const response = await fetch(`${sim.url}/connections/%zz`, { method: 'DELETE', headers: { authorization: `Bearer ${seeded.access_token}` } });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/connection id.*malformed percent-escape/);
  });
});
