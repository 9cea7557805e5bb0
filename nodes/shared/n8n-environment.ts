import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The parent of n8n's `.n8n` folder, as n8n computes it (N8N_USER_FOLDER, else the home directory). */
export function n8nUserFolder(env: Record<string, string | undefined> = process.env): string {
  const folder = env.N8N_USER_FOLDER?.trim();
  return folder ? folder : homedir();
}

/** n8n's own folder: `<user folder>/.n8n`, where it keeps `config`, `nodes` and (by default) its SQLite database. */
export function n8nFolder(env: Record<string, string | undefined> = process.env): string {
  return join(n8nUserFolder(env), '.n8n');
}

export class EncryptionKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncryptionKeyError';
  }
}

/**
 * n8n's encryption key, found where n8n finds it: N8N_ENCRYPTION_KEY, else the `encryptionKey` of
 * `<user folder>/.n8n/config`, the JSON file n8n writes with a generated key on first start
 * (InstanceSettings.loadOrCreate in n8n-core). The ledger is sealed with it, so every n8n process
 * that shares the key can read the chain.
 */
export function n8nEncryptionKey(env: Record<string, string | undefined> = process.env, read: (path: string) => string | null = readIfExists): string {
  const fromEnv = env.N8N_ENCRYPTION_KEY;
  if (fromEnv) return fromEnv;
  const path = join(n8nFolder(env), 'config');
  const text = read(path);
  if (text === null) {
    throw new EncryptionKeyError(`Xero Guard could not find n8n's encryption key: N8N_ENCRYPTION_KEY is not set and ${path} does not exist. Set N8N_ENCRYPTION_KEY (and N8N_USER_FOLDER if n8n keeps its data elsewhere) for the n8n process.`);
  }
  let key: unknown;
  try {
    key = (JSON.parse(text) as { encryptionKey?: unknown }).encryptionKey;
  } catch {
    throw new EncryptionKeyError(`Xero Guard could not read n8n's encryption key: ${path} is not valid JSON. Set N8N_ENCRYPTION_KEY for the n8n process.`);
  }
  if (typeof key !== 'string' || key === '') {
    throw new EncryptionKeyError(`Xero Guard could not read n8n's encryption key: ${path} has no "encryptionKey". Set N8N_ENCRYPTION_KEY for the n8n process.`);
  }
  return key;
}

function readIfExists(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/**
 * The editor's base URL, for links to a credential: N8N_EDITOR_BASE_URL, else WEBHOOK_URL, else
 * N8N_PROTOCOL://N8N_HOST:N8N_PORT when N8N_HOST is set. Null when nothing says where the editor is.
 */
export function n8nEditorBaseUrl(env: Record<string, string | undefined> = process.env): string | null {
  const explicit = env.N8N_EDITOR_BASE_URL?.trim() || env.WEBHOOK_URL?.trim();
  if (explicit) return explicit.replace(/\/+$/, '');
  const host = env.N8N_HOST?.trim();
  if (!host) return null;
  const protocol = env.N8N_PROTOCOL?.trim() || 'http';
  const port = env.N8N_PORT?.trim() || '5678';
  const defaultPort = (protocol === 'https' && port === '443') || (protocol === 'http' && port === '80');
  return `${protocol}://${host}${defaultPort ? '' : `:${port}`}${(env.N8N_PATH ?? '').replace(/\/+$/, '')}`;
}
