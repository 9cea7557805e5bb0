/**
 * Someone who can write the ledger's storage (a file, a row, a Redis hash) but does not hold the
 * encryption key edits what is stored. Each edit must be refused on read, by every backend, with a
 * clear error, and the stored data must be left exactly as found (no repair, no delete).
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../../src/clock';
import { LedgerCorruptError } from '../../../src/errors';
import { FileLedger, PostgresLedger, RedisLedger, type ConnectionRecord, type Ledger } from '../../../src/ledger';
import { Sealer } from '../../../src/secrets';
import { dropKeys, dropTables, silentLogger, TEST_POSTGRES_URL, TEST_REDIS_URL, withPostgres, withRedis } from '../../../tools/ledgers/ledger-factory';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';

type Doc = Record<string, unknown> & { sealed: string; version: number; state: string };

interface Store {
  ledger: Ledger;
  /** The stored document of `key` as the backend holds it, sealed field included. */
  get(key: string): Promise<Doc>;
  /** Replaces the stored document of `key` in place, the way an attacker with write access would. */
  put(key: string, doc: Doc): Promise<void>;
  /** PostgreSQL and Redis keep the state in a column/field of its own, beside the document. */
  putStateColumn?(key: string, state: string): Promise<void>;
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 11, 1, 9);
const sealer = () => new Sealer('tamper-test-key');

function fileStore(): Store {
  const directory = mkdtempSync(join(tmpdir(), 'xg-tamper-'));
  const ledger = new FileLedger({ directory, sealer: sealer(), clock: new ManualClock(T0) });
  const latest = async (key: string) => {
    for (const entry of await fs.readdir(directory)) {
      const names = (await fs.readdir(join(directory, entry))).filter((n) => n.startsWith('doc.')).sort();
      const path = join(directory, entry, names[names.length - 1]);
      const doc = JSON.parse(await fs.readFile(path, 'utf8')) as Doc;
      if (doc.key === key) return { path, doc };
    }
    throw new Error(`no document for ${key}`);
  };
  return {
    ledger,
    get: async (key) => (await latest(key)).doc,
    put: async (key, doc) => fs.writeFile((await latest(key)).path, JSON.stringify(doc, null, 2)),
    close: async () => rmSync(directory, { recursive: true, force: true }),
  };
}

function postgresStore(): Store {
  const tablePrefix = `xgtamper_${randomBytes(4).toString('hex')}_`;
  const ledger = new PostgresLedger({ connectionString: TEST_POSTGRES_URL, tablePrefix, sealer: sealer(), clock: new ManualClock(T0) });
  const table = `"${tablePrefix}ledger"`;
  return {
    ledger,
    get: (key) =>
      withPostgres(async (client) => {
        const row = (await client.query<{ document: Doc; sealed: string }>(`SELECT document, sealed FROM ${table} WHERE key = $1`, [key])).rows[0];
        return { ...row.document, sealed: row.sealed };
      }),
    put: (key, { sealed, ...document }) =>
      withPostgres(async (client) => {
        await client.query(`UPDATE ${table} SET document = $2::jsonb, sealed = $3, state = $4 WHERE key = $1`, [
          key,
          JSON.stringify(document),
          sealed,
          document.state,
        ]);
      }),
    putStateColumn: (key, state) => withPostgres(async (client) => void (await client.query(`UPDATE ${table} SET state = $2 WHERE key = $1`, [key, state]))),
    close: async () => {
      await ledger.close();
      await dropTables(tablePrefix);
    },
  };
}

function redisStore(): Store {
  const keyPrefix = `xgtamper_${randomBytes(4).toString('hex')}:`;
  const ledger = new RedisLedger({ url: TEST_REDIS_URL, keyPrefix, sealer: sealer(), clock: new ManualClock(T0), logger: silentLogger });
  return {
    ledger,
    get: (key) =>
      withRedis(async (redis) => {
        const fields = await redis.hgetall(ledger.dataKey(key));
        return { ...(JSON.parse(fields.document) as Doc), sealed: fields.sealed };
      }),
    put: (key, { sealed, ...document }) =>
      withRedis(async (redis) => void (await redis.hset(ledger.dataKey(key), { document: JSON.stringify(document), sealed, state: document.state }))),
    putStateColumn: (key, state) => withRedis(async (redis) => void (await redis.hset(ledger.dataKey(key), 'state', state))),
    close: async () => {
      await ledger.close();
      await dropKeys(keyPrefix);
    },
  };
}

function record(key: string, n: number, overrides: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return {
    key,
    version: 0,
    grant: 'authorization_code',
    state: 'active',
    stateReason: null,
    tokenSet: {
      accessToken: `access-${key}-${n}`,
      refreshToken: `refresh-${key}-${n}`,
      tokenType: 'Bearer',
      scope: ['offline_access'],
      obtainedAt: T0 + n,
      expiresAt: T0 + n + 1_800_000,
    },
    lastRotationAt: T0 + n,
    pending: null,
    rejectedRefreshTokenFp: null,
    candidates: [],
    history: [{ seq: 1, at: T0, from: null, to: 'active', reason: 'connected' }],
    createdAt: T0,
    updatedAt: T0 + n,
    ...overrides,
  };
}

const tagOf = (sealed: string) => Buffer.from(sealed.split('.')[2], 'base64url');
const withTag = (sealed: string, tag: Buffer) => {
  const parts = sealed.split('.');
  parts[2] = tag.toString('base64url');
  return parts.join('.');
};

describe.each([
  ['file', fileStore],
  ['postgres', postgresStore],
  ['redis', redisStore],
] as const)('a tampered %s ledger is refused and kept as found', (_kind, makeStore) => {
  let store: Store;
  beforeEach(() => {
    store = makeStore();
  });
  afterEach(async () => {
    await store.close();
  });

  async function expectRefused(key: string, message: RegExp): Promise<void> {
    const before = await store.get(key);
    const error = await store.ledger.read(key).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LedgerCorruptError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/kept untouched/);
    expect((error as Error).message).not.toMatch(/access-|refresh-/);
    expect(await store.get(key)).toEqual(before);
  }

  it('refuses a GCM tag truncated to 4 bytes', async () => {
    await store.ledger.write(record('org', 1), 0);
    const doc = await store.get('org');
    expect(tagOf(doc.sealed)).toHaveLength(16);
    await store.put('org', { ...doc, sealed: withTag(doc.sealed, tagOf(doc.sealed).subarray(0, 4)) });
    await expectRefused('org', /tag/);
  });

  it('refuses a rolled-back sealed blob whose version was edited to the current one', async () => {
    await store.ledger.write(record('org', 1), 0);
    const first = await store.get('org');
    await store.ledger.write(record('org', 2), 1);
    const current = await store.get('org');
    expect(current.version).toBe(2);
    await store.put('org', { ...first, version: current.version });
    await expectRefused('org', /integrity check/);
  });

  it('refuses a flipped state (needs_reauth edited back to active)', async () => {
    await store.ledger.write(record('org', 1, { state: 'needs_reauth', stateReason: 'Xero refused the refresh token' }), 0);
    const doc = await store.get('org');
    await store.put('org', { ...doc, state: 'active', stateReason: null });
    await expectRefused('org', /integrity check/);
  });

  it('refuses a dead candidate brought back to life in the clear metadata', async () => {
    const candidate = { tokenSet: record('org', 9).tokenSet, addedAt: T0, reason: 'replaced grant', deadAt: T0 + 5 };
    await store.ledger.write(record('org', 1, { candidates: [candidate] }), 0);
    const doc = await store.get('org');
    const candidates = (doc.candidates as Array<Record<string, unknown>>).map(({ deadAt: _dead, ...meta }) => meta);
    await store.put('org', { ...doc, candidates });
    await expectRefused('org', /integrity check/);
  });

  it('refuses sealed tokens swapped in from another connection', async () => {
    await store.ledger.write(record('victim', 1), 0);
    await store.ledger.write(record('attacker', 1), 0);
    const victim = await store.get('victim');
    const attacker = await store.get('attacker');
    await store.put('victim', { ...victim, sealed: attacker.sealed });
    await expectRefused('victim', /integrity check/);
  });

  it('refuses a state column that disagrees with the sealed document', async () => {
    if (!store.putStateColumn) return; // the file ledger has no column of its own
    await store.ledger.write(record('org', 1, { state: 'needs_reauth', stateReason: 'Xero refused the refresh token' }), 0);
    await store.putStateColumn('org', 'active');
    const error = await store.ledger.read('org').then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LedgerCorruptError);
    expect((error as Error).message).toMatch(/state/);
  });

  // Invariant 16: the endpoints a chain is bound to are a clear field, authenticated like the others.
  it('keeps the endpoints a chain is bound to, and refuses them edited to another server or removed', async () => {
    const endpoints = { tokenUrl: 'https://identity.xero.com/connect/token', apiUrl: 'https://api.xero.com' };
    await store.ledger.write(record('org', 1, { endpoints }), 0);
    expect((await store.ledger.read('org'))?.endpoints).toEqual(endpoints);
    const doc = await store.get('org');
    await store.put('org', { ...doc, endpoints: { tokenUrl: 'https://attacker.example/token', apiUrl: 'https://attacker.example' } });
    await expectRefused('org', /integrity check/);
    const { endpoints: _removed, ...unbound } = doc;
    await store.put('org', unbound as Doc);
    await expectRefused('org', /integrity check/);
  });

  it('still reads what it wrote, untampered', async () => {
    await store.ledger.write(record('org', 1, { state: 'needs_reauth', stateReason: 'why' }), 0);
    const read = await store.ledger.read('org');
    expect(read).toMatchObject({ key: 'org', version: 1, state: 'needs_reauth', stateReason: 'why' });
    expect(read?.tokenSet.refreshToken).toBe('refresh-org-1');
  });
});
