/**
 * The record an attachment or a history note belongs to, named by its type and ID: which types Xero
 * keeps attachments or history for, the two fields that name the record, and its path.
 */
import type { INodeProperties } from 'n8n-workflow';
import { show, words } from '../../shared/api-node/common';
import { required, segment } from '../../shared/api-node/mapping';
import { MappingError, type Parameters } from '../../shared/api-node/types';

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

export function parentFields(operations: string[], types: string[]): INodeProperties[] {
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

/** The record's path segments, `['Invoices', '<InvoiceID>']`, for a type that has attachments (or history). */
export function parentPath(p: Parameters, allowed: string[]): string[] {
  const type = required(p, 'parentType', 'Record Type');
  if (!allowed.includes(type))
    throw new MappingError(
      `Record Type "${type}" has no ${allowed === ATTACHABLE ? 'attachments' : 'history'} in Xero: choose one of ${allowed.map(words).join(', ')}.`,
    );
  return [type, segment(p, 'parentId', 'Record ID')];
}
