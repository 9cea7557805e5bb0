/** The organisation itself: one record, the one the node works in. */
import type { ResourceModule } from '../../shared/api-node/types';
import { covered } from './covers';

export const organisation: ResourceModule = {
  value: 'organisation',
  table: 'Organisation',
  name: 'Organisation',
  description: 'The Xero organisation itself: name, base currency, financial year, tax settings',
  operations: {
    get: {
      option: { name: 'Get', value: 'get', description: 'Get the details of the chosen organisation', action: 'Get the organisation' },
      plan: () => ({ kind: 'single', request: { method: 'GET', path: ['Organisation'] }, envelope: 'Organisations' }),
      covers: covered(['GET', ['Organisation']]),
    },
  },
  properties: [],
};
