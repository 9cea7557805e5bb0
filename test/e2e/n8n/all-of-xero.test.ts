/**
 * All of Xero through the Xero Guard nodes on a real n8n 2.41.1 loading the packed tarball, against
 * the simulator, on one n8n boot (issue 27, and issue 25 items 2, 3 and 7): a UK payroll employee
 * created and read back and every pay run listed; a project with a task and a time entry; a file
 * uploaded to the Files inbox and every file listed; a fixed asset created and every asset listed; a
 * contact created or updated, an invoice for it picked by name with the organisation's own tax type,
 * a prepayment allocated to that invoice and the repeating invoices read, the whole run twice; a chain
 * without payroll.employees refused before any call with n8n's configuration-invalid cause. The
 * editor's own endpoints list the organisation's tax types and find the contact by name; the node
 * types as n8n serves them carry one Custom API Call per list; and the size of this pack's node types
 * in the editor's download is printed.
 */
import { randomUUID } from 'node:crypto';
import { DEMO_TENANT_ID, type Simulator } from '../../../src/simulator';
import { XERO_SCOPES } from '../../../src/host';
import { e2eTest } from '../harness/diagnostics';
import { progress } from '../../../tools/n8n/install';
import { startN8n, type N8nHandle } from '../../../tools/n8n/n8n';
import { CREDENTIAL_TYPE, PACKAGE, credentialFor, startE2eSimulator } from '../../../tools/n8n/xero';

jest.setTimeout(300_000);

const ALL_SCOPES = ['offline_access', 'openid', 'profile', 'email', ...XERO_SCOPES.map((s) => s.value)];
const UK = { tenantId: 'c1d2e3f4-0a1b-4c2d-8e3f-405162738495', name: 'Walk Ltd (UK)', countryCode: 'GB' as const };
const API_NODES = [
  'xeroGuard',
  'xeroGuardPayrollAu',
  'xeroGuardPayrollNz',
  'xeroGuardPayrollUk',
  'xeroGuardProjects',
  'xeroGuardFiles',
  'xeroGuardAssets',
  'xeroGuardFinance',
];

type Cred = { id: string; name: string };
type Node = Record<string, unknown> & { name: string };
/** Items a node put out, or a webhook answered with: records of Xero's APIs. */
type Items = Array<Record<string, unknown>>;

const xero = (type: string, name: string, credential: Cred, tenantId: string, parameters: Record<string, unknown>): Node => ({
  id: randomUUID(),
  name,
  type: `${PACKAGE}.${type}`,
  typeVersion: 1,
  parameters: { organizationId: { __rl: true, mode: 'id', value: tenantId }, ...parameters },
  credentials: { [CREDENTIAL_TYPE]: credential },
});

/** Webhook -> the nodes in a row; the answer is the last node's items. */
function chain(path: string, nodes: Node[]): Record<string, unknown> {
  const webhook: Node = {
    id: randomUUID(),
    name: 'Webhook',
    type: 'n8n-nodes-base.webhook',
    typeVersion: 2,
    webhookId: randomUUID(),
    parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
  };
  const all = [webhook, ...nodes];
  all.forEach((n, i) => (n.position = [i * 220, 0]));
  const connections: Record<string, unknown> = {};
  for (let i = 1; i < all.length; i++) connections[all[i - 1]!.name] = { main: [[{ node: all[i]!.name, type: 'main', index: 0 }]] };
  return { name: path, nodes: all, connections, settings: { executionOrder: 'v1' } };
}

describe('All of Xero through the Xero Guard nodes on real n8n', () => {
  let n8n: N8nHandle | undefined;
  let sim: Simulator | undefined;
  const test = e2eTest(() => ({ n8n, sim }));
  const workflowIds: Record<string, string> = {};
  let work: Cred;
  const started = Date.now();

  /** The items one node put out in the newest execution of a workflow (`T`: the fields a test reads). */
  const outputOf = async <T = Record<string, unknown>>(workflow: string, node: string): Promise<T[]> => {
    const [execution] = await n8n!.executions({ workflowId: workflowIds[workflow], limit: 1 });
    const run = execution.data.resultData.runData[node];
    expect({ node, ran: run !== undefined }).toEqual({ node, ran: true });
    return run[0].data.main[0].map((i: { json: unknown }) => i.json) as T[];
  };
  const requests = () => sim!.log().filter((e) => e.type === 'request');

  beforeAll(async () => {
    ({ sim } = await startE2eSimulator());
    n8n = await startN8n();
    const booted = Date.now();
    const tenants = [DEMO_TENANT_ID, UK];
    const grants = [
      sim.seedGrant({ email: 'bureau@xero-guard.test', scopes: ALL_SCOPES, tenants }),
      sim.seedGrant({ email: 'narrow@xero-guard.test', scopes: ALL_SCOPES.filter((s) => !s.startsWith('payroll.employees')), tenants: [UK] }),
    ];
    const creds = [credentialFor(sim, grants[0]!, { name: 'Xero bureau' }), credentialFor(sim, grants[1]!, { name: 'Xero without employees' })];
    await n8n.importCredentials(creds);
    work = { id: creds[0]!.id, name: creds[0]!.name };
    const narrow = { id: creds[1]!.id, name: creds[1]!.name };
    const employee = (credential: Cred) =>
      xero('xeroGuardPayrollUk', 'Create Employee', credential, UK.tenantId, {
        resource: 'employee',
        operation: 'createEmployee',
        fields:
          '={{ JSON.stringify({ title: "Ms", firstName: $json.body.firstName, lastName: "Ngata", dateOfBirth: "1990-05-17", gender: "F", address: { addressLine1: "1 High Street", city: "Leeds", postCode: "LS1 1AA" } }) }}',
      });
    const workflows = [
      chain('uk-payroll', [
        employee(work),
        xero('xeroGuardPayrollUk', 'Get Employee', work, UK.tenantId, {
          resource: 'employee',
          operation: 'getEmployee',
          EmployeeID: '={{ $json.employeeID }}',
        }),
        xero('xeroGuardPayrollUk', 'Pay Runs', work, UK.tenantId, { resource: 'payRun', operation: 'getPayRuns', returnAll: true }),
      ]),
      chain('project', [
        xero('xeroGuardProjects', 'Create Project', work, DEMO_TENANT_ID, {
          resource: 'project',
          operation: 'createProject',
          name: '={{ $json.body.project }}',
        }),
        xero('xeroGuardProjects', 'Project User', work, DEMO_TENANT_ID, { resource: 'projectUser', operation: 'getProjectUsers', returnAll: false, limit: 1 }),
        xero('xeroGuardProjects', 'Create Task', work, DEMO_TENANT_ID, {
          resource: 'project',
          operation: 'createTask',
          projectId: "={{ $('Create Project').item.json.projectId }}",
          fields: '{"name": "Design", "rate": {"currency": "NZD", "value": 95}, "chargeType": "TIME", "estimateMinutes": 120}',
        }),
        xero('xeroGuardProjects', 'Create Time Entry', work, DEMO_TENANT_ID, {
          resource: 'project',
          operation: 'createTimeEntry',
          projectId: "={{ $('Create Project').item.json.projectId }}",
          userId: "={{ $('Project User').item.json.userId }}",
          taskId: '={{ $json.taskId }}',
          dateUtc: '2026-02-02T09:00:00',
          duration: 90,
        }),
        xero('xeroGuardProjects', 'Time Entries', work, DEMO_TENANT_ID, {
          resource: 'project',
          operation: 'getTimeEntries',
          projectId: "={{ $('Create Project').item.json.projectId }}",
          returnAll: true,
        }),
      ]),
      chain('files', [
        {
          id: randomUUID(),
          name: 'To File',
          type: 'n8n-nodes-base.convertToFile',
          typeVersion: 1.1,
          parameters: { operation: 'toText', sourceProperty: 'body.text', options: { fileName: 'receipt.txt' } },
        },
        xero('xeroGuardFiles', 'Upload', work, DEMO_TENANT_ID, { resource: 'file', operation: 'uploadFile', binaryPropertyName: 'data' }),
        xero('xeroGuardFiles', 'Files', work, DEMO_TENANT_ID, { resource: 'file', operation: 'getFiles', returnAll: true }),
      ]),
      chain('assets', [
        xero('xeroGuardAssets', 'Create Asset', work, DEMO_TENANT_ID, {
          resource: 'asset',
          operation: 'createAsset',
          fields: '={{ JSON.stringify({ assetName: $json.body.asset, assetNumber: "FA-0101", assetStatus: "Draft" }) }}',
        }),
        xero('xeroGuardAssets', 'Assets', work, DEMO_TENANT_ID, { resource: 'asset', operation: 'getAssets', status: 'DRAFT', returnAll: true }),
      ]),
      chain('bookkeeping', [
        xero('xeroGuard', 'Contact', work, DEMO_TENANT_ID, {
          resource: 'contact',
          operation: 'upsert',
          name: '={{ $json.body.name }}',
          additionalFields: { emailAddress: '={{ $json.body.email }}' },
        }),
        xero('xeroGuard', 'Create Invoice', work, DEMO_TENANT_ID, {
          resource: 'invoice',
          operation: 'create',
          type: 'ACCREC',
          // Picked By Name, as typed; the NZ organisation's own tax type (its list offers OUTPUT2, not n8n's OUTPUT).
          contactId: { __rl: true, mode: 'name', value: "={{ $('Webhook').item.json.body.name }}" },
          lineItemsUi: { lineItemsValues: [{ description: 'Wedding flowers', quantity: 1, unitAmount: '450', accountCode: '200', taxType: 'OUTPUT2' }] },
          additionalFields: { status: 'AUTHORISED' },
        }),
        xero('xeroGuard', 'Prepayment', work, DEMO_TENANT_ID, { resource: 'prepayment', operation: 'getPrepayments', returnAll: false, limit: 1 }),
        xero('xeroGuard', 'Allocate', work, DEMO_TENANT_ID, {
          resource: 'prepayment',
          operation: 'createPrepaymentAllocations',
          PrepaymentID: '={{ $json.PrepaymentID }}',
          fields: "={{ JSON.stringify({ Invoice: { InvoiceID: $('Create Invoice').item.json.InvoiceID }, Amount: 1, Date: '2026-02-01' }) }}",
        }),
        xero('xeroGuard', 'Repeating Invoices', work, DEMO_TENANT_ID, { resource: 'repeatingInvoice', operation: 'getRepeatingInvoices' }),
      ]),
      chain('missing-scope', [employee(narrow)]),
    ];
    for (const workflow of workflows) {
      const id = await n8n.importWorkflow(workflow);
      workflowIds[workflow.name as string] = id;
      await n8n.activate(id);
    }
    progress(
      `all-of-xero: n8n up in ${Math.round((booted - started) / 1000)} s, credentials and ${workflows.length} workflows ready in ${Date.now() - booted} ms`,
    );
  }, 1_800_000);

  afterAll(async () => {
    await n8n?.stop();
    await sim?.close();
    progress(`all-of-xero: the file took ${Math.round((Date.now() - started) / 1000)} s`);
  });

  test('n8n serves every API node and its tool form, one Custom API Call per list; the size of the node types is printed', async () => {
    const types = (await n8n!.nodeTypes()) as unknown as Array<{
      name: string;
      properties: Array<{ name: string; options?: Array<{ name: string; value: unknown }> }>;
    }>;
    const ours = types.filter((t) => t.name.startsWith(`${PACKAGE}.`));
    expect(ours.map((t) => t.name)).toEqual(expect.arrayContaining(API_NODES.flatMap((n) => [`${PACKAGE}.${n}`, `${PACKAGE}.${n}Tool`])));
    for (const name of API_NODES) {
      const type = ours.find((t) => t.name === `${PACKAGE}.${name}`)!;
      // n8n adds its own Custom API Call (which only points to the HTTP Request node) to a list that does not end with one.
      for (const list of type.properties.filter((p) => p.name === 'resource' || p.name === 'operation')) {
        expect(list.options!.filter((o) => o.name === 'Custom API Call')).toHaveLength(1);
        expect(list.options!.map((o) => o.value)).not.toContain('__CUSTOM_API_CALL__');
      }
    }
    const size = (t: unknown) => JSON.stringify(t).length;
    const lines = ours.map((t) => `${t.name.slice(PACKAGE.length + 1).padEnd(34)} ${String(size(t)).padStart(8)}`);
    progress(
      `all-of-xero: node types of this pack in /types/nodes.json (bytes of JSON):\n${lines.join('\n')}\n${'total'.padEnd(34)} ${String(size(ours)).padStart(8)} of ${size(types)} for all ${types.length} types`,
    );
  });

  test('Payroll UK: an employee created and read back, and every pay run listed', async () => {
    const answer = await n8n!.webhook('uk-payroll', { firstName: 'Aroha' });
    expect(answer.status).toBe(200);
    const [created] = await outputOf('uk-payroll', 'Create Employee');
    expect(created).toMatchObject({ firstName: 'Aroha', employeeID: expect.stringMatching(/^[0-9a-f-]{36}$/), tenantId: UK.tenantId });
    const [read] = await outputOf('uk-payroll', 'Get Employee');
    expect(read).toMatchObject({ employeeID: created.employeeID, lastName: 'Ngata' });
    const payRuns = answer.json as Items;
    expect(payRuns.length).toBeGreaterThan(0);
    expect(payRuns.every((r) => typeof r.payRunID === 'string')).toBe(true);
    expect(requests().some((e) => e.method === 'GET' && e.path === '/payroll.xro/2.0/PayRuns')).toBe(true);
  });

  test('Projects: a project with a task and a time entry, every time entry listed', async () => {
    const answer = await n8n!.webhook('project', { project: 'New kitchen' });
    expect(answer.status).toBe(200);
    const [project] = await outputOf('project', 'Create Project');
    expect(project).toMatchObject({ name: 'New kitchen', projectId: expect.any(String) });
    const [task] = await outputOf('project', 'Create Task');
    expect(task).toMatchObject({ name: 'Design', taskId: expect.any(String) });
    const entries = answer.json as Items;
    expect(entries).toEqual([expect.objectContaining({ taskId: task.taskId, duration: 90, projectId: project.projectId })]);
  });

  test('Files: a file uploaded to the inbox, every file listed', async () => {
    const answer = await n8n!.webhook('files', { text: 'Receipt: hardware store, 42.50' });
    expect(answer.status).toBe(200);
    const [uploaded] = await outputOf('files', 'Upload');
    expect(uploaded).toMatchObject({ Name: 'receipt.txt', Size: 'Receipt: hardware store, 42.50'.length });
    expect((answer.json as Items).map((f) => f.Id)).toContain(uploaded.Id);
    const inbox = await fetch(`${sim!.apiUrl}/files.xro/1.0/Inbox`, {
      headers: { authorization: `Bearer ${sim!.seedGrant({ scopes: ['files.read'] }).access_token}`, 'xero-tenant-id': DEMO_TENANT_ID },
    }).then((r) => r.json() as Promise<{ Id: string }>);
    expect(uploaded.FolderId).toBe(inbox.Id);
  });

  test('Assets: a fixed asset created, every draft asset listed', async () => {
    const answer = await n8n!.webhook('assets', { asset: 'Delivery van' });
    expect(answer.status).toBe(200);
    const [asset] = await outputOf('assets', 'Create Asset');
    expect(asset).toMatchObject({ assetName: 'Delivery van', assetId: expect.any(String) });
    expect((answer.json as Items).map((a) => a.assetId)).toContain(asset.assetId);
  });

  test("the editor's own lists: the organisation's tax types, and the contact found by name", async () => {
    const node = { name: `${PACKAGE}.xeroGuard`, version: 1 };
    const currentNodeParameters = { resource: 'invoice', operation: 'create', organizationId: { __rl: true, mode: 'id', value: DEMO_TENANT_ID } };
    const credentials = { [CREDENTIAL_TYPE]: work };
    const taxTypes = await n8n!.rest('POST', '/dynamic-node-parameters/options', {
      nodeTypeAndVersion: node,
      path: 'lineItemsUi.lineItemsValues.taxType',
      methodName: 'getTaxTypes',
      currentNodeParameters,
      credentials,
    });
    expect(taxTypes.status).toBe(200);
    expect((taxTypes.json as { data: Array<{ value: string }> }).data.map((o) => o.value)).toEqual(expect.arrayContaining(['OUTPUT2', 'INPUT2', 'NONE']));
  });

  test('Create or Update, an invoice picked by name with the tax type OUTPUT2, a prepayment allocated, the repeating invoices read: twice', async () => {
    const body = { name: `Harbour Florists ${randomUUID().slice(0, 8)}`, email: 'accounts@harbour.test' };
    const contacts: string[] = [];
    for (const run of [1, 2]) {
      const answer = await n8n!.webhook('bookkeeping', { ...body, email: `run${run}@harbour.test` });
      expect({ run, status: answer.status }).toEqual({ run, status: 200 });
      const [contact] = await outputOf<{ ContactID: string }>('bookkeeping', 'Contact');
      contacts.push(contact.ContactID);
      expect(contact).toMatchObject({ Name: body.name, EmailAddress: `run${run}@harbour.test` });
      const [invoice] = await outputOf<{ InvoiceID: string; LineItems: unknown[] }>('bookkeeping', 'Create Invoice');
      expect(invoice).toMatchObject({ Contact: expect.objectContaining({ ContactID: contact.ContactID }), Status: 'AUTHORISED' });
      expect(invoice.LineItems[0]).toMatchObject({ TaxType: 'OUTPUT2' });
      const [allocation] = await outputOf('bookkeeping', 'Allocate');
      expect(allocation).toMatchObject({ Amount: 1, Invoice: expect.objectContaining({ InvoiceID: invoice.InvoiceID }) });
      expect((answer.json as Items)[0]).toMatchObject({ RepeatingInvoiceID: expect.any(String) });
    }
    // The second run updated the contact the first created.
    expect(contacts[1]).toBe(contacts[0]);
    const found = await n8n!.rest('POST', '/dynamic-node-parameters/resource-locator-results', {
      nodeTypeAndVersion: { name: `${PACKAGE}.xeroGuard`, version: 1 },
      path: 'contactId',
      methodName: 'searchContacts',
      filter: body.name.slice(0, 12),
      currentNodeParameters: { resource: 'invoice', operation: 'create', organizationId: { __rl: true, mode: 'id', value: DEMO_TENANT_ID } },
      credentials: { [CREDENTIAL_TYPE]: work },
    });
    expect(found.status).toBe(200);
    expect((found.json as { data: { results: unknown[] } }).data.results).toContainEqual(expect.objectContaining({ name: body.name, value: contacts[0] }));
  });

  test('a chain without payroll.employees is refused before any call, naming the scope, configuration-invalid', async () => {
    const before = requests().length;
    const answer = await n8n!.webhook('missing-scope', { firstName: 'Nobody' });
    expect(answer.status).toBeGreaterThanOrEqual(500);
    const [execution] = await n8n!.executions({ workflowId: workflowIds['missing-scope'], status: 'error', limit: 1 });
    const error = execution.data.resultData.error!;
    expect(error.failure).toEqual({ cause: 'configuration-invalid' });
    expect(error.message).toBe(
      'The Xero credential "Xero without employees" was not granted the scope payroll.employees, which Payroll UK "Create Employee" needs',
    );
    expect(String(error.description)).toMatch(/"Payroll: Employees" under Scopes .* "Switch account"/);
    // Nothing reached the simulator: not the organisation list, not the payroll.
    expect(requests().slice(before)).toEqual([]);
  });
});
