/**
 * The converter's files. The folder it reads may hold what someone else put there (a shared export folder, a
 * download, a repository), so: a symbolic link is never followed, as an input or as an output; an existing
 * output is replaced only when the user asks; every write is a new file in the target's own folder, linked
 * (or, when replacing, renamed) into place, the way the file ledger writes (src/ledger/file-kit.ts), so a name
 * is replaced whole and never written through, and a reader never sees half a file; an input is read only up
 * to a size a workflow export has.
 */
import { constants, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { codeOf, fsyncDirectory, writeTempFile } from '../src/ledger/file-kit';
import { escapeControls } from '../src/terminal-text';
import { ConversionInputError } from '../n8n/convert/workflow-json';

/** Far above any workflow export (n8n's own are kilobytes; one with pinned data, a few megabytes), far below what JSON.parse and V8's string limit (512 MiB) can take. */
export const MAX_INPUT_BYTES = 100 * 1024 * 1024;

/** A file's name as messages show it: its control characters escaped (a file name can hold any of them). */
export const shown = (path: string): string => escapeControls(path);

const LINK_REFUSED =
  'is a symbolic link: links are not followed (one can point outside the folder, and --write would rewrite what it points to). Name the file it points to instead.';

/** The .json files to convert, in the order given (a folder's in name order), and a message for each path refused. */
export async function listInputs(paths: string[], skip: (name: string) => boolean): Promise<{ files: string[]; refusals: string[] }> {
  const files: string[] = [];
  const refusals: string[] = [];
  const folder = async (dir: string) => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (!entry.name.endsWith('.json') || skip(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) refusals.push(`${shown(path)} ${LINK_REFUSED}`);
      else if (entry.isFile()) files.push(path);
      else refusals.push(`${shown(path)} is not a regular file.`);
    }
  };
  for (const path of paths) {
    try {
      const st = await fs.lstat(path);
      if (st.isDirectory()) await folder(path);
      else if (st.isFile()) files.push(path);
      else if (!st.isSymbolicLink()) refusals.push(`${shown(path)} is not a regular file.`);
      // A folder named by its link is the user's own path, like any folder on the way to a file; its entries are still not followed.
      else if ((await fs.stat(path).catch(() => null))?.isDirectory()) await folder(path);
      else refusals.push(`${shown(path)} ${LINK_REFUSED}`);
    } catch (error) {
      refusals.push(codeOf(error) === 'ENOENT' ? `${shown(path)} does not exist.` : `${shown(path)} cannot be read (${codeOf(error) ?? 'unknown error'}).`);
    }
  }
  return { files, refusals };
}

/** O_NOFOLLOW refuses a link swapped in after the listing; O_NONBLOCK keeps a FIFO swapped in from hanging the run (both absent on Windows: the listing's check stands alone there). */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** The file's text and permissions, read without following a link and only up to MAX_INPUT_BYTES. */
export async function readInput(path: string): Promise<{ text: string; mode: number }> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, READ_FLAGS);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ELOOP' || code === 'EMLINK') throw new ConversionInputError(`${shown(path)} ${LINK_REFUSED}`);
    if (code === 'ENOENT') throw new ConversionInputError(`${shown(path)} does not exist.`);
    throw new ConversionInputError(`${shown(path)} cannot be read (${code ?? 'unknown error'}).`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new ConversionInputError(`${shown(path)} is not a regular file.`);
    const tooBig = () =>
      new ConversionInputError(
        `${shown(path)} is larger than the ${MAX_INPUT_BYTES / 1024 / 1024} MB the converter reads. Export one workflow per file (n8n export:workflow --backup --output=<folder>/) and convert the folder.`,
      );
    if (st.size > MAX_INPUT_BYTES) throw tooBig();
    // One byte more than the size seen, so a file that grew since is noticed rather than read without end.
    const buffer = Buffer.alloc(st.size + 1);
    let total = 0;
    while (total < buffer.length) {
      const { bytesRead } = await handle.read(buffer, total, buffer.length - total, total);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    if (total > MAX_INPUT_BYTES) throw tooBig();
    return { text: buffer.subarray(0, total).toString('utf8'), mode: st.mode & 0o777 };
  } finally {
    await handle.close();
  }
}

/**
 * Writes `text` as `target`, atomically, in the target's folder: a new temporary file (O_EXCL, so a link
 * planted at its name is never opened) with `mode`, then link() into place, which fails on any existing
 * name (file, folder or link); with `replace`, rename() into place, which replaces the name itself, never
 * what a link there points to.
 */
export async function writeOutput(target: string, text: string, options: { replace: boolean; mode: number }): Promise<void> {
  const dir = dirname(target);
  let tmp: string;
  try {
    tmp = await writeTempFile(dir, text, { durable: true });
  } catch (error) {
    throw new ConversionInputError(`${shown(target)} could not be written: cannot create a file in ${shown(dir)} (${codeOf(error) ?? 'unknown error'}).`);
  }
  try {
    await fs.chmod(tmp, options.mode);
    if (options.replace) await fs.rename(tmp, target);
    else await fs.link(tmp, target);
  } catch (error) {
    if (codeOf(error) === 'EEXIST')
      throw new ConversionInputError(`${shown(target)} exists already and was left as it is: delete it, or pass --overwrite to replace it.`);
    throw new ConversionInputError(`${shown(target)} could not be written (${codeOf(error) ?? 'unknown error'}).`);
  } finally {
    await fs.unlink(tmp).catch(() => undefined); // after link(); after rename() it is gone already
  }
  // Makes the new name durable; a platform that cannot open a folder (Windows) keeps the rename's own guarantee.
  await fsyncDirectory(dir).catch(() => undefined);
}
