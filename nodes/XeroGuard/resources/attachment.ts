/** Files attached to a record: listed, uploaded from an item's binary data, or downloaded into it, by file name. */
import { show } from './common';
import { required, segment } from './mapping';
import { ATTACHABLE, parentFields, parentPath } from './record-parent';
import type { ResourceModule } from './types';

export const attachment: ResourceModule = {
  value: 'attachment',
  name: 'Attachment',
  description: 'A file attached to an invoice, contact, bank transaction or other record',
  operations: {
    getAll: {
      option: { name: 'Get Many', value: 'getAll', description: 'List the files attached to a record', action: 'List the attachments of a record' },
      plan: (p) => ({ kind: 'single', request: { method: 'GET', path: [...parentPath(p, ATTACHABLE), 'Attachments'] }, envelope: 'Attachments' }),
    },
    upload: {
      option: { name: 'Upload', value: 'upload', description: 'Attach a file from binary data to a record', action: 'Upload an attachment' },
      plan: (p) => {
        const fileName = segment(p, 'fileName', 'File Name');
        return {
          kind: 'upload',
          request: {
            method: 'PUT',
            path: [...parentPath(p, ATTACHABLE), 'Attachments', fileName],
            ...(p.includeOnline === true ? { includeOnline: true } : {}),
          },
          binaryProperty: required(p, 'binaryPropertyName', 'Input Binary Field'),
          envelope: 'Attachments',
        };
      },
    },
    download: {
      option: {
        name: 'Download',
        value: 'download',
        description: 'Download an attached file, by its file name, into binary data',
        action: 'Download an attachment',
      },
      plan: (p) => {
        const fileName = segment(p, 'fileName', 'File Name');
        return {
          kind: 'download',
          request: { path: [...parentPath(p, ATTACHABLE), 'Attachments', fileName], accept: 'application/octet-stream' },
          binaryProperty: required(p, 'binaryPropertyName', 'Put Output File in Field'),
          fileName,
        };
      },
    },
  },
  properties: [
    ...parentFields(['getAll', 'upload', 'download'], ATTACHABLE),
    {
      displayName: 'File Name',
      name: 'fileName',
      type: 'string',
      default: '',
      required: true,
      displayOptions: show(['upload', 'download']),
      description: 'Name of the attachment in Xero, e.g. receipt.pdf',
    },
    {
      displayName: 'Input Binary Field',
      name: 'binaryPropertyName',
      type: 'string',
      default: 'data',
      required: true,
      displayOptions: show(['upload']),
      hint: 'The name of the input binary field holding the file',
    },
    {
      displayName: 'Put Output File in Field',
      name: 'binaryPropertyName',
      type: 'string',
      default: 'data',
      required: true,
      displayOptions: show(['download']),
      hint: 'The name of the output binary field to put the file in',
    },
    {
      displayName: 'Include Online',
      name: 'includeOnline',
      type: 'boolean',
      default: false,
      displayOptions: show(['upload']),
      description: 'Whether the contact sees the file with the online invoice',
    },
  ],
};
