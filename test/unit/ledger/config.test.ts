import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseN8nLedger, type N8nEnvironment, type N8nLedgerOverride } from '../../../nodes/shared/n8n-ledger';
import { buildLedger, CompositeLedger, FileLedger, LedgerConfigError, PostgresLedger, RedisLedger, type CreateLedgerOptions } from '../../../src/ledger';

const KEY = 'n8n-encryption-key';
const USER_FOLDER = '/home/node';

function choose(env: N8nEnvironment, override?: N8nLedgerOverride) {
  return chooseN8nLedger(env, { userFolder: USER_FOLDER, encryptionKey: KEY, override });
}

function error(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('ledgerFromN8nEnvironment: which backend for which n8n settings', () => {
  const postgresEnv = {
    DB_TYPE: 'postgresdb',
    DB_POSTGRESDB_HOST: 'db',
    DB_POSTGRESDB_PORT: '5433',
    DB_POSTGRESDB_DATABASE: 'n8ndb',
    DB_POSTGRESDB_USER: 'n8n',
    DB_POSTGRESDB_PASSWORD: 'pw',
    DB_POSTGRESDB_SCHEMA: 'automation',
  };
  const redisEnv = { QUEUE_BULL_REDIS_HOST: 'redis', QUEUE_BULL_REDIS_PORT: '6380', QUEUE_BULL_REDIS_PASSWORD: 'rpw', QUEUE_BULL_REDIS_DB: '2' };

  test.each<[string, CreateLedgerOptions['kind'], N8nEnvironment]>([
    ['nothing set (SQLite, one process)', 'file', {}],
    ['DB_TYPE=sqlite, regular mode', 'file', { DB_TYPE: 'sqlite', EXECUTIONS_MODE: 'regular' }],
    ['DB_TYPE=postgresdb, regular mode', 'postgres', postgresEnv],
    ['queue mode on PostgreSQL with Redis', 'postgres', { ...postgresEnv, ...redisEnv, EXECUTIONS_MODE: 'queue' }],
    ['queue mode written in capitals', 'postgres', { ...postgresEnv, EXECUTIONS_MODE: 'QUEUE' }],
  ])('%s -> %s', (_name, kind, env) => {
    const { options, reason } = choose(env);
    expect(options.kind).toBe(kind);
    expect(reason.length).toBeGreaterThan(10);
    expect(options.encryptionKey).toBe(KEY);
  });

  test('the file ledger lives under <N8N_USER_FOLDER>/.n8n/xero-guard (N8N_USER_FOLDER is the parent of .n8n)', () => {
    expect(chooseN8nLedger({ N8N_USER_FOLDER: '/data' }, { encryptionKey: KEY }).options.directory).toBe('/data/.n8n/xero-guard');
    expect(choose({}).options.directory).toBe('/home/node/.n8n/xero-guard');
  });

  test("PostgreSQL uses n8n's own DB_POSTGRESDB_* settings, schema and table prefix", () => {
    const { options } = choose({ ...postgresEnv, DB_TABLE_PREFIX: 'n8n_' });
    expect(options).toMatchObject({
      kind: 'postgres',
      postgres: { host: 'db', port: 5433, database: 'n8ndb', user: 'n8n', password: 'pw' },
      schema: 'automation',
      tablePrefix: 'n8n_xero_guard_',
    });
    expect(choose({ DB_TYPE: 'postgresdb' }).options.postgres).toEqual({ host: 'localhost', port: 5432, database: 'n8n', user: 'postgres', password: '' });
  });

  test('n8n _FILE settings and TLS: a CA turns TLS on with verification, SSL_REJECT_UNAUTHORIZED=false turns verification off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xg-env-'));
    writeFileSync(join(dir, 'password'), 'from-file\n');
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const { options } = choose({ DB_TYPE: 'postgresdb', DB_POSTGRESDB_PASSWORD_FILE: join(dir, 'password'), DB_POSTGRESDB_SSL_CA: join(dir, 'ca.pem') });
    expect(options.postgres?.password).toBe('from-file');
    expect(options.postgres?.ssl).toMatchObject({ ca: expect.stringContaining('BEGIN CERTIFICATE'), rejectUnauthorized: true });
    expect(
      choose({ DB_TYPE: 'postgresdb', DB_POSTGRESDB_SSL_ENABLED: 'true', DB_POSTGRESDB_SSL_REJECT_UNAUTHORIZED: 'false' }).options.postgres?.ssl,
    ).toMatchObject({ rejectUnauthorized: false });
    expect(choose({ DB_TYPE: 'postgresdb' }).options.postgres?.ssl).toBeUndefined();
  });

  test('queue mode on SQLite is refused with the fix (workers cannot share a file)', () => {
    const e = error(() => choose({ EXECUTIONS_MODE: 'queue' }));
    expect(e).toBeInstanceOf(LedgerConfigError);
    expect(e.message).toMatch(/queue mode.*on sqlite.*set DB_TYPE=postgresdb.*Ledger field/);
  });

  test("the credential's override: redis+postgres takes n8n's queue Redis and Postgres; file, connection strings and prefixes", () => {
    const env = { ...postgresEnv, ...redisEnv, EXECUTIONS_MODE: 'queue' };
    expect(choose(env, { kind: 'redis+postgres' }).options).toMatchObject({
      kind: 'redis+postgres',
      postgres: { host: 'db', port: 5433 },
      redis: { host: 'redis', port: 6380, password: 'rpw', db: 2 },
    });
    expect(choose(env, { kind: 'file', directory: '/srv/ledger' }).options).toMatchObject({ kind: 'file', directory: '/srv/ledger' });
    expect(choose({}, { kind: 'postgres', connectionString: 'postgres://x@h/d', tablePrefix: 'custom_' }).options).toEqual(
      expect.objectContaining({ kind: 'postgres', connectionString: 'postgres://x@h/d', tablePrefix: 'custom_' }),
    );
    expect(choose({}, { kind: 'postgres', connectionString: 'postgres://x@h/d' }).options.postgres).toBeUndefined();
    expect(choose(env, { kind: 'auto' }).options.kind).toBe('postgres');
    expect(choose({}, { kind: 'redis', redisUrl: 'redis://r:6379', keyPrefix: 'x:' }).options).toMatchObject({
      kind: 'redis',
      redisUrl: 'redis://r:6379',
      keyPrefix: 'x:',
    });
  });

  test('bad settings give errors that name the setting and the fix', () => {
    expect(error(() => choose({}, { kind: 'postgres' })).message).toMatch(
      /"postgres" Xero Guard ledger, but n8n does not use PostgreSQL.*connectionString.*DB_TYPE=postgresdb/,
    );
    expect(error(() => choose({}, { kind: 'mongo' as never })).message).toMatch(/Ledger setting "kind" must be "auto", "file"/);
    expect(error(() => choose({}, { knd: 'file' } as never)).message).toMatch(/Unknown Ledger setting "knd"/);
    expect(error(() => choose({ DB_TYPE: 'postgresdb', DB_POSTGRESDB_PORT: 'five' })).message).toMatch(/DB_POSTGRESDB_PORT must be a port number/);
    expect(error(() => choose({ DB_TYPE: 'postgresdb', DB_POSTGRESDB_PASSWORD_FILE: '/nonexistent/pw' })).message).toMatch(
      /DB_POSTGRESDB_PASSWORD_FILE points to \/nonexistent\/pw/,
    );
    expect(error(() => chooseN8nLedger({}, { userFolder: '/nonexistent' })).message).toMatch(/No encryption key.*N8N_ENCRYPTION_KEY/);
  });

  test('the encryption key: N8N_ENCRYPTION_KEY, else the key n8n saved in <userFolder>/.n8n/config', () => {
    const folder = mkdtempSync(join(tmpdir(), 'xg-n8n-'));
    mkdirSync(join(folder, '.n8n'));
    writeFileSync(join(folder, '.n8n', 'config'), JSON.stringify({ encryptionKey: 'saved-key' }));
    expect(chooseN8nLedger({}, { userFolder: folder }).options.encryptionKey).toBe('saved-key');
    expect(chooseN8nLedger({ N8N_ENCRYPTION_KEY: 'env-key' }, { userFolder: folder }).options.encryptionKey).toBe('env-key');
  });
});

describe('createLedger / buildLedger options', () => {
  test('each kind builds its backend (no connection is made until first use)', async () => {
    const built = [
      buildLedger({ kind: 'file', directory: '/tmp/xg-unused', encryptionKey: 'k' }),
      buildLedger({ kind: 'postgres', connectionString: 'postgres://u@127.0.0.1:1/db', encryptionKey: 'k' }),
      buildLedger({ kind: 'redis', redisUrl: 'redis://127.0.0.1:1', encryptionKey: 'k' }),
      buildLedger({ kind: 'redis+postgres', postgres: { host: '127.0.0.1', port: 1 }, redis: { host: '127.0.0.1', port: 1 }, encryptionKey: 'k' }),
    ];
    expect(built.map((l) => l.constructor)).toEqual([FileLedger, PostgresLedger, RedisLedger, CompositeLedger]);
    expect(built[1].description).toBe('PostgreSQL ledger xero_guard_ledger at 127.0.0.1:1/db');
    expect(built[3].description).toMatch(/PostgreSQL ledger .* with Redis leases xero-guard:\* at 127\.0\.0\.1:1/);
    await Promise.all(built.map((l) => l.close()));
  });

  test.each<[string, unknown, RegExp]>([
    ['unknown kind', { kind: 'sqlite', encryptionKey: 'k' }, /Option "kind" must be one of "file", "postgres", "redis", "redis\+postgres" \(got "sqlite"\)/],
    ['missing encryption key', { kind: 'file', directory: '/tmp/x', encryptionKey: '' }, /Option "encryptionKey" is missing or empty.*N8N_ENCRYPTION_KEY/],
    ['file without a folder', { kind: 'file', encryptionKey: 'k' }, /needs option "directory"/],
    ['postgres without a server', { kind: 'postgres', encryptionKey: 'k' }, /needs option "connectionString".*or "postgres"/],
    ['redis without a server', { kind: 'redis', encryptionKey: 'k' }, /needs option "redisUrl"/],
    [
      'an option of another kind',
      { kind: 'file', directory: '/tmp/x', keyPrefix: 'x:', encryptionKey: 'k' },
      /Option "keyPrefix" does not apply to a "file" ledger.*"redis"/,
    ],
    ['a typo', { kind: 'postgres', connectionString: 'postgres://h/d', tablePrefx: 'x', encryptionKey: 'k' }, /Unknown ledger option "tablePrefx"/],
    [
      'a typo in the server fields',
      { kind: 'postgres', postgres: { hostname: 'h' }, encryptionKey: 'k' },
      /Unknown option "postgres.hostname"; "postgres" takes connectionString, host/,
    ],
    [
      'a bad port',
      { kind: 'postgres', postgres: { host: 'h', port: 70000 }, encryptionKey: 'k' },
      /Option "postgres.port" must be a port number from 1 to 65535 \(got 70000\)/,
    ],
    [
      'a bad table prefix',
      { kind: 'postgres', connectionString: 'postgres://h/d', tablePrefix: 'x; DROP TABLE', encryptionKey: 'k' },
      /Option "tablePrefix" must be letters, digits and underscores/,
    ],
    [
      'a bad schema',
      { kind: 'postgres', connectionString: 'postgres://h/d', schema: 'a.b', encryptionKey: 'k' },
      /Option "schema" must be a plain PostgreSQL schema name/,
    ],
    ['a bad Redis URL', { kind: 'redis', redisUrl: 'http://h', encryptionKey: 'k' }, /Option "url" for Redis must start with redis:\/\//],
    [
      'a bad connection string',
      { kind: 'postgres', connectionString: 'not a url', encryptionKey: 'k' },
      /Option "connectionString" is not a valid postgres:\/\/ URL/,
    ],
    [
      'a bad lease time source',
      { kind: 'postgres', connectionString: 'postgres://h/d', leaseTime: 'host', encryptionKey: 'k' },
      /Option "leaseTime" must be "database" or "clock"/,
    ],
  ])('%s -> a clear LedgerConfigError', (_name, options, message) => {
    const e = error(() => buildLedger(options as CreateLedgerOptions));
    expect(e).toBeInstanceOf(LedgerConfigError);
    expect(e.message).toMatch(message);
  });
});
