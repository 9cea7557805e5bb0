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
