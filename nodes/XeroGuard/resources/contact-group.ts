/** Contact groups, and the contacts in one: Xero adds several contacts by their IDs and removes one at a time. */
import { show } from '../../shared/api-node/common';
import { entityResource } from './entity';
import { required, segment } from '../../shared/api-node/mapping';
import type { Parameters, ResourceModule } from '../../shared/api-node/types';
import { covered, ID } from './covers';

const groupId = (p: Parameters) => segment(p, 'contactGroupId', 'Contact Group ID');

export const contactGroup: ResourceModule = entityResource({
  value: 'contactGroup',
  name: 'Contact Group',
  noun: 'contact group',
  description: 'A named group of contacts',
  plural: 'ContactGroups',
  idKey: 'ContactGroupID',
  idParam: 'contactGroupId',
  example: '{"Name": "VIP customers"}',
  create: 'PUT',
  update: true,
  getAll: { where: true, order: true, paging: 'none' },
  remove: [{ operation: 'delete', status: 'DELETED', description: 'Delete a contact group (its contacts stay)' }],
  extra: {
    addContacts: {
      option: {
        name: 'Add Contacts',
        value: 'addContacts',
        description: 'Add contacts, by their IDs, to a contact group',
        action: 'Add contacts to a contact group',
      },
      plan: (p) => {
        const ids = required(p, 'contactIds', 'Contact IDs')
          .split(/[\s,]+/)
          .filter(Boolean);
        return {
          kind: 'single',
          request: { method: 'PUT', path: ['ContactGroups', groupId(p), 'Contacts'], body: { Contacts: ids.map((ContactID) => ({ ContactID })) } },
          envelope: 'Contacts',
        };
      },
      covers: covered(['PUT', ['ContactGroups', ID, 'Contacts']]),
    },
    removeContact: {
      option: {
        name: 'Remove Contact',
        value: 'removeContact',
        description: 'Remove one contact from a contact group',
        action: 'Remove a contact from a contact group',
      },
      plan: (p) => ({
        kind: 'single',
        request: { method: 'DELETE', path: ['ContactGroups', groupId(p), 'Contacts', segment(p, 'contactIds', 'Contact IDs')] },
      }),
      parse: () => [{ removed: true }],
      covers: covered(['DELETE', ['ContactGroups', ID, 'Contacts', ID]]),
    },
  },
  extraProperties: [
    {
      displayName: 'Contact IDs',
      name: 'contactIds',
      type: 'string',
      default: '',
      required: true,
      displayOptions: show(['addContacts', 'removeContact']),
      description: 'Xero contact IDs, separated by commas (one ID to remove)',
    },
  ],
});
