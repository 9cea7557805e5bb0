import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { XERO_REPORTS } from '../../../src/xero/accounting';
import { show } from './common';
import { entityResource } from './entity';
import { jsonParameter, recordsOf, required, seg, spec } from './mapping';
import { MappingError, type ResourceModule } from './types';

// Which operations each endpoint allows, and how it removes a record, as Xero's Accounting API
// documents them (docs/xero-facts.md in the repository; the OpenAPI copy under src/xero/ once it lands).

const BASIC = { where: true, order: true, modifiedSince: true };

export const contactGroup: ResourceModule = entityResource({
  value: 'contactGroup',
  name: 'Contact Group',
  noun: 'contact group',
  description: 'A named group of contacts',
  plural: 'ContactGroups',
  idKey: 'ContactGroupID',
  idParam: 'contactGroupId',
  example: '{"Name": "VIP customers"}',
  create: 'PUT',
  update: true,
  getAll: { where: true, order: true, paging: 'none' },
  remove: [{ operation: 'delete', how: 'DELETED', description: 'Delete a contact group (its contacts stay)' }],
  extra: {
    addContacts: {
      option: {
        name: 'Add Contacts',
        value: 'addContacts',
        description: 'Add contacts, by their IDs, to a contact group',
        action: 'Add contacts to a contact group',
      },
      plan: (p) => {
        const ids = required(p, 'contactIds', 'Contact IDs')
          .split(/[\s,]+/)
          .filter(Boolean);
        return {
          kind: 'single',
          spec: spec('PUT', `/ContactGroups/${seg(required(p, 'contactGroupId', 'Contact Group ID'))}/Contacts`, {
            envelope: 'Contacts',
            body: { Contacts: ids.map((ContactID) => ({ ContactID })) },
          }),
        };
      },
      parse: (body) => recordsOf(body, 'Contacts'),
    },
    removeContact: {
      option: {
        name: 'Remove Contact',
        value: 'removeContact',
        description: 'Remove one contact from a contact group',
        action: 'Remove a contact from a contact group',
      },
      plan: (p) => ({
        kind: 'single',
        spec: spec(
          'DELETE',
          `/ContactGroups/${seg(required(p, 'contactGroupId', 'Contact Group ID'))}/Contacts/${seg(required(p, 'contactIds', 'Contact IDs'))}`,
        ),
      }),
      parse: () => [{ removed: true }],
    },
  },
  extraProperties: [
    {
      displayName: 'Contact IDs',
      name: 'contactIds',
      type: 'string',
      default: '',
      required: true,
      displayOptions: show(['addContacts', 'removeContact']),
      description: 'Xero contact IDs, separated by commas (one ID to remove)',
    },
  ],
});
// The group operations need the group ID field too.
contactGroup.properties[0].displayOptions = show(['get', 'update', 'delete', 'addContacts', 'removeContact']);

export const creditNote: ResourceModule = entityResource({
  value: 'creditNote',
  name: 'Credit Note',
  noun: 'credit note',
  description: 'A credit note (ACCRECCREDIT or ACCPAYCREDIT), allocated against invoices',
  plural: 'CreditNotes',
  idKey: 'CreditNoteID',
  idParam: 'creditNoteId',
  example:
    '{"Type": "ACCRECCREDIT", "Contact": {"ContactID": "..."}, "LineItems": [{"Description": "Refund", "Quantity": 1, "UnitAmount": 20, "AccountCode": "200"}]}',
  create: 'PUT',
  update: true,
  getAll: { ...BASIC, paging: 'page' },
  remove: [
    { operation: 'void', how: 'VOIDED', description: 'Void an approved credit note' },
    { operation: 'delete', how: 'DELETED', description: 'Delete a draft or submitted credit note' },
  ],
  downloadPdf: true,
  extra: {
    allocate: {
      option: {
        name: 'Allocate',
        value: 'allocate',
        description: 'Allocate part or all of a credit note to an invoice',
        action: 'Allocate a credit note to an invoice',
      },
      plan: (p) => {
        const allocation: IDataObject = {
          Invoice: { InvoiceID: required(p, 'allocationInvoiceId', 'Invoice ID') },
          Amount: Number(required(p, 'allocationAmount', 'Amount')),
        };
        if (typeof p.allocationDate === 'string' && p.allocationDate) allocation.Date = p.allocationDate;
        return {
          kind: 'single',
          spec: spec('PUT', `/CreditNotes/${seg(required(p, 'creditNoteId', 'Credit Note ID'))}/Allocations`, {
            envelope: 'Allocations',
            body: { Allocations: [allocation] },
          }),
        };
      },
      parse: (body) => recordsOf(body, 'Allocations'),
    },
  },
  extraProperties: [
    {
      displayName: 'Invoice ID',
      name: 'allocationInvoiceId',
      type: 'string',
      default: '',
      required: true,
      displayOptions: show(['allocate']),
      description: 'The invoice the credit goes to',
    },
    {
      displayName: 'Amount',
      name: 'allocationAmount',
      type: 'number',
      typeOptions: { minValue: 0, numberPrecision: 2 },
      default: 0,
      required: true,
      displayOptions: show(['allocate']),
      description: 'How much of the credit note to allocate',
    },
    {
      displayName: 'Date',
      name: 'allocationDate',
      type: 'dateTime',
      default: '',
      displayOptions: show(['allocate']),
      description: 'Date of the allocation (today if empty)',
    },
  ],
});
creditNote.properties[0].displayOptions = show(['get', 'update', 'void', 'delete', 'downloadPdf', 'allocate']);

export const payment: ResourceModule = entityResource({
  value: 'payment',
  name: 'Payment',
  noun: 'payment',
  description: 'A payment against an invoice, credit note, prepayment or overpayment',
  plural: 'Payments',
  idKey: 'PaymentID',
  idParam: 'paymentId',
  example: '{"Invoice": {"InvoiceID": "..."}, "Account": {"Code": "090"}, "Amount": 100, "Date": "2026-01-31"}',
  create: 'PUT',
  getAll: { ...BASIC, paging: 'page' },
  remove: [{ operation: 'delete', how: 'DELETED', description: 'Delete (reverse) a payment' }],
});

export const bankTransaction: ResourceModule = entityResource({
  value: 'bankTransaction',
  name: 'Bank Transaction',
  noun: 'bank transaction',
  description: 'Money spent or received in a bank account',
  plural: 'BankTransactions',
  idKey: 'BankTransactionID',
  idParam: 'bankTransactionId',
  example:
    '{"Type": "SPEND", "Contact": {"ContactID": "..."}, "BankAccount": {"Code": "090"}, "LineItems": [{"Description": "Coffee", "UnitAmount": 4.5, "AccountCode": "429"}]}',
  create: 'PUT',
  update: true,
  getAll: { ...BASIC, paging: 'page' },
  remove: [{ operation: 'delete', how: 'DELETED', description: 'Delete a bank transaction' }],
});

export const bankTransfer: ResourceModule = entityResource({
  value: 'bankTransfer',
  name: 'Bank Transfer',
  noun: 'bank transfer',
  description: 'Money moved between two bank accounts',
  plural: 'BankTransfers',
  idKey: 'BankTransferID',
  idParam: 'bankTransferId',
  example: '{"FromBankAccount": {"Code": "090"}, "ToBankAccount": {"Code": "091"}, "Amount": 500}',
  create: 'PUT',
  getAll: { ...BASIC, paging: 'none' },
});

export const account: ResourceModule = entityResource({
  value: 'account',
  name: 'Account',
  noun: 'account',
  description: 'An account of the chart of accounts',
  plural: 'Accounts',
  idKey: 'AccountID',
  idParam: 'accountId',
  example: '{"Code": "201", "Name": "Sales - clothing", "Type": "REVENUE"}',
  create: 'PUT',
  update: true,
  getAll: { ...BASIC, paging: 'none' },
  remove: [
    { operation: 'archive', how: 'ARCHIVED', description: 'Archive an account (kept for history, hidden from use)' },
    { operation: 'delete', how: 'DELETE', description: 'Delete an account that has never been used' },
  ],
});

export const item: ResourceModule = entityResource({
  value: 'item',
  name: 'Item',
  noun: 'item',
  description: 'A product or service sold or bought',
  plural: 'Items',
  idKey: 'ItemID',
  idParam: 'itemId',
  example: '{"Code": "T-SHIRT", "Name": "T-shirt", "SalesDetails": {"UnitPrice": 20, "AccountCode": "200"}}',
  create: 'PUT',
  update: true,
  getAll: { ...BASIC, paging: 'none' },
  remove: [{ operation: 'delete', how: 'DELETE', description: 'Delete an item' }],
});

export const quote: ResourceModule = entityResource({
  value: 'quote',
  name: 'Quote',
  noun: 'quote',
  description: 'A quote to a customer',
  plural: 'Quotes',
  idKey: 'QuoteID',
  idParam: 'quoteId',
  example: '{"Contact": {"ContactID": "..."}, "Date": "2026-01-31", "LineItems": [{"Description": "Consulting", "Quantity": 10, "UnitAmount": 120}]}',
  create: 'PUT',
  update: true,
  getAll: { order: true, modifiedSince: true, paging: 'page' },
  remove: [{ operation: 'delete', how: 'DELETED', description: 'Delete a draft quote' }],
  downloadPdf: true,
});

export const purchaseOrder: ResourceModule = entityResource({
  value: 'purchaseOrder',
  name: 'Purchase Order',
  noun: 'purchase order',
  description: 'A purchase order to a supplier',
  plural: 'PurchaseOrders',
  idKey: 'PurchaseOrderID',
  idParam: 'purchaseOrderId',
  example: '{"Contact": {"ContactID": "..."}, "LineItems": [{"Description": "Paper", "Quantity": 5, "UnitAmount": 8}]}',
  create: 'PUT',
  update: true,
  getAll: { order: true, modifiedSince: true, paging: 'page' },
  remove: [{ operation: 'delete', how: 'DELETED', description: 'Delete a purchase order' }],
  downloadPdf: true,
});

export const manualJournal: ResourceModule = entityResource({
  value: 'manualJournal',
  name: 'Manual Journal',
  noun: 'manual journal',
  description: 'A manual journal of debit and credit lines',
  plural: 'ManualJournals',
  idKey: 'ManualJournalID',
  idParam: 'manualJournalId',
  example: '{"Narration": "Accrual", "JournalLines": [{"LineAmount": 100, "AccountCode": "200"}, {"LineAmount": -100, "AccountCode": "800"}]}',
  create: 'PUT',
  update: true,
  getAll: { ...BASIC, paging: 'page' },
  remove: [
    { operation: 'void', how: 'VOIDED', description: 'Void a posted manual journal' },
    { operation: 'delete', how: 'DELETED', description: 'Delete a draft manual journal' },
  ],
});

export const trackingCategory: ResourceModule = entityResource({
  value: 'trackingCategory',
  name: 'Tracking Category',
  noun: 'tracking category',
  description: 'A tracking category (such as Region) and its options',
  plural: 'TrackingCategories',
  idKey: 'TrackingCategoryID',
  idParam: 'trackingCategoryId',
  example: '{"Name": "Region"}',
  create: 'PUT',
  update: true,
  getAll: { where: true, order: true, includeArchived: true, paging: 'none' },
  remove: [{ operation: 'delete', how: 'DELETE', description: 'Delete a tracking category' }],
  extra: {
    createOption: {
      option: {
        name: 'Create Option',
        value: 'createOption',
        description: 'Add an option (such as North) to a tracking category',
        action: 'Create an option of a tracking category',
      },
      plan: (p) => ({
        kind: 'single',
        spec: spec('PUT', `/TrackingCategories/${seg(required(p, 'trackingCategoryId', 'Tracking Category ID'))}/Options`, {
          envelope: 'Options',
          body: { Options: [{ Name: required(p, 'optionName', 'Option Name') }] },
        }),
      }),
      parse: (body) => recordsOf(body, 'Options'),
    },
    updateOption: {
      option: {
        name: 'Update Option',
        value: 'updateOption',
        description: 'Rename an option of a tracking category',
        action: 'Update an option of a tracking category',
      },
      plan: (p) => ({
        kind: 'single',
        spec: spec(
          'POST',
          `/TrackingCategories/${seg(required(p, 'trackingCategoryId', 'Tracking Category ID'))}/Options/${seg(required(p, 'trackingOptionId', 'Option ID'))}`,
          {
            envelope: 'Options',
            body: { Options: [{ Name: required(p, 'optionName', 'Option Name') }] },
          },
        ),
      }),
      parse: (body) => recordsOf(body, 'Options'),
    },
    deleteOption: {
      option: {
        name: 'Delete Option',
        value: 'deleteOption',
        description: 'Delete an option of a tracking category',
        action: 'Delete an option of a tracking category',
      },
      plan: (p) => ({
        kind: 'single',
        spec: spec(
          'DELETE',
          `/TrackingCategories/${seg(required(p, 'trackingCategoryId', 'Tracking Category ID'))}/Options/${seg(required(p, 'trackingOptionId', 'Option ID'))}`,
          { envelope: 'Options' },
        ),
      }),
      parse: (body) => recordsOf(body, 'Options'),
    },
  },
  extraProperties: [
    {
      displayName: 'Option ID',
      name: 'trackingOptionId',
      type: 'string',
      default: '',
      required: true,
      displayOptions: show(['updateOption', 'deleteOption']),
      description: 'The Xero ID of the tracking option',
    },
    {
      displayName: 'Option Name',
      name: 'optionName',
      type: 'string',
      default: '',
      required: true,
      displayOptions: show(['createOption', 'updateOption']),
      description: 'Name of the option, e.g. North',
    },
  ],
});
trackingCategory.properties[0].displayOptions = show(['get', 'update', 'delete', 'createOption', 'updateOption', 'deleteOption']);

export const taxRate: ResourceModule = (() => {
  const r = entityResource({
    value: 'taxRate',
    name: 'Tax Rate',
    noun: 'tax rate',
    description: 'A tax rate of the organisation',
    plural: 'TaxRates',
    idKey: 'TaxType',
    idParam: 'taxType',
    example: '{"Name": "Reduced", "TaxComponents": [{"Name": "VAT", "Rate": 5}]}',
    create: 'PUT',
    getAll: { where: true, order: true, paging: 'none' },
  });
  // Xero updates and deletes tax rates on the collection, naming the rate by its TaxType in the body.
  r.operations.update = {
    option: { name: 'Update', value: 'update', description: 'Update a tax rate, named by its tax type', action: 'Update a tax rate' },
    plan: (p) => {
      const fields = jsonParameter(p, 'fields', 'Fields (JSON)');
      const one = Array.isArray(fields) ? (fields[0] ?? {}) : fields;
      return {
        kind: 'single',
        spec: spec('POST', '/TaxRates', { envelope: 'TaxRates', body: { TaxRates: [{ ...one, TaxType: required(p, 'taxType', 'Tax Rate ID') }] } }),
      };
    },
    parse: (body) => recordsOf(body, 'TaxRates'),
  };
  r.operations.delete = {
    option: { name: 'Delete', value: 'delete', description: 'Delete a tax rate, named by its tax type', action: 'Delete a tax rate' },
    plan: (p) => ({
      kind: 'single',
      spec: spec('POST', '/TaxRates', { envelope: 'TaxRates', body: { TaxRates: [{ TaxType: required(p, 'taxType', 'Tax Rate ID'), Status: 'DELETED' }] } }),
    }),
    parse: (body) => recordsOf(body, 'TaxRates'),
  };
  r.properties[0] = {
    ...r.properties[0],
    displayName: 'Tax Type',
    description: 'The tax type that names the rate, e.g. OUTPUT2 or TAX001',
    displayOptions: show(['get', 'update', 'delete']),
  };
  r.properties[1].displayOptions = show(['create', 'update']);
  return r;
})();

export const currency: ResourceModule = (() => {
  const r = entityResource({
    value: 'currency',
    name: 'Currency',
    noun: 'currency',
    description: 'A currency the organisation trades in',
    plural: 'Currencies',
    idKey: 'Code',
    idParam: 'currencyCode',
    example: '{"Code": "EUR"}',
    get: false,
    getAll: { where: true, order: true, paging: 'none' },
  });
  r.operations.create = {
    option: { name: 'Create', value: 'create', description: 'Add a currency to the organisation, by its ISO code', action: 'Add a currency' },
    plan: (p) => ({
      kind: 'single',
      spec: spec('PUT', '/Currencies', { envelope: 'Currencies', body: { Code: required(p, 'currencyCode', 'Currency Code').toUpperCase() } }),
    }),
    parse: (body) => recordsOf(body, 'Currencies'),
  };
  r.properties.unshift({
    displayName: 'Currency Code',
    name: 'currencyCode',
    type: 'string',
    default: '',
    required: true,
    placeholder: 'EUR',
    displayOptions: show(['create']),
    description: 'ISO 4217 code of the currency',
  });
  return r;
})();

export const organisation: ResourceModule = {
  value: 'organisation',
  name: 'Organisation',
  description: 'The Xero organisation itself: name, base currency, financial year, tax settings',
  operations: {
    get: {
      option: { name: 'Get', value: 'get', description: 'Get the details of the chosen organisation', action: 'Get the organisation' },
      plan: () => ({ kind: 'single', spec: spec('GET', '/Organisation', { envelope: 'Organisations' }) }),
      parse: (body) => recordsOf(body, 'Organisations'),
    },
  },
  properties: [],
};

export const journal: ResourceModule = {
  value: 'journal',
  name: 'Journal',
  description: 'The general ledger journals Xero writes for every transaction (read only)',
  operations: {
    get: {
      option: { name: 'Get', value: 'get', description: 'Get a journal by its ID', action: 'Get a journal' },
      plan: (p) => ({ kind: 'single', spec: spec('GET', `/Journals/${seg(required(p, 'journalId', 'Journal ID'))}`, { envelope: 'Journals' }) }),
      parse: (body) => recordsOf(body, 'Journals'),
    },
    getAll: {
      option: { name: 'Get Many', value: 'getAll', description: 'Get many journals, oldest first, in pages of 100', action: 'Get many journals' },
      plan: (p) => {
        const options = (p.options as IDataObject | undefined) ?? {};
        const query: Record<string, string> = {};
        if (options.paymentsOnly === true) query.paymentsOnly = 'true';
        const modifiedSince = typeof options.modifiedSince === 'string' && options.modifiedSince ? options.modifiedSince : undefined;
        return {
          kind: 'list',
          limit: p.returnAll === true ? undefined : Number(p.limit ?? 100),
          spec: spec('GET', '/Journals', { envelope: 'Journals', paging: 'offset', query, ...(modifiedSince ? { modifiedSince } : {}) }),
        };
      },
      parse: (body) => recordsOf(body, 'Journals'),
    },
  },
  properties: [
    {
      displayName: 'Journal ID',
      name: 'journalId',
      type: 'string',
      default: '',
      required: true,
      displayOptions: show(['get']),
      description: 'The Xero ID (a GUID) of the journal',
    },
    {
      displayName: 'Return All',
      name: 'returnAll',
      type: 'boolean',
      displayOptions: show(['getAll']),
      default: false,
      description: 'Whether to return all results or only up to a given limit',
    },
    {
      displayName: 'Limit',
      name: 'limit',
      type: 'number',
      displayOptions: show(['getAll'], { returnAll: [false] }),
      typeOptions: { minValue: 1 },
      default: 100,
      description: 'Max number of results to return',
    },
    {
      displayName: 'Options',
      name: 'options',
      type: 'collection',
      placeholder: 'Add option',
      default: {},
      displayOptions: show(['getAll']),
      options: [
        {
          displayName: 'Modified Since',
          name: 'modifiedSince',
          type: 'dateTime',
          default: '',
          description: 'Only journals created after this moment (sent as If-Modified-Since)',
        },
        {
          displayName: 'Payments Only',
          name: 'paymentsOnly',
          type: 'boolean',
          default: false,
          description: 'Whether to return only journals of cash transactions',
        },
      ],
    },
  ],
};

export const ATTACHABLE = [
  'Invoices',
  'CreditNotes',
  'BankTransactions',
  'BankTransfers',
  'Contacts',
  'Accounts',
  'ManualJournals',
  'PurchaseOrders',
  'Quotes',
  'Receipts',
  'RepeatingInvoices',
];
export const WITH_HISTORY = [
  'Invoices',
  'CreditNotes',
  'BankTransactions',
  'BankTransfers',
  'Contacts',
  'ContactGroups',
  'Items',
  'ManualJournals',
  'Payments',
  'PurchaseOrders',
  'Quotes',
  'Receipts',
  'RepeatingInvoices',
  'Overpayments',
  'Prepayments',
  'BatchPayments',
];

const words = (plural: string) => plural.replace(/([a-z])([A-Z])/g, '$1 $2');

function parentFields(operations: string[], types: string[]): INodeProperties[] {
  return [
    {
      displayName: 'Record Type',
      name: 'parentType',
      type: 'options',
      options: types.map((t) => ({ name: words(t), value: t })),
      default: 'Invoices',
      required: true,
      displayOptions: show(operations),
      description: 'The kind of Xero record the attachment or note belongs to',
    },
    {
      displayName: 'Record ID',
      name: 'parentId',
      type: 'string',
      default: '',
      required: true,
      displayOptions: show(operations),
      description: 'The Xero ID (a GUID) of that record, e.g. the InvoiceID',
    },
  ];
}

const parentPath = (p: IDataObject, allowed: string[]): string => {
  const type = required(p, 'parentType', 'Record Type');
  if (!allowed.includes(type))
    throw new MappingError(
      `Record Type "${type}" has no ${allowed === ATTACHABLE ? 'attachments' : 'history'} in Xero: choose one of ${allowed.map(words).join(', ')}.`,
    );
  return `/${type}/${seg(required(p, 'parentId', 'Record ID'))}`;
};

export const attachment: ResourceModule = {
  value: 'attachment',
  name: 'Attachment',
  description: 'A file attached to an invoice, contact, bank transaction or other record',
  operations: {
    getAll: {
      option: { name: 'Get Many', value: 'getAll', description: 'List the files attached to a record', action: 'List the attachments of a record' },
      plan: (p) => ({ kind: 'single', spec: spec('GET', `${parentPath(p, ATTACHABLE)}/Attachments`, { envelope: 'Attachments' }) }),
      parse: (body) => recordsOf(body, 'Attachments'),
    },
    upload: {
      option: { name: 'Upload', value: 'upload', description: 'Attach a file from binary data to a record', action: 'Upload an attachment' },
      plan: (p) => {
        const fileName = required(p, 'fileName', 'File Name');
        const query: Record<string, string> = p.includeOnline === true ? { IncludeOnline: 'true' } : {};
        return {
          kind: 'upload',
          spec: spec('PUT', `${parentPath(p, ATTACHABLE)}/Attachments/${seg(fileName)}`, {
            envelope: 'Attachments',
            query,
            binary: { direction: 'upload', binaryProperty: required(p, 'binaryPropertyName', 'Input Binary Field'), fileName },
          }),
        };
      },
      parse: (body) => recordsOf(body, 'Attachments'),
    },
    download: {
      option: {
        name: 'Download',
        value: 'download',
        description: 'Download an attached file, by its file name, into binary data',
        action: 'Download an attachment',
      },
      plan: (p) => {
        const fileName = required(p, 'fileName', 'File Name');
        return {
          kind: 'download',
          binaryProperty: required(p, 'binaryPropertyName', 'Put Output File in Field'),
          spec: spec('GET', `${parentPath(p, ATTACHABLE)}/Attachments/${seg(fileName)}`, {
            binary: { direction: 'download', accept: 'application/octet-stream', fileName },
          }),
        };
      },
    },
  },
  properties: [
    ...parentFields(['getAll', 'upload', 'download'], ATTACHABLE),
    {
      displayName: 'File Name',
      name: 'fileName',
      type: 'string',
      default: '',
      required: true,
      displayOptions: show(['upload', 'download']),
      description: 'Name of the attachment in Xero, e.g. receipt.pdf',
    },
    {
      displayName: 'Input Binary Field',
      name: 'binaryPropertyName',
      type: 'string',
      default: 'data',
      required: true,
      displayOptions: show(['upload']),
      hint: 'The name of the input binary field holding the file',
    },
    {
      displayName: 'Put Output File in Field',
      name: 'binaryPropertyName',
      type: 'string',
      default: 'data',
      required: true,
      displayOptions: show(['download']),
      hint: 'The name of the output binary field to put the file in',
    },
    {
      displayName: 'Include Online',
      name: 'includeOnline',
      type: 'boolean',
      default: false,
      displayOptions: show(['upload']),
      description: 'Whether the contact sees the file with the online invoice',
    },
  ],
};

export const history: ResourceModule = {
  value: 'history',
  name: 'History and Note',
  description: 'The history of changes and the notes on a record',
  operations: {
    getAll: {
      option: { name: 'Get Many', value: 'getAll', description: 'Get the history and notes of a record', action: 'Get the history of a record' },
      plan: (p) => ({ kind: 'single', spec: spec('GET', `${parentPath(p, WITH_HISTORY)}/History`, { envelope: 'HistoryRecords' }) }),
      parse: (body) => recordsOf(body, 'HistoryRecords'),
    },
    addNote: {
      option: { name: 'Add Note', value: 'addNote', description: 'Add a note to the history of a record', action: 'Add a note to the history of a record' },
      plan: (p) => ({
        kind: 'single',
        spec: spec('PUT', `${parentPath(p, WITH_HISTORY)}/History`, {
          envelope: 'HistoryRecords',
          body: { HistoryRecords: [{ Details: required(p, 'note', 'Note') }] },
        }),
      }),
      parse: (body) => recordsOf(body, 'HistoryRecords'),
    },
  },
  properties: [
    ...parentFields(['getAll', 'addNote'], WITH_HISTORY),
    {
      displayName: 'Note',
      name: 'note',
      type: 'string',
      typeOptions: { rows: 3 },
      default: '',
      required: true,
      displayOptions: show(['addNote']),
      description: 'Text of the note (up to 2,500 characters)',
    },
  ],
};

/** Xero's reports as the core knows them. */
export const REPORTS: readonly string[] = XERO_REPORTS;

const REPORT_OPTIONS: Array<[string, string, 'string' | 'dateTime' | 'number' | 'boolean', string]> = [
  ['contactID', 'Contact ID', 'string', 'For the aged reports: the contact'],
  ['date', 'Date', 'dateTime', 'The report date (balance sheet, trial balance, aged reports, budget summary, executive summary)'],
  ['fromDate', 'From Date', 'dateTime', 'Start of the period (profit and loss, bank summary, aged reports)'],
  ['toDate', 'To Date', 'dateTime', 'End of the period'],
  ['periods', 'Periods', 'number', 'Number of periods to compare'],
  ['timeframe', 'Timeframe', 'string', 'MONTH, QUARTER or YEAR'],
  ['trackingCategoryID', 'Tracking Category ID', 'string', 'Split the report by this tracking category'],
  ['paymentsOnly', 'Payments Only', 'boolean', 'Whether to include only cash transactions'],
  ['standardLayout', 'Standard Layout', 'boolean', 'Whether to ignore custom report layouts'],
];

const isoDay = (v: string) => (/^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : v);

export const report: ResourceModule = {
  value: 'report',
  name: 'Report',
  description: 'A financial report: profit and loss, balance sheet, trial balance, aged receivables and payables, bank, budget and executive summaries',
  operations: {
    get: {
      option: { name: 'Get', value: 'get', description: 'Run a report and return its rows', action: 'Get a report' },
      plan: (p) => {
        const name = required(p, 'reportName', 'Report');
        if (!REPORTS.includes(name))
          throw new MappingError(`Report "${name}" is not one Xero Guard runs: choose one of ${REPORTS.join(', ')} (or use Custom API Call).`);
        const options = (p.reportOptions as IDataObject | undefined) ?? {};
        const query: Record<string, string> = {};
        for (const [key, , type] of REPORT_OPTIONS) {
          const v = options[key];
          if (v === undefined || v === '' || v === null || v === false) continue;
          query[key] = type === 'dateTime' ? isoDay(String(v)) : String(v);
        }
        return { kind: 'single', spec: spec('GET', `/Reports/${seg(name)}`, { envelope: 'Reports', query }) };
      },
      parse: (body) => recordsOf(body, 'Reports'),
    },
  },
  properties: [
    {
      displayName: 'Report',
      name: 'reportName',
      type: 'options',
      options: REPORTS.map((r) => ({ name: words(r).replace('And', 'and'), value: r })),
      default: 'ProfitAndLoss',
      required: true,
      displayOptions: show(['get']),
    },
    {
      displayName: 'Report Options',
      name: 'reportOptions',
      type: 'collection',
      placeholder: 'Add option',
      default: {},
      displayOptions: show(['get']),
      options: REPORT_OPTIONS.map(([name, displayName, type, description]) => ({
        displayName,
        name,
        type,
        default: type === 'boolean' ? false : type === 'number' ? 1 : '',
        description,
      })),
    },
  ],
};
