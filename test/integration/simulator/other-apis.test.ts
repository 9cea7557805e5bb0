import { ManualClock } from '../../../src/clock';
import { DEMO_TENANT_ID, SECOND_TENANT_ID, startSimulator, type Simulator } from '../../../src/simulator';
import { answerOf, type Answer, type Envelope, type Pagination, type WireRecord } from './accounting-helpers';
import { ALL_SCOPES, NOW, UK_TENANT_ID, connect } from './support/walk';

/**
 * What the generic store does with Xero's other APIs, each in its own words: records kept and read
 * back, pages in each API's style, the documents' examples as a fresh organisation's data, scopes and
 * organisations enforced as at the Accounting API, Files uploads as multipart, actions, refusals in
 * each API's error shape, and Idempotency-Key.
 */

let sim: Simulator;
let token: string;
beforeEach(async () => {
  sim = await startSimulator({ clock: new ManualClock(NOW) });
  token = connect(sim);
});
afterEach(() => sim.close());

async function xero<T = unknown>(
  method: string,
  path: string,
  options: { body?: unknown; tenant?: string; headers?: Record<string, string>; raw?: Buffer; as?: string } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.as ?? token}`,
    'xero-tenant-id': options.tenant ?? UK_TENANT_ID,
    accept: 'application/json',
    ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...options.headers,
  };
  const body = options.raw ? new Uint8Array(options.raw) : options.body !== undefined ? JSON.stringify(options.body) : undefined;
  return answerOf<T>(await fetch(`${sim.apiUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) }));
}

/** Payroll UK's employee, and its answers for one and for a page. */
type UkEmployee = { employeeID: string; [field: string]: unknown };
type OneEmployee = { employee: UkEmployee; problem?: unknown };
type UkEmployees = { employees: UkEmployee[]; pagination: Pagination };
/** Payroll AU's employees: the Accounting API's envelope. */
type AuEmployees = Envelope<'Employees', { EmployeeID: string; FirstName: string }> & { Status: string };
/** Projects and Assets: `items`, with `pagination`. */
type Items<T = WireRecord> = { items: T[]; pagination: Pagination };
/** The Files API's refusal: a list of problems. */
type FilesProblem = Array<{ type: string; title: string; detail: string }>;
/** The Accounting API's repeating invoices, as the book does not model them. */
type RepeatingInvoices = Envelope<'RepeatingInvoices', { RepeatingInvoiceID: string }> & { Status: string };
/** The Files API's page. */
type FilesPage = { Items: Array<{ Id: string }>; Page: number; PerPage: number; TotalCount: number };

const EMPLOYEE = {
  title: 'Ms',
  firstName: 'Aroha',
  lastName: 'Ngata',
  dateOfBirth: '1990-05-17',
  gender: 'F',
  address: { addressLine1: '1 High Street', city: 'Leeds', postCode: 'LS1 1AA' },
};

describe('Payroll UK: a stateful store under /payroll.xro/2.0', () => {
  it('creates an employee, reads it back, changes it and lists it, in the document’s shapes', async () => {
    const created = await xero<OneEmployee>('POST', '/payroll.xro/2.0/Employees', { body: EMPLOYEE });
    expect(created.status).toBe(200);
    const id = created.json.employee.employeeID;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.json.employee).toMatchObject({ firstName: 'Aroha', lastName: 'Ngata', dateOfBirth: '1990-05-17' });
    expect(created.json.problem).toBeUndefined();

    const read = await xero<OneEmployee>('GET', `/payroll.xro/2.0/Employees/${id}`);
    expect(read.json.employee).toEqual(created.json.employee);

    const changed = await xero<OneEmployee>('PUT', `/payroll.xro/2.0/Employees/${id}`, { body: { ...EMPLOYEE, firstName: 'Hana' } });
    expect(changed.json.employee).toMatchObject({ employeeID: id, firstName: 'Hana' });

    const list = await xero<UkEmployees>('GET', '/payroll.xro/2.0/Employees?page=1');
    expect(list.json.employees.map((e) => e.employeeID)).toContain(id);
    expect(list.json.pagination).toEqual({ page: 1, pageSize: 100, pageCount: 1, itemCount: list.json.employees.length });
  });

  it('starts from the document’s examples, and a collection below a new record starts empty', async () => {
    const list = await xero<UkEmployees>('GET', '/payroll.xro/2.0/Employees');
    expect(list.json.employees.length).toBeGreaterThan(0);
    const example = list.json.employees[0].employeeID;
    expect((await xero<{ leave: unknown[] }>('GET', `/payroll.xro/2.0/Employees/${example}/Leave`)).json.leave.length).toBeGreaterThan(0);
    const mine = (await xero<OneEmployee>('POST', '/payroll.xro/2.0/Employees', { body: EMPLOYEE })).json.employee.employeeID;
    expect((await xero<{ leave: unknown[] }>('GET', `/payroll.xro/2.0/Employees/${mine}/Leave`)).json.leave).toEqual([]);
    expect((await xero('GET', '/payroll.xro/2.0/Employees/00000000-0000-0000-0000-00000000abcd/Leave')).status).toBe(404);
  });

  it('refuses a record without what the document requires, in its Problem shape, naming the fields', async () => {
    const refused = await xero<{ invalidFields: Array<{ name: string }> }>('POST', '/payroll.xro/2.0/Employees', { body: { firstName: 'Only' } });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ title: 'BadRequest', status: '400' });
    expect(refused.json.invalidFields.map((f) => f.name)).toEqual(expect.arrayContaining(['lastName', 'dateOfBirth', 'address']));
  });

  it('approves a timesheet (the action moves its status, in the document’s spelling) and deletes it', async () => {
    const list = (await xero<{ timesheets: Array<{ timesheetID: string }> }>('GET', '/payroll.xro/2.0/Timesheets')).json.timesheets;
    const id = list[0].timesheetID;
    const approved = await xero<{ timesheet: { status: string } }>('POST', `/payroll.xro/2.0/Timesheets/${id}/Approve`);
    expect(approved.json.timesheet.status).toBe('Approved');
    expect((await xero('DELETE', `/payroll.xro/2.0/Timesheets/${id}`)).status).toBe(200);
    expect((await xero('GET', `/payroll.xro/2.0/Timesheets/${id}`)).status).toBe(404);
  });

  it('answers with the payroll of the organisation’s country, and 404 where it has none', async () => {
    const nz = await xero<UkEmployees>('GET', '/payroll.xro/2.0/Employees', { tenant: DEMO_TENANT_ID });
    expect(nz.status).toBe(200);
    // NZ's employees are NZ payroll's: the UK-only opening balances path is not NZ's.
    expect((await xero('GET', '/payroll.xro/2.0/Employees/' + nz.json.employees[0].employeeID + '/ukopeningbalances', { tenant: DEMO_TENANT_ID })).status).toBe(
      404,
    );
    // AU's /payroll.xro/2.0 is Payroll AU v2 (timesheets only); AU employees are at /payroll.xro/1.0.
    expect((await xero('GET', '/payroll.xro/2.0/Timesheets', { tenant: SECOND_TENANT_ID })).status).toBe(200);
    expect((await xero('GET', '/payroll.xro/2.0/Employees', { tenant: SECOND_TENANT_ID })).status).toBe(404);
    expect((await xero<AuEmployees>('GET', '/payroll.xro/1.0/Employees', { tenant: SECOND_TENANT_ID })).json.Employees.length).toBeGreaterThan(0);
    expect((await xero('GET', '/payroll.xro/1.0/Employees', { tenant: UK_TENANT_ID })).status).toBe(404);
  });
});

describe('scopes and organisations, as at the Accounting API', () => {
  it('a chain without the operation’s scope gets 401 AuthorizationUnsuccessful; with the read scope it reads but cannot write', async () => {
    const readOnly = connect(
      sim,
      ALL_SCOPES.filter((s) => s !== 'payroll.employees'),
    );
    const read = await xero('GET', '/payroll.xro/2.0/Employees', { as: readOnly });
    expect(read.status).toBe(200);
    const write = await xero('POST', '/payroll.xro/2.0/Employees', { as: readOnly, body: EMPLOYEE });
    expect(write.status).toBe(401);
    expect(write.json).toMatchObject({ Title: 'Unauthorized', Detail: 'AuthorizationUnsuccessful' });
    const none = connect(
      sim,
      ALL_SCOPES.filter((s) => !s.startsWith('projects')),
    );
    expect((await xero('GET', '/projects.xro/2.0/Projects', { as: none, tenant: DEMO_TENANT_ID })).status).toBe(401);
  });

  it('an organisation the token does not reach gets 403; a refused one too; the tenant header is required', async () => {
    expect((await xero('GET', '/projects.xro/2.0/Projects', { tenant: '0d1c2b3a-4f5e-4b5b-9d4e-a3c3ee1f0000' })).status).toBe(403);
    const noHeader = await fetch(`${sim.apiUrl}/assets.xro/1.0/AssetTypes`, { headers: { authorization: `Bearer ${token}` } });
    expect(noHeader.status).toBe(403);
    sim.refuseTenant(DEMO_TENANT_ID, true);
    expect((await xero('GET', '/files.xro/1.0/Files', { tenant: DEMO_TENANT_ID })).status).toBe(403);
  });

  it('a path no API has is a 404 before anything else; an expired token a 401', async () => {
    expect((await xero('GET', '/projects.xro/2.0/Nothing', { as: 'not-a-token' })).status).toBe(404);
    expect((await xero('GET', '/projects.xro/2.0/Projects', { as: 'not-a-token', tenant: DEMO_TENANT_ID })).status).toBe(401);
  });
});

describe('paging in each API’s own style', () => {
  it('Projects: page and pageSize, with pagination counts', async () => {
    for (let i = 0; i < 3; i++)
      expect(
        (await xero('POST', '/projects.xro/2.0/Projects', { tenant: DEMO_TENANT_ID, body: { contactId: SECOND_TENANT_ID, name: `Job ${i}` } })).status,
      ).toBe(201);
    const all = (await xero<Items<{ projectId: string }>>('GET', '/projects.xro/2.0/Projects', { tenant: DEMO_TENANT_ID })).json;
    const page2 = (await xero<Items<{ projectId: string }>>('GET', '/projects.xro/2.0/Projects?page=2&pageSize=2', { tenant: DEMO_TENANT_ID })).json;
    expect(page2.pagination).toEqual({ page: 2, pageSize: 2, pageCount: Math.ceil(all.pagination.itemCount / 2), itemCount: all.pagination.itemCount });
    expect(page2.items.map((p) => p.projectId)).toEqual(all.items.slice(2, 4).map((p) => p.projectId));
    // The document's limit: between 1 and 500.
    expect((await xero<Items>('GET', '/projects.xro/2.0/Projects?pageSize=5000', { tenant: DEMO_TENANT_ID })).json.pagination.pageSize).toBe(500);
  });

  it('Files: pagesize and page, with TotalCount, Page and PerPage', async () => {
    const files = (await xero<FilesPage>('GET', '/files.xro/1.0/Files?pagesize=1&page=1', { tenant: DEMO_TENANT_ID })).json;
    expect(Object.keys(files).sort()).toEqual(['Items', 'Page', 'PerPage', 'TotalCount']);
    expect(files).toMatchObject({ Page: 1, PerPage: 1 });
    expect(files.Items).toHaveLength(1);
  });

  it('Payroll AU: page only, every record when no page is asked for, as the Accounting API', async () => {
    const all = (await xero<AuEmployees>('GET', '/payroll.xro/1.0/Employees', { tenant: SECOND_TENANT_ID })).json;
    expect(all.Status).toBe('OK');
    expect(all.pagination).toBeUndefined();
    const beyond = (await xero<AuEmployees>('GET', '/payroll.xro/1.0/Employees?page=2', { tenant: SECOND_TENANT_ID })).json;
    expect(beyond.Employees).toEqual([]);
  });

  it('filters by the parameters that name fields: Assets by status, Payroll AU by where', async () => {
    const draft = (await xero<Items<{ assetStatus: string }>>('GET', '/assets.xro/1.0/Assets?status=DRAFT', { tenant: DEMO_TENANT_ID })).json.items;
    const registered = (await xero<Items<{ assetStatus: string }>>('GET', '/assets.xro/1.0/Assets?status=REGISTERED', { tenant: DEMO_TENANT_ID })).json.items;
    // The query's enum is DRAFT, REGISTERED, DISPOSED; the record's Draft, Registered, Disposed.
    expect(draft.length + registered.length).toBeGreaterThan(0);
    for (const a of draft) expect(a.assetStatus).toBe('Draft');
    for (const a of registered) expect(a.assetStatus).toBe('Registered');
    const first = (await xero<AuEmployees>('GET', '/payroll.xro/1.0/Employees', { tenant: SECOND_TENANT_ID })).json.Employees[0];
    const where = encodeURIComponent(`FirstName=="${first.FirstName}"`);
    const found = (await xero<AuEmployees>('GET', `/payroll.xro/1.0/Employees?where=${where}`, { tenant: SECOND_TENANT_ID })).json.Employees;
    expect(found.map((e) => e.EmployeeID)).toContain(first.EmployeeID);
    expect(found.every((e) => e.FirstName === first.FirstName)).toBe(true);
    const bad = await xero('GET', `/payroll.xro/1.0/Employees?where=${encodeURIComponent('Shoe=="9"')}`, { tenant: SECOND_TENANT_ID });
    expect(bad.json).toMatchObject({ Type: 'QueryParseException' });
  });
});

describe('Files: multipart uploads, content, the Inbox', () => {
  function multipart(fields: Record<string, string>, file: Buffer): { raw: Buffer; type: string } {
    const boundary = 'xero-guard-test-boundary';
    const parts = [
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="body"; filename="receipt.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
      file,
      Buffer.from('\r\n'),
      ...Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)),
      Buffer.from(`--${boundary}--\r\n`),
    ];
    return { raw: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
  }

  it('an upload lands in the Inbox and its bytes come back unchanged', async () => {
    const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d]);
    const { raw, type } = multipart({ name: 'receipt.pdf', filename: 'receipt.pdf', mimeType: 'application/pdf' }, bytes);
    const up = await xero<{ Id: string; FolderId: string }>('POST', '/files.xro/1.0/Files', { tenant: DEMO_TENANT_ID, raw, headers: { 'content-type': type } });
    expect(up.status).toBe(201);
    expect(up.json).toMatchObject({ Name: 'receipt.pdf', MimeType: 'application/pdf', Size: bytes.length });
    const inbox = (await xero<{ Id: string; IsInbox: boolean }>('GET', '/files.xro/1.0/Inbox', { tenant: DEMO_TENANT_ID })).json;
    expect(inbox.IsInbox).toBe(true);
    expect(up.json.FolderId).toBe(inbox.Id);
    const content = await xero('GET', `/files.xro/1.0/Files/${up.json.Id}/Content`, { tenant: DEMO_TENANT_ID });
    expect(content.headers.get('content-type')).toBe('application/pdf');
    expect(content.bytes.equals(bytes)).toBe(true);
    const listed = (await xero<FilesPage>('GET', '/files.xro/1.0/Files', { tenant: DEMO_TENANT_ID })).json.Items.map((f) => f.Id);
    expect(listed).toContain(up.json.Id);
  });

  it('refuses an upload that is not multipart, or lacks the file, in the Files shape', async () => {
    const json = await xero<FilesProblem>('POST', '/files.xro/1.0/Files', { tenant: DEMO_TENANT_ID, body: { name: 'x' } });
    expect(json.status).toBe(400);
    expect(json.json[0]).toMatchObject({ type: 'Validation', title: 'Validation failure' });
    const { raw, type } = multipart({ name: 'empty.pdf', filename: 'empty.pdf' }, Buffer.alloc(0));
    const empty = await xero<FilesProblem>('POST', '/files.xro/1.0/Files', { tenant: DEMO_TENANT_ID, raw, headers: { 'content-type': type } });
    expect(empty.status).toBe(400);
    expect(empty.json[0].detail).toMatch(/body is required/);
  });

  it('associations are read back by their object and counted', async () => {
    const file = (await xero<FilesPage>('GET', '/files.xro/1.0/Files', { tenant: DEMO_TENANT_ID })).json.Items[0];
    const objectId = '5d2a6a5a-9c1d-4b5e-8f3a-7e6d5c4b3a21';
    const made = await xero('POST', `/files.xro/1.0/Files/${file.Id}/Associations`, {
      tenant: DEMO_TENANT_ID,
      body: { ObjectId: objectId, ObjectGroup: 'Invoice', ObjectType: 'AccRec' },
    });
    expect(made.status).toBe(201);
    const byObject = (await xero<Array<{ FileId: string }>>('GET', `/files.xro/1.0/Associations/${objectId}`, { tenant: DEMO_TENANT_ID })).json;
    expect(byObject.map((a) => a.FileId)).toEqual([file.Id]);
    expect((await xero('GET', `/files.xro/1.0/Associations/Count?ObjectIds=${objectId}`, { tenant: DEMO_TENANT_ID })).json).toEqual({ [objectId]: 1 });
  });
});

describe('writes everywhere honour Idempotency-Key', () => {
  it('the same key and request replays the first answer and makes one record', async () => {
    const headers = { 'Idempotency-Key': 'walk-project-1' };
    const first = await xero('POST', '/projects.xro/2.0/Projects', { tenant: DEMO_TENANT_ID, body: { contactId: DEMO_TENANT_ID, name: 'Once' }, headers });
    const again = await xero('POST', '/projects.xro/2.0/Projects', { tenant: DEMO_TENANT_ID, body: { contactId: DEMO_TENANT_ID, name: 'Once' }, headers });
    expect(again.json).toEqual(first.json);
    const named = (await xero<Items<{ name: string }>>('GET', '/projects.xro/2.0/Projects?pageSize=500', { tenant: DEMO_TENANT_ID })).json.items.filter(
      (p) => p.name === 'Once',
    );
    expect(named).toHaveLength(1);
    const other = await xero('POST', '/projects.xro/2.0/Projects', { tenant: DEMO_TENANT_ID, body: { contactId: DEMO_TENANT_ID, name: 'Twice' }, headers });
    expect(other.status).toBe(409);
  });
});

describe('the Accounting operations the book does not model', () => {
  it('a repeating invoice, a prepayment and a batch payment are there to read, from the document’s examples', async () => {
    const repeating = (await xero<RepeatingInvoices>('GET', '/api.xro/2.0/RepeatingInvoices', { tenant: DEMO_TENANT_ID })).json;
    expect(repeating.Status).toBe('OK');
    expect(repeating.RepeatingInvoices.length).toBeGreaterThan(0);
    const one = repeating.RepeatingInvoices[0].RepeatingInvoiceID;
    expect(
      (await xero<RepeatingInvoices>('GET', `/api.xro/2.0/RepeatingInvoices/${one}`, { tenant: DEMO_TENANT_ID })).json.RepeatingInvoices[0].RepeatingInvoiceID,
    ).toBe(one);
    expect((await xero<Envelope<'Prepayments'>>('GET', '/api.xro/2.0/Prepayments?page=1', { tenant: DEMO_TENANT_ID })).json.pagination!.page).toBe(1);
  });

  it('allocating a prepayment to an invoice keeps the allocation', async () => {
    const prepayment = (await xero<Envelope<'Prepayments', { PrepaymentID: string }>>('GET', '/api.xro/2.0/Prepayments', { tenant: DEMO_TENANT_ID })).json
      .Prepayments[0];
    const invoiceId = '1c0a3b2d-8f4e-4d6a-9b7c-2e1f0a9b8c7d';
    const made = await xero<Envelope<'Allocations'>>('PUT', `/api.xro/2.0/Prepayments/${prepayment.PrepaymentID}/Allocations`, {
      tenant: DEMO_TENANT_ID,
      body: { Allocations: [{ Invoice: { InvoiceID: invoiceId }, Amount: 1, Date: '2026-04-01' }] },
    });
    expect(made.status).toBe(200);
    expect(made.json.Allocations[0]).toMatchObject({ Amount: 1, Invoice: { InvoiceID: invoiceId } });
  });
});
