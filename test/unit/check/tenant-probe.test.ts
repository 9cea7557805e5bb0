import { CallBudget, checkConnection, detectTenantChanges, probeTenants, type RateLimitReading } from '../../../src/check';
import { MemoryLedger } from '../../../src/ledger';
import { DEMO_TENANT_ID, SECOND_TENANT_ID } from '../../../src/simulator';
import { makeSimFixture, type SimFixture } from './sim-fixture';

/** Stands in for src/xero's readRateLimits in this test: the three headers, lower-cased as the transport gives them. */
function readLimits(headers: Record<string, string>): RateLimitReading {
  const n = (name: string) => (headers[name] === undefined ? undefined : Number(headers[name]));
  return { dayRemaining: n('x-daylimit-remaining'), minuteRemaining: n('x-minlimit-remaining'), appMinuteRemaining: n('x-appminlimit-remaining') };
}

let f: SimFixture;
beforeEach(async () => {
  f = await makeSimFixture();
});
afterEach(() => f.close());

test('probing each organisation against the simulator: a 403 tenant is denied, answers feed the budget, the reserve is not spent', async () => {
  const { key } = await f.connect({ tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] });
  const first = await checkConnection({ engine: f.engine, key, api: f.api, clock: f.clock });
  expect(first.tenants.map((t) => t.tenantId).sort()).toEqual([DEMO_TENANT_ID, SECOND_TENANT_ID].sort());
  const accessToken = await f.engine.getAccessToken(key);
  const budget = new CallBudget({ notes: new MemoryLedger(), key, clock: f.clock });

  const healthy = await probeTenants({ api: f.api, accessToken, tenants: first.tenants, budget, readLimits });
  expect(healthy).toEqual({ denied: [], skipped: [], inconclusive: [] });
  expect(budget.budget(DEMO_TENANT_ID)?.dayRemaining).toEqual(expect.any(Number));

  // Xero now refuses the second organisation for this token.
  const second = f.sim.connections().find((c) => c.tenantId === SECOND_TENANT_ID)!;
  f.sim.removeConnection(second.id);
  const probed = await probeTenants({ api: f.api, accessToken, tenants: first.tenants, budget, readLimits });
  expect(probed.denied).toEqual([{ tenantId: SECOND_TENANT_ID, reason: expect.stringContaining('(403)') }]);
  const { events } = detectTenantChanges(detectTenantChanges(null, first).state, { ...first, denied: probed.denied });
  expect(events).toEqual([expect.objectContaining({ kind: 'organisation_unreachable', tenantId: SECOND_TENANT_ID })]);

  // Down to the last calls of the day: no housekeeping call is made for that organisation.
  budget.record(DEMO_TENANT_ID, { dayRemaining: 1 });
  const requests = f.sim.stats().requestsByEndpoint.organisation ?? 0;
  const held = await probeTenants({ api: f.api, accessToken, tenants: first.tenants.filter((t) => t.tenantId === DEMO_TENANT_ID), budget, readLimits });
  expect(held).toEqual({ denied: [], skipped: [DEMO_TENANT_ID], inconclusive: [] });
  expect(f.sim.stats().requestsByEndpoint.organisation ?? 0).toBe(requests);
});

test('a rate-limited probe is inconclusive, not a denial', async () => {
  const { key } = await f.connect({ tenants: [DEMO_TENANT_ID] });
  const accessToken = await f.engine.getAccessToken(key);
  f.sim.faults.add({ kind: 'rate-limit', endpoint: 'organisation', times: 1 });
  const probed = await probeTenants({ api: f.api, accessToken, tenants: [{ tenantId: DEMO_TENANT_ID, tenantName: 'Demo' }] });
  expect(probed.denied).toEqual([]);
  expect(probed.inconclusive).toEqual([{ tenantId: DEMO_TENANT_ID, category: expect.stringMatching(/^rate_limit/) }]);
});
