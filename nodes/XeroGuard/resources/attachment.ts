/**
 * Files attached to a record: listed, uploaded from an item's binary data (added, or replacing one of
 * the same name), or downloaded into it, by file name or by the attachment's ID.
 */
import { show } from '../../shared/api-node/common';
import { required, segment, str } from '../../shared/api-node/mapping';
import type { ResourceModule } from '../../shared/api-node/types';
import { covered, ID } from './covers';
import { ATTACHABLE, parentFields, parentPath } from './record-parent';

const eachParent = (method: string, ...below: string[]) => covered(...ATTACHABLE.map((t): [string, string[]] => [method, [t, ID, 'Attachments', ...below]]));

export const attachment: ResourceModule = {
  value: 'attachment',
  name: 'Attachment',
  description: 'A file attached to an invoice, contact, bank transaction or other record',
  operations: {
    getAll: {
      option: { name: 'Get Many', value: 'getAll', description: 'List the files attached to a record', action: 'List the attachments of a record' },
      plan: (p) => ({ kind: 'single', request: { method: 'GET', path: [...parentPath(p, ATTACHABLE), 'Attachments'] }, envelope: 'Attachments' }),
      covers: eachParent('GET'),
    },
    upload: {
      option: { name: 'Upload', value: 'upload', description: 'Attach a file from binary data to a record', action: 'Upload an attachment' },
      plan: (p) => {
        const fileName = segment(p, 'fileName', 'File Name');
        return {
          kind: 'upload',
          request: {
            // PUT adds a file; POST adds it or replaces the file of the same name.
            method: p.replaceExisting === true ? 'POST' : 'PUT',
            path: [...parentPath(p, ATTACHABLE), 'Attachments', fileName],
            ...(p.includeOnline === true ? { includeOnline: true } : {}),
          },
          binaryProperty: required(p, 'binaryPropertyName', 'Input Binary Field'),
          envelope: 'Attachments',
        };
      },
      covers: [...eachParent('PUT', 'file.pdf'), ...eachParent('POST', 'file.pdf')],
    },
    download: {
      option: {
        name: 'Download',
        value: 'download',
        description: 'Download an attached file, by its file name or its ID, into binary data',
        action: 'Download an attachment',
      },
      plan: (p) => {
        const byId = str(p.downloadBy) === 'id';
        const key = byId ? segment(p, 'attachmentId', 'Attachment ID') : segment(p, 'fileName', 'File Name');
        return {
          kind: 'download',
          request: { path: [...parentPath(p, ATTACHABLE), 'Attachments', key], accept: 'application/octet-stream' },
          binaryProperty: required(p, 'binaryPropertyName', 'Put Output File in Field'),
          fileName: byId ? 'attachment' : key,
        };
      },
      covers: [...eachParent('GET', 'file.pdf'), ...eachParent('GET', ID)],
    },
  },
  properties: [
    ...parentFields(['getAll', 'upload', 'download'], ATTACHABLE),
    {
      displayName: 'Download By (Xero Guard)',
      name: 'downloadBy',
      type: 'options',
      options: [
        { name: 'File Name', value: 'fileName' },
        { name: 'Attachment ID', value: 'id' },
      ],
      default: 'fileName',
      displayOptions: show(['download']),
      description: 'Whether the file is named by its file name or by its AttachmentID',
    },
    {
      displayName: 'File Name',
      name: 'fileName',
      type: 'string',
      default: '',
      required: true,
      displayOptions: show(['upload']),
      description: 'Name of the attachment in Xero, e.g. receipt.pdf',
    },
    {
      displayName: 'File Name',
      name: 'fileName',
      type: 'string',
      default: '',
      required: true,
      displayOptions: show(['download'], { downloadBy: ['fileName'] }),
      description: 'Name of the attachment in Xero, e.g. receipt.pdf',
    },
    {
      displayName: 'Attachment ID',
      name: 'attachmentId',
      type: 'string',
      default: '',
      required: true,
      displayOptions: show(['download'], { downloadBy: ['id'] }),
      description: 'The AttachmentID Xero gave the file (Get Many lists it)',
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
      displayName: 'Replace a File of the Same Name (Xero Guard)',
      name: 'replaceExisting',
      type: 'boolean',
      default: false,
      displayOptions: show(['upload']),
      description: 'Whether a file already attached under this name is replaced (POST) instead of failing (PUT)',
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
