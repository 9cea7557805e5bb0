/** The event store contract (test/unit/ledger/event-store-contract.ts) on every shared backend, over the real servers. */
import { ALL_LEDGER_KINDS, dropLedgerSpec, makeLedgerSpec, openLedger, withPostgres } from '../../../tools/ledgers/ledger-factory';
import { systemClock } from '../../../src/clock';
import { dropEventTables } from '../events/fixture';
import { hasEventStore } from '../../../src/ledger';
import { eventStoreContract } from '../../unit/ledger/event-store-contract';

for (const kind of ALL_LEDGER_KINDS) {
  eventStoreContract(kind, async () => {
    const spec = makeLedgerSpec(kind);
    const ledger = await openLedger(spec, systemClock);
    if (!hasEventStore(ledger)) throw new Error(`${kind} ledger keeps no events`);
    return {
      store: ledger.eventStore(),
      close: async () => {
        await ledger.close();
        await dropEventTables(spec);
        await dropLedgerSpec(spec);
      },
    };
  });
}

test('four processes using the PostgreSQL event store for the first time at once create its tables once (no CREATE TABLE race)', async () => {
  const spec = makeLedgerSpec('postgres');
  const ledgers = await Promise.all(Array.from({ length: 4 }, () => openLedger(spec, systemClock)));
  try {
    const limits = { maxEntries: 10, memoryMs: 1000, coverMs: 0, consumerIdleMs: 1000 };
    const results = await Promise.all(
      ledgers.map((ledger, i) => {
        if (!hasEventStore(ledger)) throw new Error('no events');
        return ledger.eventStore().append('app', [{ id: `i${i}`, resource: 'r', at: i, source: 'xero', payload: { i } }], 1, limits);
      }),
    );
    expect(results.flatMap((r) => r.appended.map((e) => e.position)).sort()).toEqual([1, 2, 3, 4]);
    const tables = await withPostgres((client) =>
      client.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_name LIKE $1 ORDER BY table_name`, [
        `${spec.tablePrefix}event%`,
      ]),
    );
    expect(tables.rows.map((r) => r.table_name.slice(String(spec.tablePrefix).length))).toEqual([
      'event_claim',
      'event_consumer',
      'event_entry',
      'event_inbox',
      'event_mark',
      'event_resource',
      'event_seen',
    ]);
  } finally {
    await Promise.all(ledgers.map((l) => l.close()));
    await dropEventTables(spec);
    await dropLedgerSpec(spec);
  }
});
