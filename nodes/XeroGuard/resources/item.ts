/** Items (products and services): Xero answers them all at once and deletes one outright. */
import { entityResource } from './entity';
import { BASIC_LIST_FILTERS } from '../../shared/api-node/mapping';
import type { ResourceModule } from '../../shared/api-node/types';

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
  getAll: { ...BASIC_LIST_FILTERS, paging: 'none' },
  remove: [{ operation: 'delete', method: 'DELETE', description: 'Delete an item' }],
});
