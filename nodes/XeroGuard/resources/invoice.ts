import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { idField, listOptions, returnAllAndLimit, show } from './common';
import { listQuery, recordsOf, required, seg, spec, str, type ListFilterSupport } from './mapping';
import type { Parameters, ResourceModule } from './types';

// Fields carry the names, types and meaning of n8n 2.41.1's own Xero node (n8n-nodes-base
// InvoiceDescription); the operations after Update are Xero Guard's own.

const BY_ORG = ['organizationId'];

function lineItems(withId: boolean): INodeProperties {
  const values: INodeProperties[] = [];
  if (withId)
    values.push({
      displayName: 'Line Item ID',
      name: 'lineItemId',
      type: 'string',
      default: '',
      description:
        'The Xero generated identifier for a LineItem. If LineItemIDs are not included with line items in an update request then the line items are deleted and recreated.',
    });
  values.push(
    {
      displayName: 'Description',
      name: 'description',
      type: 'string',
      default: '',
      description:
        'A line item with just a description (i.e no unit amount or quantity) can be created by specifying just a &lt;Description&gt; element that contains at least 1 character',
    },
    { displayName: 'Quantity', name: 'quantity', type: 'number', default: 1, typeOptions: { minValue: 1 }, description: 'LineItem Quantity' },
    {
      displayName: 'Unit Amount',
      name: 'unitAmount',
      type: 'string',
      default: '',
      description: 'Lineitem unit amount. By default, unit amount will be rounded to two decimal places.',
    },
    {
      displayName: 'Item Code Name or ID',
      name: 'itemCode',
      type: 'options',
      description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
      typeOptions: { loadOptionsMethod: 'getItemCodes', loadOptionsDependsOn: BY_ORG },
      default: '',
    },
    {
      displayName: 'Account Code Name or ID',
      name: 'accountCode',
      type: 'options',
      description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
      typeOptions: { loadOptionsMethod: 'getAccountCodes', loadOptionsDependsOn: BY_ORG },
      default: '',
    },
    {
      displayName: 'Tax Type',
      name: 'taxType',
      type: 'options',
      options: [
        { name: 'Tax on Purchases', value: 'INPUT' },
        { name: 'Tax Exempt', value: 'NONE' },
        { name: 'Tax on Sales', value: 'OUTPUT' },
        { name: 'Sales Tax on Imports', value: 'GSTONIMPORTS' },
      ],
      default: '',
      required: true,
    },
    {
      displayName: 'Tax Amount',
      name: 'taxAmount',
      type: 'string',
      default: '',
      description: 'The tax amount is auto calculated as a percentage of the line amount based on the tax rate',
    },
    {
      displayName: 'Line Amount',
      name: 'lineAmount',
      type: 'string',
      default: '',
      description: 'The line amount reflects the discounted price if a DiscountRate has been used',
    },
    {
      displayName: 'Discount Rate',
      name: 'discountRate',
      type: 'string',
      default: '',
      description:
        'Percentage discount or discount amount being applied to a line item. Only supported on ACCREC invoices - ACCPAY invoices and credit notes in Xero do not support discounts.',
    },
  );
  return {
    displayName: 'Line Items',
    name: 'lineItemsUi',
    placeholder: 'Add Line Item',
    type: 'fixedCollection',
    default: {},
    typeOptions: { multipleValues: true },
    description: 'Line item data',
    options: [{ name: 'lineItemsValues', displayName: 'Line Item', values }],
  };
}

function invoiceFieldOptions(update: boolean): INodeProperties[] {
  const fields: INodeProperties[] = [
    {
      displayName: 'Branding Theme Name or ID',
      name: 'brandingThemeId',
      type: 'options',
      typeOptions: { loadOptionsMethod: 'getBrandingThemes', loadOptionsDependsOn: BY_ORG },
      default: '',
      description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
    },
  ];
  if (update) fields.push({ displayName: 'Contact ID', name: 'contactId', type: 'string', default: '', description: 'Unique identifier for the contact' });
  fields.push(
    {
      displayName: 'Currency Name or ID',
      name: 'currency',
      type: 'options',
      typeOptions: { loadOptionsMethod: 'getCurrencies', loadOptionsDependsOn: BY_ORG },
      default: '',
      description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
    },
    {
      displayName: 'Currency Rate',
      name: 'currencyRate',
      type: 'string',
      default: '',
      description: 'The currency rate for a multicurrency invoice. If no rate is specified, the XE.com day rate is used.',
    },
    {
      displayName: 'Date',
      name: 'date',
      type: 'dateTime',
      default: '',
      description:
        'Date invoice was issued - YYYY-MM-DD. If the Date element is not specified it will default to the current date based on the timezone setting of the organisation.',
    },
    { displayName: 'Due Date', name: 'dueDate', type: 'dateTime', default: '', description: 'Date invoice is due - YYYY-MM-DD' },
    {
      displayName: 'Expected Payment Date',
      name: 'expectedPaymentDate',
      type: 'dateTime',
      default: '',
      description: 'Shown on sales invoices (Accounts Receivable) when this has been set',
    },
    { displayName: 'Invoice Number', name: 'invoiceNumber', type: 'string', default: '' },
    {
      displayName: 'Line Amount Type',
      name: 'lineAmountType',
      type: 'options',
      options: [
        { name: 'Exclusive', value: 'Exclusive', description: 'Line items are exclusive of tax' },
        { name: 'Inclusive', value: 'Inclusive', description: 'Line items are inclusive tax' },
        { name: 'NoTax', value: 'NoTax', description: 'Line have no tax' },
      ],
      default: 'Exclusive',
    },
  );
  if (update) fields.push(lineItems(true));
  fields.push(
    {
      displayName: 'Planned Payment Date',
      name: 'plannedPaymentDate',
      type: 'dateTime',
      default: '',
      description: 'Shown on bills (Accounts Payable) when this has been set',
    },
    { displayName: 'Reference', name: 'reference', type: 'string', default: '', description: 'ACCREC only - additional reference number (max length = 255)' },
    {
      displayName: 'Send To Contact',
      name: 'sendToContact',
      type: 'boolean',
      default: false,
      description: 'Whether the invoice in the Xero app should be marked as "sent". This can be set only on invoices that have been approved.',
    },
    {
      displayName: 'Status',
      name: 'status',
      type: 'options',
      options: [
        { name: 'Draft', value: 'DRAFT' },
        { name: 'Submitted', value: 'SUBMITTED' },
        { name: 'Authorised', value: 'AUTHORISED' },
      ],
      default: 'DRAFT',
    },
    { displayName: 'URL', name: 'url', type: 'string', default: '', description: 'URL link to a source document - shown as "Go to [appName]" in the Xero app' },
  );
  return fields;
}

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

function lineItemBody(values: IDataObject[], withId: boolean): IDataObject[] {
  return values.map((v) => {
    const line: IDataObject = { Tracking: [] };
    if (withId && present(v.lineItemId)) line.LineItemID = v.lineItemId;
    const pairs: Array<[string, string]> = [
      ['accountCode', 'AccountCode'],
      ['description', 'Description'],
      ['discountRate', 'DiscountRate'],
      ['itemCode', 'ItemCode'],
      ['lineAmount', 'LineAmount'],
      ['taxAmount', 'TaxAmount'],
      ['taxType', 'TaxType'],
      ['unitAmount', 'UnitAmount'],
    ];
    for (const [from, to] of pairs) if (present(v[from])) line[to] = v[from];
    // As n8n's node does: Xero takes the quantity as a decimal string.
    line.Quantity = String(v.quantity ?? 1);
    return line;
  });
}

const INVOICE_FIELDS: Array<[string, string]> = [
  ['brandingThemeId', 'BrandingThemeID'],
  ['currency', 'CurrencyCode'],
  ['currencyRate', 'CurrencyRate'],
  ['date', 'Date'],
  ['dueDate', 'DueDate'],
  ['expectedPaymentDate', 'ExpectedPaymentDate'],
  ['invoiceNumber', 'InvoiceNumber'],
  ['lineAmountType', 'LineAmountTypes'],
  ['plannedPaymentDate', 'PlannedPaymentDate'],
  ['reference', 'Reference'],
  ['status', 'Status'],
  ['url', 'Url'],
];

/** The Invoice element Xero expects, from the fields of n8n's form. */
export function invoiceFields(fields: IDataObject): IDataObject {
  const body: IDataObject = {};
  for (const [from, to] of INVOICE_FIELDS) if (present(fields[from])) body[to] = fields[from];
  if (fields.sendToContact === true) body.SentToContact = true;
  // n8n's own node reads a misspelt key here and never sends the contact: the field's meaning is to send it.
  if (present(fields.contactId)) body.Contact = { ContactID: fields.contactId };
  const lines = fields.lineItemsUi && typeof fields.lineItemsUi === 'object' ? (fields.lineItemsUi as IDataObject).lineItemsValues : undefined;
  if (Array.isArray(lines)) body.LineItems = lineItemBody(lines as IDataObject[], true);
  return body;
}

const LIST_SUPPORT: ListFilterSupport = { where: true, order: true, statuses: true, ids: 'IDs', modifiedSince: true, summaryOnly: true, createdByMyApp: true };
const STATUSES = ['DRAFT', 'SUBMITTED', 'AUTHORISED', 'PAID', 'VOIDED', 'DELETED'];
const parseInvoices = (body: unknown) => recordsOf(body, 'Invoices');
const collection = (p: Parameters, name: string): IDataObject => (p[name] && typeof p[name] === 'object' ? (p[name] as IDataObject) : {});
const invoiceId = (p: Parameters) => required(p, 'invoiceId', 'Invoice ID');

function statusChange(status: 'VOIDED' | 'DELETED') {
  return (p: Parameters) => {
    const id = invoiceId(p);
    return {
      kind: 'single' as const,
      spec: spec('POST', `/Invoices/${seg(id)}`, { envelope: 'Invoices', body: { Invoices: [{ InvoiceID: id, Status: status }] } }),
    };
  };
}

export const invoice: ResourceModule = {
  value: 'invoice',
  name: 'Invoice',
  description: 'A sales invoice (ACCREC) or a bill (ACCPAY)',
  operations: {
    create: {
      option: { name: 'Create', value: 'create', description: 'Create an invoice', action: 'Create an invoice' },
      plan: (p) => {
        const lines = collection(p, 'lineItemsUi').lineItemsValues;
        const body: IDataObject = { Type: required(p, 'type', 'Type'), Contact: { ContactID: required(p, 'contactId', 'Contact ID') } };
        if (Array.isArray(lines)) body.LineItems = lineItemBody(lines as IDataObject[], false);
        const fields = collection(p, 'additionalFields');
        delete fields.contactId;
        Object.assign(body, invoiceFields(fields));
        return {
          kind: 'single',
          batchable: true,
          batchPath: '/Invoices',
          spec: spec('POST', '/Invoices', { envelope: 'Invoices', body: { Invoices: [body] } }),
        };
      },
      parse: parseInvoices,
    },
    get: {
      option: { name: 'Get', value: 'get', description: 'Get an invoice', action: 'Get an invoice' },
      plan: (p) => ({ kind: 'single', spec: spec('GET', `/Invoices/${seg(invoiceId(p))}`, { envelope: 'Invoices' }) }),
      parse: parseInvoices,
    },
    getAll: {
      option: { name: 'Get Many', value: 'getAll', description: 'Get many invoices', action: 'Get many invoices' },
      plan: (p) => ({
        kind: 'list',
        limit: p.returnAll === true ? undefined : Number(p.limit ?? 100),
        spec: spec('GET', '/Invoices', { envelope: 'Invoices', paging: 'page', ...listQuery(collection(p, 'options'), LIST_SUPPORT) }),
      }),
      parse: parseInvoices,
    },
    update: {
      option: { name: 'Update', value: 'update', description: 'Update an invoice', action: 'Update an invoice' },
      plan: (p) => {
        const id = invoiceId(p);
        const body = { ...invoiceFields(collection(p, 'updateFields')), InvoiceID: id };
        return {
          kind: 'single',
          batchable: true,
          batchPath: '/Invoices',
          spec: spec('POST', `/Invoices/${seg(id)}`, { envelope: 'Invoices', body: { Invoices: [body] } }),
        };
      },
      parse: parseInvoices,
    },
    email: {
      option: { name: 'Email', value: 'email', description: 'Email an approved sales invoice to its contact, as Xero sends it', action: 'Email an invoice' },
      plan: (p) => ({ kind: 'single', spec: spec('POST', `/Invoices/${seg(invoiceId(p))}/Email`, { body: {} }) }),
      parse: () => [{ emailed: true }],
    },
    getOnlineUrl: {
      option: {
        name: 'Get Online URL',
        value: 'getOnlineUrl',
        description: 'Get the link where the contact can view and pay a sales invoice',
        action: 'Get the online URL of an invoice',
      },
      plan: (p) => ({ kind: 'single', spec: spec('GET', `/Invoices/${seg(invoiceId(p))}/OnlineInvoice`, { envelope: 'OnlineInvoices' }) }),
      parse: (body) => recordsOf(body, 'OnlineInvoices'),
    },
    downloadPdf: {
      option: {
        name: 'Download PDF',
        value: 'downloadPdf',
        description: 'Download the invoice as a PDF file into binary data',
        action: 'Download an invoice as PDF',
      },
      plan: (p) => {
        const id = invoiceId(p);
        return {
          kind: 'download',
          binaryProperty: str(p.binaryPropertyName) || 'data',
          spec: spec('GET', `/Invoices/${seg(id)}`, { binary: { direction: 'download', accept: 'application/pdf', fileName: `invoice-${id}.pdf` } }),
        };
      },
    },
    void: {
      option: { name: 'Void', value: 'void', description: 'Void an approved invoice that has no payments', action: 'Void an invoice' },
      plan: statusChange('VOIDED'),
      parse: parseInvoices,
    },
    delete: {
      option: { name: 'Delete', value: 'delete', description: 'Delete a draft or submitted invoice', action: 'Delete an invoice' },
      plan: statusChange('DELETED'),
      parse: parseInvoices,
    },
  },
  properties: [
    {
      displayName: 'Type',
      name: 'type',
      type: 'options',
      options: [
        { name: 'Bill', value: 'ACCPAY', description: 'Accounts Payable or supplier invoice' },
        { name: 'Sales Invoice', value: 'ACCREC', description: 'Accounts Receivable or customer invoice' },
      ],
      default: '',
      required: true,
      displayOptions: show(['create']),
      description: 'Invoice Type',
    },
    {
      displayName: 'Contact ID',
      name: 'contactId',
      type: 'string',
      default: '',
      required: true,
      displayOptions: show(['create']),
      description: 'Unique identifier for the contact',
    },
    { ...lineItems(false), displayOptions: show(['create']) },
    {
      displayName: 'Additional Fields',
      name: 'additionalFields',
      type: 'collection',
      placeholder: 'Add Field',
      default: {},
      displayOptions: show(['create']),
      options: invoiceFieldOptions(false),
    },
    idField(['get', 'update', 'email', 'getOnlineUrl', 'downloadPdf', 'void', 'delete'], 'invoiceId', 'Invoice ID', 'invoice'),
    {
      displayName: 'Put Output File in Field',
      name: 'binaryPropertyName',
      type: 'string',
      default: 'data',
      required: true,
      displayOptions: show(['downloadPdf']),
      hint: 'The name of the output binary field to put the PDF in',
    },
    ...returnAllAndLimit('getAll'),
    listOptions('getAll', LIST_SUPPORT, STATUSES),
    {
      displayName: 'Update Fields',
      name: 'updateFields',
      type: 'collection',
      placeholder: 'Add Field',
      default: {},
      displayOptions: show(['update']),
      options: invoiceFieldOptions(true),
    },
  ],
};
