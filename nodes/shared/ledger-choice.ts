import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ledgers from '../../src/ledger';
import { FileLedger, LedgerConfigError, PostgresLedger, type Ledger, type PostgresLedgerOptions } from '../../src/ledger';
import { fingerprint, Sealer } from '../../src/secrets';
import { n8nFolder } from './n8n-environment';

export type LedgerMode = 'auto' | 'file' | 'postgres' | 'redis';

/** The credential's optional override; "auto" (the default) reads n8n's own settings. */
export interface LedgerOverride {
  mode: LedgerMode;
  folder?: string;
  postgresUrl?: string;
  redisUrl?: string;
}

/** A resolved choice: what to build, and a stable id (no password) so one engine serves one ledger. */
export interface LedgerChoice {
  kind: 'file' | 'postgres' | 'redis';
  /** Stable, secret-free identity of the ledger (folder, host/db, or a fingerprint of a URL). */
  id: string;
  /** Where, for messages: never a password. */
  where: string;
  build(sealer: Sealer): Ledger;
}

type Env = Record<string, string | undefined>;

/**
 * Picks the ledger with no configuration, as n8n itself is configured: queue mode
 * (EXECUTIONS_MODE=queue) or a PostgreSQL database (DB_TYPE=postgresdb) -> PostgreSQL through n8n's
 * own DB_POSTGRESDB_* settings (own tables, created if missing); otherwise the file ledger in
 * `<N8N_USER_FOLDER>/.n8n/xero-guard`. The credential may override it.
 */
export function chooseLedger(override: LedgerOverride, env: Env = process.env): LedgerChoice {
  switch (override.mode) {
    case 'file': {
      const folder = override.folder?.trim();
      if (!folder) throw new LedgerConfigError('The credential\'s ledger is set to "File Folder" but no folder is given: enter an absolute folder path every n8n process can write, or set the ledger to Automatic.');
      return fileChoice(folder);
    }
    case 'postgres': {
      const url = override.postgresUrl?.trim();
      if (!url) throw new LedgerConfigError('The credential\'s ledger is set to "PostgreSQL" but no connection string is given: enter postgres://user:password@host:5432/database, or set the ledger to Automatic.');
      return postgresChoice({ connectionString: url }, `PostgreSQL ${safeUrl(url)}`, `pg:${fingerprint(url)}`);
    }
    case 'redis': {
      const url = override.redisUrl?.trim();
      if (!url) throw new LedgerConfigError('The credential\'s ledger is set to "Redis" but no URL is given: enter redis://host:6379/0, or set the ledger to Automatic.');
      return redisChoice(url);
    }
    default:
      break;
  }
  if (env.EXECUTIONS_MODE === 'queue' || env.DB_TYPE === 'postgresdb') {
    const options = postgresFromN8n(env);
    return postgresChoice(options, `PostgreSQL ${options.host}:${options.port}/${options.database} (n8n's database)`, `pg:${options.host}:${options.port}/${options.database}/${options.schema ?? ''}`);
  }
  return fileChoice(join(n8nFolder(env), 'xero-guard'));
}

function fileChoice(directory: string): LedgerChoice {
  return { kind: 'file', id: `file:${directory}`, where: `file ledger at ${directory}`, build: (sealer) => new FileLedger({ directory, sealer }) };
}

function postgresChoice(options: Omit<PostgresLedgerOptions, 'sealer'>, where: string, id: string): LedgerChoice {
  return { kind: 'postgres', id, where, build: (sealer) => new PostgresLedger({ ...options, sealer }) };
}

interface RedisLedgerLike {
  new (options: { url: string; sealer: Sealer }): Ledger;
}

function redisChoice(url: string): LedgerChoice {
  return {
    kind: 'redis',
    id: `redis:${fingerprint(url)}`,
    where: `Redis ${safeUrl(url)}`,
    build: (sealer) => {
      // Looked up at run time: the Redis ledger ships in the same package, in a later build step.
      const RedisLedger = (ledgers as unknown as { RedisLedger?: RedisLedgerLike }).RedisLedger;
      if (typeof RedisLedger !== 'function') throw new LedgerConfigError('This build of Xero Guard has no Redis ledger: set the credential\'s ledger to Automatic, File Folder or PostgreSQL.');
      return new RedisLedger({ url, sealer });
    },
  };
}

/** n8n's own database settings, including its *_FILE variants for secrets. */
export function postgresFromN8n(env: Env): Omit<PostgresLedgerOptions, 'sealer'> & { host: string; port: number; database: string } {
  const value = (name: string): string | undefined => {
    const file = env[`${name}_FILE`];
    if (file) {
      try {
        return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
      } catch {
        return undefined;
      }
    }
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  const port = Number(value('DB_POSTGRESDB_PORT') ?? 5432);
  const sslEnabled = value('DB_POSTGRESDB_SSL_ENABLED') === 'true' || Boolean(value('DB_POSTGRESDB_SSL_CA') || value('DB_POSTGRESDB_SSL_CERT'));
  const ssl = sslEnabled
    ? {
        ca: value('DB_POSTGRESDB_SSL_CA'),
        cert: value('DB_POSTGRESDB_SSL_CERT'),
        key: value('DB_POSTGRESDB_SSL_KEY'),
        rejectUnauthorized: value('DB_POSTGRESDB_SSL_REJECT_UNAUTHORIZED') !== 'false',
      }
    : undefined;
  return {
    host: value('DB_POSTGRESDB_HOST') ?? 'localhost',
    port: Number.isFinite(port) ? port : 5432,
    database: value('DB_POSTGRESDB_DATABASE') ?? 'n8n',
    user: value('DB_POSTGRESDB_USER') ?? 'postgres',
    password: value('DB_POSTGRESDB_PASSWORD'),
    schema: value('DB_POSTGRESDB_SCHEMA'),
    ssl,
  };
}

/** A URL without its password, for messages. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.username = u.username ? u.username : '';
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}
