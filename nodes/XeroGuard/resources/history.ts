/** The history of changes and the notes on a record: read, or a note added. */
import { show } from './common';
import { required } from './mapping';
import { parentFields, parentPath, WITH_HISTORY } from './record-parent';
import type { ResourceModule } from './types';

export const history: ResourceModule = {
  value: 'history',
  name: 'History and Note',
  description: 'The history of changes and the notes on a record',
  operations: {
    getAll: {
      option: { name: 'Get Many', value: 'getAll', description: 'Get the history and notes of a record', action: 'Get the history of a record' },
      plan: (p) => ({ kind: 'single', request: { method: 'GET', path: [...parentPath(p, WITH_HISTORY), 'History'] }, envelope: 'HistoryRecords' }),
    },
    addNote: {
      option: { name: 'Add Note', value: 'addNote', description: 'Add a note to the history of a record', action: 'Add a note to the history of a record' },
      plan: (p) => ({
        kind: 'single',
        request: { method: 'PUT', path: [...parentPath(p, WITH_HISTORY), 'History'], body: { HistoryRecords: [{ Details: required(p, 'note', 'Note') }] } },
        envelope: 'HistoryRecords',
      }),
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
