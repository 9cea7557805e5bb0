/** Quotes: Xero pages them by order and modified date only (no where filter) and sends one as a PDF. */
import { entityResource } from './entity';
import type { ResourceModule } from '../../shared/api-node/types';

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
  remove: [{ operation: 'delete', status: 'DELETED', description: 'Delete a draft quote' }],
  downloadPdf: true,
});
