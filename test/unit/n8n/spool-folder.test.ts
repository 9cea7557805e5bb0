/**
 * Invariant 14 needs a spool next to a shared ledger. n8n users configure none: a PostgreSQL or
 * Redis ledger gets <N8N_USER_FOLDER or ~>/.n8n/xero-guard-spool, the file ledger keeps its own.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chooseN8nLedger, type N8nEnvironment, type N8nLedgerOverride } from '../../../nodes/shared/n8n-ledger';
import { buildLedger } from '../../../src/ledger';

const KEY = 'n8n-encryption-key';
const POSTGRES = { DB_TYPE: 'postgresdb', DB_POSTGRESDB_HOST: 'db' };
const QUEUE = { ...POSTGRES, EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_HOST: 'redis' };

const spoolOf = (env: N8nEnvironment, override?: N8nLedgerOverride) => chooseN8nLedger(env, { encryptionKey: KEY, override }).options.spoolFolder;

describe('the spool of a shared n8n ledger', () => {
  test.each<[string, N8nEnvironment, N8nLedgerOverride | undefined]>([
    ['automatic on PostgreSQL', POSTGRES, undefined],
    ['automatic in queue mode', QUEUE, undefined],
    ['postgres chosen in the credential', QUEUE, { kind: 'postgres' }],
    ['redis chosen in the credential', QUEUE, { kind: 'redis' }],
    ['redis+postgres chosen in the credential', QUEUE, { kind: 'redis+postgres' }],
  ])('%s: <N8N_USER_FOLDER>/.n8n/xero-guard-spool', (_name, env, override) => {
    expect(spoolOf({ ...env, N8N_USER_FOLDER: '/data' }, override)).toBe('/data/.n8n/xero-guard-spool');
  });

  test('without N8N_USER_FOLDER it is under the home folder, as n8n places .n8n', () => {
    expect(spoolOf(POSTGRES)).toBe(join(homedir(), '.n8n', 'xero-guard-spool'));
  });

  test('a relative N8N_USER_FOLDER still gives the absolute folder createLedger requires', () => {
    const folder = spoolOf({ ...POSTGRES, N8N_USER_FOLDER: 'n8n-data' })!;
    expect(folder).toBe(resolve('n8n-data', '.n8n', 'xero-guard-spool'));
    expect(() => buildLedger(chooseN8nLedger({ ...POSTGRES, N8N_USER_FOLDER: 'n8n-data' }, { encryptionKey: KEY }).options)).not.toThrow();
  });

  test('the file ledger gets none from the host: it spools inside its own folder', () => {
    expect(spoolOf({ N8N_USER_FOLDER: '/data' })).toBeUndefined();
    expect(spoolOf({ ...QUEUE, N8N_USER_FOLDER: '/data' }, { kind: 'file', directory: '/srv/ledger' })).toBeUndefined();
  });

  test('the ledger built from the choice spools there, sealed (no database is contacted)', async () => {
    const userFolder = mkdtempSync(join(tmpdir(), 'xg-n8n-spool-'));
    const ledger = buildLedger(chooseN8nLedger(QUEUE, { userFolder, encryptionKey: KEY, override: { kind: 'redis' } }).options);
    const canary = 'refresh-canary-5c1f';
    await ledger.spool!.put({
      key: 'k',
      tokenSet: { accessToken: 'a', refreshToken: canary, tokenType: 'Bearer', scope: [], expiresAt: 1, obtainedAt: 1 },
      sourceKind: 'current',
      sourceFp: 'fp',
      spooledAt: 1,
    });
    const folder = join(userFolder, '.n8n', 'xero-guard-spool');
    expect(readdirSync(folder)).toHaveLength(1);
    expect((await ledger.spool!.list('k')).map((e) => e.tokenSet.refreshToken)).toEqual([canary]);
  });
});
