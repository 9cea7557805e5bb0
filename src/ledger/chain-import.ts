import type { ConnectionRecord, Ledger, WriteResult } from './types';

/**
 * What a migration needs beyond `write`: store a record with the version it already has (so a
 * moved chain keeps its version), as a compare-and-set on the destination's current version.
 */
export interface ChainImporter {
  importChain(record: ConnectionRecord, expectedVersion: number): Promise<WriteResult>;
}

export function canImportChains(ledger: Ledger): ledger is Ledger & ChainImporter {
  return typeof (ledger as Partial<ChainImporter>).importChain === 'function';
}
