/**
 * The table's operations through the Xero Guard API nodes' one executor and the real core client,
 * against the simulator as a real HTTP server: what a user does in each API family (a UK employee
 * created and read back, every page of a list in each API's own paging style, a project with a task
 * and a time entry, a file uploaded as multipart and downloaded, a fixed asset, a prepayment allocated,
 * a repeating invoice read), with the request each sends on the wire.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { DEMO_TENANT_ID, SECOND_TENANT_ID, startSimulator, type Simulator } from '../../../../src/simulator';
import type { HttpRequest } from '../../../../src/xero';
import type { XeroAccountingClient } from '../../../../src/xero/accounting';
import { executeApiNode } from '../../../../nodes/shared/api-node/execute';
import type { ApiNode } from '../../../../nodes/shared/api-node/node';
import type { SessionClient } from '../../../../nodes/shared/api-node/session-client';
import { ACCOUNTING_NODE } from '../../../../nodes/XeroGuard/execute';
import { NODE as ASSETS } from '../../../../nodes/XeroGuardAssets/XeroGuardAssets.node';
import { NODE as FILES } from '../../../../nodes/XeroGuardFiles/XeroGuardFiles.node';
import { NODE as PAYROLL_AU } from '../../../../nodes/XeroGuardPayrollAu/XeroGuardPayrollAu.node';
import { NODE as PAYROLL_UK } from '../../../../nodes/XeroGuardPayrollUk/XeroGuardPayrollUk.node';
import { NODE as PROJECTS } from '../../../../nodes/XeroGuardProjects/XeroGuardProjects.node';
import { ALL_SCOPES, fakeExecute, UK_TENANT, simulatorClient } from './stand-in';

describe('Xero Guard API nodes: the table operations, against the simulator', () => {
  let sim: Simulator;
  let sent: HttpRequest[];
  let client: XeroAccountingClient;

  beforeAll(async () => {
    sim = await startSimulator({ host: '127.0.0.1' });
    const grant = sim.seedGrant({
      scopes: ALL_SCOPES,
      tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID, { tenantId: UK_TENANT.tenantId, name: 'Walk Ltd (UK)', countryCode: 'GB' }],
    });
    client = simulatorClient(sim.apiUrl, grant.access_token, (request) => sent.push(request));
  });
  beforeEach(() => {
    sent = [];
  });
  afterAll(() => sim.close());

  const session = (tenantId: string): SessionClient => ({
    client,
    organisations: async () => [{ tenantId, tenantName: 'The organisation', tenantType: 'ORGANISATION' }],
    grantedScopes: async () => ALL_SCOPES,
  });
  // Each run its own execution, as in n8n: a write's Idempotency-Key derives from it.
  let executions = 0;
  const run = async (node: ApiNode, tenantId: string, parameters: IDataObject, items?: INodeExecutionData[]) => {
    const context = fakeExecute({ parameters, items, continueOnFail: true, executionId: `exec-${++executions}` });
    const [out] = await executeApiNode(context, session(tenantId), node);
    const failed = out.find((o) => o.json.error !== undefined);
    if (failed) throw new Error(JSON.stringify(failed.json));
    return out.map((o) => o.json);
  };
  const paths = () => sent.map((r) => `${r.method} ${new URL(r.url).pathname}${new URL(r.url).search}`);

  it('Payroll UK: an employee created from the JSON example, read back, and the pay runs listed page by page', async () => {
    const employee = {
      title: 'Ms',
      firstName: 'Aroha',
      lastName: 'Ngata',
      dateOfBirth: '1990-05-17',
      gender: 'F',
      address: { addressLine1: '1 High Street', city: 'Leeds', postCode: 'LS1 1AA' },
    };
    const [created] = await run(PAYROLL_UK, UK_TENANT.tenantId, { resource: 'employee', operation: 'createEmployee', fields: JSON.stringify(employee) });
    expect(created).toMatchObject({ firstName: 'Aroha', employeeID: expect.stringMatching(/^[0-9a-f-]{36}$/), tenantId: UK_TENANT.tenantId });
    expect(paths()).toEqual(['POST /payroll.xro/2.0/Employees']);
    expect(JSON.parse(String(sent[0]!.body))).toEqual(employee);
    expect(sent[0]!.headers['idempotency-key']).toEqual(expect.any(String));

    const [read] = await run(PAYROLL_UK, UK_TENANT.tenantId, { resource: 'employee', operation: 'getEmployee', EmployeeID: created!.employeeID });
    expect(read).toMatchObject({ employeeID: created!.employeeID, lastName: 'Ngata' });

    sent = [];
    const runs = await run(PAYROLL_UK, UK_TENANT.tenantId, { resource: 'payRun', operation: 'getPayRuns', returnAll: true, options: {} });
    expect(runs.length).toBeGreaterThan(0);
    expect(paths()[0]).toBe('GET /payroll.xro/2.0/PayRuns?page=1');
    expect(runs[0]).toMatchObject({ payRunID: expect.any(String) });
  });

  it('Payroll AU: a list without counts pages until a short page, and the v2 timesheets live beside it', async () => {
    const employees = await run(PAYROLL_AU, SECOND_TENANT_ID, { resource: 'employee', operation: 'getEmployees', returnAll: true, options: {} });
    expect(employees.length).toBeGreaterThan(0);
    expect(paths()).toEqual(['GET /payroll.xro/1.0/Employees?page=1']);
    sent = [];
    await run(PAYROLL_AU, SECOND_TENANT_ID, { resource: 'timesheetV2', operation: 'getTimesheets', returnAll: false, limit: 5, options: {} });
    expect(paths()[0]).toBe('GET /payroll.xro/2.0/Timesheets?page=1');
  });

  it('Projects: a project for a contact, a task with its rate, and a time entry on it; every project by pageSize pages', async () => {
    const [contact] = await run(ACCOUNTING_NODE, DEMO_TENANT_ID, { resource: 'contact', operation: 'create', name: `Project client ${Date.now()}` });
    // A small body is fields: the required name on top, the rest under Additional Fields.
    const [project] = await run(PROJECTS, DEMO_TENANT_ID, {
      resource: 'project',
      operation: 'createProject',
      name: 'New kitchen',
      additionalFields: { contactId: contact!.ContactID, deadlineUtc: '2026-12-31T00:00:00Z' },
    });
    expect(project).toMatchObject({ name: 'New kitchen', projectId: expect.any(String) });
    const [task] = await run(PROJECTS, DEMO_TENANT_ID, {
      resource: 'project',
      operation: 'createTask',
      projectId: project!.projectId,
      fields: JSON.stringify({ name: 'Design', rate: { currency: 'NZD', value: 95 }, chargeType: 'TIME', estimateMinutes: 120 }),
    });
    expect(task).toMatchObject({ name: 'Design', taskId: expect.any(String) });
    const [users] = [await run(PROJECTS, DEMO_TENANT_ID, { resource: 'projectUser', operation: 'getProjectUsers', returnAll: true, options: {} })];
    const [entry] = await run(PROJECTS, DEMO_TENANT_ID, {
      resource: 'project',
      operation: 'createTimeEntry',
      projectId: project!.projectId,
      userId: users[0]!.userId,
      taskId: task!.taskId,
      dateUtc: '2026-02-02T09:00:00Z',
      duration: 90,
    });
    expect(entry).toMatchObject({ duration: 90, taskId: task!.taskId });
    sent = [];
    const all = await run(PROJECTS, DEMO_TENANT_ID, { resource: 'project', operation: 'getProjects', returnAll: true, options: {} });
    expect(all.map((p) => p.projectId)).toContain(project!.projectId);
    expect(paths()[0]).toBe('GET /projects.xro/2.0/Projects?page=1&pageSize=50');
  });

  it('Files: a file uploaded to the inbox as multipart, listed, and its bytes downloaded again', async () => {
    const bytes = Buffer.from('receipt from the hardware store\n');
    const item = { json: {}, binary: { data: { data: bytes.toString('base64'), mimeType: 'text/plain', fileName: 'receipt 1.txt' } } };
    const [uploaded] = await run(FILES, DEMO_TENANT_ID, { resource: 'file', operation: 'uploadFile', binaryPropertyName: 'data', additionalFields: {} }, [
      item,
    ]);
    expect(uploaded).toMatchObject({ Name: 'receipt 1.txt', MimeType: 'text/plain', Size: bytes.length });
    expect(sent[0]!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const [inbox] = await run(FILES, DEMO_TENANT_ID, { resource: 'inbox', operation: 'getInbox' });
    expect(uploaded!.FolderId).toBe(inbox!.Id);
    sent = [];
    const listed = await run(FILES, DEMO_TENANT_ID, { resource: 'file', operation: 'getFiles', returnAll: true, options: {} });
    expect(listed.map((f) => f.Id)).toContain(uploaded!.Id);
    expect(paths()[0]).toBe('GET /files.xro/1.0/Files?page=1&pagesize=100');
    const [executed] = await executeApiNode(
      fakeExecute({ parameters: { resource: 'file', operation: 'getFileContent', FileId: uploaded!.Id, binaryPropertyName: 'data' } }),
      session(DEMO_TENANT_ID),
      FILES,
    );
    expect(Buffer.from(executed[0]!.binary!.data!.data, 'base64').equals(bytes)).toBe(true);
  });

  it('Assets: a fixed asset created from its small body as fields, and listed', async () => {
    const [asset] = await run(ASSETS, DEMO_TENANT_ID, {
      resource: 'asset',
      operation: 'createAsset',
      fields: JSON.stringify({ assetName: 'Delivery van', assetNumber: 'FA-0101', assetStatus: 'Draft' }),
    });
    expect(asset).toMatchObject({ assetName: 'Delivery van', assetId: expect.any(String) });
    const listed = await run(ASSETS, DEMO_TENANT_ID, { resource: 'asset', operation: 'getAssets', status: 'DRAFT', returnAll: true, options: {} });
    expect(listed.map((a) => a.assetId)).toContain(asset!.assetId);
  });

  it('Accounting: a prepayment allocated to an invoice, and a repeating invoice read', async () => {
    const [contact] = await run(ACCOUNTING_NODE, DEMO_TENANT_ID, { resource: 'contact', operation: 'create', name: `Prepaid ${Date.now()}` });
    // Prepayments come from Xero's own bank feed (RECEIVE-PREPAYMENT): the organisation's first one, from the list.
    const [prepayment] = await run(ACCOUNTING_NODE, DEMO_TENANT_ID, {
      resource: 'prepayment',
      operation: 'getPrepayments',
      returnAll: false,
      limit: 1,
      options: {},
    });
    expect(paths()).toContain('GET /api.xro/2.0/Prepayments?page=1&pageSize=100');
    const [invoice] = await run(ACCOUNTING_NODE, DEMO_TENANT_ID, {
      resource: 'invoice',
      operation: 'create',
      type: 'ACCREC',
      contactId: contact!.ContactID,
      lineItemsUi: { lineItemsValues: [{ description: 'Work', quantity: 1, unitAmount: '150', accountCode: '200', taxType: 'NONE' }] },
      additionalFields: { status: 'AUTHORISED' },
    });
    const [allocation] = await run(ACCOUNTING_NODE, DEMO_TENANT_ID, {
      resource: 'prepayment',
      operation: 'createPrepaymentAllocations',
      PrepaymentID: prepayment!.PrepaymentID,
      fields: JSON.stringify({ Invoice: { InvoiceID: invoice!.InvoiceID }, Amount: 60, Date: '2026-02-01' }),
    });
    expect(allocation).toMatchObject({ Amount: 60 });
    const [repeating] = await run(ACCOUNTING_NODE, DEMO_TENANT_ID, { resource: 'repeatingInvoice', operation: 'getRepeatingInvoices', options: {} });
    expect(repeating).toMatchObject({ RepeatingInvoiceID: expect.any(String) });
  });
});
