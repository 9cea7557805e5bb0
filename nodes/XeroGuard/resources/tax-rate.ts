/** Tax rates: Xero names one by its TaxType, and updates and deletes it on the collection with the TaxType in the body. */
import { entityResource } from './entity';
import type { ResourceModule } from '../../shared/api-node/types';

export const taxRate: ResourceModule = entityResource({
  value: 'taxRate',
  name: 'Tax Rate',
  noun: 'tax rate',
  description: 'A tax rate of the organisation',
  plural: 'TaxRates',
  idKey: 'TaxType',
  idParam: 'taxType',
  idLabel: { displayName: 'Tax Type', description: 'The tax type that names the rate, e.g. OUTPUT2 or TAX001' },
  example: '{"Name": "Reduced", "TaxComponents": [{"Name": "VAT", "Rate": 5}]}',
  create: 'PUT',
  update: true,
  writesOnCollection: true,
  sampleId: 'OUTPUT',
  getAll: { where: true, order: true, paging: 'none' },
  remove: [{ operation: 'delete', status: 'DELETED', description: 'Delete a tax rate, named by its tax type' }],
  texts: { update: { description: 'Update a tax rate, named by its tax type' } },
});
