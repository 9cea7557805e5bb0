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
import { Client } from 'pg';
import type { Clock } from '../../src/clock';
import { FileLedger, PostgresLedger, type Ledger } from '../../src/ledger';
import { Sealer } from '../../src/secrets';

export const TEST_POSTGRES_URL = process.env.XG_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.XG_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export type LedgerKind = 'file' | 'postgres';
export const SHARED_LEDGER_KINDS: LedgerKind[] = ['postgres'];
export const ALL_LEDGER_KINDS: LedgerKind[] = ['file', ...SHARED_LEDGER_KINDS];

/** JSON-serialisable: it travels to storm children in an environment variable. */
export type LedgerSpec = { kind: string; encryptionKey: string; [option: string]: unknown };

export async function openLedger(spec: LedgerSpec, clock: Clock): Promise<Ledger> {
  const sealer = new Sealer(spec.encryptionKey);
  switch (spec.kind) {
    case 'file':
      return new FileLedger({ directory: String(spec.directory), sealer, clock });
    case 'postgres':
      return new PostgresLedger({ connectionString: String(spec.connectionString), tablePrefix: String(spec.tablePrefix), sealer, clock });
    default:
      throw new Error(`test ledger kind "${spec.kind}" is not known to test/helpers/ledger-factory.ts`);
  }
}

/** A fresh, private place for one test: a temp folder, or a random table/key prefix. */
export function makeLedgerSpec(kind: LedgerKind, encryptionKey = 'test-encryption-key'): LedgerSpec {
  const prefix = `xgt_${randomBytes(5).toString('hex')}_`;
  switch (kind) {
    case 'file':
      return { kind, directory: mkdtempSync(join(tmpdir(), 'xg-ledger-')), encryptionKey };
    case 'postgres':
      return { kind, connectionString: TEST_POSTGRES_URL, tablePrefix: prefix, encryptionKey };
  }
}

/** Removes what makeLedgerSpec's ledger left behind (tables, keys, folder). */
export async function dropLedgerSpec(spec: LedgerSpec): Promise<void> {
  if (spec.kind === 'file') rmSync(String(spec.directory), { recursive: true, force: true });
  if (typeof spec.tablePrefix === 'string') await dropTables(String(spec.tablePrefix));
}

export async function dropTables(tablePrefix: string): Promise<void> {
  await withPostgres(async (client) => {
    for (const table of ['ledger', 'lease', 'schema']) await client.query(`DROP TABLE IF EXISTS "${tablePrefix}${table}"`);
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
