/**
 * The scope check before a call: on the guarded credential (the n8n fixture's real session against the
 * simulator), a chain without the operation's scope fails at once, naming the scope and how to add it
 * in n8n's words, with n8n's configuration-invalid cause, and the simulator's request log shows that
 * nothing was called (not even the organisation list). A chain that holds it calls Xero; a hand-made
 * operation and a custom call are checked the same way; and a 401 Xero still answers is told apart as a
 * missing scope or an endpoint closed to the app.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { SIMULATOR_DEFAULT_SCOPES } from '../../../../src/simulator';
import { ScopeGuard } from '../../../../nodes/shared/api-node/scopes';
import { ACCOUNTING_NODE, executeXeroGuard } from '../../../../nodes/XeroGuard/execute';
import { XeroGuardPayrollUk } from '../../../../nodes/XeroGuardPayrollUk/XeroGuardPayrollUk.node';
import { xeroApi } from '../../../../src/xero/operations';
import { fakeContext, makeN8nFixture, NODE, type N8nFixture } from '../n8n-fixture';
import { FakeXero, fakeExecute, json, UK_TENANT } from './stand-in';

describe('the scope check, on the guarded credential against the simulator', () => {
  const node = new XeroGuardPayrollUk();
  let f: N8nFixture;
  beforeEach(async () => {
    f = await makeN8nFixture();
  });
  afterEach(() => f.close());

  /** An execution of the Payroll UK node on a chain granted `scopes`, in the UK organisation. */
  const execution = (scopes: string[], parameters: Record<string, unknown>, continueOnFail = false) => {
    const grant = f.seed({ scopes, tenants: [{ tenantId: UK_TENANT.tenantId, name: 'Walk Ltd (UK)', countryCode: 'GB' }] });
    const base = fakeContext({ credentials: f.credentials(grant), parameters: { organizationId: '', ...parameters }, continueOnFail });
    const named = { ...NODE, credentials: { xeroGuardOAuth2Api: { id: 'c1', name: 'Payroll bureau' } } };
    return { ...base, getNode: () => named, getExecutionId: () => 'exec-1', helpers: {} } as unknown as IExecuteFunctions;
  };
  const requests = () => f.sim.log().filter((e) => e.type === 'request');

  it('a chain without payroll.employees fails before any call, naming the scope and Switch account, configuration-invalid', async () => {
    const run = execution([...SIMULATOR_DEFAULT_SCOPES, 'payroll.payruns'], {
      resource: 'employee',
      operation: 'createEmployee',
      fields: '{"firstName":"Ann"}',
    });
    const error = (await node.execute.call(run).catch((e: unknown) => e)) as NodeOperationError;
    expect(error).toBeInstanceOf(NodeOperationError);
    expect(error.message).toBe('The Xero credential "Payroll bureau" was not granted the scope payroll.employees, which Payroll UK "Create Employee" needs');
    expect(error.description).toMatch(/tick "Payroll: Employees" under Scopes .* then click "Switch account"/);
    expect(error.description).toMatch(/Nothing was sent to Xero/);
    expect(error.failure).toEqual({ cause: 'configuration-invalid' });
    expect(requests()).toEqual([]);
  });

  it('with Continue On Fail, each item gets the error, and still nothing is called', async () => {
    const run = execution([...SIMULATOR_DEFAULT_SCOPES], { resource: 'employee', operation: 'getEmployees', returnAll: true }, true);
    const [out] = await node.execute.call(run);
    expect(out[0]!.json).toMatchObject({
      error: expect.stringContaining('payroll.employees.read (or one of payroll.employees)'),
      failure: { cause: 'configuration-invalid' },
    });
    expect(requests()).toEqual([]);
  });

  it('a chain that holds the scope calls Xero', async () => {
    const run = execution([...SIMULATOR_DEFAULT_SCOPES, 'payroll.payruns'], {
      resource: 'payRun',
      operation: 'getPayRuns',
      returnAll: false,
      limit: 2,
      options: {},
    });
    const [out] = await node.execute.call(run);
    expect(out.length).toBeGreaterThan(0);
    // The log records the organisation list and the call alike: so an empty log above means nothing was called.
    expect(requests().map((e) => `${e.method} ${e.path}`)).toEqual(expect.arrayContaining(['GET /connections', 'GET /payroll.xro/2.0/PayRuns']));
  });
});

describe('which operation a planned call is, for the check', () => {
  const guard = new ScopeGuard([xeroApi('accounting')]);

  it('checks a hand-made operation by the request it plans, and a custom call by its path', () => {
    expect(() => guard.check({ method: 'POST', path: ['Invoices'] }, ['accounting.contacts'], null)).toThrow(
      /was not granted the scope accounting\.invoices .*Accounting "Update Or Create Invoices"/,
    );
    expect(guard.check({ method: 'POST', path: ['Invoices'] }, ['accounting.transactions'], null)).toEqual({
      required: ['accounting.invoices'],
      granted: ['accounting.transactions'],
    });
    expect(() => guard.check({ method: 'GET', path: '/payroll.xro/2.0/Employees', base: 'root' }, ['accounting.contacts'], null)).toThrow(
      /payroll\.employees\.read/,
    );
  });

  it('leaves to Xero what it cannot judge: an unknown grant, a path no document names', () => {
    expect(guard.check({ method: 'POST', path: ['Invoices'] }, null, null)).toBeUndefined();
    expect(guard.check({ method: 'GET', path: ['NotAnEndpoint'] }, ['accounting.contacts'], null)).toBeUndefined();
  });
});

describe('a 401 Xero answers although the scope was checked', () => {
  it('is an endpoint closed to the app (plan_restricted) when the chain holds the scope', async () => {
    const xero = new FakeXero();
    xero.answer = () => json({ Type: null, Title: 'Unauthorized', Status: 401, Detail: 'AuthorizationUnsuccessful' }, 401);
    const session = { ...xero.session(), grantedScopes: async () => ['accounting.contacts', 'accounting.reports.read'] };
    const context = fakeExecute({ parameters: { resource: 'report', operation: 'get', reportName: 'BalanceSheet', reportOptions: {} } });
    const error = (await executeXeroGuard(context, session).catch((e: unknown) => e)) as NodeApiError;
    expect(error).toBeInstanceOf(NodeApiError);
    expect(error.context.xero).toMatchObject({ category: 'plan_restricted' });
    expect(ACCOUNTING_NODE.guard.candidates({ method: 'GET', path: ['Reports', 'BalanceSheet'] }).map((c) => c.operation.operationId)).toEqual([
      'getReportBalanceSheet',
    ]);
  });
});
