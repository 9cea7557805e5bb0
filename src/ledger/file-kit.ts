import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { LedgerUnavailableError } from '../errors';

/**
 * The file operations the file ledger, its event store and the token spool share: a file written
 * whole under a temporary name (then linked or renamed into place by the caller), a folder listed
 * as empty when it does not exist yet, a folder's entries made durable, and one wording for a
 * folder that cannot be used.
 */

export function codeOf(error: unknown): string | undefined {
  const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Writes `content` to a new temporary file in `dir` (O_EXCL, mode 0600) and returns its path;
 * `durable` fsyncs it, `mtime` sets its time (retention that runs on an injected clock reads it).
 * Nothing is left behind when it fails.
 */
export async function writeTempFile(dir: string, content: string, options: { durable: boolean; mtime?: number }): Promise<string> {
  const tmp = join(dir, `.tmp-${randomUUID()}`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(tmp, 'wx', 0o600);
    await handle.writeFile(content, 'utf8');
    if (options.durable) await handle.sync();
    await handle.close();
    handle = undefined;
    if (options.mtime !== undefined) await fs.utimes(tmp, options.mtime / 1000, options.mtime / 1000);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.unlink(tmp).catch(() => undefined);
    throw error;
  }
  return tmp;
}

/** The folder's entries; none when it does not exist yet. */
export async function listFolder(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return [];
    throw error;
  }
}

/** Makes the folder's entries (a link or rename just done) durable. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** "Cannot <action> for the Xero Guard <what>: <code>. To fix: ..." */
export function folderUnavailable(what: string, folder: string, error: unknown, action: string): LedgerUnavailableError {
  const code = codeOf(error) ?? 'unknown error';
  const fix =
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? `make ${folder} writable by the user running n8n/Node-RED, or configure another ledger folder`
      : code === 'ENOSPC'
        ? 'free disk space'
        : 'check the folder and its disk';
  return new LedgerUnavailableError(`Cannot ${action} for the Xero Guard ${what}: ${code}. To fix: ${fix}.`);
}
