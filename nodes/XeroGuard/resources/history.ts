/** The history of changes and the notes on a record: read, or a note added. */
import { show } from '../../shared/api-node/common';
import { required } from '../../shared/api-node/mapping';
import { parentFields, parentPath, WITH_HISTORY } from './record-parent';
import type { ResourceModule } from '../../shared/api-node/types';
import { covered, ID } from './covers';

const eachParent = (method: string) => covered(...WITH_HISTORY.map((t): [string, string[]] => [method, [t, ID, 'History']]));

export const history: ResourceModule = {
  value: 'history',
  name: 'History and Note',
  description: 'The history of changes and the notes on a record',
  operations: {
    getAll: {
      option: { name: 'Get Many', value: 'getAll', description: 'Get the history and notes of a record', action: 'Get the history of a record' },
      plan: (p) => ({ kind: 'single', request: { method: 'GET', path: [...parentPath(p, WITH_HISTORY), 'History'] }, envelope: 'HistoryRecords' }),
      covers: eachParent('GET'),
    },
    addNote: {
      option: { name: 'Add Note', value: 'addNote', description: 'Add a note to the history of a record', action: 'Add a note to the history of a record' },
      plan: (p) => ({
        kind: 'single',
        request: { method: 'PUT', path: [...parentPath(p, WITH_HISTORY), 'History'], body: { HistoryRecords: [{ Details: required(p, 'note', 'Note') }] } },
        envelope: 'HistoryRecords',
      }),
      covers: eachParent('PUT'),
    },
  },
  properties: [
    ...parentFields(['getAll', 'addNote'], WITH_HISTORY),
    {
      displayName: 'Note',
      name: 'note',
      type: 'string',
      typeOptions: { rows: 3 },
      default: '',
      required: true,
      displayOptions: show(['addNote']),
      description: 'Text of the note (up to 2,500 characters)',
    },
  ],
};
