/**
 * Webhook mode of `xero events`: the route (events-route.ts) puts verified deliveries into the app's
 * inbox in the connection's ledger; this node reads the inbox with its own position (every node
 * reading an inbox gets each event once, in any number of Node-RED processes sharing the ledger)
 * and, every so many minutes, sweeps for changes whose delivery was lost (the catch-up).
 */
import { MINUTE, type Clock } from '../../src/clock';
import {
  DEFAULT_MAX_WEBHOOK_BYTES,
  EventConsumer,
  EventInbox,
  EventsConfigError,
  coalescing,
  drainConsumer,
  runCatchUp,
  type EventItem,
  type WebhookKey,
} from '../../src/events';
import type { ConnectionHandle } from './connection-handle';
import { addEventsRoute, type HttpNodeServer, type RouteOutcome } from './events-route';
import { tenantIdsOf, type EventsSettings } from './events-settings';
import { lazily, type NodeWork } from './events-work';
import type { NodeMessage, RED } from './red';

/** How often a node looks for events another process appended (one store read; no Xero call). */
const READ_EVERY_MS = 5000;

/** The nodes of one Node-RED runtime reading each inbox: told at once when a delivery or a sweep appended to it. */
export type InboxReaders = Map<string, Set<() => void>>;

export interface Listening {
  red: RED;
  work: NodeWork;
  conn: ConnectionHandle;
  settings: EventsSettings;
  key: WebhookKey;
  clock: Clock;
  readers: InboxReaders;
}

export function listen({ red, work, conn, settings, key, clock, readers }: Listening): void {
  const { node } = work;
  const inbox = key.inboxName();
  const wake = (): void => readers.get(inbox)?.forEach((read) => read());
  const counts = { events: 0, refused: 0 };
  const show = (): void =>
    work.working(
      settings.path ? 'dot' : 'ring',
      `${settings.path ? `at ${settings.path}` : "the app's inbox"}: ${counts.events} event${counts.events === 1 ? '' : 's'}${counts.refused ? `, ${counts.refused} refused` : ''}`,
    );

  if (settings.path) {
    const server = (red as RED & { httpNode?: HttpNodeServer }).httpNode;
    if (!server || typeof server.post !== 'function') {
      work.broken(
        new EventsConfigError(
          'Node-RED serves no HTTP nodes here (httpNodeRoot is false in settings.js), so Xero cannot deliver to this node: turn httpNodeRoot back on, or use polling.',
        ),
      );
      return;
    }
    const received = (outcome: RouteOutcome): void => {
      for (const problem of outcome.problems) work.warn(problem);
      if (outcome.status === 401 || outcome.status === 413) {
        counts.refused++;
        show();
        return;
      }
      if (outcome.status !== 200 || !outcome.delivery || outcome.delivery.events.length === 0) return;
      const delivery = outcome.delivery;
      void conn.session
        .eventStore()
        .then((store) => new EventInbox({ store, inbox, clock }).append(delivery))
        .then((appended) => {
          if (appended.warning) work.warn(appended.warning);
          wake();
        })
        .catch((error: unknown) =>
          node.error(`A verified Xero delivery could not be stored (the catch-up sweep brings its changes later): ${work.say(error)}`),
        );
    };
    work.onClose(addEventsRoute(server, settings.path, { key, maxBodyBytes: DEFAULT_MAX_WEBHOOK_BYTES, received }));
  }

  const consumer = lazily(async () => {
    const store = await conn.session.eventStore();
    const reader = settings.fetch ? await conn.session.accounting() : null;
    const opened = new EventConsumer({
      store,
      inbox,
      consumer: `node-red:${node.id}`,
      filter: settings.filter,
      clock,
      ...(reader ? { fetch: { reader, budget: conn.session.budget() ?? undefined } } : {}),
    });
    await opened.open();
    return opened;
  });

  // Reads do not queue up behind each other: one asked while one runs makes one more after it.
  const read = coalescing(() =>
    work.serial(async () => {
      const report = await drainConsumer(
        await consumer(),
        (items) => {
          for (const item of items) node.send(eventMessage(item));
        },
        { onNotice: (notice) => work.warn(notice.message) },
      );
      counts.events += report.emitted;
      show();
    }),
  );

  const own = readers.get(inbox) ?? new Set<() => void>();
  own.add(read);
  readers.set(inbox, own);
  work.onClose(() => own.delete(read));
  read();
  work.every(READ_EVERY_MS, read);
  node.on('input', (_msg, _send, done) => {
    read();
    void work.serial(async () => undefined).then(() => done());
  });

  if (settings.catchUpMinutes > 0) {
    const intervalMs = settings.catchUpMinutes * MINUTE;
    // The organisations are looked up once per sweep interval, not every minute (GET /connections is a call).
    let tenants: { slot: number; ids: string[] } | null = null;
    const sweep = (): void => {
      void work.serial(async () => {
        const slot = Math.floor(clock.now() / intervalMs);
        if (tenants === null || tenants.slot !== slot) tenants = { slot, ids: await tenantIdsOf(conn, settings) };
        const report = await runCatchUp({
          store: await conn.session.eventStore(),
          inbox,
          reader: await conn.session.accounting(),
          budget: conn.session.budget() ?? undefined,
          tenantIds: tenants.ids,
          intervalMs,
          clock,
        });
        for (const notice of report.notices) work.warn(notice);
        if (report.swept.some((s) => s.added > 0)) wake();
      });
    };
    sweep();
    work.every(MINUTE, sweep);
  }
}

/** One webhook event: `xero/<category>/<create|update>`, the record as payload when it was read, the event beside it. */
function eventMessage(item: EventItem): NodeMessage {
  const { event } = item;
  return {
    topic: `xero/${event.eventCategory}/${event.eventType}`.toLowerCase(),
    payload: item.record ?? event,
    xero: {
      eventId: item.eventId,
      source: item.source,
      tenantId: event.tenantId,
      category: event.eventCategory,
      eventType: event.eventType,
      resourceId: event.resourceId,
      eventDateUtc: event.eventDateUtc,
      event,
      events: item.events,
      recordError: item.recordError,
      redelivered: item.redelivered,
    },
  };
}
