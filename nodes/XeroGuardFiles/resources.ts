/**
 * The resources of the Xero Guard Files node: Xero's Files API (/files.xro/1.0): every operation of its document as the operation table has it,
 * each resource described in a bookkeeper's words.
 */
import { xeroApi } from '../../src/xero/operations';
import { filesSchemas } from '../../src/xero/operations/generated/files.schemas';
import { tableResources } from '../shared/api-node/table/resource';
import type { ResourceModule } from '../shared/api-node/types';

export const FILES = xeroApi('files');

export const RESOURCES: readonly ResourceModule[] = tableResources(FILES, filesSchemas, {
  Files: 'A file in Xero: uploaded (to the inbox or a folder), read, downloaded, renamed, moved, deleted, and its associations',
  Associations: 'Which files are attached to a record (an invoice, a contact...), and how many',
  Folders: 'The folders files are kept in',
  Inbox: 'The inbox folder, where uploaded and emailed files land (read only)',
});
