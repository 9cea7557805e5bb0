/**
 * The fleet listing on each shared-storage ledger: 1,000 chains listed (status of each plus its
 * notes, no call to Xero), reported per chain as a ratio to one ledger read of the same ledger in
 * the same run. Sequential (concurrency 1) and the default concurrency are both shown.
 * Uses the machine's PostgreSQL and Redis (XG_BENCH_POSTGRES_URL, XG_BENCH_REDIS_URL).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { systemClock } from '../src/clock';
import { listFleet, recordCheck } from '../src/fleet';
import { buildLedger, hasChainNotes, type ConnectionRecord, type CreateLedgerOptions, type Ledger } from '../src/ledger';
import { emit, percentiles, sample } from './measure';

const CHAINS = 1000;
const RUNS = 5;
const POSTGRES_URL = process.env.XG_BENCH_POSTGRES_URL ?? process.env.XG_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
const REDIS_URL = process.env.XG_BENCH_REDIS_URL ?? process.env.XG_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const KINDS = ['file', 'postgres', 'redis'] as const;
type Kind = (typeof KINDS)[number];

export async function run(): Promise<void> {
  for (const kind of KINDS) {
    const place = privatePlace(kind);
    const ledger = buildLedger({ ...place.options, clock: systemClock, logger: { warn: () => undefined } });
    try {
      const keys = await seed(ledger);
      await benchListing(kind, ledger, keys);
    } finally {
      await ledger.close();
      await place.drop();
    }
  }
}

/**
 * The machine is shared, so load drifts: each listing run is paired with a read baseline measured
 * just before it, and the figure is the median of the per-run ratios.
 */
async function benchListing(kind: Kind, ledger: Ledger, keys: string[]): Promise<void> {
  let i = 0;
  const readP50 = async () => percentiles(await sample(200, 20, () => ledger.read(keys[i++ % keys.length]))).p50;
  for (const concurrency of [1, 8]) {
    await listFleet(ledger, { concurrency });
    const ratios: number[] = [];
    const perChain: number[] = [];
    const baselines: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const baseline = await readP50();
      const started = process.hrtime.bigint();
      const listed = (await listFleet(ledger, { concurrency })).chains.length;
      const ns = Number(process.hrtime.bigint() - started) / CHAINS;
      if (listed !== CHAINS) throw new Error(`fleet bench: listed ${listed} of ${CHAINS} chains on the ${kind} ledger`);
      ratios.push(ns / baseline);
      perChain.push(ns);
      baselines.push(baseline);
    }
    emit({
      bench: `fleet.${kind}.list_${CHAINS}_chains${concurrency === 1 ? '_sequential' : ''}`,
      unit: 'ms per chain',
      concurrency,
      p50: round(median(perChain) / 1e6, 3),
      wholeListingMsP50: round((median(perChain) * CHAINS) / 1e6, 1),
      baseline: 'one ledger read (same ledger, measured just before each run)',
      baselineP50: round(median(baselines) / 1e6, 3),
      ratioP50: round(median(ratios), 2),
      runs: RUNS,
    });
  }
}

function median(values: number[]): number {
  return percentiles(values).p50;
}

/** 1,000 chains in mixed states, each with a name and the notes a check leaves. */
async function seed(ledger: Ledger): Promise<string[]> {
  const now = Date.now();
  const keys: string[] = [];
  const states = ['active', 'active', 'active', 'needs_reauth', 'misconfigured', 'superseded'] as const;
  const batch: Array<Promise<void>> = [];
  for (let n = 0; n < CHAINS; n++) {
    const key = `xero:BENCHCLIENT:${n.toString(16).padStart(16, '0')}`;
    keys.push(key);
    const record: ConnectionRecord = {
      key,
      version: 0,
      grant: 'authorization_code',
      state: states[n % states.length],
      stateReason: n % 6 < 3 ? null : 'bench state',
      tokenSet: {
        accessToken: randomBytes(600).toString('base64url'),
        refreshToken: randomBytes(32).toString('hex'),
        tokenType: 'Bearer',
        scope: ['offline_access', 'accounting.transactions'],
        expiresAt: now + 1_800_000,
        obtainedAt: now,
      },
      lastRotationAt: now,
      pending: null,
      candidates: [],
      history: [{ seq: 1, at: now, from: null, to: 'active', reason: 'connected' }],
      createdAt: now,
      updatedAt: now,
      displayName: `Client ${n} books`,
    };
    batch.push(
      (async () => {
        await ledger.write(record, 0);
        if (hasChainNotes(ledger)) {
          await recordCheck(ledger, key, {
            status: 'connected',
            tenants: [
              {
                tenantId: `tenant-${n}`,
                tenantName: `Client ${n} Ltd`,
                tenantType: 'ORGANISATION',
                connectionId: `c-${n}`,
                createdDateUtc: null,
                updatedDateUtc: null,
              },
            ],
          });
        }
      })(),
    );
    if (batch.length === 16) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
  return keys;
}

function privatePlace(kind: Kind): { options: CreateLedgerOptions; drop(): Promise<void> } {
  const prefix = `xgb_${randomBytes(5).toString('hex')}_`;
  const encryptionKey = 'bench-encryption-key';
  switch (kind) {
    case 'file': {
      const directory = mkdtempSync(join(tmpdir(), 'xg-fleet-bench-'));
      return { options: { kind, directory, encryptionKey }, drop: async () => rmSync(directory, { recursive: true, force: true }) };
    }
    case 'postgres':
      return {
        options: { kind, connectionString: POSTGRES_URL, tablePrefix: prefix, encryptionKey },
        async drop() {
          const client = new Client({ connectionString: POSTGRES_URL });
          await client.connect();
          try {
            for (const table of ['ledger', 'lease', 'schema', 'notes']) await client.query(`DROP TABLE IF EXISTS "${prefix}${table}"`);
          } finally {
            await client.end();
          }
        },
      };
    case 'redis':
      return {
        options: { kind, redisUrl: REDIS_URL, keyPrefix: `${prefix}:`, encryptionKey },
        async drop() {
          const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
          try {
            let cursor = '0';
            do {
              const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
              if (found.length > 0) await redis.del(...found);
              cursor = next;
            } while (cursor !== '0');
          } finally {
            redis.disconnect();
          }
        },
      };
  }
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
