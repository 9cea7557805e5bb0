/**
 * Builds a ledger from a plain, serialisable description, so a parent test and its child
 * processes open the same shared ledger. Backends add their kind here.
 *
 * The shared backends run against the real PostgreSQL and Redis of the machine (CI has the same).
 * They are never skipped: when a service is missing, the test fails with the ledger's own
 * "Cannot reach ..." error naming host and port.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import type { Clock } from '../../src/clock';
import { buildLedger, LEDGER_KINDS, type CreateLedgerOptions, type Ledger, type LedgerLogger } from '../../src/ledger';

export const TEST_POSTGRES_URL = process.env.XG_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.XG_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export type LedgerKind = CreateLedgerOptions['kind'];
export const SHARED_LEDGER_KINDS: LedgerKind[] = ['postgres', 'redis', 'redis+postgres'];
/** Redis here runs without persistence on purpose; tests that check the warning build their own logger. */
export const silentLogger: LedgerLogger = { warn: () => undefined };
export const ALL_LEDGER_KINDS: LedgerKind[] = ['file', ...SHARED_LEDGER_KINDS];

/** JSON-serialisable: it travels to storm children in an environment variable. */
export type LedgerSpec = { kind: string; encryptionKey: string; [option: string]: unknown };

/** Every spec goes through the public createLedger path, as a host's configuration would. */
export async function openLedger(spec: LedgerSpec, clock: Clock): Promise<Ledger> {
  if (!(LEDGER_KINDS as readonly string[]).includes(spec.kind)) {
    throw new Error(`test ledger kind "${spec.kind}" is not known to tools/ledgers/ledger-factory.ts`);
  }
  return buildLedger({ ...(spec as unknown as CreateLedgerOptions), clock, logger: silentLogger });
}

/** A fresh, private place for one test: a temp folder, or a random table/key prefix. */
export function makeLedgerSpec(kind: LedgerKind, encryptionKey = 'test-encryption-key'): LedgerSpec {
  const prefix = `xgt_${randomBytes(5).toString('hex')}_`;
  // HKDF, as for n8n's random key: the storms start many processes, and a memory-hard derivation
  // per process would only slow them (the passphrase path has its own tests in test/unit/secrets).
  const key = { encryptionKey, keyKind: 'random' };
  switch (kind) {
    case 'file':
      return { kind, directory: mkdtempSync(join(tmpdir(), 'xg-ledger-')), ...key };
    case 'postgres':
      return { kind, connectionString: TEST_POSTGRES_URL, tablePrefix: prefix, ...key };
    case 'redis':
      return { kind, redisUrl: TEST_REDIS_URL, keyPrefix: `${prefix}:`, ...key };
    case 'redis+postgres':
      return { kind, connectionString: TEST_POSTGRES_URL, tablePrefix: prefix, redisUrl: TEST_REDIS_URL, keyPrefix: `${prefix}:`, ...key };
  }
}

/**
 * Ends a dead holder's lease the way time would. File and PostgreSQL leases run on the injected
 * clock (the test advances it); a Redis lease runs on the Redis server's clock, so it is deleted.
 */
export async function expireLeases(spec: LedgerSpec): Promise<void> {
  if (typeof spec.keyPrefix !== 'string') return;
  await withRedis(async (redis) => {
    const leases = await scanKeys(redis, `${spec.keyPrefix}conn:*:lease`);
    if (leases.length > 0) await redis.del(...leases);
  });
}

/** Removes what makeLedgerSpec's ledger left behind (tables, keys, folder). */
export async function dropLedgerSpec(spec: LedgerSpec): Promise<void> {
  if (spec.kind === 'file') rmSync(String(spec.directory), { recursive: true, force: true });
  if (typeof spec.tablePrefix === 'string') await dropTables(String(spec.tablePrefix));
  if (typeof spec.keyPrefix === 'string') await dropKeys(spec.keyPrefix);
}

export async function dropKeys(keyPrefix: string): Promise<void> {
  await withRedis(async (redis) => {
    const keys = await scanKeys(redis, `${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  });
}

/** A plain ioredis client for test assertions and clean-up (not the ledger's). */
export async function withRedis<T>(use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  await redis.connect();
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

export async function dropTables(tablePrefix: string): Promise<void> {
  await withPostgres(async (client) => {
    for (const table of ['ledger', 'lease', 'schema']) await client.query(`DROP TABLE IF EXISTS "${tablePrefix}${table}"`);
  });
}

/** A ledger row as an older version wrote it, as PostgreSQL printed it (the fixtures of ledgers written by older code). */
export interface StoredLedgerRow {
  key: string;
  version: string;
  state: string;
  document: string;
  sealed: string;
}

/** Puts `rows` into `<tablePrefix>ledger` byte for byte, as an older version's writes left them. */
export async function insertLedgerRows(tablePrefix: string, rows: StoredLedgerRow[]): Promise<void> {
  await withPostgres(async (client) => {
    for (const row of rows) {
      await client.query(`INSERT INTO "${tablePrefix}ledger" (key, version, state, document, sealed) VALUES ($1, $2, $3, $4::jsonb, $5)`, [
        row.key,
        row.version,
        row.state,
        row.document,
        row.sealed,
      ]);
    }
  });
}

/** A plain pg client for test assertions and clean-up (not the ledger's pool). */
export async function withPostgres<T>(use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
