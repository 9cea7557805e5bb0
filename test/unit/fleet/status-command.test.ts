import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/xero-guard-ledger';
import { Sealer } from '../../../src/secrets';
import { TEST_POSTGRES_URL, TEST_REDIS_URL, withPostgres } from '../../../tools/ledgers/ledger-factory';

const KEY_ENV = { XG_STATUS_KEY: 'status-test-key' };

async function status(args: string[], env: Record<string, string | undefined> = KEY_ENV) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['status', ...args], { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const withKey = ['--encryption-key-env', 'XG_STATUS_KEY'];

describe('xero-guard-ledger status: nothing to list, and bad input', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  test('a folder that does not exist: says so, exit 0, and creates nothing', async () => {
    const missing = join(tmpdir(), `xg-status-missing-${process.pid}`);
    const result = await status(['--ledger', `file:${missing}`, ...withKey]);
    expect(result).toMatchObject({ code: 0, stdout: `No Xero Guard ledger at ${missing} (the folder does not exist): nothing to list.` });
    expect(() => readdirOrNull(missing)).not.toThrow();
    expect(readdirOrNull(missing)).toBeNull();
  });

  test('an empty folder: says so, exit 0; --json gives an empty listing with the same note', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xg-status-'));
    dirs.push(dir);
    expect(await status(['--ledger', `file:${dir}`, ...withKey])).toMatchObject({
      code: 0,
      stdout: `The file ledger at ${dir} holds no Xero connections: nothing to list.`,
    });
    const json = await status(['--ledger', `file:${dir}`, ...withKey, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ chains: [], counts: {}, note: expect.stringContaining('holds no Xero connections') });
  });

  test('entries written with another key, or damaged, are listed as unreadable with the reason, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xg-status-'));
    dirs.push(dir);
    const put = (key: string, keyId: string) => {
      const folder = join(dir, createHash('sha256').update(key).digest('hex').slice(0, 32));
      mkdirSync(folder);
      writeFileSync(
        join(folder, 'doc.000000000001.json'),
        JSON.stringify({ format: 'xero-guard-ledger', formatVersion: 1, keyId, key, version: 1, sealed: 'damaged' }),
      );
    };
    put('xero:c:other-key', 'another-key-id');
    put('xero:c:damaged', new Sealer(KEY_ENV.XG_STATUS_KEY, { keyKind: 'random' }).legacyKey().keyId);
    const result = await status(['--ledger', dir, ...withKey]);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').filter((l) => l.includes('unreadable'))).toHaveLength(3);
    // Named by an id, never by the key (it holds the app's client id) unless the operator asks.
    expect(result.stdout).toMatch(/Unreadable:\n {2}Unnamed Xero connection [0-9a-f]{8}: Ledger file/);
    expect(result.stdout).not.toContain('xero:c:');
    expect(result.stdout).toContain('is damaged');
    const keyed = await status(['--ledger', dir, ...withKey, '--show-keys']);
    expect(
      keyed.stdout
        .split('Keys:\n')[1]
        ?.split('\n')
        .map((l) => l.replace(/[0-9a-f]{8,16}/g, 'ID')),
    ).toEqual(expect.arrayContaining(['  Unnamed Xero connection ID (ID): xero:c:damaged', '  Unnamed Xero connection ID (ID): xero:c:other-key']));
    const json = JSON.parse((await status(['--ledger', dir, ...withKey, '--json'])).stdout) as { chains: Array<Record<string, unknown>> };
    expect(json.chains.map((c) => [typeof c.id, 'key' in c])).toEqual([
      ['string', false],
      ['string', false],
    ]);
    const jsonKeyed = JSON.parse((await status(['--ledger', dir, ...withKey, '--json', '--show-keys'])).stdout) as { chains: Array<Record<string, unknown>> };
    expect(jsonKeyed.chains.map((c) => c.key).sort()).toEqual(['xero:c:damaged', 'xero:c:other-key']);
    expect(result.stderr).toContain('1 of 2 connection(s) were written with a different encryption key than the one in XG_STATUS_KEY');
    expect(result.stderr).toContain('1 connection(s) could not be read');
  });

  test('PostgreSQL without the ledger tables: says so, exit 0, and creates no table', async () => {
    const prefix = `xgt_status_${process.pid}_`;
    const result = await status(['--ledger', `${TEST_POSTGRES_URL}?tablePrefix=${prefix}`, ...withKey]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^No Xero Guard ledger in the PostgreSQL ledger ${prefix}ledger at .*: nothing to list\\.$`));
    const tables = await withPostgres(async (c) => (await c.query(`SELECT tablename FROM pg_tables WHERE tablename LIKE $1`, [`${prefix}%`])).rows);
    expect(tables).toEqual([]);
  });

  test('Redis with no chains under the prefix: says so, exit 0', async () => {
    const result = await status(['--ledger', `${TEST_REDIS_URL}?keyPrefix=xgt-status-${process.pid}:`, ...withKey]);
    expect(result).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^The Redis ledger xgt-status-\d+:\* at .* holds no Xero connections: nothing to list\.$/),
    });
  });

  test('a location that is not a ledger URL: names it (without its password), exit 2', async () => {
    const result = await status(['--ledger', 'mysql://admin:hunter2@db/x', ...withKey]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"mysql://admin:***@db/x" is not a ledger location');
    expect(result.stderr).not.toContain('hunter2');
  });

  test('no --ledger, or no key in the environment: says what to do, exit 2', async () => {
    expect(await status([...withKey])).toMatchObject({ code: 2, stderr: expect.stringContaining('Missing --ledger <ledger>') });
    expect(await status(['--ledger', '/tmp/x', ...withKey], {})).toMatchObject({ code: 2, stderr: expect.stringContaining('export XG_STATUS_KEY') });
  });

  test('PostgreSQL that cannot be reached: names host and port, exit 1', async () => {
    const result = await status(['--ledger', 'postgres://nobody:secret@127.0.0.1:1/none', ...withKey]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('127.0.0.1:1');
    expect(result.stderr).not.toContain('secret');
  });
});

function readdirOrNull(path: string): string[] | null {
  try {
    return readdirSync(path);
  } catch {
    return null;
  }
}
