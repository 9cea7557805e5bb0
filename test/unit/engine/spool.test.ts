import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLedger, FileSpool, LedgerConfigError } from '../../../src/ledger';
import { Sealer } from '../../../src/secrets';

const SET = { accessToken: 'spool-canary-access', refreshToken: 'spool-canary-refresh', tokenType: 'Bearer', scope: [], expiresAt: 2, obtainedAt: 1 };

test('a spooled set is sealed, bound to its connection key, and read back only with the same key', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'xg-spool-'));
  const spool = new FileSpool({ directory, sealer: new Sealer('spool-key') });
  await spool.put({ key: 'xero:c:a', tokenSet: SET, sourceFp: 'abc', sourceKind: 'current', spooledAt: 5 });
  const [name] = readdirSync(directory);
  const text = readFileSync(join(directory, name), 'utf8');
  expect(text).not.toContain('spool-canary');
  expect((await spool.list('xero:c:a')).map((e) => e.tokenSet)).toEqual([SET]);
  expect(await spool.list('xero:c:b')).toEqual([]);
  // Another key, or a damaged file: not recovered, and kept in place as evidence.
  expect(await new FileSpool({ directory, sealer: new Sealer('other-key') }).list('xero:c:a')).toEqual([]);
  writeFileSync(join(directory, name), '{ damaged');
  expect(await spool.list('xero:c:a')).toEqual([]);
  expect(readdirSync(directory)).toEqual([name]);
});

test('ledgers get a spool: the file ledger in its folder; PostgreSQL and Redis only with an absolute spoolFolder', () => {
  const directory = mkdtempSync(join(tmpdir(), 'xg-spool-'));
  expect(buildLedger({ kind: 'file', directory, encryptionKey: 'k' }).spool?.description).toBe(`token spool at ${join(directory, 'spool')}`);
  expect(buildLedger({ kind: 'redis', redisUrl: 'redis://127.0.0.1:1', encryptionKey: 'k' }).spool).toBeUndefined();
  expect(
    buildLedger({ kind: 'postgres', connectionString: 'postgres://u@127.0.0.1:1/db', encryptionKey: 'k', spoolFolder: directory }).spool?.description,
  ).toBe(`token spool at ${directory}`);
  expect(() => buildLedger({ kind: 'redis', redisUrl: 'redis://127.0.0.1:1', encryptionKey: 'k', spoolFolder: 'relative/spool' })).toThrow(LedgerConfigError);
  expect(() => buildLedger({ kind: 'redis', redisUrl: 'redis://127.0.0.1:1', encryptionKey: 'k', spoolFolder: 'relative/spool' })).toThrow(
    /Option "spoolFolder" must be an absolute folder path/,
  );
});
