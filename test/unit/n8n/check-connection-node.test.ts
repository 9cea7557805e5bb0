import type { IExecuteFunctions, ILoadOptionsFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { XeroGuardCheckConnection } from '../../../nodes/XeroGuardCheckConnection/XeroGuardCheckConnection.node';
import { DEMO_CLIENT_SECRET, DEMO_TENANT_ID, DEMO_USER_EMAIL, SECOND_TENANT_ID } from '../../../src/simulator';
import { fakeContext, makeN8nFixture, type FakeOptions, type N8nFixture } from './n8n-fixture';

describe('Xero Guard Check Connection node', () => {
  const node = new XeroGuardCheckConnection();
  const run = (options: FakeOptions) => node.execute.call(fakeContext(options) as unknown as IExecuteFunctions);
  let f: N8nFixture;
  beforeEach(async () => {
    f = await makeN8nFixture();
  });
  afterEach(() => f.close());

  const text = (out: INodeExecutionData[][]) => JSON.stringify(out);

  it('describes two outputs, a tenant picker and tool use', () => {
    expect(node.description.name).toBe('xeroGuardCheckConnection');
    expect(node.description.outputNames).toEqual(['Connected', 'Problem']);
    expect(node.description.usableAsTool).toBe(true);
    expect(node.description.properties.map((p) => p.name)).toEqual(['tenantId']);
  });

  it('routes a working connection to Connected with tenants, organisation and token health', async () => {
    const grant = f.seed({ tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] });
    const [connected, problem] = await run({ credentials: f.credentials(grant), parameters: { tenantId: DEMO_TENANT_ID } });
    expect(problem).toEqual([]);
    expect(connected).toHaveLength(1);
    const json = connected[0]?.json as Record<string, unknown>;
    expect(json.status).toBe('connected');
    expect((json.tenants as unknown[]).length).toBe(2);
    expect((json.organisation as Record<string, unknown>).Name).toEqual(expect.any(String));
    expect(json.tokenHealth).toMatchObject({ chainState: 'active' });
    expect(connected[0]?.pairedItem).toEqual({ item: 0 });
    expect(text([connected, problem])).not.toContain(grant.access_token);
    expect(text([connected, problem])).not.toContain(grant.refresh_token);
  });

  it('reports the scopes asked for and granted, and flags those Xero did not grant, with what to do', async () => {
    const grant = f.seed({ scopes: ['offline_access', 'openid', 'profile', 'email', 'accounting.settings', 'accounting.contacts.read'] });
    const credentials = f.credentials(grant, { xeroScopes: ['accounting.settings', 'accounting.contacts.read', 'accounting.invoices'] });
    const [connected] = await run({ credentials, parameters: { tenantId: '' } });
    const scopes = (connected[0]?.json as { scopes: Record<string, unknown> }).scopes;
    expect(scopes.granted).toEqual(expect.arrayContaining(['accounting.settings', 'accounting.contacts.read']));
    expect(scopes.requested).toEqual([
      'offline_access',
      'openid',
      'profile',
      'email',
      'accounting.settings',
      'accounting.contacts.read',
      'accounting.invoices',
    ]);
    expect(scopes.missing).toEqual(['accounting.invoices']);
    expect(scopes.advice).toMatch(/^The credential asks for accounting\.invoices but Xero did not grant it .*click "Switch account"/);
  });

  it('routes a revoked connection to Problem with the classification and advice', async () => {
    const grant = f.seed();
    await run({ credentials: f.credentials(grant) });
    f.sim.revokeUser(DEMO_USER_EMAIL);
    const [connected, problem] = await run({ credentials: f.credentials(grant) });
    expect(connected).toEqual([]);
    const json = problem[0]?.json as { status: string; problem: { category: string; action: string; advice: string } };
    expect(json.status).toBe('disconnected');
    expect(['refresh_token_invalid', 'access_revoked']).toContain(json.problem.category);
    expect(json.problem.action).toBe('reauthenticate');
    expect(json.problem.advice).toMatch(/"Switch account"/);
    for (const secret of [grant.access_token, grant.refresh_token as string, DEMO_CLIENT_SECRET]) expect(text([connected, problem])).not.toContain(secret);
  });

  it('reports a credential that was never connected on Problem, as not_connected', async () => {
    const [connected, problem] = await run({ credentials: f.credentials() });
    expect(connected).toEqual([]);
    expect(problem[0]?.json).toMatchObject({ status: 'disconnected', problem: { category: 'not_connected' } });
  });

  it('loads the tenant picker from /connections', async () => {
    const grant = f.seed({ tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID] });
    const options = await node.methods.loadOptions.getTenants.call(fakeContext({ credentials: f.credentials(grant) }) as unknown as ILoadOptionsFunctions);
    expect(options.map((o) => o.value)).toEqual(expect.arrayContaining(['', DEMO_TENANT_ID, SECOND_TENANT_ID]));
  });

  it('refuses on old n8n with a NodeOperationError saying what to do, or puts it on Problem with continueOnFail', async () => {
    process.env.XERO_GUARD_N8N_VERSION = '2.10.0';
    const grant = f.seed();
    const error = await run({ credentials: f.credentials(grant) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeOperationError);
    expect((error as NodeOperationError).message).toMatch(/needs n8n 2\.20\.0 or newer/);
    expect((error as NodeOperationError).description).toMatch(/Upgrade n8n/);
    const [connected, problem] = await run({ credentials: f.credentials(grant), continueOnFail: true });
    expect(connected).toEqual([]);
    expect(problem[0]?.json.error).toMatch(/needs n8n 2\.20\.0/);
    expect(f.tokenCalls()).toBe(0);
  });
});
