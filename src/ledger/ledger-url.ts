import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LedgerConfigError } from './config-error';
import type { CreateLedgerOptions } from './create-ledger';

/**
 * Reads a ledger location written as one string, for the command line:
 *   file:/home/node/.n8n/xero-guard   (or file:///..., or a plain folder path)
 *   postgres://user:password@host:5432/n8n?tablePrefix=xero_guard_&schema=public
 *   redis://:password@host:6379/0?keyPrefix=xero-guard:
 * tablePrefix, schema and keyPrefix are ours and are taken out before the URL reaches the driver.
 */
export function ledgerOptionsFromUrl(location: string, encryptionKey: string): CreateLedgerOptions {
  if (!location) throw new LedgerConfigError('No ledger location was given: use file:/path, postgres://... or redis://...');
  if (location.startsWith('file:')) {
    const directory = location.startsWith('file://') ? fileURLToPath(location) : location.slice('file:'.length);
    return { kind: 'file', directory: resolve(directory), encryptionKey };
  }
  if (/^postgres(ql)?:\/\//.test(location)) {
    const url = parse(location);
    const tablePrefix = take(url, 'tablePrefix');
    const schema = take(url, 'schema');
    return { kind: 'postgres', connectionString: url.toString(), tablePrefix, schema, encryptionKey };
  }
  if (/^rediss?:\/\//.test(location)) {
    const url = parse(location);
    const keyPrefix = take(url, 'keyPrefix');
    return { kind: 'redis', redisUrl: url.toString(), keyPrefix, encryptionKey };
  }
  if (isAbsolute(location) || location.startsWith('.')) return { kind: 'file', directory: resolve(location), encryptionKey };
  throw new LedgerConfigError(
    `"${redact(location)}" is not a ledger location: use file:/path/to/folder, postgres://user@host:5432/database or redis://host:6379.`,
  );
}

function parse(location: string): URL {
  try {
    return new URL(location);
  } catch {
    throw new LedgerConfigError(`"${redact(location)}" is not a valid URL`);
  }
}

function take(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name) ?? undefined;
  url.searchParams.delete(name);
  return value;
}

/** Ledger URLs may carry a password; never echo it. */
export function redact(location: string): string {
  return location.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
