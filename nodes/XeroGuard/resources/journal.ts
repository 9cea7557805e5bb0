/** The general ledger journals (read only): Xero pages them by offset, oldest first, 100 at a time. */
import { idField, returnAllAndLimit, show } from '../../shared/api-node/common';
import { collection, limitOf, segment, str } from '../../shared/api-node/mapping';
import type { ResourceModule } from '../../shared/api-node/types';
import { covered, ID } from './covers';

export const journal: ResourceModule = {
  value: 'journal',
  table: 'Journals',
  name: 'Journal',
  description: 'The general ledger journals Xero writes for every transaction (read only)',
  operations: {
    get: {
      option: { name: 'Get', value: 'get', description: 'Get a journal by its ID', action: 'Get a journal' },
      plan: (p) => ({ kind: 'single', request: { method: 'GET', path: ['Journals', segment(p, 'journalId', 'Journal ID')] }, envelope: 'Journals' }),
      covers: covered(['GET', ['Journals', ID]]),
    },
    getAll: {
      option: { name: 'Get Many', value: 'getAll', description: 'Get many journals, oldest first, in pages of 100', action: 'Get many journals' },
      plan: (p) => {
        const options = collection(p, 'options');
        const since = str(options.modifiedSince);
        return {
          kind: 'list',
          limit: limitOf(p),
          request: {
            path: ['Journals'],
            envelope: 'Journals',
            paging: 'offset',
            query: options.paymentsOnly === true ? { paymentsOnly: true } : {},
            ...(since ? { ifModifiedSince: since } : {}),
          },
        };
      },
      covers: covered(['GET', ['Journals']]),
    },
  },
  properties: [
    idField(['get'], 'journalId', 'Journal ID', 'journal'),
    ...returnAllAndLimit('getAll'),
    {
      displayName: 'Options',
      name: 'options',
      type: 'collection',
      placeholder: 'Add option',
      default: {},
      displayOptions: show(['getAll']),
      options: [
        {
          displayName: 'Modified Since',
          name: 'modifiedSince',
          type: 'dateTime',
          default: '',
          description: 'Only journals created after this moment (sent as If-Modified-Since)',
        },
        {
          displayName: 'Payments Only',
          name: 'paymentsOnly',
          type: 'boolean',
          default: false,
          description: 'Whether to return only journals of cash transactions',
        },
      ],
    },
  ],
};
