import { ManualClock, MINUTE, SECOND, DAY } from '../../../src/clock';
import { DEMO_TENANT_ID, SECOND_TENANT_ID, startSimulator, type Simulator } from '../../../src/simulator';
import { getConnections, getOrganisation, manualSim, START } from './helpers';

let sim: Simulator;
let clock: ManualClock;
afterEach(() => sim.close());

async function drain(n: number, tenant = DEMO_TENANT_ID, token?: string): Promise<string> {
  const t = token ?? sim.seedGrant({ tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] }).access_token;
  for (let i = 0; i < n; i++) expect((await getOrganisation(sim, t, tenant)).status).toBe(200);
  return t;
}

describe('rate limits', () => {
  it('are off by default: the headers count down but nothing is refused', async () => {
    ({ sim, clock } = await manualSim());
    const t = await drain(60);
    const r = await getOrganisation(sim, t, DEMO_TENANT_ID);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-minlimit-remaining')).toBe('0');
    sim.setRateLimits(true);
    expect((await getOrganisation(sim, t, DEMO_TENANT_ID)).status).toBe(429);
    sim.setRateLimits(false);
    expect((await getOrganisation(sim, t, DEMO_TENANT_ID)).status).toBe(200);
  });

  it('refuses the 61st call in a rolling minute per organisation with X-Rate-Limit-Problem minute', async () => {
    ({ sim, clock } = await manualSim({ rateLimits: true }));
    const t = sim.seedGrant({ tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] }).access_token;
    for (let i = 0; i < 60; i++) {
      const r = await getOrganisation(sim, t, DEMO_TENANT_ID);
      expect(r.headers.get('x-minlimit-remaining')).toBe(String(59 - i));
      clock.advance(SECOND / 2);
    }
    const refused = await getOrganisation(sim, t, DEMO_TENANT_ID);
    expect(refused.status).toBe(429);
    expect(refused.text).toBe('');
    expect(refused.headers.get('x-rate-limit-problem')).toBe('minute');
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.headers.get('x-minlimit-remaining')).toBe('0');
    expect(refused.headers.get('x-daylimit-remaining')).toBe('4940');
    // Another organisation has its own minute.
    expect((await getOrganisation(sim, t, SECOND_TENANT_ID)).status).toBe(200);
    clock.advance(30 * SECOND);
    expect((await getOrganisation(sim, t, DEMO_TENANT_ID)).status).toBe(200);
  });

  it('refuses past the daily limit with problem day until the oldest call is a day old', async () => {
    ({ sim, clock } = await manualSim({ rateLimits: { perDay: 3 } }));
    const t = await drain(3);
    clock.advance(MINUTE);
    const r = await getOrganisation(sim, t, DEMO_TENANT_ID);
    expect(r.status).toBe(429);
    expect(r.headers.get('x-rate-limit-problem')).toBe('day');
    expect(Number(r.headers.get('retry-after'))).toBe((DAY - MINUTE) / SECOND);
    clock.advance(DAY - MINUTE);
    // The access token from a day ago has long expired: a fresh one for the same organisation.
    expect((await getOrganisation(sim, sim.seedGrant().access_token, DEMO_TENANT_ID)).status).toBe(200);
  });

  it('refuses past the app-wide minute limit with problem appminute, counting /connections too', async () => {
    ({ sim, clock } = await manualSim({ rateLimits: { appPerMinute: 3 } }));
    const t = sim.seedGrant({ tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] }).access_token;
    expect((await getConnections(sim, t)).headers.get('x-appminlimit-remaining')).toBe('2');
    await drain(1, DEMO_TENANT_ID, t);
    await drain(1, SECOND_TENANT_ID, t);
    const org = await getOrganisation(sim, t, DEMO_TENANT_ID);
    expect(org.headers.get('x-rate-limit-problem')).toBe('appminute');
    const conns = await getConnections(sim, t);
    expect(conns.status).toBe(429);
    expect(conns.headers.get('x-rate-limit-problem')).toBe('appminute');
  });

  it('refuses a sixth concurrent call to one organisation with problem concurrent', async () => {
    // A clock whose sleeps wait for the test: requests stay in flight (holding their slot) until released.
    const gates: Array<() => void> = [];
    class HeldClock extends ManualClock {
      override sleep(): Promise<void> {
        return new Promise((resolve) => gates.push(resolve));
      }
    }
    clock = new HeldClock(START);
    sim = await startSimulator({ clock: clock as ManualClock, rateLimits: true });
    const t = sim.seedGrant().access_token;
    sim.faults.add({ kind: 'delay', ms: 1, when: 'after', endpoint: 'organisation', times: 5 });
    const held = Array.from({ length: 5 }, () => getOrganisation(sim, t, DEMO_TENANT_ID));
    while (gates.length < 5) await new Promise((r) => setImmediate(r));
    const sixth = await getOrganisation(sim, t, DEMO_TENANT_ID);
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get('x-rate-limit-problem')).toBe('concurrent');
    gates.forEach((open) => open());
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect((await getOrganisation(sim, t, DEMO_TENANT_ID)).status).toBe(200);
  });

  it('starts a reset demo organisation with fresh limits', async () => {
    ({ sim, clock } = await manualSim({ rateLimits: { perMinute: 1 } }));
    await drain(1);
    sim.resetOrganisation(DEMO_TENANT_ID);
    await drain(1);
  });
});
