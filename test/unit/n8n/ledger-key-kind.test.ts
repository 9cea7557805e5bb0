/** Which key derivation each host's ledger gets, and the option that says so. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLedger, LedgerConfigError } from '../../../src/ledger';
import { chooseN8nLedger } from '../../../nodes/shared/n8n-ledger';

describe('keyKind', () => {
  it('is "random" for the key n8n generated and saved, "passphrase" for one set by hand', () => {
    const folder = mkdtempSync(join(tmpdir(), 'xg-keykind-'));
    mkdirSync(join(folder, '.n8n'));
    writeFileSync(join(folder, '.n8n', 'config'), JSON.stringify({ encryptionKey: 'n8n-generated-key' }));
    expect(chooseN8nLedger({}, { userFolder: folder }).options).toMatchObject({ encryptionKey: 'n8n-generated-key', keyKind: 'random' });
    expect(chooseN8nLedger({ N8N_ENCRYPTION_KEY: 'typed by a person' }, { userFolder: folder }).options).toMatchObject({ keyKind: 'passphrase' });
    expect(chooseN8nLedger({}, { userFolder: folder, encryptionKey: 'given by a caller' }).options.keyKind).toBe('passphrase');
  });

  it('is refused when it is neither, naming both', () => {
    expect(() => buildLedger({ kind: 'file', directory: '/tmp/xg-unused', encryptionKey: 'k', keyKind: 'strong' as never })).toThrow(LedgerConfigError);
    expect(() => buildLedger({ kind: 'file', directory: '/tmp/xg-unused', encryptionKey: 'k', keyKind: 'strong' as never })).toThrow(
      /"keyKind" must be "random".*or "passphrase"/,
    );
  });
});
