/**
 * Builds a ledger from a plain, serialisable description, so a parent test and its child
 * processes open the same shared ledger. Backends add their kind here.
 */
import type { Clock } from '../../src/clock';
import { FileLedger, type Ledger } from '../../src/ledger';
import { Sealer } from '../../src/secrets';

export type LedgerSpec = { kind: 'file'; directory: string; encryptionKey: string } | { kind: string; encryptionKey: string; [option: string]: unknown };

export async function openLedger(spec: LedgerSpec, clock: Clock): Promise<Ledger> {
  const sealer = new Sealer(spec.encryptionKey);
  switch (spec.kind) {
    case 'file':
      return new FileLedger({ directory: String(spec.directory), sealer, clock });
    default:
      throw new Error(`test ledger kind "${spec.kind}" is not known to test/helpers/ledger-factory.ts`);
  }
}
