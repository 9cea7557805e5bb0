import { HOUR, MINUTE, ManualClock } from '../../../src/clock';
import { LedgerKeyError, LedgerUnavailableError } from '../../../src/errors';
import { createLedger, LedgerConfigError, PostgresLedger, RedisLeases, RedisLedger, type ConnectionRecord, type Ledger } from '../../../src/ledger';
import { Sealer } from '../../../src/secrets';
import { KEY, rejectionOf, START, toTokenSet } from '../../helpers/engine-fixture';
import {
  dropKeys,
  dropLedgerSpec,
  dropTables,
  expireLeases,
  makeLedgerSpec,
  openLedger,
  scanKeys,
  SHARED_LEDGER_KINDS,
  TEST_POSTGRES_URL,
  TEST_REDIS_URL,
  withPostgres,
  withRedis,
  type LedgerSpec,
} from '../../../tools/ledgers/ledger-factory';
import { ledgerFixture, type LedgerFixture } from './fixture';

const sealer = new Sealer('test-encryption-key');

function record(key: string, version = 0): ConnectionRecord {
  const tokenSet = toTokenSet({ accessToken: 'CANARY-AT-plain', refreshToken: 'CANARY-RT-plain', expiresAt: START + HOUR, obtainedAt: START });
  // Asserted rather than typed: the record gains fields as the engine grows; the backends store whatever the codec encodes.
  return {
    key,
    version,
    grant: 'authorization_code',
    state: 'active',
    stateReason: null,
    tokenSet,
    lastRotationAt: START,
    pending: null,
    rejectedRefreshTokenFp: null,
    candidates: [],
    history: [],
    createdAt: START,
    updatedAt: START,
  } as ConnectionRecord;
}

describe.each(SHARED_LEDGER_KINDS)('%s ledger contract', (kind) => {
  let spec: LedgerSpec;
  let ledger: Ledger;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(START);
    spec = makeLedgerSpec(kind);
    ledger = await openLedger(spec, clock);
  });
  afterEach(async () => {
    await ledger.close();
    await dropLedgerSpec(spec);
  });

  test('write is a compare-and-set on the version: of 10 racing writers of the same version exactly one wins', async () => {
    expect(await ledger.write(record(KEY), 0)).toEqual({ ok: true, version: 1 });
    const stale = await ledger.write(record(KEY), 0);
    expect(stale.ok).toBe(false);
    expect(!stale.ok && stale.current?.version).toBe(1);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => ledger.write({ ...record(KEY), stateReason: `writer ${i}` }, 1)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const stored = (await ledger.read(KEY))!;
    expect(stored.version).toBe(2);
    expect(stored.tokenSet.refreshToken).toBe('CANARY-RT-plain');
    expect(await ledger.keys()).toEqual([KEY]);
  });

  test("leases: one holder at a time; a holder whose lease was lost can neither renew nor release the next holder's lease", async () => {
    const first = (await ledger.acquireLease(KEY, { owner: 'a', ttlMs: MINUTE, waitMs: 0 }))!;
    expect(first).not.toBeNull();
    expect(await ledger.acquireLease(KEY, { owner: 'b', ttlMs: MINUTE, waitMs: 0 })).toBeNull();
    expect(await ledger.renewLease(first, MINUTE)).toBe(true);
    // Force the first lease to end, as if its holder had stalled past the ttl.
    clock.advance(2 * MINUTE);
    await expireLeases(spec);
    const second = (await ledger.acquireLease(KEY, { owner: 'b', ttlMs: 10 * MINUTE, waitMs: 0 }))!;
    expect(second).not.toBeNull();
    expect(await ledger.renewLease(first, MINUTE)).toBe(false);
    await ledger.releaseLease(first);
    expect(await ledger.acquireLease(KEY, { owner: 'c', ttlMs: MINUTE, waitMs: 0 })).toBeNull();
    await ledger.releaseLease(second);
    const third = await ledger.acquireLease(KEY, { owner: 'c', ttlMs: MINUTE, waitMs: 0 });
    expect(third).not.toBeNull();
    await ledger.releaseLease(third!);
  });

  test('a different encryption key -> LedgerKeyError naming where the chain is, nothing overwritten', async () => {
    await ledger.write(record(KEY), 0);
    const other = await openLedger({ ...spec, encryptionKey: 'another-key' }, clock);
    try {
      const error = await rejectionOf(other.read(KEY));
      expect(error).toBeInstanceOf(LedgerKeyError);
      expect(error.message).toMatch(/different encryption key .*N8N_ENCRYPTION_KEY/);
      expect(error.message).toMatch(kind === 'redis' ? /Redis at 127\.0\.0\.1:6379/ : /xgt_\w+_ledger/);
    } finally {
      await other.close();
    }
    expect((await ledger.read(KEY))!.version).toBe(1);
  });
});

describe('secrets at rest (invariant 9) in the shared backends', () => {
  let fx: LedgerFixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  test.each(SHARED_LEDGER_KINDS)('%s: no issued token appears in any table row (every column as text) and no Redis key or value', async (kind) => {
    const f = (fx = await ledgerFixture(kind, 'fresh-pair'));
    const seeded = await f.seed(60);
    await f.engine.getAccessToken(KEY);
    f.clock.advance(31 * MINUTE);
    await f.engine.refresh(KEY, { force: true });
    // Hold a lease while we look, so lease rows and keys are scanned too.
    const lease = await f.ledger.acquireLease(KEY, { owner: 'scanner', ttlMs: MINUTE, waitMs: 0 });
    const current = (await f.ledger.read(KEY))!.tokenSet;
    let stored = '';
    if (typeof f.spec.tablePrefix === 'string') {
      stored += await withPostgres(async (client) => {
        let text = '';
        for (const table of ['ledger', 'lease', 'schema']) {
          const rows = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${f.spec.tablePrefix}${table}" t`);
          expect(table === 'lease' && kind === 'redis+postgres' ? 1 : rows.rowCount).toBeGreaterThan(0);
          text += rows.rows.map((r) => r.row).join('\n');
        }
        return text;
      });
    }
    if (typeof f.spec.keyPrefix === 'string') {
      stored += await withRedis(async (redis) => {
        const keys = await scanKeys(redis, `${f.spec.keyPrefix}*`);
        expect(keys.length).toBeGreaterThan(kind === 'redis' ? 2 : 0);
        let text = keys.join('\n');
        for (const key of keys) {
          text += (await redis.dumpBuffer(key))?.toString('latin1') ?? '';
          const type = await redis.type(key);
          if (type === 'hash') text += JSON.stringify(await redis.hgetall(key));
          if (type === 'string') text += await redis.get(key);
          if (type === 'set') text += (await redis.smembers(key)).join('\n');
        }
        return text;
      });
    }
    expect(stored.length).toBeGreaterThan(100);
    expect(stored).toContain(KEY);
    // Every token the simulator issued in this test (current, spent and candidates), not a prefix.
    expect(f.server.issuedTokens().length).toBeGreaterThanOrEqual(6);
    expect(f.server.leaksToken(stored)).toBe(false);
    expect(stored).not.toContain(seeded.refreshToken);
    expect(stored).not.toContain(current.refreshToken);
    expect(stored).not.toContain(current.accessToken);
    await f.ledger.releaseLease(lease!);
  });

  test.each(SHARED_LEDGER_KINDS)('%s: invariant 10 (warm path): 1,000 calls on a fresh token make no ledger call and no token call', async (kind) => {
    const f = (fx = await ledgerFixture(kind));
    await f.seed();
    await f.engine.getAccessToken(KEY);
    let ledgerCalls = 0;
    for (const method of ['read', 'write', 'acquireLease', 'renewLease', 'releaseLease', 'keys'] as const) {
      const original = f.ledger[method].bind(f.ledger) as (...args: unknown[]) => Promise<unknown>;
      (f.ledger as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        ledgerCalls++;
        return original(...args);
      };
    }
    for (let i = 0; i < 1000; i++) await f.engine.getAccessToken(KEY);
    expect(ledgerCalls).toBe(0);
    expect(f.server.calls).toBe(0);
  });
});

describe('PostgreSQL specifics', () => {
  const prefixes: string[] = [];
  const prefix = () => {
    const p = `xgt_pg${Math.random().toString(16).slice(2, 10)}_`;
    prefixes.push(p);
    return p;
  };
  afterAll(async () => {
    for (const p of prefixes) await dropTables(p);
  });

  test('a PostgreSQL that refuses the connection at startup -> a clear error naming host and port', async () => {
    const error = await rejectionOf(
      createLedger({ kind: 'postgres', postgres: { host: '127.0.0.1', port: 5499, user: 'root', database: 'test' }, encryptionKey: 'k' }),
    );
    expect(error).toBeInstanceOf(LedgerUnavailableError);
    expect((error as LedgerUnavailableError).retryable).toBe(true);
    expect(error.message).toMatch(
      /^Cannot reach PostgreSQL at 127\.0\.0\.1:5499 for the Xero Guard ledger \(ECONNREFUSED\).*start it or fix DB_POSTGRESDB_HOST\/PORT/,
    );
  });

  test('a Redis that refuses the connection at startup -> a clear error naming host and port', async () => {
    const error = await rejectionOf(
      createLedger({ kind: 'redis+postgres', connectionString: TEST_POSTGRES_URL, redisUrl: 'redis://127.0.0.1:6399', encryptionKey: 'k' }),
    );
    expect(error).toBeInstanceOf(LedgerUnavailableError);
    expect(error.message).toMatch(
      /^Cannot reach Redis at 127\.0\.0\.1:6399 for the Xero Guard ledger \(ECONNREFUSED\).*start it or fix QUEUE_BULL_REDIS_HOST\/PORT/,
    );
  });

  test('its own tables are created if missing, with a layout version row; a newer layout is refused without changes', async () => {
    const tablePrefix = prefix();
    const ledger = await createLedger({ kind: 'postgres', connectionString: TEST_POSTGRES_URL, tablePrefix, encryptionKey: 'k' });
    await ledger.close();
    const columns = await withPostgres(async (client) => {
      const version = await client.query(`SELECT version FROM "${tablePrefix}schema"`);
      expect(version.rows).toEqual([{ version: 1 }]);
      const cols = await client.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
        [`${tablePrefix}ledger`],
      );
      await client.query(`UPDATE "${tablePrefix}schema" SET version = 99`);
      return cols.rows.map((r) => r.column_name);
    });
    expect(columns).toEqual(['key', 'version', 'state', 'document', 'sealed', 'updated_at']);
    const error = await rejectionOf(createLedger({ kind: 'postgres', connectionString: TEST_POSTGRES_URL, tablePrefix, encryptionKey: 'k' }));
    expect(error).toBeInstanceOf(LedgerConfigError);
    expect(error.message).toMatch(/newer Xero Guard \(layout 99.*upgrade n8n-nodes-xero-guard/);
  });

  test('8 ledgers opening the same new tables at once all succeed (the setup is serialised)', async () => {
    const tablePrefix = prefix();
    const ledgers = Array.from({ length: 8 }, () => new PostgresLedger({ connectionString: TEST_POSTGRES_URL, tablePrefix, sealer }));
    await Promise.all(ledgers.map((l) => l.open()));
    await Promise.all(ledgers.map((l) => l.close()));
  });

  test('lease expiry on the database clock by default: an injected clock moved an hour does not end a held lease; a 1 ms lease ends on the server clock', async () => {
    const tablePrefix = prefix();
    const clock = new ManualClock(START);
    const a = new PostgresLedger({ connectionString: TEST_POSTGRES_URL, tablePrefix, sealer, clock, leaseTime: 'database' });
    try {
      const held = await a.acquireLease(KEY, { owner: 'a', ttlMs: 10 * MINUTE, waitMs: 0 });
      expect(held).not.toBeNull();
      clock.advance(HOUR);
      expect(await a.acquireLease(KEY, { owner: 'b', ttlMs: MINUTE, waitMs: 0 })).toBeNull();
      await a.releaseLease(held!);
      await a.acquireLease('short', { owner: 'a', ttlMs: 1, waitMs: 0 });
      // Polls (bounded) until the server's clock has passed 1 ms; no fixed sleep.
      let taken = null;
      for (let i = 0; i < 1000 && !taken; i++) taken = await a.acquireLease('short', { owner: 'b', ttlMs: MINUTE, waitMs: 0 });
      expect(taken?.owner).toBe('b');
    } finally {
      await a.close();
    }
  });
});

describe('Redis specifics', () => {
  const keyPrefix = `xgt_r${Math.random().toString(16).slice(2, 10)}:`;
  afterAll(async () => dropKeys(keyPrefix));

  test('Redis with no persistence as the data store -> a startup warning that names AOF and the redis+postgres combination; leases alone do not warn', async () => {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => void warnings.push(message) };
    const info = await withRedis((redis) => redis.info('persistence'));
    expect(info).toMatch(/aof_enabled:0/);
    const ledger = new RedisLedger({ url: TEST_REDIS_URL, keyPrefix, sealer, logger });
    await ledger.open();
    await ledger.read(KEY);
    await ledger.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /Redis at 127\.0\.0\.1:6379 has no persistence.*restart will lose every rotated Xero refresh token.*appendonly yes.*"redis\+postgres"/,
    );
    const composite = await createLedger({
      kind: 'redis+postgres',
      connectionString: TEST_POSTGRES_URL,
      tablePrefix: `${keyPrefix.replace(':', '_')}`,
      redisUrl: TEST_REDIS_URL,
      keyPrefix,
      encryptionKey: 'k',
      logger,
    });
    await composite.close();
    await dropTables(keyPrefix.replace(':', '_'));
    expect(warnings).toHaveLength(1);
  });

  test('the watchdog extends a held lease while the refresh runs, and stops at release', async () => {
    const leases = new RedisLeases({ url: TEST_REDIS_URL, keyPrefix });
    try {
      const lease = (await leases.acquireLease(KEY, { owner: 'a', ttlMs: 300, waitMs: 0 }))!;
      const key = leases.leaseKey(KEY);
      // Poll (bounded) until a PTTL reading goes up: only an extension can raise it.
      const extended = await withRedis(async (redis) => {
        let last = await redis.pttl(key);
        for (let i = 0; i < 2000; i++) {
          const now = await redis.pttl(key);
          if (now > last) return true;
          expect(now).toBeGreaterThan(0);
          last = now;
        }
        return false;
      });
      expect(extended).toBe(true);
      await leases.releaseLease(lease);
      expect(await withRedis((redis) => redis.exists(key))).toBe(0);
    } finally {
      await leases.close();
    }
  });
});
