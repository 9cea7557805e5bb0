import { ManualClock } from '../../../src/clock';
import { CLAIM_TTL_MS, EventConsumer, EventInbox, drainConsumer, type EventItem, type XeroDelivery } from '../../../src/events';
import { MemoryLedger, type EventStore } from '../../../src/ledger';
import { guid } from './fake-books';

const TENANT = 'c2cc9b6e-9458-4c7d-93cc-f02b81b0594f';
const APP = 'client-id-of-the-app';

const delivery = (...ns: number[]): XeroDelivery => ({
  events: ns.map((n) => ({
    resourceUrl: `https://api.xero.com/api.xro/2.0/Invoices/${guid(n)}`,
    resourceId: guid(n),
    tenantId: TENANT,
    tenantType: 'ORGANISATION',
    eventCategory: 'INVOICE',
    eventType: 'UPDATE',
    eventDateUtc: '2026-03-01T09:00:00.000',
  })),
  firstEventSequence: 1,
  lastEventSequence: ns.length,
  entropy: 'e',
});

let clock: ManualClock;
let store: EventStore;
let inbox: EventInbox;
let consumer: EventConsumer;
beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 2, 1, 10));
  store = new MemoryLedger({ clock }).eventStore();
  inbox = new EventInbox({ store, inbox: APP, clock });
  consumer = new EventConsumer({ store, inbox: APP, consumer: 'wf1:trigger', clock });
  await consumer.open();
});

const seen = (items: EventItem[]) => items.map((i) => [i.event.resourceId, i.redelivered]);

describe('draining a consumer', () => {
  test('each batch is committed after its emit settled: a second drain emits nothing', async () => {
    await inbox.append(delivery(1, 2));
    const emitted: EventItem[][] = [];
    const report = await drainConsumer(consumer, async (items) => void emitted.push(items), {
      settleWithin: { ms: CLAIM_TTL_MS, clock, onUnsettled: () => undefined },
    });
    expect(report).toEqual({ emitted: 2, batches: 1, lost: 0 });
    expect(emitted.map(seen)).toEqual([
      [
        [guid(1), false],
        [guid(2), false],
      ],
    ]);
    expect(await drainConsumer(consumer, () => undefined)).toEqual({ emitted: 0, batches: 0, lost: 0 });
  });

  test('an emit that never settles does not hold the events behind it: after the claim time the batch comes again, flagged, and the loop reads on', async () => {
    await inbox.append(delivery(1));
    const emitted: EventItem[][] = [];
    const unsettled: EventItem[][] = [];
    let calls = 0;
    // The first execution's end is never reported (n8n in queue mode can miss it); later ones are.
    const emit = (items: EventItem[]): Promise<void> => {
      emitted.push(items);
      return calls++ === 0 ? new Promise<void>(() => undefined) : Promise.resolve();
    };
    const report = await drainConsumer(consumer, emit, { settleWithin: { ms: CLAIM_TTL_MS, clock, onUnsettled: (items) => unsettled.push(items) } });
    expect(unsettled.map(seen)).toEqual([[[guid(1), false]]]);
    expect(emitted.map(seen)).toEqual([[[guid(1), false]], [[guid(1), true]]]);
    expect(report).toEqual({ emitted: 2, batches: 2, lost: 1 });

    // Committed the second time: events appended later come next, once.
    await inbox.append(delivery(3));
    await drainConsumer(consumer, emit, { settleWithin: { ms: CLAIM_TTL_MS, clock, onUnsettled: (items) => unsettled.push(items) } });
    expect(emitted.map(seen).slice(2)).toEqual([[[guid(3), false]]]);
    expect(unsettled).toHaveLength(1);
  });

  test('a late rejection of an emit the loop went on without is swallowed, and an emit that fails in time gives the batch back', async () => {
    await inbox.append(delivery(1));
    let rejectLate: (error: Error) => void = () => undefined;
    const first = new Promise<void>((_resolve, reject) => (rejectLate = reject));
    let calls = 0;
    await drainConsumer(consumer, () => (calls++ === 0 ? first : Promise.resolve()), {
      settleWithin: { ms: CLAIM_TTL_MS, clock, onUnsettled: () => undefined },
    });
    rejectLate(new Error('the execution failed, much later'));
    await new Promise<void>((resolve) => setImmediate(resolve));

    await inbox.append(delivery(2));
    await expect(
      drainConsumer(consumer, () => Promise.reject(new Error('n8n refused the execution')), {
        settleWithin: { ms: CLAIM_TTL_MS, clock, onUnsettled: () => undefined },
      }),
    ).rejects.toThrow('n8n refused the execution');
    // Given back at once, not held until the claim lapses.
    const again = await consumer.next();
    expect(seen(again.items)).toEqual([[guid(2), false]]);
  });

  test('without a settle time the loop waits for emit as long as it takes', async () => {
    await inbox.append(delivery(1));
    let finish: () => void = () => undefined;
    const draining = drainConsumer(consumer, () => new Promise<void>((resolve) => (finish = resolve)));
    let done = false;
    void draining.then(() => (done = true));
    await clock.sleep(2 * CLAIM_TTL_MS);
    expect(done).toBe(false);
    finish();
    // Its claim lapsed meanwhile, but no other reader took the batch: the commit still holds.
    expect(await draining).toEqual({ emitted: 1, batches: 1, lost: 0 });
  });
});
