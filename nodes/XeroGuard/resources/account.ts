/** Accounts of the chart of accounts: Xero archives one in use and deletes only one never used. */
import { entityResource } from './entity';
import { BASIC_LIST_FILTERS } from '../../shared/api-node/mapping';
import type { ResourceModule } from '../../shared/api-node/types';

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
  getAll: { ...BASIC_LIST_FILTERS, paging: 'none' },
  remove: [
    { operation: 'archive', status: 'ARCHIVED', description: 'Archive an account (kept for history, hidden from use)' },
    { operation: 'delete', method: 'DELETE', description: 'Delete an account that has never been used' },
  ],
});
