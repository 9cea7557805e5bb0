import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { MINUTE, systemClock, type Clock } from '../clock';
import type { EventStore, InboxEntry, InboxLimits } from '../ledger/event-store';
import type { CallBudgetLike, RecordReader } from './budget';
import { resourceKey, type XeroEvent } from './delivery';
import { EventsConfigError } from './errors';
import { fetchRecords, type RecordError } from './fetch';
import { checkEventFilter, matchEvent, matchRecord, type EventFilter } from './filter';
import { inboxLimits, type EventSource } from './inbox';

/** One item for the host to emit: an event, or (when records are fetched) a record with its events. */
export interface EventItem {
  /** Stable identity of the (latest) event: the same event delivered twice has the same id. */
  eventId: string;
  /** The latest event for this record in the batch. */
  event: XeroEvent;
  /** Every event for this record in the batch, oldest first (one, unless records are fetched). */
  events: XeroEvent[];
  source: EventSource;
  /** The record, when fetching was asked for and it could be read. */
  record: Record<string, unknown> | null;
  /** Why `record` is null although fetching was asked for. */
  recordError: RecordError | null;
  /**
   * True when a process that claimed this event before died (or stalled past its claim) before
   * recording it emitted: it may have been emitted already. Key on `eventId` to drop such repeats.
   */
  redelivered: boolean;
}

export interface ConsumerNotice {
  kind: 'missed' | 'restarted';
  message: string;
}

export interface EventBatch {
  items: EventItem[];
  /** Say each once, in the host's log or status. */
  notices: ConsumerNotice[];
  /** A full batch was read: more may be waiting, call next() again. */
  more: boolean;
  /** After emitting: moves this consumer past the batch. False when the claim was lost (it expired; another process re-emits it). */
  commit(): Promise<boolean>;
  /** Nothing was emitted: give the batch back so it is offered again at once. */
  abandon(): Promise<void>;
}

export interface EventConsumerOptions {
  store: EventStore;
  /** The inbox to read: the app's, named by `WebhookKey.inboxName()` (a keyed fingerprint of its webhook key). */
  inbox: string;
  /** This trigger's own id (n8n: workflow id + node id; Node-RED: the node id): each consumer gets each event once. */
  consumer: string;
  /** Names this process in claims (default host:pid:random). */
  owner?: string;
  filter?: EventFilter;
  /** Fetch the records the events name (batched), and emit one item per record with its events beside it. */
  fetch?: { reader: RecordReader; budget?: CallBudgetLike };
  /** Entries per claim (default 100). */
  batchSize?: number;
  /** How long a claim holds before another process may take it over (default 5 minutes: longer than a batch's reads, 429 waits included). */
  claimTtlMs?: number;
  /** Where a new consumer starts: 'now' (default; events from here on) or 'oldest' (whatever the inbox still holds). */
  start?: 'now' | 'oldest';
  clock?: Clock;
  limits?: Partial<InboxLimits>;
}

/** How long a claim holds by default: longer than a batch's reads, 429 waits included. */
export const CLAIM_TTL_MS = 5 * MINUTE;

const NOTHING: Omit<EventBatch, 'notices'> = { items: [], more: false, commit: async () => true, abandon: async () => undefined };
/** Batches whose events were all filtered out are committed and the next read, up to this many per call. */
const MAX_ROUNDS = 20;

/**
 * A trigger's reader of the app's inbox (docs/design/events.md "Consumers"): claim a batch, build
 * its items (filter, fetch), let the host emit them, commit. Each consumer emits each event once
 * across processes; if a process dies between emitting and committing, the batch is emitted again
 * after the claim expires, flagged `redelivered` (at least once, never lost).
 */
export class EventConsumer {
  private readonly store: EventStore;
  private readonly inbox: string;
  private readonly consumer: string;
  private readonly owner: string;
  private readonly filter: EventFilter;
  private readonly fetch: EventConsumerOptions['fetch'];
  private readonly batchSize: number;
  private readonly claimTtlMs: number;
  private readonly start: 'now' | 'oldest';
  private readonly clock: Clock;
  private readonly limits: InboxLimits;
  private opened = false;

  constructor(options: EventConsumerOptions) {
    if (typeof options.consumer !== 'string' || options.consumer === '')
      throw new EventsConfigError("An event consumer needs an id: the trigger node's own id.");
    this.store = options.store;
    this.inbox = options.inbox;
    this.consumer = options.consumer;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.filter = checkEventFilter(options.filter ?? {});
    this.fetch = options.fetch;
    if (!this.fetch && this.filter.direction && this.filter.direction !== 'both') {
      throw new EventsConfigError('Telling sales invoices from bills needs the invoice itself: turn on fetching records, or choose both directions.');
    }
    this.batchSize = Math.max(1, Math.floor(options.batchSize ?? 100));
    this.claimTtlMs = options.claimTtlMs ?? CLAIM_TTL_MS;
    this.start = options.start ?? 'now';
    this.clock = options.clock ?? systemClock;
    this.limits = inboxLimits(options.limits);
  }

  /** Registers this consumer (at activation): events appended from now on are kept for it. */
  async open(): Promise<{ position: number; head: number; created: boolean }> {
    const opened = await this.store.openConsumer(this.inbox, this.consumer, this.start === 'now' ? 'head' : 'oldest', this.clock.now());
    this.opened = true;
    return opened;
  }

  /** The next batch to emit (no items when there is nothing new, or another process is emitting this consumer's batch). */
  async next(): Promise<EventBatch> {
    const notices: ConsumerNotice[] = [];
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const now = this.clock.now();
      const claim = await this.store.claimBatch(this.inbox, this.consumer, { owner: this.owner, max: this.batchSize, ttlMs: this.claimTtlMs, now });
      if (claim.status === 'unknown') {
        if (this.opened)
          notices.push({
            kind: 'restarted',
            message:
              'This trigger had not read its events for longer than the inbox keeps a reader; it starts again from now. Changes in between come from the catch-up sweep.',
          });
        await this.open();
        continue;
      }
      if (claim.status === 'busy') return { ...NOTHING, notices };
      if (claim.missed > 0) notices.push(missedNotice(claim.missed));
      if (claim.status === 'empty') return { ...NOTHING, notices };
      let items: EventItem[];
      try {
        items = await this.itemsOf(claim.entries, claim.redeliveredUpTo);
      } catch (error) {
        await this.store.abandonBatch(this.inbox, this.consumer, claim.token).catch(() => undefined);
        throw error;
      }
      const token = claim.token;
      const commit = () => this.store.commitBatch(this.inbox, this.consumer, token, this.clock.now(), this.limits);
      const more = claim.entries.length >= this.batchSize;
      if (items.length === 0) {
        await commit();
        if (more) continue;
        return { ...NOTHING, notices };
      }
      return { items, notices, more, commit, abandon: () => this.store.abandonBatch(this.inbox, this.consumer, token) };
    }
    return { ...NOTHING, notices, more: true };
  }

  private async itemsOf(entries: InboxEntry[], redeliveredUpTo: number): Promise<EventItem[]> {
    const wanted = entries
      .map((entry) => ({ entry, event: entry.payload as XeroEvent, match: matchEvent(this.filter, entry.payload as XeroEvent) }))
      .filter((w) => w.match !== 'no');
    const sourceOf = (entry: InboxEntry): EventSource => (entry.source === 'sweep' ? 'catch-up' : 'webhook');
    if (!this.fetch) {
      return wanted.map(({ entry, event }) => ({
        eventId: entry.id,
        event,
        events: [event],
        source: sourceOf(entry),
        record: null,
        recordError: null,
        redelivered: entry.position <= redeliveredUpTo,
      }));
    }
    // One item per record: events for the same record in a batch share one read and one item.
    const groups = new Map<string, typeof wanted>();
    for (const w of wanted) {
      const key = resourceKey(w.event.tenantId, w.event.eventCategory, w.event.resourceId);
      groups.set(key, [...(groups.get(key) ?? []), w]);
    }
    const byRead = new Map<string, { tenantId: string; category: string; ids: string[] }>();
    for (const group of groups.values()) {
      const { tenantId, eventCategory, resourceId } = group[0].event;
      const read = `${tenantId}:${eventCategory}`;
      const entry = byRead.get(read) ?? { tenantId, category: eventCategory, ids: [] };
      entry.ids.push(resourceId);
      byRead.set(read, entry);
    }
    const fetched = new Map<string, Awaited<ReturnType<typeof fetchRecords>>>();
    for (const [read, { tenantId, category, ids }] of byRead) {
      fetched.set(read, await fetchRecords({ reader: this.fetch.reader, budget: this.fetch.budget, tenantId, category, ids }));
    }
    const items: EventItem[] = [];
    for (const group of groups.values()) {
      const last = group[group.length - 1];
      const result = fetched.get(`${last.event.tenantId}:${last.event.eventCategory}`);
      const id = last.event.resourceId.toLowerCase();
      const record = result?.records.get(id) ?? null;
      if (group.some((w) => w.match === 'record') && !matchRecord(this.filter, record)) continue;
      items.push({
        eventId: last.entry.id,
        event: last.event,
        events: group.map((w) => w.event),
        source: sourceOf(last.entry),
        record,
        recordError: record ? null : (result?.errors.get(id) ?? null),
        redelivered: group.some((w) => w.entry.position <= redeliveredUpTo),
      });
    }
    return items;
  }
}

function missedNotice(count: number): ConsumerNotice {
  return {
    kind: 'missed',
    message: `${count} event${count === 1 ? ' was' : 's were'} dropped from the full inbox before this trigger read ${count === 1 ? 'it' : 'them'}: this trigger fell too far behind (or another trigger of the app stopped reading and held the inbox full). Those changes are not emitted.`,
  };
}
