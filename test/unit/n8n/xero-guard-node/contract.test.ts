/**
 * The contract of every resource and operation of the Xero Guard node: the request it plans in the core
 * client's own options (checked as planned, with no I/O), what of it reaches the wire through the real
 * core client (path encoded once, query, headers, Idempotency-Key, body), and how the answer becomes items.
 */
import type { IDataObject } from 'n8n-workflow';
import { deriveIdempotencyKey, type XeroMethod, type XeroQuery } from '../../../../src/xero/accounting';
import { executeXeroGuard, planItem } from '../../../../nodes/XeroGuard/execute';
import { HAND_MADE } from '../../../../nodes/XeroGuard/resources';
import type { PlannedRequest } from '../../../../nodes/shared/api-node/types';
import { FakeXero, fakeExecute, file, json, LIMITS, TENANT_A } from './stand-in';

/** What the node must plan and send for one resource and operation, and where the records of the answer sit. */
interface Case {
  parameters: IDataObject;
  kind?: PlannedRequest['kind'];
  method: XeroMethod;
  /** The path below the API's base as it reaches the wire: each segment encoded once. */
  path: string;
  query?: XeroQuery;
  headers?: Record<string, string>;
  body?: unknown;
  /** The rest of the planned core options: paging, ifModifiedSince, accept, base, includeOnline. */
  options?: IDataObject;
  /** The rest of the plan: batchPath, limit, binaryProperty, fileName. */
  plan?: IDataObject;
  /** The answer's envelope (records come back from it), or null for an answer without records. */
  envelope?: string | null;
}

const ID = 'aaaaaaaa-0000-4000-8000-000000000001';
const rec = { Name: 'Acme' };
const SINCE = '2026-01-01T00:00:00.000Z';

/** Create / get / get many / update / removal for the endpoints that share Xero's collection shape. */
function entity(
  plural: string,
  idParam: string,
  idKey: string,
  ops: {
    create?: 'PUT';
    update?: true;
    get?: false;
    getAll: XeroQuery;
    remove?: Record<string, 'DELETE' | string>;
    paging?: 'page' | 'none';
    pdf?: true;
    since?: false;
  },
): Record<string, Case> {
  const cases: Record<string, Case> = {};
  const withId = { [idParam]: ID };
  const batchable = { batchPath: [plural] };
  if (ops.create)
    cases.create = {
      parameters: { fields: JSON.stringify(rec) },
      method: 'PUT',
      path: `/${plural}`,
      body: { [plural]: [rec] },
      envelope: plural,
      plan: batchable,
    };
  if (ops.get !== false) cases.get = { parameters: withId, method: 'GET', path: `/${plural}/${ID}`, envelope: plural };
  cases.getAll = {
    parameters: { returnAll: true, options: { where: 'Name=="x"', orderBy: 'Name', sortOrder: 'ASC', modifiedSince: SINCE } },
    kind: 'list',
    method: 'GET',
    path: `/${plural}`,
    query: ops.getAll,
    options: { paging: ops.paging ?? 'page', ...(ops.since === false ? {} : { ifModifiedSince: SINCE }) },
    envelope: plural,
  };
  if (ops.update)
    cases.update = {
      parameters: { ...withId, fields: { Name: 'New' } },
      method: 'POST',
      path: `/${plural}/${ID}`,
      body: { [plural]: [{ Name: 'New', [idKey]: ID }] },
      envelope: plural,
      plan: batchable,
    };
  for (const [op, how] of Object.entries(ops.remove ?? {}))
    cases[op] =
      how === 'DELETE'
        ? { parameters: withId, method: 'DELETE', path: `/${plural}/${ID}`, envelope: plural }
        : { parameters: withId, method: 'POST', path: `/${plural}/${ID}`, body: { [plural]: [{ [idKey]: ID, Status: how }] }, envelope: plural };
  if (ops.pdf)
    cases.downloadPdf = {
      parameters: { ...withId, binaryPropertyName: 'pdf' },
      kind: 'download',
      method: 'GET',
      // The document's own PDF path (getInvoiceAsPdf and its kin), asked with Accept: application/pdf.
      path: `/${plural}/${ID}/pdf`,
      options: { accept: 'application/pdf' },
      plan: { binaryProperty: 'pdf', fileName: expect.stringContaining(ID) as unknown as string },
      envelope: null,
    };
  return cases;
}

const FILTERED: XeroQuery = { where: 'Name=="x"', order: 'Name ASC' };

const CASES: Record<string, Record<string, Case>> = {
  contact: {
    create: {
      parameters: {
        name: 'Acme Ltd',
        additionalFields: {
          emailAddress: 'a@acme.test',
          taxNumber: '12-345',
          xeroNetworkKey: 'nk',
          phonesUi: { phonesValues: [{ phoneType: 'MOBILE', phoneNumber: '555', phoneAreaCode: '09', phoneCountryCode: '64' }] },
          addressesUi: {
            addressesValues: [
              { type: 'STREET', line1: '1 Main St', line2: '', city: 'Auckland', region: '', postalCode: '1010', country: 'NZ', attentionTo: '' },
            ],
          },
        },
      },
      method: 'POST',
      path: '/Contacts',
      plan: { batchPath: ['Contacts'] },
      body: {
        Contacts: [
          {
            EmailAddress: 'a@acme.test',
            TaxNumber: '12-345',
            XeroNetworkKey: 'nk',
            Phones: [{ PhoneType: 'MOBILE', PhoneNumber: '555', PhoneAreaCode: '09', PhoneCountryCode: '64' }],
            Addresses: [
              {
                AddressType: 'STREET',
                AddressLine1: '1 Main St',
                AddressLine2: '',
                City: 'Auckland',
                Region: '',
                PostalCode: '1010',
                Country: 'NZ',
                AttentionTo: '',
              },
            ],
            Name: 'Acme Ltd',
          },
        ],
      },
      envelope: 'Contacts',
    },
    get: { parameters: { contactId: ID }, method: 'GET', path: `/Contacts/${ID}`, envelope: 'Contacts' },
    getAll: {
      parameters: { returnAll: false, limit: 5, options: { includeArchived: true, orderBy: 'Name', where: 'IsCustomer==true', ids: `${ID}, b` } },
      kind: 'list',
      method: 'GET',
      path: '/Contacts',
      query: { includeArchived: true, order: 'Name DESC', where: 'IsCustomer==true', IDs: `${ID},b` },
      options: { paging: 'page' },
      plan: { limit: 5 },
      envelope: 'Contacts',
    },
    update: {
      parameters: { contactId: ID, updateFields: { name: 'Renamed', contactStatus: 'ACTIVE' } },
      method: 'POST',
      path: `/Contacts/${ID}`,
      plan: { batchPath: ['Contacts'] },
      body: { Contacts: [{ Name: 'Renamed', ContactStatus: 'ACTIVE', ContactID: ID }] },
      envelope: 'Contacts',
    },
    archive: {
      parameters: { contactId: ID },
      method: 'POST',
      path: `/Contacts/${ID}`,
      body: { Contacts: [{ ContactID: ID, ContactStatus: 'ARCHIVED' }] },
      envelope: 'Contacts',
    },
  },
  invoice: {
    create: {
      parameters: {
        type: 'ACCREC',
        contactId: ID,
        lineItemsUi: {
          lineItemsValues: [
            {
              description: 'Work',
              quantity: 2,
              unitAmount: '50',
              itemCode: '',
              accountCode: '200',
              taxType: 'OUTPUT',
              taxAmount: '',
              lineAmount: '',
              discountRate: '',
            },
          ],
        },
        additionalFields: {
          date: '2026-01-31T00:00:00.000Z',
          dueDate: '2026-02-28',
          status: 'AUTHORISED',
          sendToContact: true,
          lineAmountType: 'Inclusive',
          currency: 'NZD',
          reference: 'R1',
          invoiceNumber: 'INV-1',
          url: 'https://x.test',
          brandingThemeId: 'bt',
          currencyRate: '1.5',
          expectedPaymentDate: '2026-03-01',
          plannedPaymentDate: '2026-03-02',
        },
      },
      method: 'POST',
      path: '/Invoices',
      plan: { batchPath: ['Invoices'] },
      body: {
        Invoices: [
          {
            Type: 'ACCREC',
            Contact: { ContactID: ID },
            LineItems: [{ Tracking: [], AccountCode: '200', Description: 'Work', TaxType: 'OUTPUT', UnitAmount: '50', Quantity: '2' }],
            BrandingThemeID: 'bt',
            CurrencyCode: 'NZD',
            CurrencyRate: '1.5',
            Date: '2026-01-31T00:00:00.000Z',
            DueDate: '2026-02-28',
            ExpectedPaymentDate: '2026-03-01',
            InvoiceNumber: 'INV-1',
            LineAmountTypes: 'Inclusive',
            PlannedPaymentDate: '2026-03-02',
            Reference: 'R1',
            Status: 'AUTHORISED',
            Url: 'https://x.test',
            SentToContact: true,
          },
        ],
      },
      envelope: 'Invoices',
    },
    get: { parameters: { invoiceId: ID }, method: 'GET', path: `/Invoices/${ID}`, envelope: 'Invoices' },
    getAll: {
      parameters: {
        returnAll: true,
        options: { statuses: ['DRAFT', 'AUTHORISED'], orderBy: 'Date', sortOrder: 'ASC', where: 'Type=="ACCREC"', createdByMyApp: true },
      },
      kind: 'list',
      method: 'GET',
      path: '/Invoices',
      query: { Statuses: 'DRAFT,AUTHORISED', order: 'Date ASC', where: 'Type=="ACCREC"', createdByMyApp: true },
      options: { paging: 'page' },
      envelope: 'Invoices',
    },
    update: {
      parameters: {
        invoiceId: ID,
        updateFields: {
          contactId: 'c2',
          reference: 'R2',
          lineItemsUi: { lineItemsValues: [{ lineItemId: 'l1', description: 'Changed', quantity: 1, taxType: 'NONE' }] },
        },
      },
      method: 'POST',
      path: `/Invoices/${ID}`,
      plan: { batchPath: ['Invoices'] },
      body: {
        Invoices: [
          {
            Reference: 'R2',
            Contact: { ContactID: 'c2' },
            LineItems: [{ Tracking: [], LineItemID: 'l1', Description: 'Changed', TaxType: 'NONE', Quantity: '1' }],
            InvoiceID: ID,
          },
        ],
      },
      envelope: 'Invoices',
    },
    email: { parameters: { invoiceId: ID }, method: 'POST', path: `/Invoices/${ID}/Email`, body: {}, envelope: null },
    getOnlineUrl: { parameters: { invoiceId: ID }, method: 'GET', path: `/Invoices/${ID}/OnlineInvoice`, envelope: 'OnlineInvoices' },
    downloadPdf: {
      parameters: { invoiceId: ID, binaryPropertyName: 'pdf' },
      kind: 'download',
      method: 'GET',
      path: `/Invoices/${ID}/pdf`,
      options: { accept: 'application/pdf' },
      plan: { binaryProperty: 'pdf', fileName: `invoice-${ID}.pdf` },
      envelope: null,
    },
    void: {
      parameters: { invoiceId: ID },
      method: 'POST',
      path: `/Invoices/${ID}`,
      body: { Invoices: [{ InvoiceID: ID, Status: 'VOIDED' }] },
      envelope: 'Invoices',
    },
    delete: {
      parameters: { invoiceId: ID },
      method: 'POST',
      path: `/Invoices/${ID}`,
      body: { Invoices: [{ InvoiceID: ID, Status: 'DELETED' }] },
      envelope: 'Invoices',
    },
  },
  contactGroup: {
    ...entity('ContactGroups', 'contactGroupId', 'ContactGroupID', {
      create: 'PUT',
      update: true,
      getAll: FILTERED,
      paging: 'none',
      since: false,
      remove: { delete: 'DELETED' },
    }),
    addContacts: {
      parameters: { contactGroupId: ID, contactIds: 'c1, c2' },
      method: 'PUT',
      path: `/ContactGroups/${ID}/Contacts`,
      body: { Contacts: [{ ContactID: 'c1' }, { ContactID: 'c2' }] },
      envelope: 'Contacts',
    },
    removeContact: { parameters: { contactGroupId: ID, contactIds: 'c1' }, method: 'DELETE', path: `/ContactGroups/${ID}/Contacts/c1`, envelope: null },
  },
  creditNote: {
    ...entity('CreditNotes', 'creditNoteId', 'CreditNoteID', {
      create: 'PUT',
      update: true,
      getAll: FILTERED,
      remove: { void: 'VOIDED', delete: 'DELETED' },
      pdf: true,
    }),
    allocate: {
      parameters: { creditNoteId: ID, allocationInvoiceId: 'inv1', allocationAmount: 12.5, allocationDate: '2026-02-01' },
      method: 'PUT',
      path: `/CreditNotes/${ID}/Allocations`,
      body: { Allocations: [{ Invoice: { InvoiceID: 'inv1' }, Amount: 12.5, Date: '2026-02-01' }] },
      envelope: 'Allocations',
    },
  },
  payment: entity('Payments', 'paymentId', 'PaymentID', { create: 'PUT', getAll: FILTERED, remove: { delete: 'DELETED' } }),
  bankTransaction: entity('BankTransactions', 'bankTransactionId', 'BankTransactionID', {
    create: 'PUT',
    update: true,
    getAll: FILTERED,
    remove: { delete: 'DELETED' },
  }),
  bankTransfer: entity('BankTransfers', 'bankTransferId', 'BankTransferID', { create: 'PUT', getAll: FILTERED, paging: 'none' }),
  account: entity('Accounts', 'accountId', 'AccountID', {
    create: 'PUT',
    update: true,
    getAll: FILTERED,
    paging: 'none',
    remove: { archive: 'ARCHIVED', delete: 'DELETE' },
  }),
  item: entity('Items', 'itemId', 'ItemID', { create: 'PUT', update: true, getAll: FILTERED, paging: 'none', remove: { delete: 'DELETE' } }),
  quote: entity('Quotes', 'quoteId', 'QuoteID', { create: 'PUT', update: true, getAll: { order: 'Name ASC' }, remove: { delete: 'DELETED' }, pdf: true }),
  purchaseOrder: entity('PurchaseOrders', 'purchaseOrderId', 'PurchaseOrderID', {
    create: 'PUT',
    update: true,
    getAll: { order: 'Name ASC' },
    remove: { delete: 'DELETED' },
    pdf: true,
  }),
  manualJournal: entity('ManualJournals', 'manualJournalId', 'ManualJournalID', {
    create: 'PUT',
    update: true,
    getAll: FILTERED,
    remove: { void: 'VOIDED', delete: 'DELETED' },
  }),
  trackingCategory: {
    ...entity('TrackingCategories', 'trackingCategoryId', 'TrackingCategoryID', {
      create: 'PUT',
      update: true,
      getAll: FILTERED,
      paging: 'none',
      since: false,
      remove: { delete: 'DELETE' },
    }),
    createOption: {
      parameters: { trackingCategoryId: ID, optionName: 'North' },
      method: 'PUT',
      path: `/TrackingCategories/${ID}/Options`,
      body: { Options: [{ Name: 'North' }] },
      envelope: 'Options',
    },
    updateOption: {
      parameters: { trackingCategoryId: ID, trackingOptionId: 'o1', optionName: 'South' },
      method: 'POST',
      path: `/TrackingCategories/${ID}/Options/o1`,
      body: { Options: [{ Name: 'South' }] },
      envelope: 'Options',
    },
    deleteOption: {
      parameters: { trackingCategoryId: ID, trackingOptionId: 'o1' },
      method: 'DELETE',
      path: `/TrackingCategories/${ID}/Options/o1`,
      envelope: 'Options',
    },
  },
  taxRate: {
    create: {
      parameters: { fields: '{"Name":"Reduced"}' },
      method: 'PUT',
      path: '/TaxRates',
      body: { TaxRates: [{ Name: 'Reduced' }] },
      envelope: 'TaxRates',
      plan: { batchPath: ['TaxRates'] },
    },
    get: { parameters: { taxType: 'TAX001' }, method: 'GET', path: '/TaxRates/TAX001', envelope: 'TaxRates' },
    getAll: {
      parameters: { returnAll: true, options: { where: 'Status=="ACTIVE"' } },
      kind: 'list',
      method: 'GET',
      path: '/TaxRates',
      query: { where: 'Status=="ACTIVE"' },
      options: { paging: 'none' },
      envelope: 'TaxRates',
    },
    update: {
      parameters: { taxType: 'TAX001', fields: { Name: 'Renamed' } },
      method: 'POST',
      path: '/TaxRates',
      body: { TaxRates: [{ Name: 'Renamed', TaxType: 'TAX001' }] },
      envelope: 'TaxRates',
      plan: { batchPath: ['TaxRates'] },
    },
    delete: {
      parameters: { taxType: 'TAX001' },
      method: 'POST',
      path: '/TaxRates',
      body: { TaxRates: [{ TaxType: 'TAX001', Status: 'DELETED' }] },
      envelope: 'TaxRates',
    },
  },
  currency: {
    create: { parameters: { currencyCode: 'eur' }, method: 'PUT', path: '/Currencies', body: { Code: 'EUR' }, envelope: 'Currencies' },
    getAll: {
      parameters: { returnAll: true, options: { orderBy: 'Code', sortOrder: 'ASC' } },
      kind: 'list',
      method: 'GET',
      path: '/Currencies',
      query: { order: 'Code ASC' },
      options: { paging: 'none' },
      envelope: 'Currencies',
    },
  },
  organisation: { get: { parameters: {}, method: 'GET', path: '/Organisation', envelope: 'Organisations' } },
  journal: {
    get: { parameters: { journalId: ID }, method: 'GET', path: `/Journals/${ID}`, envelope: 'Journals' },
    getAll: {
      parameters: { returnAll: true, options: { paymentsOnly: true, modifiedSince: '2026-01-01T00:00:00Z' } },
      kind: 'list',
      method: 'GET',
      path: '/Journals',
      query: { paymentsOnly: true },
      options: { paging: 'offset', ifModifiedSince: '2026-01-01T00:00:00Z' },
      envelope: 'Journals',
    },
  },
  attachment: {
    getAll: { parameters: { parentType: 'Invoices', parentId: ID }, method: 'GET', path: `/Invoices/${ID}/Attachments`, envelope: 'Attachments' },
    upload: {
      parameters: { parentType: 'Invoices', parentId: ID, fileName: 'receipt 1.pdf', binaryPropertyName: 'file', includeOnline: true },
      kind: 'upload',
      method: 'PUT',
      path: `/Invoices/${ID}/Attachments/receipt%201.pdf`,
      options: { includeOnline: true },
      plan: { binaryProperty: 'file' },
      envelope: 'Attachments',
    },
    download: {
      parameters: { parentType: 'Contacts', parentId: ID, fileName: 'a.png', binaryPropertyName: 'data' },
      kind: 'download',
      method: 'GET',
      path: `/Contacts/${ID}/Attachments/a.png`,
      options: { accept: 'application/octet-stream' },
      plan: { binaryProperty: 'data', fileName: 'a.png' },
      envelope: null,
    },
  },
  history: {
    getAll: { parameters: { parentType: 'Invoices', parentId: ID }, method: 'GET', path: `/Invoices/${ID}/History`, envelope: 'HistoryRecords' },
    addNote: {
      parameters: { parentType: 'Quotes', parentId: ID, note: 'Called the customer' },
      method: 'PUT',
      path: `/Quotes/${ID}/History`,
      body: { HistoryRecords: [{ Details: 'Called the customer' }] },
      envelope: 'HistoryRecords',
    },
  },
  report: {
    get: {
      parameters: {
        reportName: 'ProfitAndLoss',
        reportOptions: {
          fromDate: '2026-01-01T00:00:00.000Z',
          toDate: '2026-03-31',
          periods: 2,
          timeframe: 'MONTH',
          standardLayout: true,
          paymentsOnly: false,
        },
      },
      method: 'GET',
      path: '/Reports/ProfitAndLoss',
      query: { fromDate: '2026-01-01', toDate: '2026-03-31', periods: '2', timeframe: 'MONTH', standardLayout: 'true' },
      envelope: 'Reports',
    },
  },
  customApiCall: {
    call: {
      parameters: {
        api: 'root',
        method: 'POST',
        path: '/payroll.xro/2.0/Employees',
        query: '{"page": 2}',
        headers: { Accept: 'application/json', 'X-Trace': 'abc' },
        body: '{"firstName":"Ann"}',
        recordsField: 'employees',
      },
      method: 'POST',
      path: '/payroll.xro/2.0/Employees',
      query: { page: 2 },
      headers: { 'X-Trace': 'abc' },
      body: { firstName: 'Ann' },
      options: { base: 'root', accept: 'application/json' },
      envelope: 'employees',
    },
  },
};

/**
 * The hand-made operations and the Custom API Call; the table's own are held to the table in
 * table-operations.test.ts, and Contact > Create or Update (a search, then a write) in contact-picker.test.ts.
 */
const all = [
  ...HAND_MADE.flatMap((r) => Object.keys(r.operations).map((op) => [r.value, op] as const)).filter(([r, op]) => !(r === 'contact' && op === 'upsert')),
  ['customApiCall', 'call'] as const,
];

/** The path's segments as the node plans them (each taken literally by the core). */
const segmentsOf = (path: string) => path.slice(1).split('/').map(decodeURIComponent);

/** The plan a case expects, in the core's vocabulary. */
function expectedPlan(c: Case): IDataObject {
  const kind = c.kind ?? 'single';
  const answered = kind === 'single' || kind === 'upload';
  const request = {
    ...(answered ? { method: c.method } : {}),
    path: segmentsOf(c.path),
    ...(c.query !== undefined ? { query: c.query } : {}),
    ...(c.headers ? { headers: c.headers } : {}),
    ...(c.body !== undefined ? { body: c.body } : {}),
    ...(kind === 'list' && c.envelope ? { envelope: c.envelope } : {}),
    ...c.options,
  };
  return { kind, request, ...(answered && c.envelope ? { envelope: c.envelope } : {}), ...c.plan };
}

/** The query that reaches the wire: the planned one as text, and what the client adds to page or upload. */
function wireQuery(c: Case): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(c.query ?? {})) query[name] = Array.isArray(value) ? value.join(',') : String(value);
  if (c.kind === 'list' && c.options?.paging === 'page') Object.assign(query, { page: '1', pageSize: '100' });
  if (c.kind === 'list' && c.options?.paging === 'offset') query.offset = '0';
  if (c.options?.includeOnline === true) query.IncludeOnline = 'true';
  return query;
}

describe('Xero Guard node: the request for every resource and operation, and how the answer is read', () => {
  it('has a contract case for every resource and operation the node offers, and none it does not', () => {
    const offered = all.map(([r, o]) => `${r}.${o}`).sort();
    const covered = Object.entries(CASES)
      .flatMap(([r, ops]) => Object.keys(ops).map((o) => `${r}.${o}`))
      .sort();
    expect(covered).toEqual(offered);
  });

  it.each(all)('%s %s', async (resource, operation) => {
    const c = CASES[resource][operation];
    const kind = c.kind ?? 'single';
    const items =
      kind === 'upload'
        ? [{ json: {}, binary: { file: { data: Buffer.from('hello').toString('base64'), mimeType: 'application/pdf', fileName: 'r.pdf' } } }]
        : undefined;
    const context = fakeExecute({ parameters: { resource, operation, ...c.parameters }, items });

    // As planned: the core's options, before anything is sent.
    expect((await planItem(context, 0)).plan).toEqual(expectedPlan(c));

    // On the wire, through the real core client.
    const xero = new FakeXero();
    const records = [
      { ID: 'r1', Name: 'One' },
      { ID: 'r2', Name: 'Two' },
    ];
    xero.answer = () =>
      kind === 'download'
        ? file(Buffer.from('%PDF-1.4 test'), 'application/pdf')
        : json(c.envelope ? { Id: 'x', Status: 'OK', [c.envelope]: records } : c.envelope === null ? undefined : records);
    const [out] = await executeXeroGuard(context, xero.session());

    expect(xero.requests).toHaveLength(1);
    const sent = xero.requests[0];
    const url = xero.urlOf();
    expect(sent.method).toBe(c.method);
    expect(url.origin).toBe('https://api.xero.com');
    expect(url.pathname).toBe(`${c.options?.base === 'root' ? '' : '/api.xro/2.0'}${c.path}`);
    expect(Object.fromEntries(url.searchParams)).toEqual(wireQuery(c));
    expect(sent.headers['xero-tenant-id']).toBe(TENANT_A.tenantId);
    expect(sent.headers.accept).toBe(c.options?.accept ?? 'application/json');
    expect(sent.headers['if-modified-since']).toBe(c.options?.ifModifiedSince ? '2026-01-01T00:00:00' : undefined);
    for (const [name, value] of Object.entries(c.headers ?? {})) expect(sent.headers[name.toLowerCase()]).toBe(value);
    // Writes carry a key derived from a stable id (execution, node, run, item), so a retry cannot write twice; reads
    // carry none, and neither does a DELETE (Xero takes the key on POST, PUT and PATCH; a DELETE repeated does no harm).
    const key = deriveIdempotencyKey({ stableId: 'exec-42:node-1:0:0', method: c.method, path: segmentsOf(c.path).join('/'), tenantId: TENANT_A.tenantId });
    expect(sent.headers['idempotency-key']).toBe(['POST', 'PUT', 'PATCH'].includes(c.method) ? key : undefined);
    if (kind === 'upload') {
      expect(Buffer.from(sent.body as Uint8Array)).toEqual(Buffer.from('hello'));
      expect(sent.headers['content-type']).toBe('application/pdf');
    } else expect(xero.bodyOf()).toEqual(c.body);

    if (kind === 'download') {
      expect(out).toHaveLength(1);
      const property = String(c.parameters.binaryPropertyName);
      expect(out[0].binary?.[property]).toMatchObject({ mimeType: 'application/pdf', data: Buffer.from('%PDF-1.4 test').toString('base64') });
      expect(out[0].json).toMatchObject({ tenantId: TENANT_A.tenantId, xeroLimits: LIMITS, fileSize: 13 });
    } else if (c.envelope) {
      expect(out.map((o) => o.json)).toEqual(records.map((r) => ({ ...r, tenantId: TENANT_A.tenantId, xeroLimits: LIMITS })));
      expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
    } else {
      expect(out).toHaveLength(1);
      expect(out[0].json).toMatchObject({ tenantId: TENANT_A.tenantId, xeroLimits: LIMITS });
    }
  });
});
