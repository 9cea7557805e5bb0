/** Bank transfers: Xero creates and reads them, and never changes or removes one through the API. */
import { entityResource } from './entity';
import { BASIC_LIST_FILTERS } from '../../shared/api-node/mapping';
import type { ResourceModule } from '../../shared/api-node/types';

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
  getAll: { ...BASIC_LIST_FILTERS, paging: 'none' },
});
