/**
 * The Xero Guard Trigger's polling inside n8n's poll(), over a memory event store and fake books:
 * two polls n8n starts at once (it does at activation) emit each change once and keep every claim
 * pending until the next poll marks them emitted; a trigger whose static data n8n never saved (no
 * poll emitted before a restart) still starts from its first activation, not from the restart.
 */
import type { IDataObject, IPollFunctions } from 'n8n-workflow';
import { ManualClock, MINUTE } from '../../../src/clock';
import type { ConnectionSession } from '../../../src/host';
import { MemoryEventStore } from '../../../src/ledger/memory-event-store';
import { pollChanges } from '../../../nodes/XeroGuardTrigger/poll';
import type { PollSettings } from '../../../nodes/XeroGuardTrigger/settings';
import { FakeBooks } from '../events/fake-books';

const TENANT = 'a3c3ee1f-4b5b-4c1e-9d4e-0d1c2b3a4f5e';
const START = Date.parse('2026-03-02T09:00:00Z');
const SETTINGS: PollSettings = {
  mode: 'poll',
  organisations: [TENANT],
  watches: ['sales_invoices'],
  named: [],
  intervalMs: 15 * MINUTE,
  ceilingMs: 15 * MINUTE,
  backfillFrom: '',
  timeZone: '',
  dueInDays: 0,
};

function setup() {
  const clock = new ManualClock(START);
  const store = new MemoryEventStore();
  const books = new FakeBooks();
  const session = {
    organisations: async () => [{ tenantId: TENANT }],
    eventStore: async () => store,
    accounting: async () => books,
    budget: () => null,
  } as unknown as ConnectionSession;
  const warnings: string[] = [];
  const poll = (staticData: IDataObject) =>
    pollChanges({
      context: {
        getMode: () => 'trigger',
        getWorkflowStaticData: () => staticData,
        logger: { debug: () => undefined },
      } as unknown as IPollFunctions,
      settings: SETTINGS,
      session,
      consumerId: 'n8n:wf:node',
      warn: (text) => warnings.push(text),
      clock,
    });
  const invoice = (id: string, at: number) => ({ InvoiceID: id, Type: 'ACCREC', UpdatedDateUTC: new Date(at).toISOString() });
  return { clock, books, poll, invoice, warnings };
}

const ids = (result: Awaited<ReturnType<typeof pollChanges>>): string[] => (result?.[0] ?? []).map((item) => String(item.json.recordId));

test('two polls at once emit each change once, and every claim stays pending until the next poll', async () => {
  const { clock, books, poll, invoice } = setup();
  const staticData: IDataObject = {};
  expect(await poll(staticData)).toBeNull();
  books.put(
    TENANT,
    'Invoices',
    invoice('0a0b0c0d-1111-4222-8333-444455556661', START + MINUTE),
    invoice('0a0b0c0d-1111-4222-8333-444455556662', START + MINUTE),
  );
  clock.advance(15 * MINUTE);
  const [a, b] = await Promise.all([poll(staticData), poll(staticData)]);
  expect([...ids(a), ...ids(b)].sort()).toEqual(['0a0b0c0d-1111-4222-8333-444455556661', '0a0b0c0d-1111-4222-8333-444455556662']);
  expect((staticData.xeroGuardPollPending as { claims: unknown[] }).claims.length).toBeGreaterThan(0);

  // The next poll marks them emitted first; the overlap reads them again and drops them.
  clock.advance(15 * MINUTE);
  expect(await poll(staticData)).toBeNull();
  expect(staticData.xeroGuardPollPending).toBeUndefined();
  // Long after the claims' time: still never again.
  clock.advance(6 * 60 * MINUTE);
  books.put(TENANT, 'Invoices', invoice('0a0b0c0d-1111-4222-8333-444455556663', clock.now() - MINUTE));
  expect(ids(await poll(staticData))).toEqual(['0a0b0c0d-1111-4222-8333-444455556663']);
});

test('a restart before the first change (static data never saved) starts from the first activation, not from the restart', async () => {
  const { clock, books, poll, invoice } = setup();
  expect(await poll({})).toBeNull();
  books.put(TENANT, 'Invoices', invoice('0a0b0c0d-1111-4222-8333-444455556664', START + 2 * MINUTE));
  clock.advance(60 * MINUTE);
  // n8n saved no static data (nothing was emitted): the trigger comes back with none.
  expect(ids(await poll({}))).toEqual(['0a0b0c0d-1111-4222-8333-444455556664']);
});
