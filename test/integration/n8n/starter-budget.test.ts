/**
 * The call budget on Xero's Starter tier (issue 28): over one simulated day at 1,000 calls per
 * organisation, the events trigger's polling core (ChangePoller + pollAndEmit on the session's
 * CallBudget), the Connection Trigger's watch step (probing the organisation) and the Xero Guard
 * node's request path run on one credential's session against the simulator playing Starter. Every
 * call is counted at the transport, with the organisation's calls left before it: the trigger and the
 * watch never make a call once the organisation is down to its reserve (2% of 1,000), and never meet
 * Xero's 429; the node, which is the user's own work, still gets answers from the reserve (and meets
 * Xero's 429 only once that is spent too: two watches polled every minute ask ~2,900 calls of a 1,000-call
 * day, which is why docs/tiers.md tells a Starter user to poll less often). The
 * simulator's own log counts the same calls. The clock is the simulator's: no sleeping.
 */
import type { IExecuteFunctions, IPollFunctions } from 'n8n-workflow';
import { openGuardedSession, resetEnginesForTests } from '../../../nodes/shared/guarded-session';
import { XeroGuard } from '../../../nodes/XeroGuard/XeroGuard.node';
import { XeroGuardConnectionTrigger } from '../../../nodes/XeroGuardConnectionTrigger/XeroGuardConnectionTrigger.node';
import { MINUTE } from '../../../src/clock';
import { ChangePoller, pollAndEmit, type PollNotice, type PollState } from '../../../src/events';
import { DEMO_CLIENT_ID, DEMO_TENANT_ID, SIMULATOR_DEFAULT_SCOPES } from '../../../src/simulator';
import { fetchTransport, type HttpTransport } from '../../../src/xero';
import { fakeContext, makeN8nFixture, NODE, type N8nFixture } from '../../unit/n8n/n8n-fixture';

type Who = 'trigger' | 'watch' | 'node';
interface Counted {
  who: Who;
  status: number;
  /** The organisation's calls left as the answer before this one said (null before any). */
  before: number | null;
}

const RESERVE = 20; // 2% of Starter's 1,000: the call budget's default reserve share
const header = (headers: Record<string, string>, name: string): string | undefined => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];

describe('a simulated day at Starter: trigger, watch and node on one organisation', () => {
  let f: N8nFixture;
  const counted: Counted[] = [];
  let left: number | null = null;

  /** Every call to the organisation, in order, with who made it: the poller's reads carry If-Modified-Since, the watch reads Organisation. */
  const counting: HttpTransport = async (request) => {
    const response = await fetchTransport(request);
    if (header(request.headers, 'xero-tenant-id') === DEMO_TENANT_ID) {
      const who: Who = header(request.headers, 'if-modified-since') ? 'trigger' : /\/Organisation(\?|$)/.test(request.url) ? 'watch' : 'node';
      counted.push({ who, status: response.status, before: left });
      const said = Number(header(response.headers, 'x-daylimit-remaining'));
      if (Number.isFinite(said) && header(response.headers, 'x-daylimit-remaining') !== undefined) left = said;
    }
    return response;
  };

  beforeAll(async () => {
    f = await makeN8nFixture();
    await resetEnginesForTests({ clock: f.clock, policy: { retryBaseMs: 10, retryMaxMs: 20, leaseWaitMs: 2000 }, transport: counting });
    f.sim.setTier(DEMO_CLIENT_ID, 'starter');
  });
  afterAll(() => f.close());

  it('never spends the reserve on the trigger or the watch, and the node still gets answers from it', async () => {
    const grant = f.seed({ scopes: [...SIMULATOR_DEFAULT_SCOPES] });
    // The credential as a new one is saved: the tier setting left at Starter.
    const credentials = f.credentials(grant);
    const session = await openGuardedSession(credentials);
    expect(session.tier).toBe('starter');

    const poller = new ChangePoller({
      store: await session.eventStore(),
      consumer: 'wf:starter-day',
      reader: await session.accounting(),
      budget: session.budget() ?? undefined,
      watches: [
        { tenantId: DEMO_TENANT_ID, watch: 'sales_invoices' },
        { tenantId: DEMO_TENANT_ID, watch: 'contacts' },
      ],
      clock: f.clock,
    });
    const trigger = new XeroGuardConnectionTrigger();
    const watchStatic = {};
    const watchContext = {
      ...fakeContext({ credentials, staticData: watchStatic, parameters: { probeOrganisations: true, tenantId: '' } }),
      getInstanceBaseUrl: () => 'http://localhost:5678/',
    } as unknown as IPollFunctions;
    const node = new XeroGuard();
    const nodeContext = {
      ...fakeContext({ credentials, parameters: { resource: 'currency', operation: 'getAll', organizationId: DEMO_TENANT_ID, options: {} } }),
      getNode: () => NODE,
      getExecutionId: () => 'exec-1',
      helpers: {},
    } as unknown as IExecuteFunctions;

    let state: PollState | null = poller.begin(null);
    const notices: PollNotice[] = [];
    let nodeAnswers = 0;
    // One day, a minute at a time: the trigger polls every minute, the watch every 15 minutes, the user's workflow runs every 10.
    for (let minute = 0; minute < 24 * 60; minute++) {
      f.clock.advance(MINUTE);
      const polled = await pollAndEmit(poller, state, () => undefined);
      state = polled.state;
      notices.push(...polled.notices);
      if (minute % 15 === 0) await trigger.poll.call(watchContext);
      if (minute % 10 === 5) {
        const ran = await node.execute.call(nodeContext).then(
          () => true,
          () => false,
        );
        if (ran) nodeAnswers++;
      }
    }

    // The budget reads the day against the credential's tier, not only what the headers taught it.
    expect(session.budget()?.budget(DEMO_TENANT_ID)).toMatchObject({ dayLimit: 1000, dayLimitSource: 'tier' });
    const housekeeping = counted.filter((c) => c.who !== 'node');
    // Both worked, then stopped at the reserve: no call of theirs started with the reserve reached, none met a 429.
    expect(counted.filter((c) => c.who === 'trigger').length).toBeGreaterThan(400);
    expect(counted.filter((c) => c.who === 'watch').length).toBeGreaterThan(10);
    expect(housekeeping.filter((c) => c.before !== null && c.before <= RESERVE)).toEqual([]);
    expect(housekeeping.filter((c) => c.status === 429)).toEqual([]);
    expect(notices.map((n) => n.kind)).toContain('budget_skip');
    // The reserve served the user's own work: node calls answered with the organisation at or below it.
    const fromReserve = counted.filter((c) => c.who === 'node' && c.before !== null && c.before <= RESERVE && c.status === 200);
    expect(fromReserve.length).toBeGreaterThan(0);
    expect(nodeAnswers).toBe(counted.filter((c) => c.who === 'node' && c.status === 200).length);
    // The node met Xero's 429 only once the user's own work had spent the reserve too.
    expect(counted.filter((c) => c.who === 'node' && c.status !== 200).every((c) => c.status === 429 && c.before === 0)).toBe(true);
    // The simulator counts what the transport counted (its own log: every Accounting and Organisation call of the day).
    const simCalls = f.sim.log().filter((e) => e.type === 'request' && (e.endpoint === 'accounting' || e.endpoint === 'organisation')).length;
    expect(simCalls).toBe(counted.length);
    expect(counted.filter((c) => c.status === 200).length).toBeLessThanOrEqual(1000);
  }, 300_000);
});
