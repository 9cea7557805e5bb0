/**
 * Invariant 14 needs a spool next to a shared ledger. Node-RED users configure none: a PostgreSQL
 * or Redis ledger gets <userDir>/xero-guard-spool, the file ledger keeps its own.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ledgerOptions } from '../../../node-red/lib/engines';
import type { RED } from '../../../node-red/lib/red';
import { readSettings } from '../../../node-red/lib/settings';
import { buildLedger } from '../../../src/ledger';

const KEY = { key: 'k'.repeat(43), source: '/data/nr/xero-guard.key' };
const red = (userDir?: string) => ({ settings: userDir === undefined ? {} : { userDir } }) as unknown as RED;
const settings = (ledger: string, credentials: Record<string, string> = {}) => readSettings({ ledger }, { clientId: 'id', clientSecret: 's', ...credentials });

describe('the spool of a shared Node-RED ledger', () => {
  test.each([
    ['postgres', { postgresUrl: 'postgres://u:p@db:5432/nr' }],
    ['redis', { redisUrl: 'redis://redis:6379/0' }],
  ])('%s: <userDir>/xero-guard-spool', (kind, credentials) => {
    const options = ledgerOptions(red('/data/nr'), settings(kind, credentials), KEY);
    expect(options).toMatchObject({ kind, spoolFolder: '/data/nr/xero-guard-spool' });
    expect(buildLedger(options).spool?.description).toBe('token spool at /data/nr/xero-guard-spool');
  });

  test("without a userDir it is under Node-RED's default ~/.node-red; a relative userDir is made absolute", () => {
    const postgres = settings('postgres', { postgresUrl: 'postgres://u:p@db:5432/nr' });
    expect(ledgerOptions(red(), postgres, KEY).spoolFolder).toBe(join(homedir(), '.node-red', 'xero-guard-spool'));
    expect(ledgerOptions(red('nr-data'), postgres, KEY).spoolFolder).toBe(resolve('nr-data', 'xero-guard-spool'));
  });

  test('the file ledger gets none from the host: it spools inside its own folder', () => {
    const options = ledgerOptions(red('/data/nr'), settings('file'), KEY);
    expect(options).toMatchObject({ kind: 'file', directory: '/data/nr/xero-guard' });
    expect(options.spoolFolder).toBeUndefined();
    expect(buildLedger(options).spool?.description).toBe('token spool at /data/nr/xero-guard/spool');
  });
});
