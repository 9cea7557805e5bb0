import { ManualClock, MINUTE } from '../../../src/clock';
import { EventConsumer, EventInbox, EventsConfigError, type CallBudgetLike, type XeroDelivery, type XeroEvent } from '../../../src/events';
import { MemoryLedger, type EventStore } from '../../../src/ledger';
import { XeroApiError } from '../../../src/xero';
import { localClassification } from '../../../src/xero/accounting/errors';
import { FakeBooks, guid } from './fake-books';

const TENANT = 'c2cc9b6e-9458-4c7d-93cc-f02b81b0594f';
const OTHER = 'aef86862-2015-4b6b-88bc-d89032cecc50';
const APP = 'client-id-of-the-app';

function event(n: number, category = 'INVOICE', extra: Partial<XeroEvent> = {}): XeroEvent {
  const id = guid(n, category === 'CONTACT' ? 'c' : category === 'CREDITNOTE' ? 'd' : 'a');
  const path = { INVOICE: 'Invoices', CONTACT: 'Contacts', CREDITNOTE: 'CreditNotes', SUBSCRIPTION: 'Subscriptions' }[category];
  return {
    resourceUrl: `https://api.xero.com/api.xro/2.0/${path}/${id}`,
    resourceId: id,
    tenantId: TENANT,
    tenantType: 'ORGANISATION',
    eventCategory: category,
    eventType: 'UPDATE',
    eventDateUtc: new Date(Date.UTC(2026, 2, 1, 9) + n * 1000).toISOString().replace('Z', ''),
    ...extra,
  };
}
const delivery = (...events: XeroEvent[]): XeroDelivery => ({ events, firstEventSequence: 1, lastEventSequence: events.length, entropy: 'e' });
const invoice = (n: number, Type = 'ACCREC') => ({ InvoiceID: guid(n), Type, Status: 'AUTHORISED', UpdatedDateUTC: '2026-03-01T09:00:00Z' });

let clock: ManualClock;
let store: EventStore;
let inbox: EventInbox;
let books: FakeBooks;
beforeEach(() => {
  clock = new ManualClock(Date.UTC(2026, 2, 1, 10));
  store = new MemoryLedger({ clock }).eventStore();
  inbox = new EventInbox({ store, inbox: APP, clock });
  books = new FakeBooks();
});

const consumer = (id: string, extra: Partial<ConstructorParameters<typeof EventConsumer>[0]> = {}) =>
  new EventConsumer({ store, inbox: APP, consumer: id, clock, ...extra });

describe('an event consumer', () => {
  test('emits the events that came after it opened, once: a Xero retry of the same delivery adds nothing', async () => {
    await inbox.append(delivery(event(1)));
    const c = consumer('wf1:trigger');
    await c.open();
    expect(await inbox.append(delivery(event(2), event(3)))).toMatchObject({ appended: 2, duplicates: 0 });
    expect(await inbox.append(delivery(event(2), event(3)))).toMatchObject({ appended: 0, duplicates: 2 });
    const batch = await c.next();
    expect(batch.items.map((i) => [i.event.resourceId, i.source, i.record, i.redelivered])).toEqual([
      [guid(2), 'webhook', null, false],
      [guid(3), 'webhook', null, false],
    ]);
    expect(await batch.commit()).toBe(true);
    expect((await c.next()).items).toEqual([]);
  });

  test('filters by category, event type and organisation; filtered-out events are passed over, not held', async () => {
    const c = consumer('wf1:trigger', { filter: { categories: ['CONTACT'], eventTypes: ['CREATE'], tenantIds: [TENANT] } });
    await c.open();
    await inbox.append(
      delivery(event(1), event(2, 'CONTACT'), event(3, 'CONTACT', { eventType: 'CREATE' }), event(4, 'CONTACT', { eventType: 'CREATE', tenantId: OTHER })),
    );
    const batch = await c.next();
    expect(batch.items.map((i) => i.event.resourceId)).toEqual([guid(3, 'c')]);
    await batch.commit();
    // A batch of nothing but filtered-out events is committed by the consumer itself.
    await inbox.append(delivery(event(5), event(6)));
    expect((await c.next()).items).toEqual([]);
    await inbox.append(delivery(event(7, 'CONTACT', { eventType: 'CREATE' })));
    expect((await c.next()).items.map((i) => i.event.resourceId)).toEqual([guid(7, 'c')]);
  });

  test('fetches records in batched reads (50 IDs per call), one item per record with its events beside it', async () => {
    for (let n = 1; n <= 60; n++) books.put(TENANT, 'Invoices', invoice(n));
    const c = consumer('wf1:trigger', { fetch: { reader: books }, batchSize: 200 });
    await c.open();
    const events = Array.from({ length: 60 }, (_, i) => event(i + 1));
    // The same invoice changed twice in the batch: one read, one item, both events beside it.
    events.push(event(1, 'INVOICE', { eventDateUtc: '2026-03-01T11:00:00.000' }));
    await inbox.append(delivery(...events));
    const batch = await c.next();
    expect(books.calls.map((call) => [call.path, (call.query.IDs as string[]).length])).toEqual([
      ['Invoices', 50],
      ['Invoices', 10],
    ]);
    expect(batch.items).toHaveLength(60);
    const first = batch.items.find((i) => i.event.resourceId === guid(1));
    expect(first?.events.map((e) => e.eventDateUtc)).toEqual([event(1).eventDateUtc, '2026-03-01T11:00:00.000']);
    expect(first?.event.eventDateUtc).toBe('2026-03-01T11:00:00.000');
    expect(first?.record).toEqual(invoice(1));
  });

  test('credit notes, which take no IDs=, are read 20 at a time with a where of their IDs', async () => {
    for (let n = 1; n <= 25; n++)
      books.put(TENANT, 'CreditNotes', { CreditNoteID: guid(n, 'd'), Type: 'ACCRECCREDIT', UpdatedDateUTC: '2026-03-01T09:00:00Z' });
    const c = consumer('wf1:trigger', { fetch: { reader: books } });
    await c.open();
    await inbox.append(delivery(...Array.from({ length: 25 }, (_, i) => event(i + 1, 'CREDITNOTE'))));
    const batch = await c.next();
    expect(batch.items.filter((i) => i.record)).toHaveLength(25);
    expect(books.calls.map((call) => String(call.query.where).split(' OR ').length)).toEqual([20, 5]);
    expect(books.calls[0].query.where).toMatch(/^CreditNoteID==Guid\("d{8}-0000-4000-8000-000000000001"\) OR /);
  });

  test('a record Xero no longer has comes as null with the reason; subscriptions are not read at all', async () => {
    books.put(TENANT, 'Invoices', invoice(1));
    const c = consumer('wf1:trigger', { fetch: { reader: books } });
    await c.open();
    await inbox.append(delivery(event(1), event(2), event(3, 'SUBSCRIPTION', { tenantType: 'APPLICATION' })));
    const items = (await c.next()).items;
    expect(items.map((i) => [i.record ? 'record' : null, i.recordError?.code ?? null])).toEqual([
      ['record', null],
      [null, 'not_found'],
      [null, 'not_readable'],
    ]);
    expect(books.calls).toHaveLength(1);
  });

  test('sales or bills is decided on the fetched record; without fetching it cannot be asked', async () => {
    books.put(TENANT, 'Invoices', invoice(1, 'ACCREC'), invoice(2, 'ACCPAY'));
    const c = consumer('wf1:trigger', { fetch: { reader: books }, filter: { direction: 'purchases' } });
    await c.open();
    await inbox.append(delivery(event(1), event(2), event(3)));
    // 3 could not be read: it comes (with its reason) rather than being dropped on a guess.
    expect((await c.next()).items.map((i) => i.event.resourceId)).toEqual([guid(2), guid(3)]);
    expect(() => consumer('x', { filter: { direction: 'sales' } })).toThrow(EventsConfigError);
  });

  test("at the organisation's reserve no call is made: the events come without records, saying why", async () => {
    books.put(TENANT, 'Invoices', invoice(1));
    const recorded: unknown[] = [];
    const budget: CallBudgetLike = { mayUseForHousekeeping: () => false, record: (t, r) => recorded.push([t, r]) };
    const c = consumer('wf1:trigger', { fetch: { reader: books, budget } });
    await c.open();
    await inbox.append(delivery(event(1)));
    const [item] = (await c.next()).items;
    expect(books.calls).toHaveLength(0);
    expect(item.recordError?.code).toBe('budget_reserve');
    // With budget, every read is recorded against the organisation.
    const open: CallBudgetLike = { mayUseForHousekeeping: () => true, record: (t, r) => recorded.push([t, r]) };
    const d = consumer('wf2:trigger', { fetch: { reader: books, budget: open } });
    await d.open();
    await inbox.append(delivery(event(2)));
    await d.next();
    expect(recorded).toEqual([[TENANT, { dayRemaining: 900, minuteRemaining: 50, appMinuteRemaining: 9000 }]]);
  });

  test('a read that may succeed later gives the batch back (nothing emitted, nothing lost); any other failure rides on the item', async () => {
    books.put(TENANT, 'Invoices', invoice(1));
    const c = consumer('wf1:trigger', { fetch: { reader: books } });
    await c.open();
    await inbox.append(delivery(event(1)));
    books.failNext = new XeroApiError({
      classification: { ...localClassification({ summary: 'Xero is busy.', advice: 'Wait.' }), retryable: true },
      method: 'GET',
      path: 'Invoices',
      httpStatus: 503,
    });
    await expect(c.next()).rejects.toThrow('Xero is busy.');
    const again = await c.next();
    expect(again.items.map((i) => i.record)).toEqual([invoice(1)]);
    await again.commit();
    await inbox.append(delivery(event(2)));
    books.failNext = new XeroApiError({
      classification: localClassification({ summary: 'Access to this organisation was removed.', advice: 'Reconnect.' }),
      method: 'GET',
      path: 'Invoices',
      httpStatus: 403,
    });
    const failed = (await c.next()).items[0];
    expect(failed.recordError).toEqual({ code: 'xero_error', message: expect.stringContaining('Access to this organisation was removed.') });
  });

  test("two processes of one consumer: while one holds the batch the other gets nothing; a dead holder's batch comes again, flagged", async () => {
    const a = consumer('wf1:trigger', { owner: 'process-a' });
    const b = consumer('wf1:trigger', { owner: 'process-b' });
    await a.open();
    await inbox.append(delivery(event(1), event(2)));
    const held = await a.next();
    expect(held.items).toHaveLength(2);
    expect((await b.next()).items).toEqual([]);
    // Process a dies after emitting, before committing: once its claim expires, b emits the batch again, flagged.
    clock.advance(5 * MINUTE);
    const again = await b.next();
    expect(again.items.map((i) => [i.eventId, i.redelivered])).toEqual(held.items.map((i) => [i.eventId, true]));
    expect(await held.commit()).toBe(false);
    expect(await again.commit()).toBe(true);
  });

  test('each of several consumers gets every event once', async () => {
    const consumers = ['wf1', 'wf2', 'wf3'].map((id) => consumer(id));
    for (const c of consumers) await c.open();
    await inbox.append(delivery(event(1), event(2)));
    for (const c of consumers) {
      const batch = await c.next();
      expect(batch.items.map((i) => i.event.resourceId)).toEqual([guid(1), guid(2)]);
      await batch.commit();
      expect((await c.next()).items).toEqual([]);
    }
  });

  test('a consumer dropped as idle opens again from now and says so; one behind the cap is told what it missed', async () => {
    const c = consumer('wf1:trigger');
    await c.open();
    const other = consumer('wf2:trigger');
    clock.advance(8 * 24 * 60 * MINUTE);
    await other.open();
    await inbox.append(delivery(event(1)));
    const batch = await c.next();
    expect(batch.notices.map((n) => n.kind)).toEqual(['restarted']);
    expect(batch.items).toEqual([]);

    const small = new EventInbox({ store, inbox: APP, clock, limits: { maxEntries: 2 } });
    const behind = consumer('wf3:trigger');
    await behind.open();
    // wf2 never read event 1, wf3 opened after it: the cap drops event 1 and event 11, and wf3 missed one of them.
    const outcome = await small.append(delivery(event(11), event(12), event(13)));
    expect(outcome.warning).toMatch(/is full \(2 events\): the 2 oldest were dropped/);
    const next = await behind.next();
    expect(next.notices.map((n) => n.kind)).toEqual(['missed']);
    expect(next.items.map((i) => i.event.resourceId)).toEqual([guid(12), guid(13)]);
  });
});
