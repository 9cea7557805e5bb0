/**
 * One OS process sharing an event store with its siblings (test/integration/events/exactly-once.test.ts):
 * a webhook process that appends deliveries, a trigger process that runs consumers, a poller.
 * It tells the parent what it emitted before it commits, so a SIGKILL between the two is seen.
 */
import { OffsetClock } from '../../../src/clock';
import { ChangePoller, EventConsumer, EventInbox, type PollState, type XeroDelivery } from '../../../src/events';
import { hasEventStore } from '../../../src/ledger';
import { openLedger, type LedgerSpec } from '../../../tools/ledgers/ledger-factory';
import { FakeBooks } from '../../unit/events/fake-books';

export interface ChildConfig {
  ledger: LedgerSpec;
  inbox: string;
  name: string;
}

export type ParentMessage =
  | { type: 'append'; deliveries: XeroDelivery[] }
  | { type: 'open'; consumers: string[] }
  /** Drain each consumer; with `dieAt`, SIGKILL this process at that step of the first batch of `consumers[0]`. */
  | { type: 'consume'; consumers: string[]; dieAt?: 'after-claim' | 'after-emit' }
  | { type: 'poll'; consumer: string; records: Array<Record<string, unknown>>; tenantId: string; state: PollState | null }
  | { type: 'advance'; ms: number }
  | { type: 'exit' };

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'emitted'; consumer: string; items: Array<{ eventId: string; redelivered: boolean }> }
  | { type: 'done'; for: ParentMessage['type']; detail?: unknown };

const CLAIM_TTL_MS = 60_000;

async function main(): Promise<void> {
  const config = JSON.parse(process.env.EVENTS_CHILD_CONFIG ?? '{}') as ChildConfig;
  const clock = new OffsetClock();
  const ledger = await openLedger(config.ledger, clock);
  if (!hasEventStore(ledger)) throw new Error('ledger keeps no events');
  const store = ledger.eventStore();
  const inbox = new EventInbox({ store, inbox: config.inbox, clock });
  const consumers = new Map<string, EventConsumer>();
  const consumer = (id: string) => {
    let c = consumers.get(id);
    if (!c) {
      c = new EventConsumer({ store, inbox: config.inbox, consumer: id, owner: config.name, clock, batchSize: 7, claimTtlMs: CLAIM_TTL_MS });
      consumers.set(id, c);
    }
    return c;
  };
  const send = (message: ChildMessage) => new Promise<void>((resolve) => process.send?.(message, () => resolve()));

  process.on('message', (message: ParentMessage) => {
    void (async () => {
      switch (message.type) {
        case 'append': {
          let appended = 0;
          for (const delivery of message.deliveries) appended += (await inbox.append(delivery)).appended;
          return send({ type: 'done', for: 'append', detail: appended });
        }
        case 'open':
          for (const id of message.consumers) await consumer(id).open();
          return send({ type: 'done', for: 'open' });
        case 'consume': {
          await Promise.all(
            message.consumers.map(async (id, index) => {
              for (;;) {
                const batch = await consumer(id).next();
                if (batch.items.length > 0 && index === 0 && message.dieAt === 'after-claim') process.kill(process.pid, 'SIGKILL');
                if (batch.items.length > 0)
                  await send({ type: 'emitted', consumer: id, items: batch.items.map((i) => ({ eventId: i.eventId, redelivered: i.redelivered })) });
                if (batch.items.length > 0 && index === 0 && message.dieAt === 'after-emit') process.kill(process.pid, 'SIGKILL');
                await batch.commit();
                if (batch.items.length === 0 && !batch.more) return;
              }
            }),
          );
          return send({ type: 'done', for: 'consume' });
        }
        case 'poll': {
          const books = new FakeBooks();
          books.put(message.tenantId, 'Invoices', ...message.records);
          const poller = new ChangePoller({
            store,
            consumer: message.consumer,
            reader: books,
            watches: [{ tenantId: message.tenantId, watch: 'sales_invoices' }],
            clock,
            owner: config.name,
          });
          const result = await poller.poll(message.state);
          await send({ type: 'emitted', consumer: message.consumer, items: result.items.map((i) => ({ eventId: i.key, redelivered: i.redelivered })) });
          await poller.complete(result.pending);
          return send({ type: 'done', for: 'poll', detail: result.state });
        }
        case 'advance':
          clock.advance(message.ms);
          return send({ type: 'done', for: 'advance' });
        case 'exit':
          await ledger.close();
          process.exit(0);
      }
    })().catch((error: unknown) => {
      console.error(`events child ${config.name} failed:`, error);
      process.exit(3);
    });
  });
  await send({ type: 'ready' });
}

void main();
