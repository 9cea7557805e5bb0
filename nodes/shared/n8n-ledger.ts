import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../src/clock';
import {
  createLedger,
  DEFAULT_TABLE_PREFIX,
  LEDGER_KINDS,
  LedgerConfigError,
  type CreateLedgerOptions,
  type Ledger,
  type LedgerKind,
  type LedgerLogger,
  type PostgresConnectionOptions,
  type RedisConnectionOptions,
} from '../../src/ledger';
import { n8nUserFolder } from './n8n-environment';

export type N8nEnvironment = Record<string, string | undefined>;

/** The credential's "Token Ledger" choice: Automatic (n8n's own settings decide) or one kind. */
export type LedgerMode = 'auto' | LedgerKind;
export const LEDGER_MODES: readonly LedgerMode[] = ['auto', ...LEDGER_KINDS];

/**
 * The one shape of a ledger choice in the n8n wing: the credential's "Token Ledger" fields, named
 * as createLedger names them. Everything left out comes from n8n's own settings, so
 * `{ kind: 'redis+postgres' }` alone means "leases in n8n's queue Redis, data in n8n's Postgres".
 */
export type N8nLedgerOverride = Partial<Pick<CreateLedgerOptions, 'directory' | 'connectionString' | 'redisUrl' | 'tablePrefix' | 'schema' | 'keyPrefix'>> & {
  kind?: LedgerMode;
};

export interface N8nLedgerContext {
  /** n8n's user folder: the parent of `.n8n` (N8N_USER_FOLDER, default the home folder). */
  userFolder?: string;
  /** n8n's encryption key; default N8N_ENCRYPTION_KEY, then the key n8n saved in <userFolder>/.n8n/config. */
  encryptionKey?: string;
  override?: N8nLedgerOverride | null;
  clock?: Clock;
  logger?: LedgerLogger;
}

/** The choice made, with the reason, for the adapter's log line and for tests. */
export interface N8nLedgerChoice {
  options: CreateLedgerOptions;
  reason: string;
}

/**
 * Picks the ledger n8n needs with no configuration:
 * - queue mode (EXECUTIONS_MODE=queue) or DB_TYPE=postgresdb: PostgreSQL, through n8n's own
 *   DB_POSTGRESDB_* settings, in tables of our own (<DB_TABLE_PREFIX>xero_guard_*);
 * - otherwise (one n8n process on SQLite): the file ledger in <userFolder>/.n8n/xero-guard.
 * Queue mode on SQLite is refused: its workers may run on other hosts and could not share a file.
 */
export function chooseN8nLedger(env: N8nEnvironment, context: N8nLedgerContext = {}): N8nLedgerChoice {
  const override = context.override ?? {};
  checkOverride(override);
  const userFolder = context.userFolder ?? n8nUserFolder(env);
  const given = context.encryptionKey ?? nonEmpty(readSetting(env, 'N8N_ENCRYPTION_KEY'));
  const encryptionKey = given ?? savedEncryptionKey(userFolder);
  if (!encryptionKey) {
    throw new LedgerConfigError(
      `No encryption key for the Xero Guard ledger: set N8N_ENCRYPTION_KEY (the same on the main process and every worker), or let n8n write it to ${join(userFolder, '.n8n', 'config')} first.`,
    );
  }
  // The key n8n generated and saved is random: HKDF. A key set in N8N_ENCRYPTION_KEY may have been
  // typed by a person, so it gets scrypt (one derivation per process), like any key we cannot vouch for.
  const keyKind = given === undefined ? ('random' as const) : ('passphrase' as const);
  const base = { encryptionKey, keyKind, clock: context.clock, logger: context.logger };
  const dbType = (readSetting(env, 'DB_TYPE') ?? 'sqlite').trim().toLowerCase();
  const queueMode = (env.EXECUTIONS_MODE ?? '').trim().toLowerCase() === 'queue';
  const onPostgres = dbType === 'postgresdb';
  const requested = override.kind && override.kind !== 'auto' ? override.kind : null;

  // A connection string in the credential replaces n8n's DB_POSTGRESDB_* entirely, not field by field.
  const withPostgres = () => (override.connectionString ? { connectionString: override.connectionString } : postgresFromEnv(env));
  const withRedis = () => (override.redisUrl ? { redisUrl: override.redisUrl } : { redis: redisFromEnv(env) });
  const tables = () => ({
    tablePrefix: override.tablePrefix ?? `${env.DB_TABLE_PREFIX ?? ''}${DEFAULT_TABLE_PREFIX}`,
    schema: override.schema ?? nonEmpty(readSetting(env, 'DB_POSTGRESDB_SCHEMA')),
  });
  const needsPostgres = (kind: LedgerKind) => {
    if (!onPostgres && !override.connectionString) {
      throw new LedgerConfigError(
        `The credential asks for a "${kind}" Xero Guard ledger, but n8n does not use PostgreSQL (DB_TYPE=${dbType}): give the ledger a connectionString, or set DB_TYPE=postgresdb and DB_POSTGRESDB_*.`,
      );
    }
  };

  switch (requested) {
    case 'file':
      return { options: { kind: 'file', directory: override.directory ?? defaultDirectory(userFolder), ...base }, reason: 'set in the credential' };
    case 'postgres':
      needsPostgres('postgres');
      return { options: { kind: 'postgres', ...withPostgres(), ...tables(), ...base }, reason: 'set in the credential' };
    case 'redis':
      return { options: { kind: 'redis', ...withRedis(), keyPrefix: override.keyPrefix, ...base }, reason: 'set in the credential' };
    case 'redis+postgres':
      needsPostgres('redis+postgres');
      return {
        options: { kind: 'redis+postgres', ...withPostgres(), ...tables(), ...withRedis(), keyPrefix: override.keyPrefix, ...base },
        reason: 'set in the credential',
      };
  }
  if (onPostgres || override.connectionString) {
    return {
      options: { kind: 'postgres', ...withPostgres(), ...tables(), ...base },
      reason: queueMode
        ? 'n8n runs in queue mode on PostgreSQL (EXECUTIONS_MODE=queue, DB_TYPE=postgresdb)'
        : 'n8n keeps its data in PostgreSQL (DB_TYPE=postgresdb)',
    };
  }
  if (queueMode) {
    throw new LedgerConfigError(
      `n8n runs in queue mode (EXECUTIONS_MODE=queue) but on ${dbType}, so its workers cannot share a Xero Guard ledger: set DB_TYPE=postgresdb with DB_POSTGRESDB_* (n8n's queue mode expects PostgreSQL), or choose a shared ledger in the credential's Ledger field.`,
    );
  }
  return {
    options: { kind: 'file', directory: override.directory ?? defaultDirectory(userFolder), ...base },
    reason: `n8n runs as one process on ${dbType}`,
  };
}

/** chooseN8nLedger, then connects it (a database that refuses fails here, naming host and port). */
export async function ledgerFromN8nEnvironment(env: N8nEnvironment, context: N8nLedgerContext = {}): Promise<Ledger> {
  return createLedger(chooseN8nLedger(env, context).options);
}

function defaultDirectory(userFolder: string): string {
  return join(userFolder, '.n8n', 'xero-guard');
}

function postgresFromEnv(env: N8nEnvironment): { postgres: PostgresConnectionOptions } {
  const postgres: PostgresConnectionOptions = {
    host: readSetting(env, 'DB_POSTGRESDB_HOST') || 'localhost',
    port: portSetting(env, 'DB_POSTGRESDB_PORT', 5432),
    database: readSetting(env, 'DB_POSTGRESDB_DATABASE') || 'n8n',
    user: readSetting(env, 'DB_POSTGRESDB_USER') || 'postgres',
    password: readSetting(env, 'DB_POSTGRESDB_PASSWORD') ?? '',
  };
  const ssl = postgresSsl(env);
  if (ssl !== undefined) postgres.ssl = ssl;
  return { postgres };
}

/**
 * n8n's TLS rules: nothing set -> no TLS; a CA, certificate, key, SSL_ENABLED=true or an explicit
 * reject-unauthorized setting -> TLS. The CA/cert/key settings hold PEM text or a path to a PEM file.
 */
function postgresSsl(env: N8nEnvironment): PostgresConnectionOptions['ssl'] {
  const ca = pem(readSetting(env, 'DB_POSTGRESDB_SSL_CA'), 'DB_POSTGRESDB_SSL_CA');
  const cert = pem(readSetting(env, 'DB_POSTGRESDB_SSL_CERT'), 'DB_POSTGRESDB_SSL_CERT');
  const key = pem(readSetting(env, 'DB_POSTGRESDB_SSL_KEY'), 'DB_POSTGRESDB_SSL_KEY');
  const enabled = booleanSetting(env, 'DB_POSTGRESDB_SSL_ENABLED');
  const reject = booleanSetting(env, 'DB_POSTGRESDB_SSL_REJECT_UNAUTHORIZED');
  if (!ca && !cert && !key && enabled !== true && reject === undefined) return undefined;
  if (enabled === false && !ca && !cert && !key) return undefined;
  return { ca, cert, key, rejectUnauthorized: reject ?? true };
}

function redisFromEnv(env: N8nEnvironment): RedisConnectionOptions {
  const db = readSetting(env, 'QUEUE_BULL_REDIS_DB');
  const redis: RedisConnectionOptions = {
    host: readSetting(env, 'QUEUE_BULL_REDIS_HOST') || 'localhost',
    port: portSetting(env, 'QUEUE_BULL_REDIS_PORT', 6379),
  };
  const username = readSetting(env, 'QUEUE_BULL_REDIS_USERNAME');
  const password = readSetting(env, 'QUEUE_BULL_REDIS_PASSWORD');
  if (username) redis.username = username;
  if (password) redis.password = password;
  if (db) {
    const n = Number(db);
    if (!Number.isInteger(n) || n < 0)
      throw new LedgerConfigError(`QUEUE_BULL_REDIS_DB must be a Redis database number such as 0 (got ${JSON.stringify(db)}).`);
    redis.db = n;
  }
  if (booleanSetting(env, 'QUEUE_BULL_REDIS_TLS')) redis.tls = true;
  return redis;
}

/** n8n accepts NAME or NAME_FILE (a file holding the value) for its settings. */
function readSetting(env: N8nEnvironment, name: string): string | undefined {
  const direct = env[name];
  if (direct !== undefined) return direct;
  const file = env[`${name}_FILE`];
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new LedgerConfigError(`${name}_FILE points to ${file}, which cannot be read: fix the path or its permissions.`);
  }
}

function portSetting(env: N8nEnvironment, name: string, fallback: number): number {
  const raw = readSetting(env, name);
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new LedgerConfigError(`${name} must be a port number from 1 to 65535 (got ${JSON.stringify(raw)}).`);
  return port;
}

function booleanSetting(env: N8nEnvironment, name: string): boolean | undefined {
  const raw = readSetting(env, name)?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new LedgerConfigError(`${name} must be true or false (got ${JSON.stringify(raw)}).`);
}

function pem(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  if (value.includes('-----BEGIN')) return value;
  if (existsSync(value)) return readFileSync(value, 'utf8');
  throw new LedgerConfigError(`${name} must hold PEM text or the path of a PEM file; ${value} is neither.`);
}

/** n8n writes a generated key to <userFolder>/.n8n/config when N8N_ENCRYPTION_KEY is not set. */
function savedEncryptionKey(userFolder: string): string | undefined {
  try {
    const config = JSON.parse(readFileSync(join(userFolder, '.n8n', 'config'), 'utf8')) as { encryptionKey?: unknown };
    return typeof config.encryptionKey === 'string' && config.encryptionKey !== '' ? config.encryptionKey : undefined;
  } catch {
    return undefined;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function checkOverride(override: N8nLedgerOverride): void {
  const allowed = ['kind', 'directory', 'connectionString', 'redisUrl', 'tablePrefix', 'schema', 'keyPrefix'];
  for (const [name, value] of Object.entries(override)) {
    if (value === undefined) continue;
    if (!allowed.includes(name)) throw new LedgerConfigError(`Unknown Ledger setting "${name}" in the credential; the settings are ${allowed.join(', ')}.`);
    if (value !== undefined && typeof value !== 'string')
      throw new LedgerConfigError(`Ledger setting "${name}" in the credential must be text (got ${JSON.stringify(value)}).`);
  }
  if (override.kind !== undefined && override.kind !== 'auto' && !LEDGER_KINDS.includes(override.kind)) {
    throw new LedgerConfigError(
      `Ledger setting "kind" must be "auto", ${LEDGER_KINDS.map((k) => `"${k}"`).join(', ')} (got ${JSON.stringify(override.kind)}).`,
    );
  }
}
