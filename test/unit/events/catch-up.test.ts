import { HOUR, ManualClock, MINUTE, SECOND } from '../../../src/clock';
import { EventConsumer, EventInbox, runCatchUp, type CallBudgetLike, type CatchUpOptions, type XeroEvent } from '../../../src/events';
import { MemoryLedger, type EventStore } from '../../../src/ledger';
import { FakeBooks, guid } from './fake-books';

const TENANT = 'c2cc9b6e-9458-4c7d-93cc-f02b81b0594f';
const APP = 'app-client-id';
const T0 = Date.UTC(2026, 2, 2, 9);
const iso = (ms: number) => new Date(ms).toISOString();

let clock: ManualClock;
let store: EventStore;
let books: FakeBooks;
let inbox: EventInbox;
let trigger: EventConsumer;
beforeEach(async () => {
  clock = new ManualClock(T0);
  store = new MemoryLedger({ clock }).eventStore();
  books = new FakeBooks();
  inbox = new EventInbox({ store, inbox: APP, clock });
  trigger = new EventConsumer({ store, inbox: APP, consumer: 'wf1', clock });
  await trigger.open();
});

const sweep = (extra: Partial<CatchUpOptions> = {}) =>
  runCatchUp({ store, inbox: APP, reader: books, tenantIds: [TENANT], categories: ['INVOICE'], clock, ...extra });
const webhook = (n: number, at: number): XeroEvent => ({
  resourceUrl: '',
  resourceId: guid(n),
  tenantId: TENANT,
  tenantType: 'ORGANISATION',
  eventCategory: 'INVOICE',
  eventType: 'UPDATE',
  eventDateUtc: iso(at).replace('Z', ''),
});
async function drain(): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (;;) {
    const batch = await trigger.next();
    out.push(...batch.items.map((i): [string, string] => [i.event.resourceId, i.source]));
    await batch.commit();
    if (!batch.more) return out;
  }
}

describe('the catch-up sweep', () => {
  test('the first sweep only starts its cursor (no call); the next one brings a change whose delivery was lost, once', async () => {
    const first = await sweep();
    expect(first.started).toEqual([{ tenantId: TENANT, category: 'INVOICE' }]);
    expect(books.calls).toEqual([]);
    // Delivered by the webhook: invoice 1. Lost: invoice 2 (the host was down).
    books.put(TENANT, 'Invoices', { InvoiceID: guid(1), UpdatedDateUTC: iso(T0 + 10 * MINUTE) }, { InvoiceID: guid(2), UpdatedDateUTC: iso(T0 + 20 * MINUTE) });
    await inbox.append({ events: [webhook(1, T0 + 10 * MINUTE + 300)], firstEventSequence: 1, lastEventSequence: 1, entropy: null });
    expect(await drain()).toEqual([[guid(1), 'webhook']]);
    clock.advance(HOUR);
    const second = await sweep();
    expect(second.swept).toEqual([{ tenantId: TENANT, category: 'INVOICE', read: 2, added: 1, covered: 1, calls: 1 }]);
    expect(books.calls[0]).toMatchObject({ path: 'Invoices', ifModifiedSince: T0 - 5 * MINUTE - 5 * MINUTE, query: { order: 'UpdatedDateUTC ASC' } });
    expect(await drain()).toEqual([[guid(2), 'catch-up']]);
    // Xero's late retry of the lost delivery arrives after the sweep added it: nothing new.
    await inbox.append({ events: [webhook(2, T0 + 20 * MINUTE + 400)], firstEventSequence: 2, lastEventSequence: 2, entropy: null });
    expect(await drain()).toEqual([]);
  });

  test('runs once per interval whoever calls it; the next interval reads from where the last stopped', async () => {
    await sweep();
    clock.advance(HOUR);
    const [a, b] = await Promise.all([sweep({ owner: 'a' }), sweep({ owner: 'b' })]);
    expect([a.swept.length + b.swept.length, a.skipped.length + b.skipped.length]).toEqual([1, 1]);
    expect(await sweep()).toMatchObject({ swept: [], skipped: [{ reason: 'not_due' }] });
    clock.advance(HOUR);
    await sweep();
    // Each sweep reads from the last one's end (its start less the settle time) less the overlap.
    expect(books.calls.map((c) => c.ifModifiedSince)).toEqual([T0 - 10 * MINUTE, T0 + HOUR - 10 * MINUTE]);
  });

  test('changes younger than the settle time wait for the next sweep, so a webhook still on its way is not doubled', async () => {
    await sweep();
    clock.advance(HOUR);
    books.put(TENANT, 'Invoices', { InvoiceID: guid(3), UpdatedDateUTC: iso(clock.now() - MINUTE) });
    expect((await sweep()).swept[0]).toMatchObject({ read: 0, added: 0 });
    await inbox.append({ events: [webhook(3, clock.now() - MINUTE + 2 * SECOND)], firstEventSequence: 3, lastEventSequence: 3, entropy: null });
    clock.advance(HOUR);
    expect((await sweep()).swept[0]).toMatchObject({ read: 1, added: 0, covered: 1 });
    expect(await drain()).toEqual([[guid(3), 'webhook']]);
  });

  test("at the organisation's reserve no call is made and the sweep is tried again later", async () => {
    await sweep();
    clock.advance(HOUR);
    let allowed = false;
    const budget: CallBudgetLike = { mayUseForHousekeeping: () => allowed, record: () => undefined };
    books.put(TENANT, 'Invoices', { InvoiceID: guid(4), UpdatedDateUTC: iso(T0 + 30 * MINUTE) });
    expect(await sweep({ budget })).toMatchObject({ skipped: [{ reason: 'budget' }] });
    expect(books.calls).toEqual([]);
    allowed = true;
    expect((await sweep({ budget })).swept[0]).toMatchObject({ added: 1 });
  });

  test('a failed sweep is said and tried again', async () => {
    await sweep();
    clock.advance(HOUR);
    books.failNext = new Error('ECONNRESET');
    const failed = await sweep();
    expect(failed.skipped).toEqual([{ tenantId: TENANT, category: 'INVOICE', reason: 'failed' }]);
    expect(failed.notices[0]).toMatch(/catch-up of invoices for organisation .* failed: ECONNRESET/);
    expect((await sweep()).swept).toHaveLength(1);
  });
});
