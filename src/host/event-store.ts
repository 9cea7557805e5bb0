/**
 * Where a host's Xero events live: the event store beside the connection's own ledger (file,
 * PostgreSQL, Redis), so every process that shares the ledger shares the inbox, the consumers'
 * positions and the poll claims (docs/design/events.md "Storage"). One place says what a ledger
 * that keeps no events means to the user.
 */
import { hasEventStore, LedgerConfigError, type EventStore, type Ledger } from '../ledger';

export function eventStoreOf(ledger: Ledger, where: string): EventStore {
  if (!hasEventStore(ledger)) {
    throw new LedgerConfigError(
      `The ${where} keeps no Xero events: choose one of the built-in ledgers (file, PostgreSQL, Redis) for Xero triggers, so every process shares what was received and emitted.`,
    );
  }
  return ledger.eventStore();
}
