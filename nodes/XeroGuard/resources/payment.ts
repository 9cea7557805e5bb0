/** Payments: Xero creates and reverses them (a delete by status) but never edits one. */
import { entityResource } from './entity';
import { BASIC_LIST_FILTERS } from '../../shared/api-node/mapping';
import type { ResourceModule } from '../../shared/api-node/types';

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
  getAll: { ...BASIC_LIST_FILTERS, paging: 'page' },
  remove: [{ operation: 'delete', status: 'DELETED', description: 'Delete (reverse) a payment' }],
});
