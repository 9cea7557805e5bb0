import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLedger, MemoryLedger } from '../../../src/ledger';
import { Sealer } from '../../../src/secrets';
import { eventStoreContract } from './event-store-contract';

eventStoreContract('memory', async () => {
  const ledger = new MemoryLedger();
  return { store: ledger.eventStore(), close: () => ledger.close() };
});

eventStoreContract('file', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'xg-events-'));
  const ledger = new FileLedger({ directory, sealer: new Sealer('unit-key', { keyKind: 'random' }) });
  return {
    store: ledger.eventStore(),
    close: async () => {
      await ledger.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
});
