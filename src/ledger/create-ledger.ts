import { isAbsolute } from 'node:path';
import type { Clock } from '../clock';
import { KEY_KINDS, Sealer, SealError, type KeyKind } from '../secrets/sealer';
import { CompositeLedger } from './composite-ledger';
import { LedgerConfigError } from './config-error';
import { FileLedger } from './file-ledger';
import { PostgresLedger, type LeaseTimeSource, type PostgresConnectionOptions } from './postgres-ledger';
import type { LedgerLogger, RedisConnectionOptions } from './redis-connection';
import { RedisLeases } from './redis-leases';
import { RedisLedger } from './redis-ledger';
import { openLedger } from './open-ledger';
import { FileSpool } from './spool';
import type { Ledger } from './types';

export const LEDGER_KINDS = ['file', 'postgres', 'redis', 'redis+postgres'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/**
 * A ledger described by plain values (from a config file, environment or a credential field).
 * Which fields apply depends on `kind`; a field that does not apply is an error, so a typo or a
 * half-changed configuration is caught instead of silently ignored.
 */
export interface CreateLedgerOptions {
  kind: LedgerKind;
  /** Seals the tokens at rest (n8n: N8N_ENCRYPTION_KEY; Node-RED: credentialSecret). */
  encryptionKey: string | Buffer;
  /**
   * What encryptionKey is: 'random' for a machine-generated key (n8n's encryption key, a generated
   * key file), 'passphrase' for anything a person may have typed (Node-RED's credentialSecret).
   * Default 'passphrase': scrypt, safe for either, at one derivation per key per process.
   * Only how new documents are sealed depends on it; every document is read as it was written.
   */
  keyKind?: KeyKind;
  clock?: Clock;
  logger?: LedgerLogger;
  /** kind "file": the folder of the ledger. */
  directory?: string;
  /** kinds "postgres", "redis+postgres": postgres://user:password@host:port/database. */
  connectionString?: string;
  /** kinds "postgres", "redis+postgres": connection fields, alone or overriding parts of connectionString. */
  postgres?: PostgresConnectionOptions;
  /** Tables <tablePrefix>ledger, <tablePrefix>lease, <tablePrefix>schema. Default "xero_guard_". */
  tablePrefix?: string;
  /** PostgreSQL schema of the tables. */
  schema?: string;
  leaseTime?: LeaseTimeSource;
  /** kinds "redis", "redis+postgres": redis://[user:password@]host:port/db. */
  redisUrl?: string;
  redis?: RedisConnectionOptions;
  /** Default "xero-guard:". */
  keyPrefix?: string;
  /**
   * A local folder for token sets whose ledger write failed, sealed with `encryptionKey`
   * (Invariant 14). File ledger: default "<directory>/spool". PostgreSQL/Redis: no default, since a
   * spool in the database that just failed would fail with it; only processes that share this
   * folder (the same host or volume) can recover what it holds.
   */
  spoolFolder?: string;
}

const APPLIES: Record<string, readonly LedgerKind[]> = {
  kind: LEDGER_KINDS,
  encryptionKey: LEDGER_KINDS,
  keyKind: LEDGER_KINDS,
  clock: LEDGER_KINDS,
  logger: LEDGER_KINDS,
  directory: ['file'],
  connectionString: ['postgres', 'redis+postgres'],
  postgres: ['postgres', 'redis+postgres'],
  tablePrefix: ['postgres', 'redis+postgres'],
  schema: ['postgres', 'redis+postgres'],
  leaseTime: ['postgres'],
  redisUrl: ['redis', 'redis+postgres'],
  redis: ['redis', 'redis+postgres'],
  keyPrefix: ['redis', 'redis+postgres'],
  spoolFolder: LEDGER_KINDS,
};

const POSTGRES_FIELDS = ['connectionString', 'host', 'port', 'database', 'user', 'password', 'ssl'];
const REDIS_FIELDS = ['url', 'host', 'port', 'username', 'password', 'db', 'tls'];

/**
 * Builds the ledger `options` describe, without connecting: the first operation connects (and
 * creates the PostgreSQL tables if missing). Throws LedgerConfigError naming the option and the fix.
 */
export function buildLedger(options: CreateLedgerOptions): Ledger {
  validate(options);
  const sealer = sealerFor(options.encryptionKey, options.keyKind);
  const ledger = buildBackend(options, sealer);
  if (options.spoolFolder) ledger.spool = new FileSpool({ directory: options.spoolFolder, sealer });
  return ledger;
}

function buildBackend(options: CreateLedgerOptions, sealer: Sealer): Ledger {
  const { clock, logger } = options;
  switch (options.kind) {
    case 'file':
      return new FileLedger({ directory: options.directory as string, sealer, clock });
    case 'postgres':
      return new PostgresLedger({
        ...postgresConnection(options),
        tablePrefix: options.tablePrefix,
        schema: options.schema,
        leaseTime: options.leaseTime,
        sealer,
        clock,
      });
    case 'redis':
      return new RedisLedger({ ...redisConnection(options), keyPrefix: options.keyPrefix, sealer, clock, logger });
    case 'redis+postgres':
      return new CompositeLedger({
        leases: new RedisLeases({ ...redisConnection(options), keyPrefix: options.keyPrefix, clock }),
        // Leases live in Redis, on Redis's clock; the data backend's own clock setting is moot.
        data: new PostgresLedger({ ...postgresConnection(options), tablePrefix: options.tablePrefix, schema: options.schema, sealer, clock }),
      });
  }
}

/**
 * Builds the ledger and connects it, so a database that is down or refuses us fails here, at
 * startup, with a message naming host and port, rather than on the first Xero request.
 */
export async function createLedger(options: CreateLedgerOptions): Promise<Ledger> {
  const ledger = buildLedger(options);
  try {
    await openLedger(ledger);
  } catch (error) {
    await ledger.close().catch(() => undefined);
    throw error;
  }
  return ledger;
}

function validate(options: CreateLedgerOptions): void {
  if (!options || typeof options !== 'object')
    throw new LedgerConfigError(`createLedger needs an options object such as { kind: 'postgres', connectionString: 'postgres://...', encryptionKey: '...' }.`);
  if (!LEDGER_KINDS.includes(options.kind)) {
    throw new LedgerConfigError(`Option "kind" must be one of ${LEDGER_KINDS.map((k) => `"${k}"`).join(', ')} (got ${JSON.stringify(options.kind)}).`);
  }
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const kinds = APPLIES[name];
    if (!kinds) throw new LedgerConfigError(`Unknown ledger option "${name}"; the options are ${Object.keys(APPLIES).join(', ')}.`);
    if (!kinds.includes(options.kind)) {
      throw new LedgerConfigError(
        `Option "${name}" does not apply to a "${options.kind}" ledger (it is for ${kinds.map((k) => `"${k}"`).join(', ')}); remove it or change "kind".`,
      );
    }
  }
  if (options.kind === 'file' && (typeof options.directory !== 'string' || options.directory === '')) {
    throw new LedgerConfigError('A "file" ledger needs option "directory": the folder to keep it in (n8n: <N8N_USER_FOLDER>/.n8n/xero-guard).');
  }
  if (options.kind === 'postgres' || options.kind === 'redis+postgres') {
    checkFields('postgres', options.postgres, POSTGRES_FIELDS);
    if (!options.connectionString && !options.postgres?.connectionString && !options.postgres?.host) {
      throw new LedgerConfigError(
        `A "${options.kind}" ledger needs option "connectionString" (postgres://user:password@host:5432/database) or "postgres": { host, port, database, user, password }.`,
      );
    }
    checkPort('postgres.port', options.postgres?.port);
  }
  if (options.kind === 'redis' || options.kind === 'redis+postgres') {
    checkFields('redis', options.redis, REDIS_FIELDS);
    if (!options.redisUrl && !options.redis?.url && !options.redis?.host) {
      throw new LedgerConfigError(`A "${options.kind}" ledger needs option "redisUrl" (redis://host:6379) or "redis": { host, port, password, db }.`);
    }
    checkPort('redis.port', options.redis?.port);
    if (options.redis?.db !== undefined && (!Number.isInteger(options.redis.db) || options.redis.db < 0)) {
      throw new LedgerConfigError(`Option "redis.db" must be a database number such as 0 (got ${JSON.stringify(options.redis.db)}).`);
    }
  }
  if (options.keyKind !== undefined && !KEY_KINDS.includes(options.keyKind)) {
    throw new LedgerConfigError(
      `Option "keyKind" must be "random" (a machine-generated key such as n8n's encryption key) or "passphrase" (a secret a person may have typed, such as Node-RED's credentialSecret); got ${JSON.stringify(options.keyKind)}.`,
    );
  }
  if (options.spoolFolder !== undefined && (typeof options.spoolFolder !== 'string' || !isAbsolute(options.spoolFolder))) {
    throw new LedgerConfigError(
      `Option "spoolFolder" must be an absolute folder path such as /home/node/.n8n/xero-guard-spool (got ${JSON.stringify(options.spoolFolder)}).`,
    );
  }
  if (options.leaseTime !== undefined && options.leaseTime !== 'database' && options.leaseTime !== 'clock') {
    throw new LedgerConfigError(`Option "leaseTime" must be "database" or "clock" (got ${JSON.stringify(options.leaseTime)}).`);
  }
}

function checkFields(name: string, value: object | undefined, allowed: string[]): void {
  if (value === undefined) return;
  if (!value || typeof value !== 'object') throw new LedgerConfigError(`Option "${name}" must be an object with ${allowed.join(', ')}.`);
  for (const field of Object.keys(value)) {
    if (!allowed.includes(field)) throw new LedgerConfigError(`Unknown option "${name}.${field}"; "${name}" takes ${allowed.join(', ')}.`);
  }
}

function checkPort(name: string, port: unknown): void {
  if (port === undefined) return;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new LedgerConfigError(`Option "${name}" must be a port number from 1 to 65535 (got ${JSON.stringify(port)}).`);
  }
}

function sealerFor(encryptionKey: string | Buffer, keyKind: KeyKind | undefined): Sealer {
  try {
    return new Sealer(encryptionKey, { keyKind });
  } catch (error) {
    throw new LedgerConfigError(`Option "encryptionKey" is missing or empty: ${error instanceof SealError ? error.message : String(error)}`);
  }
}

function postgresConnection(options: CreateLedgerOptions): PostgresConnectionOptions {
  return { connectionString: options.connectionString, ...options.postgres };
}

function redisConnection(options: CreateLedgerOptions): RedisConnectionOptions {
  return { url: options.redisUrl, ...options.redis };
}
