/**
 * xero events: what happens in the books, one message per event, over the events core
 * (docs/design/events.md), the same the n8n Xero Guard Trigger runs. Two ways to hear Xero:
 * - webhook: Xero's signed deliveries on a route of Node-RED's HTTP node server, checked over the
 *   raw bytes (lib/events-route.ts), go into the app's inbox in the connection's ledger; this node
 *   reads the inbox with its own position (so any number of nodes, in any number of Node-RED
 *   processes sharing the ledger, each get every event once) and sweeps for changes whose delivery
 *   was lost (the catch-up);
 * - poll: If-Modified-Since reads on an adaptive interval, each change claimed in the ledger so it
 *   is emitted once, the cursor kept in the node's context store.
 * The webhook key is this node's own credential: the inbox is named by it (a keyed fingerprint), so
 * only who holds the key can read what Xero delivered; it appears in no message, log or status.
 */
import { systemClock } from '../src/clock';
import {
  ChangePoller,
  DEFAULT_MAX_WEBHOOK_BYTES,
  EventConsumer,
  EventInbox,
  EventsConfigError,
  NAMED_EVENTS,
  WATCH_NAMES,
  WebhookKey,
  drainConsumer,
  pollAndEmit,
  runCatchUp,
  type ChangeItem,
  type EventFilter,
  type EventItem,
  type NamedEventName,
  type PollState,
  type PollWatch,
  type WatchName,
} from '../src/events';
import { shortStatus } from '../src/host';
import { redactSecrets } from '../src/secrets';
import { connectionOf, type ConnectionHandle } from './lib/connection-handle';
import { addEventsRoute, ROUTE_PATH, type HttpNodeServer, type RouteOutcome } from './lib/events-route';
import type { NodeConfig, NodeMessage, RED, RuntimeNode } from './lib/red';
import { runtimeOptions } from './lib/settings';
import { showInitialStatus } from './lib/status';

const MINUTE = 60_000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CATEGORIES = ['CONTACT', 'INVOICE', 'CREDITNOTE'] as const;
/** Where the poller keeps its cursor in the node's context. */
const POLL_STATE = 'xeroEventsPoll';
/** How often a webhook-mode node looks for events another process appended (one store read; no Xero call). */
const READ_EVERY_MS = 5000;
/** How often a poll-mode node asks whether a poll is due (the adaptive interval decides; no call when not due). */
const TICK_MS = 10_000;

interface EventsSettings {
  mode: 'webhook' | 'poll';
  organisations: string[];
  /** webhook: the route to receive at ('' = this node only reads the app's inbox). */
  path: string;
  filter: EventFilter;
  fetch: boolean;
  catchUpMinutes: number;
  /** poll */
  watches: WatchName[];
  named: NamedEventName[];
  intervalMs: number;
  ceilingMs: number;
  backfillFrom: string;
  timeZone: string;
  dueInDays: number;
  contextStore: string;
}

/** The node's context as Node-RED gives it, with the store and callback arguments (a file store needs them). */
interface NodeContext {
  get(key: string, store: string, callback: (error: unknown, value: unknown) => void): void;
  get(key: string, callback: (error: unknown, value: unknown) => void): void;
  set(key: string, value: unknown, store: string, callback: (error: unknown) => void): void;
  set(key: string, value: unknown, callback: (error: unknown) => void): void;
}

/** The nodes of one Node-RED runtime reading each inbox: told at once when a delivery or a sweep appended to it. */
type Readers = Map<string, Set<() => void>>;

export = function register(red: RED): void {
  const readers: Readers = new Map();
  function XeroEventsNode(this: RuntimeNode, config: NodeConfig): void {
    red.nodes.createNode(this, config);
    start(red, this, config, readers);
  }
  red.nodes.registerType('xero events', XeroEventsNode, { credentials: { webhookKey: { type: 'password' } } });
};

function start(red: RED, node: RuntimeNode, config: NodeConfig, readers: Readers): void {
  const wake = (inbox: string): void => readers.get(inbox)?.forEach((read) => read());
  const conn = connectionOf(red, config);
  const keyText = typeof node.credentials?.webhookKey === 'string' ? node.credentials.webhookKey : '';
  const secrets = [keyText, keyText.trim(), ...(conn?.secrets ?? [])].filter((s) => s.length >= 4);
  const scrub = (text: string): string => redactSecrets(text, secrets);
  const say = (error: unknown): string => scrub(error instanceof Error ? error.message : String(error));
  const clock = runtimeOptions(red).clock ?? systemClock;
  const stops: Array<() => void> = [];
  let closed = false;
  let running: Promise<void> = Promise.resolve();

  /** A failure is said once while it lasts (a ledger that is down would otherwise be reported every few seconds). */
  let lastProblem = '';
  const broken = (error: unknown): void => {
    const text = say(error);
    node.status({ fill: 'red', shape: 'dot', text: shortStatus(text) });
    if (text !== lastProblem) node.error(text);
    lastProblem = text;
  };
  const working = (status: { fill: 'green'; shape: 'dot' | 'ring'; text: string }): void => {
    lastProblem = '';
    node.status(status);
  };
  /** Built on first use and again after a failure (the ledger or Xero down at deploy). */
  const lazily = <T>(make: () => Promise<T>): (() => Promise<T>) => {
    let made: Promise<T> | null = null;
    return () => {
      made ??= make().catch((error: unknown) => {
        made = null;
        throw error;
      });
      return made;
    };
  };

  let settings: EventsSettings;
  try {
    settings = readSettings(config);
    if (!conn) throw new EventsConfigError('This node has no xero-connection: open it, pick or add a xero-connection, and deploy.');
  } catch (error) {
    broken(error);
    return;
  }
  showInitialStatus(node, conn);
  const consumerId = `node-red:${node.id}`;

  /** Runs one piece of work at a time (a poll, a read of the inbox); what is asked while one runs runs after it. */
  const serial = (work: () => Promise<void>): Promise<void> => {
    running = running.then(async () => {
      if (!closed) await work();
    });
    running = running.catch((error: unknown) => broken(error));
    return running;
  };

  const every = (ms: number, work: () => void): void => {
    const timer = setInterval(work, ms);
    stops.push(() => clearInterval(timer));
  };

  if (settings.mode === 'webhook') {
    if (keyText.trim() === '') {
      broken(
        new EventsConfigError(
          'This node has no webhook key: copy it from your app\'s Webhooks page at developer.xero.com ("Webhooks key") into this node\'s Webhook key, and deploy.',
        ),
      );
      return;
    }
    listen(conn, settings, new WebhookKey(keyText));
  } else {
    poll(conn, settings);
  }

  function listen(conn: ConnectionHandle, settings: EventsSettings, key: WebhookKey): void {
    const inbox = key.inboxName();
    const counts = { events: 0, refused: 0 };
    const show = (): void => {
      const where = settings.path ? `at ${settings.path}` : "the app's inbox";
      working({
        fill: 'green',
        shape: settings.path ? 'dot' : 'ring',
        text: shortStatus(`${where}: ${counts.events} event${counts.events === 1 ? '' : 's'}${counts.refused ? `, ${counts.refused} refused` : ''}`),
      });
    };

    if (settings.path) {
      const server = (red as RED & { httpNode?: HttpNodeServer }).httpNode;
      if (!server || typeof server.post !== 'function') {
        broken(
          new EventsConfigError(
            'Node-RED serves no HTTP nodes here (httpNodeRoot is false in settings.js), so Xero cannot deliver to this node: turn httpNodeRoot back on, or use polling.',
          ),
        );
        return;
      }
      const received = (outcome: RouteOutcome): void => {
        for (const problem of outcome.problems) node.warn(scrub(problem));
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
            if (appended.warning) node.warn(appended.warning);
            wake(inbox);
          })
          .catch((error: unknown) => node.error(`A verified Xero delivery could not be stored (the catch-up sweep brings its changes later): ${say(error)}`));
      };
      stops.push(addEventsRoute(server, settings.path, { key, maxBodyBytes: DEFAULT_MAX_WEBHOOK_BYTES, received }));
    }

    const consumer = lazily(async () => {
      const store = await conn.session.eventStore();
      const reader = settings.fetch ? await conn.session.accounting() : null;
      const opened = new EventConsumer({
        store,
        inbox,
        consumer: consumerId,
        filter: settings.filter,
        clock,
        ...(reader ? { fetch: { reader, budget: conn.session.budget() ?? undefined } } : {}),
      });
      await opened.open();
      return opened;
    });

    let reading = false;
    let again = false;
    const read = (): void => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      void serial(async () => {
        const report = await drainConsumer(
          await consumer(),
          (items) => {
            for (const item of items) node.send(eventMessage(item));
          },
          { onNotice: (notice) => node.warn(notice.message) },
        );
        counts.events += report.emitted;
        show();
      }).finally(() => {
        reading = false;
        if (again) {
          again = false;
          read();
        }
      });
    };
    const own = readers.get(inbox) ?? new Set<() => void>();
    own.add(read);
    readers.set(inbox, own);
    stops.push(() => own.delete(read));
    read();
    every(READ_EVERY_MS, read);
    node.on('input', (_msg, _send, done) => {
      read();
      void running.then(() => done());
    });

    if (settings.catchUpMinutes > 0) {
      const intervalMs = settings.catchUpMinutes * MINUTE;
      let tenants: { slot: number; ids: string[] } | null = null;
      const sweep = (): void => {
        void serial(async () => {
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
          for (const notice of report.notices) node.warn(scrub(notice));
          if (report.swept.some((s) => s.added > 0)) wake(inbox);
        });
      };
      sweep();
      every(MINUTE, sweep);
    }
  }

  function poll(conn: ConnectionHandle, settings: EventsSettings): void {
    const context = node.context() as unknown as NodeContext;
    const load = (): Promise<unknown> =>
      new Promise((resolve, reject) => {
        const done = (error: unknown, value: unknown) => (error ? reject(error) : resolve(value));
        if (settings.contextStore) context.get(POLL_STATE, settings.contextStore, done);
        else context.get(POLL_STATE, done);
      });
    const save = (state: PollState): Promise<void> =>
      new Promise((resolve, reject) => {
        const done = (error: unknown) => (error ? reject(error) : resolve());
        if (settings.contextStore) context.set(POLL_STATE, state, settings.contextStore, done);
        else context.set(POLL_STATE, state, done);
      });

    const pollers = lazily(async () => {
      const tenantIds = await tenantIdsOf(conn, settings);
      const watches: PollWatch[] = tenantIds.flatMap((tenantId) => [
        ...settings.watches.map((watch) => ({ tenantId, watch })),
        ...settings.named.map((named) => ({ tenantId, named })),
      ]);
      const options = {
        store: await conn.session.eventStore(),
        consumer: consumerId,
        reader: await conn.session.accounting(),
        budget: conn.session.budget() ?? undefined,
        watches,
        clock,
        ...(settings.backfillFrom ? { backfillFrom: settings.backfillFrom } : {}),
        ...(settings.timeZone ? { timeZone: settings.timeZone } : {}),
        dueInDays: settings.dueInDays,
      };
      const scheduled = new ChangePoller({ ...options, schedule: { intervalMs: settings.intervalMs, ceilingMs: settings.ceilingMs } });
      // Started at deploy: changes from now on are emitted even if the first poll fails or Node-RED restarts before it.
      await save(scheduled.begin((await load()) as PollState | null));
      return { scheduled, now: new ChangePoller(options) };
    });

    const pollWith = (which: 'scheduled' | 'now'): Promise<void> =>
      serial(async () => {
        const poller = (await pollers())[which];
        const result = await pollAndEmit(poller, (await load()) as PollState | null, (items) => {
          for (const item of items) node.send(changeMessage(item));
        });
        await save(result.state);
        for (const notice of result.notices) node.warn(scrub(notice.message));
        if (!result.due) return;
        const next = result.state.schedule ? ` next ${new Date(result.state.schedule.nextPollAt).toISOString().slice(11, 16)} UTC` : '';
        working({
          fill: 'green',
          shape: 'dot',
          text: shortStatus(
            `polled ${new Date(clock.now()).toISOString().slice(11, 19)}: ${result.items.length} change${result.items.length === 1 ? '' : 's'};${next}`,
          ),
        });
      });

    void pollWith('scheduled');
    every(TICK_MS, () => void pollWith('scheduled'));
    node.on('input', (_msg, _send, done) => {
      void pollWith('now').then(() => done());
    });
  }

  node.on('close', (_removed: boolean, done: () => void) => {
    closed = true;
    for (const stop of stops) stop();
    running.then(done, done);
  });
}

/** The organisations to hear: the node's list, else the connection's tenant, else every organisation it reaches now. */
async function tenantIdsOf(conn: ConnectionHandle, settings: EventsSettings): Promise<string[]> {
  if (settings.organisations.length > 0) return settings.organisations;
  if (conn.settings.tenantId) return [conn.settings.tenantId];
  const tenants = await conn.session.organisations();
  if (tenants.length === 0) throw new EventsConfigError('The xero-connection reaches no organisation: click "Connect to Xero" in it and tick at least one.');
  return tenants.map((t) => t.tenantId);
}

/** One webhook event: `xero/<category>/<create|update>`, the record as payload when it was fetched, the event beside it. */
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

/** One polled change: `xero/<resource>/changed` or `xero/<named event>`, the record as payload. */
function changeMessage(item: ChangeItem): NodeMessage {
  return {
    topic: item.kind === 'change' ? `xero/${item.watch}/changed` : `xero/${item.kind}`,
    payload: item.record,
    xero: {
      source: 'poll',
      kind: item.kind,
      watch: item.watch,
      tenantId: item.tenantId,
      recordId: item.recordId,
      updatedDateUtc: item.updatedDateUtc,
      eventId: item.key,
      redelivered: item.redelivered,
    },
  };
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v.join(',') : text(v))
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
const flag = (v: unknown, fallback: boolean): boolean => (v === undefined || v === '' ? fallback : v === true || v === 'true');

/** The node's settings as plain values; the first thing wrong, named in the editor's words. */
function readSettings(config: NodeConfig): EventsSettings {
  const mode = config.mode === 'poll' ? 'poll' : 'webhook';
  const organisations = list(config.organisations);
  const notGuid = organisations.find((o) => !GUID.test(o));
  if (notGuid)
    throw new EventsConfigError(
      `Organisations: "${notGuid.slice(0, 60)}" is not a tenant id (a UUID); list tenant ids separated by commas, or leave it empty for all.`,
    );
  const path = text(config.path);
  if (mode === 'webhook' && path !== '' && !ROUTE_PATH.test(path)) {
    throw new EventsConfigError(
      `Receive at: "${path.slice(0, 60)}" is not a path; use one such as /xero/webhook (letters, digits, - _ . ~ /), or leave it empty to read another node's deliveries.`,
    );
  }
  const categories = config.categories === undefined ? [...CATEGORIES] : list(config.categories).map((c) => c.toUpperCase());
  const eventTypes = config.eventTypes === undefined ? ['CREATE', 'UPDATE'] : list(config.eventTypes).map((c) => c.toUpperCase());
  if (mode === 'webhook' && (categories.length === 0 || eventTypes.length === 0)) throw new EventsConfigError('Tick at least one category and one event type.');
  const direction = config.direction === 'sales' || config.direction === 'purchases' ? config.direction : 'both';
  const watchList = list(config.watches);
  const watches = watchList.filter((w): w is WatchName => (WATCH_NAMES as readonly string[]).includes(w));
  const named = watchList.filter((w): w is NamedEventName => (NAMED_EVENTS as readonly string[]).includes(w));
  const unknown = watchList.find((w) => !watches.includes(w as WatchName) && !named.includes(w as NamedEventName));
  if (mode === 'poll' && unknown)
    throw new EventsConfigError(`Watch: "${unknown.slice(0, 60)}" cannot be polled; choose from ${[...WATCH_NAMES, ...NAMED_EVENTS].join(', ')}.`);
  if (mode === 'poll' && watches.length + named.length === 0) throw new EventsConfigError('Watch: tick at least one resource or named event to poll.');
  const interval = Number(config.interval);
  const intervalMs = (Number.isFinite(interval) && interval > 0 ? interval : 15) * MINUTE;
  const ceiling = Number(config.ceiling);
  const ceilingMs = Number.isFinite(ceiling) && ceiling > 0 ? ceiling * MINUTE : intervalMs;
  if (mode === 'poll' && intervalMs < MINUTE) throw new EventsConfigError('Poll every: at least 1 minute (Xero allows 60 calls a minute per organisation).');
  if (mode === 'poll' && ceilingMs < intervalMs) throw new EventsConfigError('Slow down to: must be at least "Poll every".');
  const catchUp = Number(config.catchUp);
  const dueInDays = Number(config.dueInDays);
  return {
    mode,
    organisations,
    path,
    filter: { categories, eventTypes, ...(organisations.length > 0 ? { tenantIds: organisations } : {}), direction },
    fetch: flag(config.fetch, true),
    catchUpMinutes: config.catchUp === undefined || config.catchUp === '' ? 60 : Number.isFinite(catchUp) && catchUp > 0 ? Math.max(1, catchUp) : 0,
    watches,
    named,
    intervalMs,
    ceilingMs,
    backfillFrom: text(config.backfillFrom),
    timeZone: text(config.timeZone),
    dueInDays: Number.isFinite(dueInDays) && dueInDays > 0 ? Math.floor(dueInDays) : 0,
    contextStore: text(config.contextStore),
  };
}
