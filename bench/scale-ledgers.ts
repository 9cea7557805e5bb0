/** The shared ledgers of the scale bench, described by plain values so child processes open the same one. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import type { Clock } from '../src/clock';
import { buildLedger, type CreateLedgerOptions, type Ledger } from '../src/ledger';

const POSTGRES_URL = process.env.XG_BENCH_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
const REDIS_URL = process.env.XG_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const KEY = 'scale-bench-encryption-key';

export type ScaleLedgerSpec = { kind: 'file'; directory: string } | { kind: 'postgres'; tablePrefix: string } | { kind: 'redis'; keyPrefix: string };

export function scaleLedgerSpec(kind: ScaleLedgerSpec['kind']): ScaleLedgerSpec {
  const prefix = `xgscale_${randomBytes(4).toString('hex')}_`;
  if (kind === 'file') return { kind, directory: mkdtempSync(join(tmpdir(), 'xg-scale-')) };
  if (kind === 'postgres') return { kind, tablePrefix: prefix };
  return { kind, keyPrefix: `${prefix}:` };
}

export function openScaleLedger(spec: ScaleLedgerSpec, clock: Clock): Promise<Ledger> {
  const quiet = { warn: () => undefined };
  const options: CreateLedgerOptions =
    spec.kind === 'file'
      ? { kind: 'file', directory: spec.directory, encryptionKey: KEY, clock }
      : spec.kind === 'postgres'
        ? { kind: 'postgres', connectionString: POSTGRES_URL, tablePrefix: spec.tablePrefix, encryptionKey: KEY, clock }
        : { kind: 'redis', redisUrl: REDIS_URL, keyPrefix: spec.keyPrefix, encryptionKey: KEY, clock, logger: quiet };
  return Promise.resolve(buildLedger(options));
}

export async function dropScaleLedger(spec: ScaleLedgerSpec): Promise<void> {
  if (spec.kind === 'file') rmSync(spec.directory, { recursive: true, force: true });
  if (spec.kind === 'postgres') {
    const client = new Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      for (const table of ['ledger', 'lease', 'schema']) await client.query(`DROP TABLE IF EXISTS "${spec.tablePrefix}${table}"`);
    } finally {
      await client.end();
    }
  }
  if (spec.kind === 'redis') {
    const redis = new Redis(REDIS_URL);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${spec.keyPrefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
}
