/** Purchase orders: Xero pages them by order and modified date only (no where filter) and sends one as a PDF. */
import { entityResource } from './entity';
import type { ResourceModule } from '../../shared/api-node/types';

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
  remove: [{ operation: 'delete', status: 'DELETED', description: 'Delete a purchase order' }],
  downloadPdf: true,
});
