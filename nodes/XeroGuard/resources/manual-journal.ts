/** Manual journals: Xero voids a posted one and deletes a draft, both by its status. */
import { entityResource } from './entity';
import { BASIC_LIST_FILTERS } from '../../shared/api-node/mapping';
import type { ResourceModule } from '../../shared/api-node/types';

export const manualJournal: ResourceModule = entityResource({
  value: 'manualJournal',
  name: 'Manual Journal',
  noun: 'manual journal',
  description: 'A manual journal of debit and credit lines',
  plural: 'ManualJournals',
  idKey: 'ManualJournalID',
  idParam: 'manualJournalId',
  example: '{"Narration": "Accrual", "JournalLines": [{"LineAmount": 100, "AccountCode": "200"}, {"LineAmount": -100, "AccountCode": "800"}]}',
  create: 'PUT',
  update: true,
  getAll: { ...BASIC_LIST_FILTERS, paging: 'page' },
  remove: [
    { operation: 'void', status: 'VOIDED', description: 'Void a posted manual journal' },
    { operation: 'delete', status: 'DELETED', description: 'Delete a draft manual journal' },
  ],
});
