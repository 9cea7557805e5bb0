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

/**
 * For ledgers without importChain (file, memory): publish `record` as its own version through
 * write(record, record.version - 1). The file ledger takes that whenever the stored version is
 * lower (its compare-and-set is "version n+1 not published yet", and it withdraws a write that
 * lands below a newer one); a strict ledger refuses unless it holds exactly version - 1, and then
 * the chain is stored as the destination's next version instead, which keeps it monotonic there.
 */
export async function importByWrite(ledger: Ledger, record: ConnectionRecord, expectedVersion: number): Promise<WriteResult> {
  if (record.version > expectedVersion) {
    const exact = await ledger.write(record, record.version - 1);
    if (exact.ok) return exact;
  }
  return ledger.write(record, expectedVersion);
}

/** Stores a chain with its version where the ledger can, else as close to it as `write` allows. */
export function importChain(ledger: Ledger, record: ConnectionRecord, expectedVersion: number): Promise<WriteResult> {
  return canImportChains(ledger) ? ledger.importChain(record, expectedVersion) : importByWrite(ledger, record, expectedVersion);
}
