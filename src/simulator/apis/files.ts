/**
 * What the Files API does beyond keeping records: an upload is multipart/form-data (UploadObject:
 * `body`, `name`, `filename`, `mimeType`) and its bytes come back from `/Files/{FileId}/Content`; a
 * file lands in the Inbox unless a folder is named; the Inbox is a folder that always exists;
 * associations are read back by the object they attach a file to, and counted per object.
 */
import { json, type SimResponse } from '../http-kit';
import { parseMultipart } from '../multipart';
import { dateString } from '../accounting/values';
import { notFound } from '../xero-errors';
import type { GenericCall, Hook, StoreTools } from './call';
import type { XRecord } from './records';

/** "Files ... can be up to 10MB in size" (developer.xero.com files API). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

function inbox(call: GenericCall, tools: StoreTools): XRecord {
  const folders = tools.records(call, '/Folders');
  for (const f of folders.values()) if (f.IsInbox === true) return f;
  return tools.insert(call, '/Folders', { Name: 'Inbox', IsInbox: true, Email: `inbox.${call.book.tenantId.slice(0, 8)}@xerofiles.com`, FileCount: 0 });
}

function upload(folderParam: string | undefined): Hook {
  return (call, tools) => {
    const folders = tools.records(call, '/Folders');
    const folder = folderParam === undefined ? inbox(call, tools) : folders.get((call.params[folderParam] ?? '').toLowerCase());
    if (!folder) return notFound();
    if (call.raw.length > MAX_FILE_BYTES) return json(413, [{ type: 'Validation', title: 'Validation failure', detail: 'Files can be up to 10 MB.' }]);
    const parts = parseMultipart(String(call.req.headers['content-type'] ?? ''), call.raw);
    if (!parts) return tools.refuse(call, [{ field: 'body', message: 'Upload the file as multipart/form-data (parts body, name, filename and mimeType).' }]);
    const field = (name: string): string | undefined => parts.find((p) => p.name === name && p.filename === undefined)?.bytes.toString('utf8');
    // The document names the file's part `body`; xero-node sends it under the file's name (its
    // uploadFile sets formParams[name] = body); a browser's form sends a part with a filename.
    const file = parts.find((p) => p.name === 'body') ?? parts.find((p) => p.name === field('name')) ?? parts.find((p) => p.filename !== undefined);
    const name = field('name') ?? file?.filename;
    const filename = field('filename') ?? file?.filename;
    const missing = [!file || file.bytes.length === 0 ? 'body' : '', name ? '' : 'name', filename ? '' : 'filename'].filter(Boolean);
    if (missing.length > 0 || !file)
      return tools.refuse(
        call,
        missing.map((m) => ({ field: m, message: `${m} is required.` })),
      );
    const mimeType = field('mimeType') ?? file.contentType ?? 'application/octet-stream';
    const { grant } = call.admitted;
    const record = tools.insert(call, '/Files', {
      Name: name,
      MimeType: mimeType,
      Size: file.bytes.length,
      CreatedDateUtc: dateString(call.now),
      UpdatedDateUtc: dateString(call.now),
      User: {
        Id: grant.userId,
        Name: grant.email,
        FirstName: grant.firstName,
        LastName: grant.lastName,
        FullName: `${grant.firstName} ${grant.lastName}`.trim(),
      },
      FolderId: folder.Id,
    });
    call.book.files.set(String(record.Id).toLowerCase(), { bytes: file.bytes, mimeType });
    folder.FileCount = Number(folder.FileCount ?? 0) + 1;
    return json(call.op.response.status, tools.present(call, record));
  };
}

export const FILES_HOOKS: Readonly<Record<string, Hook>> = {
  uploadFile: upload(undefined),
  uploadFileToFolder: upload('FolderId'),
  getInbox: (call, tools) => json(200, tools.present(call, inbox(call, tools))),
  getFileContent: (call, tools): SimResponse => {
    const id = (call.params.FileId ?? '').toLowerCase();
    const record = tools.records(call, '/Files').get(id);
    if (!record) return notFound();
    // A file from the document's examples has no bytes of its own: it gets a line saying so.
    const stored = call.book.files.get(id) ?? {
      bytes: Buffer.from(`Example file ${String(record.Name ?? '')}\n`),
      mimeType: String(record.MimeType ?? 'text/plain'),
    };
    return {
      status: 200,
      headers: { 'Content-Type': stored.mimeType, 'Content-Disposition': `attachment; filename="${encodeURIComponent(String(record.Name ?? 'file'))}"` },
      body: stored.bytes,
    };
  },
  getAssociationsByObject: (call, tools) => {
    const objectId = (call.params.ObjectId ?? '').toLowerCase();
    const all: XRecord[] = [];
    for (const file of tools.records(call, '/Files').values())
      for (const a of tools.records(call, '/Files/{FileId}/Associations', { FileId: String(file.Id) }).values())
        if (String(a.ObjectId).toLowerCase() === objectId) all.push({ ...a, Name: file.Name, Size: file.Size });
    return tools.list(call, all);
  },
  getAssociationsCount: (call, tools) => {
    const ids = (call.req.url.searchParams.get('ObjectIds') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (ids.length === 0) return tools.refuse(call, [{ field: 'ObjectIds', message: 'ObjectIds is required (a comma-separated list of object ids).' }]);
    const counts = Object.fromEntries(ids.map((id) => [id, 0]));
    for (const file of tools.records(call, '/Files').values())
      for (const a of tools.records(call, '/Files/{FileId}/Associations', { FileId: String(file.Id) }).values()) {
        const id = ids.find((i) => i.toLowerCase() === String(a.ObjectId).toLowerCase());
        if (id) counts[id] = (counts[id] ?? 0) + 1;
      }
    return json(200, counts);
  },
};
