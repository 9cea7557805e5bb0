/**
 * A ledger whose next write, once armed, fails as a full disk would: how the engine tests (in one
 * process and across processes) make a token set's ledger write fail after Xero has answered.
 */
import { LedgerUnavailableError } from '../../src/errors';
import type { Ledger } from '../../src/ledger';

/** `inner`, except that the first write after failNext() throws ENOSPC; everything else passes through. */
export function failingWrites(inner: Ledger): { ledger: Ledger; failNext(): void } {
  let fail = false;
  const ledger: Ledger = {
    description: inner.description,
    spool: inner.spool,
    read: (key) => inner.read(key),
    write: async (record, expected) => {
      if (fail) {
        fail = false;
        throw new LedgerUnavailableError(`Cannot write for the Xero Guard ${inner.description}: ENOSPC. To fix: free disk space.`);
      }
      return inner.write(record, expected);
    },
    acquireLease: (key, options) => inner.acquireLease(key, options),
    renewLease: (lease, ttl) => inner.renewLease(lease, ttl),
    releaseLease: (lease) => inner.releaseLease(lease),
    keys: () => inner.keys(),
    close: () => inner.close(),
  };
  return { ledger, failNext: () => (fail = true) };
}
