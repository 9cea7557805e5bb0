/** Currencies the organisation trades in: Xero adds one by its ISO code (a single Currency, not a list) and never removes one. */
import { show } from '../../shared/api-node/common';
import { entityResource } from './entity';
import { required } from '../../shared/api-node/mapping';
import type { ResourceModule } from '../../shared/api-node/types';
import { covered } from './covers';

export const currency: ResourceModule = entityResource({
  value: 'currency',
  name: 'Currency',
  noun: 'currency',
  description: 'A currency the organisation trades in',
  plural: 'Currencies',
  idKey: 'Code',
  idParam: 'currencyCode',
  get: false,
  getAll: { where: true, order: true, paging: 'none' },
  extra: {
    create: {
      option: { name: 'Create', value: 'create', description: 'Add a currency to the organisation, by its ISO code', action: 'Add a currency' },
      plan: (p) => ({
        kind: 'single',
        request: { method: 'PUT', path: ['Currencies'], body: { Code: required(p, 'currencyCode', 'Currency Code').toUpperCase() } },
        envelope: 'Currencies',
      }),
      covers: covered(['PUT', ['Currencies']]),
    },
  },
  extraProperties: [
    {
      displayName: 'Currency Code',
      name: 'currencyCode',
      type: 'string',
      default: '',
      required: true,
      placeholder: 'EUR',
      displayOptions: show(['create']),
      description: 'ISO 4217 code of the currency',
    },
  ],
});
