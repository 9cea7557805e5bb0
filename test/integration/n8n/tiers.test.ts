/**
 * Xero's tiers through the Xero Guard node's own code path (the n8n fixture's guarded credential and
 * session, the simulator as a real HTTP server playing the app's tier; issue 28): Journals at Starter
 * fails as plan_restricted naming the app's tier and the tier Journals needs, with no token call and
 * no "reconnect"; the same request on a chain without accounting.journals.read is refused before
 * anything is sent, naming the scope (and, where Xero is asked without the pre-check, classified as
 * insufficient_scope naming it); at Advanced it succeeds. A tier setting above the app's real tier
 * says so.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { XeroGuard } from '../../../nodes/XeroGuard/XeroGuard.node';
import { DEMO_CLIENT_ID, DEMO_TENANT_ID, SIMULATOR_DEFAULT_SCOPES } from '../../../src/simulator';
import { XeroAccountingClient, XeroApiError } from '../../../src/xero/accounting';
import { fakeContext, makeN8nFixture, NODE, type N8nFixture } from '../../unit/n8n/n8n-fixture';

const JOURNALS = 'accounting.journals.read';

describe('Journals by tier, through the Xero Guard node against the simulator', () => {
  const node = new XeroGuard();
  let f: N8nFixture;
  beforeEach(async () => {
    f = await makeN8nFixture();
  });
  afterEach(() => f.close());

  /** One run of "Journal: Get Many" on a chain granted `scopes`, with the credential's tier setting `tier` (absent: not set). */
  const journals = async (scopes: string[], tier?: string) => {
    const grant = f.seed({ scopes });
    const credentials = f.credentials(grant, tier === undefined ? {} : { xeroAppTier: tier });
    const base = fakeContext({
      credentials,
      parameters: { resource: 'journal', operation: 'getAll', returnAll: false, limit: 5, options: {}, organizationId: DEMO_TENANT_ID },
    });
    const named = { ...NODE, credentials: { xeroGuardOAuth2Api: { id: 'c1', name: 'Practice books' } } };
    const context = { ...base, getNode: () => named, getExecutionId: () => 'exec-1', helpers: {} } as unknown as IExecuteFunctions;
    return { grant, run: () => node.execute.call(context) };
  };
  const journalCalls = () => f.sim.log().filter((e) => e.type === 'request' && /\/Journals/.test(String((e as { path?: string }).path ?? ''))).length;

  it('at Starter: plan_restricted naming Starter and Advanced, no token call, nothing about reconnecting', async () => {
    f.sim.setTier(DEMO_CLIENT_ID, 'starter');
    // A credential saved before the setting existed has no value: it reads as Starter.
    const { run } = await journals([...SIMULATOR_DEFAULT_SCOPES, JOURNALS]);
    const tokenCalls = f.sim.stats().tokenCalls;
    const error = (await run().catch((e: unknown) => e)) as NodeApiError;
    expect(error).toBeInstanceOf(NodeApiError);
    expect(error.context.xero).toMatchObject({ category: 'plan_restricted', action: 'fix_configuration', httpStatus: 401 });
    expect(error.message).toMatch(/Journals .*the app is on Xero's Starter tier \(its tier setting\).* only to apps on its Advanced tier/);
    expect(error.description).toMatch(/^Reconnecting will not help: move the app to Xero's Advanced tier/);
    expect(`${error.message} ${error.description}`).not.toMatch(/Switch account|click "Connect"/);
    // Xero was asked once, and no token was rotated for it.
    expect(journalCalls()).toBe(1);
    expect(f.sim.stats().tokenCalls - tokenCalls).toBe(0);
  });

  it('with accounting.journals.read removed from the chain: insufficient_scope before any call, naming the scope', async () => {
    f.sim.setTier(DEMO_CLIENT_ID, 'starter');
    const { run } = await journals([...SIMULATOR_DEFAULT_SCOPES], 'starter');
    const error = (await run().catch((e: unknown) => e)) as NodeOperationError;
    expect(error).toBeInstanceOf(NodeOperationError);
    expect(error.message).toMatch(/was not granted the scope accounting\.journals\.read/);
    expect(error.context.xero).toEqual({ category: 'insufficient_scope', action: 'fix_configuration' });
    expect(error.failure).toEqual({ cause: 'configuration-invalid' });
    expect(journalCalls()).toBe(0);
  });

  it("with the scope missing and Xero asked anyway: Xero's 401 is insufficient_scope naming accounting.journals.read, never the tier's refusal", async () => {
    f.sim.setTier(DEMO_CLIENT_ID, 'starter');
    const grant = f.seed({ scopes: [...SIMULATOR_DEFAULT_SCOPES] });
    const client = new XeroAccountingClient({
      tokens: { getAccessToken: async () => grant.access_token, reportRejected: async () => undefined },
      endpoints: { apiUrl: f.sim.apiUrl },
      tenantId: DEMO_TENANT_ID,
      tier: 'starter',
    });
    const error = (await client
      .request({ path: ['Journals'], scopes: { required: [JOURNALS], granted: grant.scope.split(' ') } })
      .catch((e: unknown) => e)) as XeroApiError;
    expect(error).toBeInstanceOf(XeroApiError);
    expect(error.category).toBe('insufficient_scope');
    expect(error.classification.missingScopes).toEqual([JOURNALS]);
    expect(error.summary).toContain(JOURNALS);
  });

  it('at Advanced: the journals come back', async () => {
    f.sim.setTier(DEMO_CLIENT_ID, 'advanced');
    f.sim.accounting.seed(DEMO_TENANT_ID, { contacts: 1, invoices: 3 });
    const { run } = await journals([...SIMULATOR_DEFAULT_SCOPES, JOURNALS], 'advanced');
    const [out] = await run();
    expect(out.length).toBeGreaterThan(0);
    expect(out[0]!.json).toMatchObject({ JournalID: expect.any(String) });
  });

  it("a tier setting above the app's real tier: the refusal says to check the tier at Xero", async () => {
    f.sim.setTier(DEMO_CLIENT_ID, 'core');
    const { run } = await journals([...SIMULATOR_DEFAULT_SCOPES, JOURNALS], 'advanced');
    const error = (await run().catch((e: unknown) => e)) as NodeApiError;
    expect(error.context.xero).toMatchObject({ category: 'plan_restricted' });
    expect(error.message).toMatch(/the tier setting says the app is on Xero's Advanced tier/);
    expect(error.description).toMatch(/check the app's tier at developer\.xero\.com/);
  });
});
