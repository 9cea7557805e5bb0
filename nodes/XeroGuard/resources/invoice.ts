/**
 * Invoices and bills, with n8n's own form for their records: the fields carry the names, types and
 * meaning of n8n 2.41.1's own Xero node (n8n-nodes-base InvoiceDescription), so a converted workflow
 * keeps its values; the operations after Update are Xero Guard's own. The contact is picked from a
 * list, by ID or by name; tax types, item and account codes, tracking, currencies and branding themes
 * are the chosen organisation's own.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { optionalFields, show } from '../../shared/api-node/common';
import { entityResource, n8nTexts, updateFieldsForm } from './entity';
import { collection, fixedCollectionValues, required, segment, type ListFilterSupport } from '../../shared/api-node/mapping';
import type { Parameters, ResourceModule } from '../../shared/api-node/types';
import { contactLocator } from './contact-locator';
import { covered, ID } from './covers';

const BY_ORG = ['organizationId'];
/** An options field read from the organisation: a value not (yet) in its list, or none, is not flagged as an error (as n8n's own nodes do). */
const FROM_ORGANISATION = { allowArbitraryValues: true } as const;
const CONTACT = 'Unique identifier for the contact';

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
      ...FROM_ORGANISATION,
      default: '',
    },
    {
      displayName: 'Account Code Name or ID',
      name: 'accountCode',
      type: 'options',
      description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
      typeOptions: { loadOptionsMethod: 'getAccountCodes', loadOptionsDependsOn: BY_ORG },
      ...FROM_ORGANISATION,
      default: '',
    },
    {
      // n8n's node offers four fixed codes (INPUT, NONE, OUTPUT, GSTONIMPORTS), which an NZ or UK organisation refuses: the organisation's own list instead.
      displayName: 'Tax Type Name or ID',
      name: 'taxType',
      type: 'options',
      typeOptions: { loadOptionsMethod: 'getTaxTypes', loadOptionsDependsOn: BY_ORG },
      ...FROM_ORGANISATION,
      default: '',
      description:
        'The organisation\'s own tax rate; empty: the account\'s default. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
    },
    {
      displayName: 'Tracking (Xero Guard) Names or IDs',
      name: 'tracking',
      type: 'multiOptions',
      typeOptions: { loadOptionsMethod: 'getTrackingOptions', loadOptionsDependsOn: BY_ORG },
      ...FROM_ORGANISATION,
      default: [],
      description:
        'Tracking options of the organisation (such as Region: North), at most one per category. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
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
      ...FROM_ORGANISATION,
      default: '',
      description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
    },
  ];
  if (update) fields.push(contactLocator({ name: 'contactId', displayName: 'Contact', description: CONTACT }));
  fields.push(
    {
      displayName: 'Currency Name or ID',
      name: 'currency',
      type: 'options',
      typeOptions: { loadOptionsMethod: 'getCurrencies', loadOptionsDependsOn: BY_ORG },
      ...FROM_ORGANISATION,
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

/** The tracking options picked ("<TrackingCategoryID>:<TrackingOptionID>", as getTrackingOptions lists them) as Xero's line tracking. */
function trackingOf(value: unknown): IDataObject[] {
  const picked = Array.isArray(value) ? value : typeof value === 'string' && value ? value.split(',') : [];
  return picked.map((v) => {
    const [TrackingCategoryID = '', TrackingOptionID = ''] = String(v).trim().split(':');
    return { TrackingCategoryID, TrackingOptionID };
  });
}

function lineItemBody(values: IDataObject[], withId: boolean): IDataObject[] {
  return values.map((v) => {
    const line: IDataObject = { Tracking: trackingOf(v.tracking) };
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
  const lines = fixedCollectionValues(fields.lineItemsUi, 'lineItemsValues');
  if (lines) body.LineItems = lineItemBody(lines, true);
  return body;
}

const LIST_SUPPORT: ListFilterSupport = { where: true, order: true, statuses: true, ids: 'IDs', modifiedSince: true, summaryOnly: true, createdByMyApp: true };
const STATUSES = ['DRAFT', 'SUBMITTED', 'AUTHORISED', 'PAID', 'VOIDED', 'DELETED'];
const invoiceId = (p: Parameters) => segment(p, 'invoiceId', 'Invoice ID');

export const invoice: ResourceModule = entityResource({
  value: 'invoice',
  name: 'Invoice',
  noun: 'invoice',
  description: 'A sales invoice (ACCREC) or a bill (ACCPAY)',
  plural: 'Invoices',
  idKey: 'InvoiceID',
  idParam: 'invoiceId',
  create: 'POST',
  update: true,
  getAll: { ...LIST_SUPPORT, paging: 'page', statusValues: STATUSES },
  remove: [
    { operation: 'void', status: 'VOIDED', description: 'Void an approved invoice that has no payments' },
    { operation: 'delete', status: 'DELETED', description: 'Delete a draft or submitted invoice' },
  ],
  downloadPdf: true,
  form: {
    create: {
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
        { ...contactLocator({ name: 'contactId', displayName: 'Contact', description: CONTACT, required: true }), displayOptions: show(['create']) },
        { ...lineItems(false), displayOptions: show(['create']) },
        optionalFields('create', invoiceFieldOptions(false)),
      ],
      record: (p) => {
        const record: IDataObject = { Type: required(p, 'type', 'Type'), Contact: { ContactID: required(p, 'contactId', 'Contact') } };
        const lines = fixedCollectionValues(p.lineItemsUi, 'lineItemsValues');
        if (lines) record.LineItems = lineItemBody(lines, false);
        // The contact is the Contact ID field's; Additional Fields have none on Create.
        const fields = { ...collection(p, 'additionalFields') };
        delete fields.contactId;
        return { ...record, ...invoiceFields(fields) };
      },
    },
    update: updateFieldsForm(invoiceFieldOptions(true), invoiceFields),
  },
  // n8n's own words for its operations; the operations after Update are Xero Guard's own.
  texts: { ...n8nTexts('invoice', 'invoices'), downloadPdf: { description: 'Download the invoice as a PDF file into binary data' } },
  extra: {
    email: {
      option: { name: 'Email', value: 'email', description: 'Email an approved sales invoice to its contact, as Xero sends it', action: 'Email an invoice' },
      plan: (p) => ({ kind: 'single', request: { method: 'POST', path: ['Invoices', invoiceId(p), 'Email'], body: {} } }),
      parse: () => [{ emailed: true }],
      covers: covered(['POST', ['Invoices', ID, 'Email']]),
    },
    getOnlineUrl: {
      option: {
        name: 'Get Online URL',
        value: 'getOnlineUrl',
        description: 'Get the link where the contact can view and pay a sales invoice',
        action: 'Get the online URL of an invoice',
      },
      plan: (p) => ({ kind: 'single', request: { method: 'GET', path: ['Invoices', invoiceId(p), 'OnlineInvoice'] }, envelope: 'OnlineInvoices' }),
      covers: covered(['GET', ['Invoices', ID, 'OnlineInvoice']]),
    },
  },
});
