import type { Clock } from '../../src/clock';
import { buildLedger, chooseN8nLedger, type CreateLedgerOptions, type Ledger, type N8nLedgerOverride } from '../../src/ledger';
import { fingerprint } from '../../src/secrets';
import { n8nUserFolder } from './n8n-environment';

export type LedgerMode = 'auto' | 'file' | 'postgres' | 'redis' | 'redis+postgres';
export const LEDGER_MODES: readonly LedgerMode[] = ['auto', 'file', 'postgres', 'redis', 'redis+postgres'];

/** The credential's "Token Ledger" fields; empty fields come from n8n's own settings. */
export interface LedgerOverride {
  mode: LedgerMode;
  folder?: string;
  postgresUrl?: string;
  redisUrl?: string;
}

export interface LedgerChoice {
  /** Stable and secret-free: one engine per ledger in the process. */
  id: string;
  /** Why this ledger, for messages. */
  reason: string;
  /** Fingerprint of the encryption key that seals it. */
  keyId: string;
  build(): Ledger;
}

/**
 * The ledger for this credential, chosen by the core's n8n rules (src/ledger/n8n-environment.ts):
 * n8n's PostgreSQL in queue mode or when n8n stores its data there, else the file ledger in
 * `<N8N_USER_FOLDER>/.n8n/xero-guard`; the credential's fields override. Built without connecting.
 */
export function chooseLedger(override: LedgerOverride, env: Record<string, string | undefined> = process.env, clock?: Clock): LedgerChoice {
  const n8nOverride: N8nLedgerOverride = { kind: override.mode };
  if (override.folder) n8nOverride.directory = override.folder;
  if (override.postgresUrl) n8nOverride.connectionString = override.postgresUrl;
  if (override.redisUrl) n8nOverride.redisUrl = override.redisUrl;
  const { options, reason } = chooseN8nLedger(env, { userFolder: n8nUserFolder(env), override: n8nOverride, clock });
  return { id: ledgerId(options), reason, keyId: fingerprint(String(options.encryptionKey)), build: () => buildLedger(options) };
}

function ledgerId(o: CreateLedgerOptions): string {
  const pg = o.postgres ? `${o.postgres.host}:${o.postgres.port}/${o.postgres.database}@${o.postgres.user}` : '';
  const redis = o.redis ? `${o.redis.host}:${o.redis.port}/${o.redis.db ?? 0}` : '';
  const secretFree = (v: string | undefined) => (v ? fingerprint(v) : '');
  return [o.kind, o.directory ?? '', pg, secretFree(o.connectionString), o.schema ?? '', o.tablePrefix ?? '', redis, secretFree(o.redisUrl), o.keyPrefix ?? ''].join('|');
}
