/** Shared by the event integration tests: cleaning up what the event store adds to a test ledger. */
import { withPostgres, type LedgerSpec } from '../../../tools/ledgers/ledger-factory';

const EVENT_TABLES = ['event_inbox', 'event_entry', 'event_seen', 'event_resource', 'event_consumer', 'event_claim', 'event_mark', 'notes'];

/** dropLedgerSpec removes the ledger's own tables; these are the event store's (and the notes table). */
export async function dropEventTables(spec: LedgerSpec): Promise<void> {
  if (typeof spec.tablePrefix !== 'string') return;
  const prefix = spec.tablePrefix;
  await withPostgres(async (client) => {
    for (const table of EVENT_TABLES) await client.query(`DROP TABLE IF EXISTS "${prefix}${table}"`);
  });
}
