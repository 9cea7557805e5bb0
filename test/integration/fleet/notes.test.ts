/** Chain notes on every backend: per-field last-writer-wins, beside the chain, never bumping its version. */
import { ManualClock } from '../../../src/clock';
import { hasChainNotes, MemoryLedger, PostgresLedger, type ConnectionRecord, type Ledger } from '../../../src/ledger';
import { Sealer } from '../../../src/secrets';
import {
  ALL_LEDGER_KINDS,
  dropLedgerSpec,
  makeLedgerSpec,
  openLedger,
  TEST_POSTGRES_URL,
  withPostgres,
  type LedgerSpec,
} from '../../../tools/ledgers/ledger-factory';

const clock = new ManualClock(Date.UTC(2026, 0, 1));
const KEY = 'xero:client:notes';

function record(version = 0): ConnectionRecord {
  return {
    key: KEY,
    version,
    grant: 'authorization_code',
    state: 'active',
    stateReason: null,
    tokenSet: {
      accessToken: 'AT-CANARY',
      refreshToken: 'RT-CANARY',
      tokenType: 'Bearer',
      scope: ['offline_access'],
      expiresAt: clock.now() + 1800_000,
      obtainedAt: clock.now(),
    },
    lastRotationAt: clock.now(),
    pending: null,
    candidates: [],
    history: [],
    createdAt: clock.now(),
    updatedAt: clock.now(),
  };
}

async function dropNotes(spec: LedgerSpec): Promise<void> {
  if (typeof spec.tablePrefix === 'string') await withPostgres((c) => c.query(`DROP TABLE IF EXISTS "${String(spec.tablePrefix)}notes"`));
}

describe.each([...ALL_LEDGER_KINDS, 'memory'] as const)('chain notes on a %s ledger', (kind) => {
  let spec: LedgerSpec | null = null;
  let ledger: Ledger;

  beforeEach(async () => {
    if (kind === 'memory') ledger = new MemoryLedger({ clock });
    else {
      spec = makeLedgerSpec(kind);
      ledger = await openLedger(spec, clock);
    }
  });

  afterEach(async () => {
    await ledger.close();
    if (spec) {
      await dropLedgerSpec(spec);
      await dropNotes(spec);
    }
    spec = null;
  });

  test('fields are set one by one, last writer wins per field, and the chain record and its version are untouched', async () => {
    if (!hasChainNotes(ledger)) throw new Error(`${kind} keeps no notes`);
    expect(await ledger.readNotes(KEY)).toEqual({});
    const written = await ledger.write(record(), 0);
    expect(written).toEqual({ ok: true, version: 1 });
    await ledger.writeNotes(KEY, { 'budget:a': { dayRemaining: 10 }, tenants: { at: 1, tenants: [] } });
    await ledger.writeNotes(KEY, { 'budget:b': { dayRemaining: 20 } });
    await ledger.writeNotes(KEY, { 'budget:a': { dayRemaining: 9 } });
    expect(await ledger.readNotes(KEY)).toEqual({ 'budget:a': { dayRemaining: 9 }, 'budget:b': { dayRemaining: 20 }, tenants: { at: 1, tenants: [] } });
    expect((await ledger.read(KEY))?.version).toBe(1);
    expect(await ledger.keys()).toEqual([KEY]);
    // The chain still takes its next version: notes never fence it.
    expect(await ledger.write(record(1), 1)).toEqual({ ok: true, version: 2 });
  });

  test('notes of a key without a chain do not make it a chain', async () => {
    if (!hasChainNotes(ledger)) throw new Error(`${kind} keeps no notes`);
    await ledger.writeNotes('xero:client:other', { check: { at: 1, status: 'connected', category: null } });
    expect(await ledger.keys()).toEqual([]);
    expect(await ledger.readNotes('xero:client:other')).toEqual({ check: { at: 1, status: 'connected', category: null } });
  });
});

describe('PostgreSQL notes table', () => {
  test('reading notes and asking whether the ledger exists create nothing; the first note creates the table', async () => {
    const prefix = `xgt_notes_${Date.now().toString(36)}_`;
    const ledger = new PostgresLedger({ connectionString: TEST_POSTGRES_URL, tablePrefix: prefix, sealer: new Sealer('k'), clock });
    const tables = () =>
      withPostgres(async (c) =>
        (await c.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE tablename LIKE $1 ORDER BY 1`, [`${prefix}%`])).rows.map(
          (r) => r.tablename,
        ),
      );
    try {
      expect(await ledger.exists()).toBe(false);
      expect(await tables()).toEqual([]);
      await ledger.open();
      expect(await ledger.exists()).toBe(true);
      expect(await ledger.readNotes(KEY)).toEqual({});
      expect(await tables()).not.toContain(`${prefix}notes`);
      await ledger.writeNotes(KEY, { problem: { at: 1, category: 'rate_limit_day', summary: 's' } });
      expect(await tables()).toContain(`${prefix}notes`);
      expect(await ledger.readNotes(KEY)).toEqual({ problem: { at: 1, category: 'rate_limit_day', summary: 's' } });
    } finally {
      await ledger.close();
      await withPostgres(async (c) => {
        for (const t of ['ledger', 'lease', 'schema', 'notes']) await c.query(`DROP TABLE IF EXISTS "${prefix}${t}"`);
      });
    }
  });
});
