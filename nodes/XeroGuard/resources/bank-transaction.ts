/** Bank transactions (spend and receive money): Xero pages them and deletes one by its status. */
import { entityResource } from './entity';
import { BASIC_LIST_FILTERS } from '../../shared/api-node/mapping';
import type { ResourceModule } from '../../shared/api-node/types';

export const bankTransaction: ResourceModule = entityResource({
  value: 'bankTransaction',
  name: 'Bank Transaction',
  noun: 'bank transaction',
  description: 'Money spent or received in a bank account',
  plural: 'BankTransactions',
  idKey: 'BankTransactionID',
  idParam: 'bankTransactionId',
  example:
    '{"Type": "SPEND", "Contact": {"ContactID": "..."}, "BankAccount": {"Code": "090"}, "LineItems": [{"Description": "Coffee", "UnitAmount": 4.5, "AccountCode": "429"}]}',
  create: 'PUT',
  update: true,
  getAll: { ...BASIC_LIST_FILTERS, paging: 'page' },
  remove: [{ operation: 'delete', status: 'DELETED', description: 'Delete a bank transaction' }],
});
