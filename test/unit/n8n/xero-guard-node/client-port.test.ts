/**
 * The node's port over the real core client (src/xero/accounting) against the simulator as a real HTTP
 * server: what the node's specs become on the wire (paths encoded once, batch answers per element,
 * the 'root' base, the PDF and attachment bytes), the classified failure fields the node reads, and every
 * answer's call budget reaching the sink.
 */
import { SIMULATOR_DEFAULT_SCOPES, DEMO_TENANT_ID, startSimulator, type Simulator } from '../../../../src/simulator';
import { fetchTransport, type HttpRequest } from '../../../../src/xero';
import { staticTokenSource, XeroAccountingClient } from '../../../../src/xero/accounting';
import { clientPath, portOverClient } from '../../../../nodes/XeroGuard/client-port';
import { isXeroPortFailure, type XeroApiPort, type XeroLimits } from '../../../../nodes/XeroGuard/port';
import { spec } from '../../../../nodes/XeroGuard/resources/mapping';

describe('Xero Guard node: the port over the core Accounting client', () => {
  let sim: Simulator;
  let port: XeroApiPort;
  let sent: HttpRequest[];
  let budget: Array<{ tenantId: string; limits: XeroLimits }>;
  let contactId: string;

  beforeAll(async () => {
    sim = await startSimulator({ host: '127.0.0.1' });
    const grant = sim.seedGrant({ scopes: [...SIMULATOR_DEFAULT_SCOPES, 'accounting.transactions', 'accounting.attachments'] });
    sim.accounting.seed(DEMO_TENANT_ID, { contacts: 2, invoices: 250 });
    const client = new XeroAccountingClient({
      tokens: staticTokenSource(grant.access_token),
      endpoints: { apiUrl: sim.apiUrl },
      transport: async (request) => {
        sent.push(request);
        return fetchTransport(request);
      },
    });
    port = portOverClient(
      client,
      async () => [],
      (tenantId, limits) => budget.push({ tenantId, limits }),
    );
  });
  beforeEach(() => {
    sent = [];
    budget = [];
  });
  afterAll(() => sim.close());

  const urlOf = (i = 0) => new URL(sent[i]!.url);

  it("pages a list to its end and feeds every answer's budget to the sink", async () => {
    const records: unknown[] = [];
    for await (const page of port.pages(DEMO_TENANT_ID, spec('GET', '/Invoices', { envelope: 'Invoices', paging: 'page' }))) records.push(...page.records);
    expect(records).toHaveLength(250);
    expect(sent.map((r) => urlOf(sent.indexOf(r)).searchParams.get('page'))).toEqual(['1', '2', '3']);
    expect(budget).toHaveLength(3);
    expect(budget[2]).toEqual({ tenantId: DEMO_TENANT_ID, limits: expect.objectContaining({ dayRemaining: expect.any(Number) }) });
    expect(port.limits(DEMO_TENANT_ID)).toEqual(budget[2]!.limits);
    contactId = (records[0] as { Contact: { ContactID: string } }).Contact.ContactID;
  });

  it("a batch write asks for per-element answers (summarizeErrors=false) and keeps Xero's refusal on its element", async () => {
    const body = { Contacts: [{ Name: `Batch A ${Date.now()}` }, { Name: '' }] };
    const answer = await port.request(DEMO_TENANT_ID, spec('POST', '/Contacts', { envelope: 'Contacts', body, batch: true }), { stableId: 'exec:node:0:0-1' });
    expect(urlOf().searchParams.get('summarizeErrors')).toBe('false');
    expect(sent[0]!.headers['idempotency-key']).toEqual(expect.any(String));
    const results = (answer.body as { Contacts: Array<{ HasValidationErrors?: boolean; ValidationErrors?: unknown[] }> }).Contacts;
    expect(results).toHaveLength(2);
    expect(results[1]!.ValidationErrors?.length).toBeGreaterThan(0);
  });

  it("decodes the node's encoded path segments once: a file name with a space is stored as typed", async () => {
    const list = await port.request(DEMO_TENANT_ID, spec('GET', '/Invoices', { envelope: 'Invoices', query: { page: '1', pageSize: '1' } }));
    const invoiceId = (list.body as { Invoices: Array<{ InvoiceID: string }> }).Invoices[0]!.InvoiceID;
    const pdf = await port.download(DEMO_TENANT_ID, spec('GET', `/Invoices/${invoiceId}`, { binary: { direction: 'download', accept: 'application/pdf' } }));
    expect(pdf.mimeType).toBe('application/pdf');
    expect(pdf.data.subarray(0, 5).toString()).toBe('%PDF-');
    const name = 'copy of invoice #1.pdf';
    const uploaded = await port.upload(
      DEMO_TENANT_ID,
      spec('PUT', `/Invoices/${invoiceId}/Attachments/${encodeURIComponent(name)}`, {
        envelope: 'Attachments',
        binary: { direction: 'upload', binaryProperty: 'data', fileName: name },
      }),
      { data: pdf.data, mimeType: 'application/pdf', fileName: name },
      { stableId: 'exec:node:0:0' },
    );
    expect((uploaded.body as { Attachments: Array<{ FileName: string; ContentLength: number }> }).Attachments[0]).toMatchObject({
      FileName: name,
      ContentLength: pdf.data.length,
    });
    expect(sent[sent.length - 1]!.url).toContain('copy%20of%20invoice%20%231.pdf');
    expect(() => clientPath(`/Invoices/${encodeURIComponent('a/b')}`)).toThrow(/contains a "\/"/);
  });

  it("a Custom API Call's text page numbers and the Accounting prefix in its path reach the client as it counts them", async () => {
    const records: unknown[] = [];
    const custom = spec('GET', '/api.xro/2.0/Invoices/', { envelope: 'Invoices', paging: 'page', query: { page: '2', pageSize: '100' } });
    for await (const page of port.pages(DEMO_TENANT_ID, custom)) records.push(...page.records);
    expect(records).toHaveLength(150);
    expect(sent.map((r) => new URL(r.url).searchParams.get('page'))).toEqual(['2', '3']);
    expect(urlOf().pathname).toBe('/api.xro/2.0/Invoices');
  });

  it("the 'root' base reaches api.xero.com paths outside the Accounting API", async () => {
    const answer = await port.request(DEMO_TENANT_ID, spec('GET', '/connections', { base: 'root' }));
    expect(urlOf().pathname).toBe('/connections');
    expect((answer.body as Array<{ tenantId: string }>).map((t) => t.tenantId)).toContain(DEMO_TENANT_ID);
  });

  it('a Custom API Call cannot override the headers the client owns', async () => {
    const failure = await port
      .request(DEMO_TENANT_ID, spec('GET', '/Organisation', { headers: { 'Xero-Tenant-Id': 'someone-else' } }))
      .catch((e: unknown) => e);
    expect(isXeroPortFailure(failure)).toBe(true);
    expect(String((failure as Error).message)).toMatch(/set by Xero Guard itself/);
    expect(sent).toHaveLength(0);
  });

  it("a refusal arrives with the classification and Xero's words, and its budget still reaches the sink", async () => {
    const draft = await port.request(
      DEMO_TENANT_ID,
      spec('PUT', '/Invoices', {
        envelope: 'Invoices',
        body: {
          Invoices: [
            {
              Type: 'ACCREC',
              Contact: { ContactID: contactId },
              Status: 'DRAFT',
              LineItems: [{ Description: 'x', Quantity: 1, UnitAmount: 1, AccountCode: '200', TaxType: 'NONE' }],
            },
          ],
        },
      }),
      { stableId: 'exec:node:0:9' },
    );
    const invoiceId = (draft.body as { Invoices: Array<{ InvoiceID: string }> }).Invoices[0]!.InvoiceID;
    budget = [];
    const failure = await port
      .request(DEMO_TENANT_ID, spec('POST', `/Invoices/${invoiceId}/Email`, { body: {} }), { stableId: 'exec:node:0:10' })
      .catch((e: unknown) => e);
    expect(isXeroPortFailure(failure)).toBe(true);
    expect(failure).toMatchObject({
      category: 'validation_error',
      httpStatus: 400,
      validationMessages: ['Only sales invoices that are AUTHORISED or PAID can be emailed.'],
    });
    expect(budget).toHaveLength(1);
  });
});
