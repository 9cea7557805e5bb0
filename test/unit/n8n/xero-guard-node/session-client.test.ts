/**
 * The Xero Guard node on its guarded credential (session-client.ts), against the simulator: the
 * organisation list and the editor's option lists come from the credential's connection, execute()
 * works in the organisation chosen, and every Xero answer's remaining calls reach the chain's budget.
 */
import type { IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import { DEMO_TENANT_ID, SECOND_TENANT_ID, SIMULATOR_DEFAULT_SCOPES } from '../../../../src/simulator';
import { openNodeSession } from '../../../../nodes/shared/node-support';
import { XeroGuard } from '../../../../nodes/XeroGuard/XeroGuard.node';
import { fakeContext, makeN8nFixture, type N8nFixture } from '../n8n-fixture';

describe('Xero Guard node: on the guarded credential', () => {
  const node = new XeroGuard();
  let f: N8nFixture;
  beforeEach(async () => {
    f = await makeN8nFixture();
  });
  afterEach(() => f.close());

  /** n8n's contexts for this credential, with the Organisation field set to `organizationId`. */
  const contexts = (organizationId?: unknown, parameters: Record<string, unknown> = {}) => {
    const grant = f.seed({ tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID], scopes: [...SIMULATOR_DEFAULT_SCOPES, 'accounting.transactions'] });
    const base = fakeContext({ credentials: f.credentials(grant), parameters: { organizationId, ...parameters } });
    const run = { ...base, getExecutionId: () => 'exec-1', helpers: {} } as unknown as IExecuteFunctions;
    const load = {
      ...base,
      getCurrentNodeParameter: (name: string) => (name === 'organizationId' ? organizationId : undefined),
    } as unknown as ILoadOptionsFunctions;
    return { run, load };
  };

  it('lists the organisations the credential reaches, filtered as typed', async () => {
    const { load } = contexts();
    const search = await node.methods.listSearch.searchOrganisations.call(load, 'guard test');
    expect(search.results).toEqual([{ name: 'Guard Test Ltd (AU)', value: SECOND_TENANT_ID, description: `ORGANISATION ${SECOND_TENANT_ID}` }]);
  });

  it("works in the organisation chosen, and records Xero's remaining calls in that chain's budget", async () => {
    f.sim.setRateLimits({ perDay: 50 });
    const { run } = contexts({ __rl: true, mode: 'list', value: SECOND_TENANT_ID }, { resource: 'organisation', operation: 'get' });
    const [out] = await node.execute.call(run);
    expect(out).toHaveLength(1);
    expect(out[0]!.json).toMatchObject({ Name: 'Guard Test Ltd (AU)', tenantId: SECOND_TENANT_ID, xeroLimits: { dayRemaining: 49 } });
    const { session } = await openNodeSession(run);
    expect(session.budgets()).toEqual([expect.objectContaining({ tenantId: SECOND_TENANT_ID, dayRemaining: 49 })]);
  });

  it("a Xero refusal's remaining calls reach the budget too", async () => {
    f.sim.setRateLimits({ perDay: 50 });
    const { run } = contexts(
      { __rl: true, mode: 'id', value: DEMO_TENANT_ID },
      { resource: 'contact', operation: 'create', name: `Refused ${Date.now()}`, additionalFields: { emailAddress: 'not an address' } },
    );
    await expect(node.execute.call(run)).rejects.toThrow(/Email address must be valid/);
    const { session } = await openNodeSession(run);
    expect(session.budgets()).toEqual([expect.objectContaining({ tenantId: DEMO_TENANT_ID, dayRemaining: 49 })]);
  });

  it('loads account codes from the chosen organisation, sorted by name', async () => {
    f.sim.setRateLimits({ perDay: 50 });
    const { load } = contexts({ __rl: true, mode: 'id', value: SECOND_TENANT_ID });
    const options = await node.methods.loadOptions.getAccountCodes.call(load);
    expect(options).toContainEqual({ name: 'Sales', value: '200' });
    expect(options.map((o) => o.name)).toEqual([...options.map((o) => o.name)].sort((a, b) => a.localeCompare(b)));
    // The one call went to the organisation chosen.
    const { session } = await openNodeSession(load);
    expect(session.budgets()).toEqual([expect.objectContaining({ tenantId: SECOND_TENANT_ID, dayRemaining: 49 })]);
  });
});
