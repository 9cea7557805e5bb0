import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { DEMO_TENANT_ID, type Simulator } from '../../../src/simulator';
import { accountingSim, xero, type Answer, type Envelope, type Pagination, type WireReport, type XeroValidationError } from './accounting-helpers';
import { methodKey, refTarget, type OpenApiDocument } from './support/openapi';

/**
 * Every JSON answer the simulator's Accounting API serves, for every resource, checked against the
 * 200 (or 400) schema that xero_accounting.yaml gives its path. The documents leave objects open,
 * so each record is also checked closed: a field Xero does not document is an invented one (the
 * `...String` date siblings excepted, which Xero sends and the document's own examples show).
 */
const OPENAPI = join(__dirname, '..', '..', '..', 'openapi');
const accounting = parse(readFileSync(join(OPENAPI, 'xero_accounting.yaml'), 'utf8')) as OpenApiDocument;
const schemas = accounting.components.schemas;

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'accounting', components: { schemas } });
const compiled = new Map<string, ValidateFunction>();

const templates = Object.keys(accounting.paths).map((t) => ({ t, parts: t.split('/').slice(1) }));

/** The document's path template for a concrete path: literal segments beat `{param}` ones. */
function templateFor(path: string, method: string): string {
  const parts = path.split('?')[0]!.split('/');
  const candidates = templates.filter(
    (c) =>
      accounting.paths[c.t][methodKey(method)] &&
      c.parts.length === parts.length &&
      c.parts.every((p, i) => p.startsWith('{') || p.toLowerCase() === parts[i]!.toLowerCase()),
  );
  candidates.sort((a, b) => a.parts.filter((p) => p.startsWith('{')).length - b.parts.filter((p) => p.startsWith('{')).length);
  if (!candidates[0]) throw new Error(`no OpenAPI path for ${method} ${path}`);
  return candidates[0].t;
}

function responseSchema(method: string, path: string, status: number): { validate: ValidateFunction; ref: string | null } {
  const template = templateFor(path, method);
  const op = accounting.paths[template][methodKey(method)];
  if (!op) throw new Error(`xero_accounting.yaml has no ${method} ${template}`);
  // Some write operations document no 400; every ValidationException is the Error schema.
  let documented = op.responses[String(status)];
  if (typeof documented?.$ref === 'string') documented = accounting.components.responses![refTarget(documented.$ref)];
  const schema = documented?.content?.['application/json']?.schema ?? (status === 400 ? { $ref: '#/components/schemas/Error' } : undefined);
  if (!schema) throw new Error(`xero_accounting.yaml documents no JSON ${status} for ${method} ${template}`);
  const key = `${method} ${template} ${status}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components/g, '"accounting#/components')));
    compiled.set(key, validate);
  }
  return { validate, ref: typeof schema.$ref === 'string' ? refTarget(schema.$ref) : null };
}

/** Invented fields: keys of each record that the item schema does not list. */
function inventedFields(envelopeName: string | null, body: unknown): string[] {
  if (!envelopeName) return [];
  const envelope = schemas[envelopeName];
  const out: string[] = [];
  for (const [key, prop] of Object.entries(envelope?.properties ?? {})) {
    if (prop.type !== 'array' || !prop.items?.$ref) continue;
    const records = (body as Record<string, unknown>)[key];
    if (!Array.isArray(records)) continue;
    const item = schemas[refTarget(prop.items.$ref)];
    const known = new Set(Object.keys(item?.properties ?? {}));
    for (const record of records as object[]) {
      for (const field of Object.keys(record)) {
        const dateSibling = field.endsWith('String') && known.has(field.slice(0, -'String'.length));
        if (!known.has(field) && !dateSibling) out.push(`${key}.${field}`);
      }
    }
  }
  return [...new Set(out)];
}

const checked: string[] = [];

/** Checks the answer against the document; its body, as the envelope `T` the caller reads. */
function expectDocumented<T = unknown>(method: string, path: string, answer: Answer, status = 200): T {
  expect({ path, status: answer.status, text: answer.status === status ? '' : answer.text.slice(0, 300) }).toEqual({ path, status, text: '' });
  const { validate, ref } = responseSchema(method, path, status);
  const ok = validate(answer.json);
  expect({ path, errors: validate.errors ?? [] }).toEqual({ path, errors: [] });
  expect(ok).toBe(true);
  expect({ path, invented: inventedFields(ref, answer.json) }).toEqual({ path, invented: [] });
  checked.push(`${method} ${templateFor(path, method)}`);
  return answer.json as T;
}

let sim: Simulator;
let token: string;
beforeAll(async () => {
  ({ sim, token } = await accountingSim());
  sim.accounting.seed(DEMO_TENANT_ID, { contacts: 12, invoices: 60, seed: 7 });
});
afterAll(() => sim.close());

const get = <T = unknown>(path: string, headers?: Record<string, string>) => xero<T>(sim, token, 'GET', path, undefined, headers);
const put = <T = unknown>(path: string, body: unknown) => xero<T>(sim, token, 'PUT', path, body);
const post = (path: string, body: unknown) => xero(sim, token, 'POST', path, body);

describe('the Accounting API answers as xero_accounting.yaml documents', () => {
  it('lists, pages and single records of every resource', async () => {
    for (const resource of [
      'Contacts',
      'ContactGroups',
      'Invoices',
      'CreditNotes',
      'Payments',
      'BankTransactions',
      'BankTransfers',
      'Accounts',
      'Items',
      'Quotes',
      'PurchaseOrders',
      'ManualJournals',
      'TrackingCategories',
      'TaxRates',
      'Currencies',
      'Journals',
    ]) {
      expectDocumented('GET', resource, await get(resource));
    }
    for (const resource of ['Invoices', 'Contacts', 'Payments', 'BankTransactions']) {
      const body = expectDocumented<{ pagination?: Pagination }>('GET', `${resource}?page=1&pageSize=5`, await get(`${resource}?page=1&pageSize=5`));
      expect(body.pagination).toEqual(expect.objectContaining({ page: 1, pageSize: 5 }));
    }
    const invoices = expectDocumented<Envelope<'Invoices'>>(
      'GET',
      'Invoices',
      await get('Invoices?page=1&where=Status%3D%3D%22AUTHORISED%22&order=Date%20DESC'),
    ).Invoices;
    const invoice = invoices[0];
    expectDocumented('GET', `Invoices/${invoice.InvoiceID}`, await get(`Invoices/${invoice.InvoiceID}`));
    const contact = (await get<Envelope<'Contacts'>>('Contacts')).json.Contacts[0];
    expectDocumented('GET', `Contacts/${contact.ContactID}`, await get(`Contacts/${contact.ContactID}`));
    const payment = (await get<Envelope<'Payments'>>('Payments')).json.Payments[0];
    expectDocumented('GET', `Payments/${payment.PaymentID}`, await get(`Payments/${payment.PaymentID}`));
    const journal = (await get<Envelope<'Journals'>>('Journals')).json.Journals[0];
    expectDocumented('GET', `Journals/${journal.JournalID}`, await get(`Journals/${journal.JournalID}`));
    const account = (await get<Envelope<'Accounts'>>('Accounts')).json.Accounts[0];
    expectDocumented('GET', `Accounts/${account.AccountID}`, await get(`Accounts/${account.AccountID}`));
  });

  it('writes: create, update, batches with summarizeErrors=false, and validation errors', async () => {
    const contact = expectDocumented<Envelope<'Contacts'>>(
      'PUT',
      'Contacts',
      await put('Contacts', { Contacts: [{ Name: 'Schema Check Ltd', EmailAddress: 'ap@schema.example' }] }),
    ).Contacts[0];
    expectDocumented(
      'POST',
      `Contacts/${contact.ContactID}`,
      await post(`Contacts/${contact.ContactID}`, { Contacts: [{ ContactID: contact.ContactID, FirstName: 'Ana' }] }),
    );
    const group = expectDocumented<Envelope<'ContactGroups'>>('PUT', 'ContactGroups', await put('ContactGroups', { ContactGroups: [{ Name: 'VIP' }] }))
      .ContactGroups[0];
    expectDocumented(
      'PUT',
      `ContactGroups/${group.ContactGroupID}/Contacts`,
      await put(`ContactGroups/${group.ContactGroupID}/Contacts`, { Contacts: [{ ContactID: contact.ContactID }] }),
    );
    const line = { Description: 'Audit', Quantity: 2, UnitAmount: 120, AccountCode: '200' };
    const invoice = expectDocumented<Envelope<'Invoices'>>(
      'PUT',
      'Invoices',
      await put('Invoices', {
        Invoices: [
          { Type: 'ACCREC', Contact: { ContactID: contact.ContactID }, Date: '2026-03-31', DueDate: '2026-04-30', Status: 'AUTHORISED', LineItems: [line] },
        ],
      }),
    ).Invoices[0];
    expectDocumented('POST', `Invoices/${invoice.InvoiceID}`, await post(`Invoices/${invoice.InvoiceID}`, { Invoices: [{ Reference: 'PO 42' }] }));
    const batch = expectDocumented<Envelope<'Invoices'>>(
      'POST',
      'Invoices?summarizeErrors=false',
      await post('Invoices?summarizeErrors=false', {
        Invoices: [
          { Type: 'ACCREC', Contact: { ContactID: contact.ContactID }, LineItems: [line] },
          { Type: 'ACCREC', LineItems: [line] },
        ],
      }),
    );
    expect(batch.Invoices.map((i) => i.StatusAttributeString)).toEqual(['OK', 'ERROR']);
    const invalid = await put<XeroValidationError>('Invoices', { Invoices: [{ Type: 'ACCREC', LineItems: [line] }] });
    expectDocumented('PUT', 'Invoices', invalid, 400);
    expect(invalid.json.Elements[0].ValidationErrors[0].Message).toBe('A Contact must be specified for this type of transaction');
    expectDocumented(
      'PUT',
      `Invoices/${invoice.InvoiceID}/History`,
      await put(`Invoices/${invoice.InvoiceID}/History`, { HistoryRecords: [{ Details: 'Called the customer' }] }),
    );
    expectDocumented('GET', `Invoices/${invoice.InvoiceID}/History`, await get(`Invoices/${invoice.InvoiceID}/History`));
    expectDocumented('GET', `Invoices/${invoice.InvoiceID}/OnlineInvoice`, await get(`Invoices/${invoice.InvoiceID}/OnlineInvoice`));
    expect((await post(`Invoices/${invoice.InvoiceID}/Email`, {})).status).toBe(204);

    const bank = (await get<Envelope<'Accounts'>>('Accounts')).json.Accounts.find((a) => a.Type === 'BANK')!;
    const savings = (await get<Envelope<'Accounts'>>('Accounts')).json.Accounts.filter((a) => a.Type === 'BANK')[1];
    expectDocumented(
      'PUT',
      'Payments',
      await put('Payments', {
        Payments: [{ Invoice: { InvoiceID: invoice.InvoiceID }, Account: { AccountID: bank.AccountID }, Amount: 50, Date: '2026-04-01' }],
      }),
    );
    const credit = expectDocumented<Envelope<'CreditNotes'>>(
      'PUT',
      'CreditNotes',
      await put('CreditNotes', {
        CreditNotes: [
          {
            Type: 'ACCRECCREDIT',
            Contact: { ContactID: contact.ContactID },
            Status: 'AUTHORISED',
            LineItems: [{ Description: 'Refund', Quantity: 1, UnitAmount: 20, AccountCode: '200' }],
          },
        ],
      }),
    ).CreditNotes[0];
    expectDocumented(
      'PUT',
      `CreditNotes/${credit.CreditNoteID}/Allocations`,
      await put(`CreditNotes/${credit.CreditNoteID}/Allocations`, {
        Allocations: [{ Invoice: { InvoiceID: invoice.InvoiceID }, Amount: 10, Date: '2026-04-02' }],
      }),
    );
    expectDocumented('GET', `CreditNotes/${credit.CreditNoteID}`, await get(`CreditNotes/${credit.CreditNoteID}`));
    expectDocumented(
      'PUT',
      'BankTransactions',
      await put('BankTransactions', {
        BankTransactions: [
          {
            Type: 'SPEND',
            Contact: { ContactID: contact.ContactID },
            BankAccount: { Code: bank.Code },
            LineItems: [{ Description: 'Fees', Quantity: 1, UnitAmount: 15, AccountCode: '404' }],
          },
        ],
      }),
    );
    expectDocumented(
      'PUT',
      'BankTransfers',
      await put('BankTransfers', { BankTransfers: [{ FromBankAccount: { Code: bank.Code }, ToBankAccount: { Code: savings.Code }, Amount: 100 }] }),
    );
    expectDocumented('PUT', 'Accounts', await put('Accounts', { Code: '431', Name: 'Subscriptions', Type: 'OVERHEADS' }));
    expectDocumented('PUT', 'Items', await put('Items', { Items: [{ Code: 'AUDIT', Name: 'Audit', SalesDetails: { UnitPrice: 120 } }] }));
    const quote = expectDocumented<Envelope<'Quotes'>>(
      'PUT',
      'Quotes',
      await put('Quotes', { Quotes: [{ Contact: { ContactID: contact.ContactID }, Date: '2026-04-01', ExpiryDate: '2026-04-30', LineItems: [line] }] }),
    ).Quotes[0];
    expectDocumented('GET', `Quotes/${quote.QuoteID}`, await get(`Quotes/${quote.QuoteID}`));
    const po = expectDocumented<Envelope<'PurchaseOrders'>>(
      'PUT',
      'PurchaseOrders',
      await put('PurchaseOrders', {
        PurchaseOrders: [
          {
            Contact: { ContactID: contact.ContactID },
            DeliveryDate: '2026-04-10',
            LineItems: [{ Description: 'Paper', Quantity: 10, UnitAmount: 8, AccountCode: '429' }],
          },
        ],
      }),
    ).PurchaseOrders[0];
    expectDocumented('GET', `PurchaseOrders/${po.PurchaseOrderID}`, await get(`PurchaseOrders/${po.PurchaseOrderID}`));
    expectDocumented(
      'PUT',
      'ManualJournals',
      await put('ManualJournals', {
        ManualJournals: [
          {
            Narration: 'Accrual',
            JournalLines: [
              { LineAmount: 100, AccountCode: '429' },
              { LineAmount: -100, AccountCode: '800' },
            ],
          },
        ],
      }),
    );
    const tracking = expectDocumented<Envelope<'TrackingCategories'>>('PUT', 'TrackingCategories', await put('TrackingCategories', { Name: 'Project' }))
      .TrackingCategories[0];
    expectDocumented(
      'PUT',
      `TrackingCategories/${tracking.TrackingCategoryID}/Options`,
      await put(`TrackingCategories/${tracking.TrackingCategoryID}/Options`, { Options: [{ Name: 'Alpha' }] }),
    );
    expectDocumented('PUT', 'TaxRates', await put('TaxRates', { TaxRates: [{ Name: 'Luxury 20%', TaxComponents: [{ Name: 'Tax', Rate: 20 }] }] }));
    expectDocumented('PUT', 'Currencies', await put('Currencies', { Code: 'AUD', Description: 'Australian Dollar' }));
  });

  it('attachments: upload, list, and the bytes back', async () => {
    const invoice = (await get<Envelope<'Invoices'>>('Invoices?page=1')).json.Invoices[0];
    const bytes = Buffer.from('%PDF-1.4 receipt');
    const up = await xero(sim, token, 'PUT', `Invoices/${invoice.InvoiceID}/Attachments/receipt.pdf`, bytes, { 'content-type': 'application/pdf' });
    expectDocumented('PUT', `Invoices/${invoice.InvoiceID}/Attachments/receipt.pdf`, up);
    expectDocumented('GET', `Invoices/${invoice.InvoiceID}/Attachments`, await get(`Invoices/${invoice.InvoiceID}/Attachments`));
    const back = await get(`Invoices/${invoice.InvoiceID}/Attachments/receipt.pdf`);
    expect(back.headers.get('content-type')).toBe('application/pdf');
    expect(back.bytes.equals(bytes)).toBe(true);
    const contact = (await get<Envelope<'Contacts'>>('Contacts')).json.Contacts[0];
    expectDocumented(
      'PUT',
      `Contacts/${contact.ContactID}/Attachments/card.png`,
      await xero(sim, token, 'PUT', `Contacts/${contact.ContactID}/Attachments/card.png`, Buffer.from([137, 80, 78, 71]), { 'content-type': 'image/png' }),
    );
    const pdf = await get(`Invoices/${invoice.InvoiceID}`, { accept: 'application/pdf' });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.bytes.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
  });

  it('every report', async () => {
    const contact = (await get<Envelope<'Contacts'>>('Contacts')).json.Contacts[0];
    for (const report of [
      'ProfitAndLoss',
      'BalanceSheet',
      'TrialBalance',
      `AgedReceivablesByContact?contactId=${contact.ContactID}`,
      `AgedPayablesByContact?contactId=${contact.ContactID}`,
      'BankSummary',
      'BudgetSummary',
      'ExecutiveSummary',
    ]) {
      const body = expectDocumented<Envelope<'Reports', WireReport>>('GET', `Reports/${report}`, await get(`Reports/${report}`));
      expect(body.Reports[0].Rows.length).toBeGreaterThan(0);
    }
  });

  it('the validators bite: a wrong type, a wrong enum, an invented field', async () => {
    const body = (await get<Envelope<'Invoices'>>('Invoices?page=1&pageSize=1')).json;
    const { validate, ref } = responseSchema('GET', 'Invoices', 200);
    expect(validate({ ...body, Invoices: [{ ...body.Invoices[0], Status: 'SHIPPED' }] })).toBe(false);
    expect(validate({ ...body, Invoices: [{ ...body.Invoices[0], Total: '12.00' }] })).toBe(false);
    expect(validate({ ...body, Invoices: [{ ...body.Invoices[0], InvoiceID: 'not-a-guid' }] })).toBe(false);
    expect(inventedFields(ref, { Invoices: [{ ...body.Invoices[0], Colour: 'red' }] })).toEqual(['Invoices.Colour']);
  });

  afterAll(() => {
    // Each of these is a distinct documented operation the simulator was checked against.
    expect(new Set(checked).size).toBeGreaterThanOrEqual(50);
  });
});
