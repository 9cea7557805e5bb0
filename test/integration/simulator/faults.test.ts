import type { ManualClock } from '../../../src/clock';
import { SECOND } from '../../../src/clock';
import { DEMO_TENANT_ID, FAULT_KINDS, type Simulator } from '../../../src/simulator';
import { getConnections, getOrganisation, manualSim, refresh } from './helpers';

let sim: Simulator;
let clock: ManualClock;
beforeEach(async () => {
  ({ sim, clock } = await manualSim({ randomSeed: 42 }));
});
afterEach(() => sim.close());

describe('token-endpoint faults', () => {
  it('drop-response: issues and counts the new pair, then destroys the socket (the 2018 incident)', async () => {
    const t = sim.seedGrant();
    sim.faults.add({ kind: 'drop-response', endpoint: 'token' });
    await expect(refresh(sim, t.refresh_token as string)).rejects.toThrow();
    expect(sim.refreshTokenState(t.refresh_token as string)).toBe('grace');
    const issued = sim.log().filter((e) => e.type === 'token-issued' && e.parentRefreshToken === t.refresh_token);
    expect(issued).toHaveLength(1);
    expect(sim.log().find((e) => e.type === 'request' && e.endpoint === 'token')).toMatchObject({ status: 'dropped', fault: 'drop-response' });
    // Inside the grace window the client can recover by retrying the token it still holds.
    const retry = await refresh(sim, t.refresh_token as string);
    expect(retry.status).toBe(200);
    expect(sim.deadTokenUses()).toBe(0);
  });

  it('reset: destroys the connection before anything is issued', async () => {
    const t = sim.seedGrant();
    sim.faults.add({ kind: 'reset', endpoint: 'token' });
    await expect(refresh(sim, t.refresh_token as string)).rejects.toThrow();
    expect(sim.refreshTokenState(t.refresh_token as string)).toBe('live');
    expect(sim.stats().refreshTokensSpent).toBe(0);
  });

  it("delay: waits on the simulator's clock, so virtual time moves instead of the test waiting", async () => {
    const t = sim.seedGrant();
    sim.faults.add({ kind: 'delay', ms: 20 * SECOND, endpoint: 'token' });
    const before = clock.now();
    expect((await refresh(sim, t.refresh_token as string)).status).toBe(200);
    expect(clock.now() - before).toBe(20 * SECOND);
  });

  it('server-error: a 5xx of the chosen status, without touching the token', async () => {
    const t = sim.seedGrant();
    sim.faults.add({ kind: 'server-error', status: 502, endpoint: 'token' });
    const r = await refresh(sim, t.refresh_token as string);
    expect(r.status).toBe(502);
    expect(r.headers.get('xero-correlation-id')).toBeTruthy();
    expect(sim.refreshTokenState(t.refresh_token as string)).toBe('live');
  });
});

describe('API faults', () => {
  it.each(['minute', 'day', 'concurrent', 'appminute'] as const)("rate-limit %s: a 429 with an empty body and Xero's headers", async (problem) => {
    const t = sim.seedGrant();
    sim.faults.add({ kind: 'rate-limit', problem, endpoint: 'organisation' });
    const r = await getOrganisation(sim, t.access_token, DEMO_TENANT_ID);
    expect(r.status).toBe(429);
    expect(r.text).toBe('');
    expect(r.headers.get('x-rate-limit-problem')).toBe(problem);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    for (const h of ['x-minlimit-remaining', 'x-daylimit-remaining', 'x-appminlimit-remaining']) expect(r.headers.get(h)).not.toBeNull();
  });

  it.each([
    ['maintenance', 'The Xero API is currently offline for maintenance'],
    ['unavailable', 'The Xero API is temporarily unavailable'],
    ['organisation-offline', 'The Organisation is offline'],
  ] as const)('%s: 503 plain text', async (kind, message) => {
    const t = sim.seedGrant();
    sim.faults.add({ kind, endpoint: 'api' });
    const r = await getOrganisation(sim, t.access_token, DEMO_TENANT_ID);
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.text).toBe(message);
  });

  it("validation-error: Xero's 400 ValidationException", async () => {
    const t = sim.seedGrant();
    sim.faults.add({ kind: 'validation-error', message: 'Email address must be valid.', endpoint: 'organisation' });
    const r = await getOrganisation(sim, t.access_token, DEMO_TENANT_ID);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      ErrorNumber: 10,
      Type: 'ValidationException',
      Message: 'A validation exception occurred',
      Elements: [{ ValidationErrors: [{ Message: 'Email address must be valid.' }] }],
    });
  });
});

describe('fault scope', () => {
  it('fires on the next N matching calls only, leaving other endpoints alone', async () => {
    const t = sim.seedGrant();
    sim.faults.add({ kind: 'server-error', endpoint: 'organisation', times: 2 });
    expect((await getConnections(sim, t.access_token)).status).toBe(200);
    expect((await getOrganisation(sim, t.access_token, DEMO_TENANT_ID)).status).toBe(500);
    expect((await getOrganisation(sim, t.access_token, DEMO_TENANT_ID)).status).toBe(500);
    expect((await getOrganisation(sim, t.access_token, DEMO_TENANT_ID)).status).toBe(200);
    expect(sim.faults.list()).toEqual([]);
    expect(sim.stats().faultsFired).toBe(2);
  });

  it('with probability 1 fires every time until removed, with 0 never', async () => {
    const t = sim.seedGrant();
    const always = sim.faults.add({ kind: 'maintenance', probability: 1 });
    sim.faults.add({ kind: 'server-error', probability: 0 });
    for (let i = 0; i < 3; i++) expect((await getConnections(sim, t.access_token)).status).toBe(503);
    expect(sim.faults.remove(always.id)).toBe(true);
    expect((await getConnections(sim, t.access_token)).status).toBe(200);
    sim.faults.clear();
    expect(sim.faults.list()).toEqual([]);
  });

  it('replays the same choices for the same seed', async () => {
    const pattern = async (s: Simulator): Promise<number[]> => {
      const t = s.seedGrant();
      s.faults.add({ kind: 'server-error', probability: 0.5, endpoint: 'connections' });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await getConnections(s, t.access_token)).status);
      return out;
    };
    const first = await pattern(sim);
    const other = (await manualSim({ randomSeed: 42 })).sim;
    try {
      expect(await pattern(other)).toEqual(first);
    } finally {
      await other.close();
    }
    expect(first).toContain(500);
    expect(first).toContain(200);
  });

  it('refuses a bad fault, naming the field', () => {
    expect(() => sim.faults.add({ kind: 'explode' as never })).toThrow(/^kind: must be one of/);
    expect(() => sim.faults.add({ kind: 'delay' })).toThrow(/^ms: is required/);
    expect(() => sim.faults.add({ kind: 'server-error', status: 404 })).toThrow(/^status:/);
    expect(() => sim.faults.add({ kind: 'reset', probability: 2 })).toThrow(/^probability:/);
    expect(() => sim.faults.add({ kind: 'reset', times: 0 })).toThrow(/^times:/);
    expect(() => sim.faults.add({ kind: 'reset', endpoint: 'nowhere' as never })).toThrow(/^endpoint:/);
    expect(() => sim.faults.add({ kind: 'rate-limit', problem: 'hour' as never })).toThrow(/^problem:/);
    expect(() => sim.faults.add({ kind: 'reset', wat: 1 } as never)).toThrow(/^wat: is not a known field/);
    expect(FAULT_KINDS).toHaveLength(9);
  });
});
