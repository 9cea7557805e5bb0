/**
 * The Xero Guard node's executor over the real core client against the simulator as a real HTTP server:
 * what the node's parameters become on the wire and what Xero's answers become as items (a list paged to
 * its end, batch answers per element, a file name stored as typed, the 'root' base, the PDF and
 * attachment bytes), and the classified failures the node reads.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';
import { DEMO_TENANT_ID, SIMULATOR_DEFAULT_SCOPES, startSimulator, type Simulator } from '../../../../src/simulator';
import type { HttpRequest } from '../../../../src/xero';
import { executeXeroGuard } from '../../../../nodes/XeroGuard/execute';
import type { SessionClient } from '../../../../nodes/shared/api-node/session-client';
import { fakeExecute, simulatorClient } from './stand-in';

describe('Xero Guard node: parameters to the wire and back, against the simulator', () => {
  let sim: Simulator;
  let session: SessionClient;
  let sent: HttpRequest[];
  let contactId: string;

  beforeAll(async () => {
    sim = await startSimulator({ host: '127.0.0.1' });
    const grant = sim.seedGrant({ scopes: [...SIMULATOR_DEFAULT_SCOPES, 'accounting.transactions', 'accounting.attachments'] });
    sim.accounting.seed(DEMO_TENANT_ID, { contacts: 2, invoices: 250 });
    session = {
      client: simulatorClient(sim.apiUrl, grant.access_token, (request) => sent.push(request)),
      organisations: async () => [{ tenantId: DEMO_TENANT_ID, tenantName: 'Demo Company (NZ)', tenantType: 'ORGANISATION' }],
    };
  });
  beforeEach(() => {
    sent = [];
  });
  afterAll(() => sim.close());

  const urlOf = (i = 0) => new URL(sent[i]!.url);
  const run = async (parameters: IDataObject | IDataObject[], continueOnFail = false, items?: Parameters<typeof fakeExecute>[0]['items']) => {
    const [out] = await executeXeroGuard(fakeExecute({ parameters, continueOnFail, items }), session);
    return out;
  };

  it('pages a list to its end, one item per record', async () => {
    const out = await run({ resource: 'invoice', operation: 'getAll', returnAll: true });
    expect(out).toHaveLength(250);
    expect(sent.map((_, i) => urlOf(i).searchParams.get('page'))).toEqual(['1', '2', '3']);
    expect(out[0].json).toMatchObject({ tenantId: DEMO_TENANT_ID, xeroLimits: { dayRemaining: expect.any(Number) } });
    contactId = (out[0].json.Contact as { ContactID: string }).ContactID;
  });

  it("a batch asks for per-element answers (summarizeErrors=false) and puts Xero's refusal on its own item", async () => {
    const out = await run(
      [{}, { emailAddress: 'not an address' }].map((additionalFields, i) => ({
        resource: 'contact',
        operation: 'create',
        name: `Batch ${i} ${Date.now()}`,
        additionalFields,
        xeroGuardSettings: { batchSize: 10 },
      })),
      true,
    );
    expect(sent).toHaveLength(1);
    expect(urlOf().searchParams.get('summarizeErrors')).toBe('false');
    expect(sent[0]!.headers['idempotency-key']).toEqual(expect.any(String));
    expect(out[0]).toMatchObject({ pairedItem: { item: 0 }, json: { ContactID: expect.any(String) } });
    expect(out[1]).toMatchObject({ pairedItem: { item: 1 }, json: { category: 'validation_error', validationMessages: ['Email address must be valid.'] } });
  });

  it('a file name with a space and a "#" is stored as typed, and the PDF and the attachment come back as bytes', async () => {
    const [first] = await run({ resource: 'invoice', operation: 'getAll', returnAll: false, limit: 1 });
    const invoiceId = String(first!.json.InvoiceID);
    sent = [];
    const [pdf] = await run({ resource: 'invoice', operation: 'downloadPdf', invoiceId, binaryPropertyName: 'pdf' });
    expect(pdf!.json).toMatchObject({ mimeType: 'application/pdf' });
    const bytes = Buffer.from(pdf!.binary!.pdf!.data, 'base64');
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');

    const name = 'copy of invoice #1.pdf';
    const item = { json: {}, binary: { file: { data: bytes.toString('base64'), mimeType: 'application/pdf', fileName: 'x.pdf' } } };
    const [uploaded] = await run(
      { resource: 'attachment', operation: 'upload', parentType: 'Invoices', parentId: invoiceId, fileName: name, binaryPropertyName: 'file' },
      false,
      [item],
    );
    expect(uploaded!.json).toMatchObject({ FileName: name, ContentLength: bytes.length });
    expect(sent[sent.length - 1]!.url).toContain('/Attachments/copy%20of%20invoice%20%231.pdf');

    const [back] = await run({
      resource: 'attachment',
      operation: 'download',
      parentType: 'Invoices',
      parentId: invoiceId,
      fileName: name,
      binaryPropertyName: 'data',
    });
    expect(Buffer.from(back!.binary!.data!.data, 'base64').equals(bytes)).toBe(true);
  });

  it("a Custom API Call's text page numbers and the Accounting prefix in its path reach the client as it counts them", async () => {
    const out = await run({
      resource: 'customApiCall',
      operation: 'call',
      api: 'accounting',
      method: 'GET',
      path: '/api.xro/2.0/Invoices/',
      query: '{"page": "2", "pageSize": "100"}',
      recordsField: 'Invoices',
      allPages: true,
    });
    expect(out).toHaveLength(150);
    expect(sent.map((_, i) => urlOf(i).searchParams.get('page'))).toEqual(['2', '3']);
    expect(urlOf().pathname).toBe('/api.xro/2.0/Invoices');
  });

  it("the 'root' base reaches api.xero.com paths outside the Accounting API", async () => {
    const out = await run({ resource: 'customApiCall', operation: 'call', api: 'root', method: 'GET', path: '/connections' });
    expect(urlOf().pathname).toBe('/connections');
    expect(out.map((o) => o.json.tenantId)).toContain(DEMO_TENANT_ID);
  });

  it('a Custom API Call cannot override the headers the client owns', async () => {
    const error = await run({
      resource: 'customApiCall',
      operation: 'call',
      method: 'GET',
      path: '/Organisation',
      headers: { 'Xero-Tenant-Id': 'someone-else' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeApiError);
    expect((error as NodeApiError).message).toMatch(/set by Xero Guard itself/);
    expect(sent).toHaveLength(0);
  });

  it("a refusal arrives with the classification and Xero's words", async () => {
    const line = { description: 'x', quantity: 1, unitAmount: '1', accountCode: '200', taxType: 'NONE' };
    const [draft] = await run({
      resource: 'invoice',
      operation: 'create',
      type: 'ACCREC',
      contactId,
      lineItemsUi: { lineItemsValues: [line] },
      additionalFields: { status: 'DRAFT' },
    });
    const error = (await run({ resource: 'invoice', operation: 'email', invoiceId: String(draft!.json.InvoiceID) }).catch((e: unknown) => e)) as NodeApiError;
    expect(error).toBeInstanceOf(NodeApiError);
    expect(error.httpCode).toBe('400');
    expect(error.context.xero).toMatchObject({
      category: 'validation_error',
      httpStatus: 400,
      validationMessages: ['Only sales invoices that are AUTHORISED or PAID can be emailed.'],
    });
  });
});
