/**
 * Ledgers written by Xero Guard 0.1.0 (test/fixtures/ledger-0.1.0, made by that version's code)
 * still open, with every field as written, and come back in the current format on their next write.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, promises as fs, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/clock';
import { LedgerCorruptError, LedgerKeyError } from '../../../src/errors';
import { DOCUMENT_FORMAT_VERSION, FileLedger, PostgresLedger, RedisLedger, type ConnectionRecord, type Ledger } from '../../../src/ledger';
import { Sealer, type KeyKind } from '../../../src/secrets';
import { FIXTURE_KEYS, FIXTURE_LATEST, FIXTURE_SECRET } from '../../fixtures/ledger-0.1.0/records';
import {
  dropKeys,
  dropTables,
  insertLedgerRows,
  silentLogger,
  TEST_POSTGRES_URL,
  TEST_REDIS_URL,
  withPostgres,
  withRedis,
  type StoredLedgerRow,
} from '../../../tools/ledgers/ledger-factory';

const FIXTURES = join(__dirname, '../../fixtures/ledger-0.1.0');
const clock = new ManualClock(Date.UTC(2026, 11, 1));

interface Stored {
  formatVersion?: number;
  kdf?: { name: string };
  sealed: string;
}

interface Backend {
  ledger: Ledger;
  directory?: string;
  stored(key: string): Promise<Stored>;
  close(): Promise<void>;
}

function fileBackend(keyKind?: KeyKind): Backend {
  const directory = mkdtempSync(join(tmpdir(), 'xg-legacy-'));
  cpSync(join(FIXTURES, 'file'), directory, { recursive: true });
  const ledger = new FileLedger({ directory, sealer: new Sealer(FIXTURE_SECRET, { keyKind }), clock });
  return {
    ledger,
    directory,
    async stored(key) {
      for (const entry of readdirSync(directory)) {
        const names = readdirSync(join(directory, entry))
          .filter((n) => n.startsWith('doc.'))
          .sort();
        const doc = JSON.parse(readFileSync(join(directory, entry, names[names.length - 1]), 'utf8')) as Stored & { key: string };
        if (doc.key === key) return doc;
      }
      throw new Error(`no ${key}`);
    },
    close: async () => rmSync(directory, { recursive: true, force: true }),
  };
}

async function postgresBackend(keyKind?: KeyKind): Promise<Backend> {
  const tablePrefix = `xglegacy_${randomBytes(4).toString('hex')}_`;
  const ledger = new PostgresLedger({ connectionString: TEST_POSTGRES_URL, tablePrefix, sealer: new Sealer(FIXTURE_SECRET, { keyKind }), clock });
  await ledger.open();
  await insertLedgerRows(tablePrefix, JSON.parse(readFileSync(join(FIXTURES, 'postgres-rows.json'), 'utf8')) as StoredLedgerRow[]);
  return {
    ledger,
    stored: (key) =>
      withPostgres(async (client) => {
        const row = (await client.query<{ document: Stored; sealed: string }>(`SELECT document, sealed FROM "${tablePrefix}ledger" WHERE key = $1`, [key]))
          .rows[0];
        return { ...row.document, sealed: row.sealed };
      }),
    close: async () => {
      await ledger.close();
      await dropTables(tablePrefix);
    },
  };
}

async function redisBackend(keyKind?: KeyKind): Promise<Backend> {
  const keyPrefix = `xglegacy_${randomBytes(4).toString('hex')}:`;
  const ledger = new RedisLedger({ url: TEST_REDIS_URL, keyPrefix, sealer: new Sealer(FIXTURE_SECRET, { keyKind }), clock, logger: silentLogger });
  const hashes = JSON.parse(readFileSync(join(FIXTURES, 'redis-hashes.json'), 'utf8')) as Array<{ key: string; fields: Record<string, string> }>;
  await withRedis(async (redis) => {
    for (const { key, fields } of hashes) {
      await redis.hset(ledger.dataKey(key), fields);
      await redis.sadd(`${keyPrefix}keys`, key);
    }
  });
  return {
    ledger,
    stored: (key) =>
      withRedis(async (redis) => {
        const fields = await redis.hgetall(ledger.dataKey(key));
        return { ...(JSON.parse(fields.document) as Stored), sealed: fields.sealed };
      }),
    close: async () => {
      await ledger.close();
      await dropKeys(keyPrefix);
    },
  };
}

const BACKENDS = [
  ['file', async (k?: KeyKind) => fileBackend(k)],
  ['postgres', postgresBackend],
  ['redis', redisBackend],
] as const;

describe.each(BACKENDS)('a %s ledger written by 0.1.0', (_kind, make) => {
  let backend: Backend;
  afterEach(async () => {
    await backend.close();
  });

  it('opens every connection with every field as 0.1.0 wrote it', async () => {
    backend = await make();
    expect((await backend.ledger.keys()).sort()).toEqual([...FIXTURE_KEYS].sort());
    for (const key of FIXTURE_KEYS) {
      const stored = await backend.stored(key);
      expect(stored.formatVersion).toBe(1);
      expect(stored.sealed.startsWith('v1.')).toBe(true);
      expect(await backend.ledger.read(key)).toEqual(FIXTURE_LATEST[key]);
    }
  });

  it.each([
    ['passphrase', undefined, 'scrypt'],
    ['random', 'random', 'hkdf-sha256'],
  ] as const)('is rewritten in the current format on its next write (%s key)', async (_label, keyKind, kdf) => {
    backend = await make(keyKind);
    const before = (await backend.ledger.read('org-b')) as ConnectionRecord;
    const next: ConnectionRecord = { ...before, state: 'active', stateReason: null, updatedAt: before.updatedAt + 1 };
    expect(await backend.ledger.write(next, before.version)).toEqual({ ok: true, version: before.version + 1 });
    const stored = await backend.stored('org-b');
    expect(stored.formatVersion).toBe(DOCUMENT_FORMAT_VERSION);
    expect(stored.kdf?.name).toBe(kdf);
    expect(stored.sealed.startsWith('v2.')).toBe(true);
    expect(await backend.ledger.read('org-b')).toEqual({ ...next, version: before.version + 1 });
    // The others are left in 0.1.0's format until they are written.
    expect((await backend.stored('org-a')).formatVersion).toBe(1);
  });
});

describe('0.1.0 documents keep the checks that apply to them', () => {
  let backend: Backend;
  afterEach(async () => {
    await backend.close();
  });

  it('refuses a 0.1.0 document whose tag was truncated to 4 bytes, and leaves it as found', async () => {
    backend = fileBackend();
    const root = backend.directory as string;
    let path = '';
    for (const entry of readdirSync(root)) {
      const names = readdirSync(join(root, entry))
        .filter((n) => n.startsWith('doc.'))
        .sort();
      const candidate = join(root, entry, names[names.length - 1]);
      if ((JSON.parse(readFileSync(candidate, 'utf8')) as { key: string }).key === 'custom-c') path = candidate;
    }
    const doc = JSON.parse(readFileSync(path, 'utf8')) as Stored;
    const parts = doc.sealed.split('.');
    parts[2] = Buffer.from(parts[2], 'base64url').subarray(0, 4).toString('base64url');
    const tampered = JSON.stringify({ ...doc, sealed: parts.join('.') });
    await fs.writeFile(path, tampered);
    await expect(backend.ledger.read('custom-c')).rejects.toThrow(LedgerCorruptError);
    await expect(backend.ledger.read('custom-c')).rejects.toThrow(/4-byte authentication tag.*kept untouched/);
    expect(readFileSync(path, 'utf8')).toBe(tampered);
  });

  it('says "different encryption key" for a 0.1.0 ledger opened with another key', async () => {
    backend = fileBackend();
    const root = backend.directory as string;
    const other = new FileLedger({ directory: root, sealer: new Sealer('not-the-fixture-secret'), clock });
    await expect(other.read('org-a')).rejects.toThrow(LedgerKeyError);
  });
});
