import { DAY, MINUTE, SECOND, systemClock, type Clock } from '../clock';
import type { EventStore, InboxEntryInput, InboxLimits } from '../ledger/event-store';
import { eventId, eventTime, identity, resourceKey, type XeroDelivery, type XeroEvent } from './delivery';
import { EventsConfigError } from './errors';

/**
 * Inbox bounds (docs/design/events.md "Retention and bounds"):
 * - 10,000 entries: days of a busy app's events; an inbox that fills means triggers stopped reading;
 * - ids and per-record change times remembered 7 days: far longer than Xero retries a delivery;
 * - a catch-up entry within 60 s of a Xero event for the same record is the same change (Xero stamps
 *   the event when the record is saved; the margin absorbs the two being taken apart);
 * - a trigger not seen for 7 days stops holding entries back.
 */
export const DEFAULT_INBOX_LIMITS: InboxLimits = { maxEntries: 10_000, memoryMs: 7 * DAY, coverMs: 60 * SECOND, consumerIdleMs: 7 * DAY };

/** Where an inbox entry came from, as the item says. */
export type EventSource = 'webhook' | 'catch-up';

export interface AppendOutcome {
  appended: number;
  duplicates: number;
  covered: number;
  dropped: number;
  /** Set when the cap dropped entries some trigger had not read: say it once, in the host's log. */
  warning: string | null;
}

/** A record the catch-up sweep found changed (becomes an UPDATE event from source 'catch-up'). */
export interface SweptChange {
  tenantId: string;
  category: string;
  resourceId: string;
  /** The record's UpdatedDateUTC, epoch ms. */
  updatedAt: number;
  resourceUrl: string;
}

export interface EventInboxOptions {
  store: EventStore;
  /**
   * One inbox per Xero app (every organisation's events come to the app's one URL), named by a keyed
   * fingerprint of its webhook key (`WebhookKey.inboxName()`): a client id is no secret, the key is.
   */
  inbox: string;
  clock?: Clock;
  limits?: Partial<InboxLimits>;
}

/** The receiving side: verified deliveries and swept changes go in here, each stored once. */
export class EventInbox {
  readonly name: string;
  readonly limits: InboxLimits;
  private readonly store: EventStore;
  private readonly clock: Clock;

  constructor(options: EventInboxOptions) {
    if (typeof options.inbox !== 'string' || options.inbox.trim() === '') {
      throw new EventsConfigError(
        "An event inbox needs a name: the app's webhook key fingerprint (WebhookKey.inboxName()), since every organisation's events for an app come to one URL.",
      );
    }
    this.name = options.inbox;
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.limits = inboxLimits(options.limits);
  }

  /** Stores a verified delivery's events. An intent-to-receive probe (no events) stores nothing. */
  async append(delivery: XeroDelivery): Promise<AppendOutcome> {
    return this.put(delivery.events.map((event) => entryOf(event)));
  }

  /** Stores what the catch-up sweep found; changes Xero already delivered are covered, not stored. */
  async appendSwept(changes: readonly SweptChange[]): Promise<AppendOutcome> {
    return this.put(changes.map(sweptEntry));
  }

  private async put(entries: InboxEntryInput[]): Promise<AppendOutcome> {
    if (entries.length === 0) return { appended: 0, duplicates: 0, covered: 0, dropped: 0, warning: null };
    const result = await this.store.append(this.name, entries, this.clock.now(), this.limits);
    return {
      appended: result.appended.length,
      duplicates: result.duplicates,
      covered: result.covered,
      dropped: result.dropped,
      warning:
        result.dropped > 0
          ? `Xero Guard's event inbox for app "${this.name}" is full (${this.limits.maxEntries} events): the ${result.dropped} oldest were dropped before every trigger had read them. A trigger that stopped reading holds the inbox full until it has been idle for ${Math.round(this.limits.consumerIdleMs / DAY)} days: remove it, or raise the cap.`
          : null,
    };
  }
}

export function inboxLimits(overrides: Partial<InboxLimits> = {}): InboxLimits {
  const limits = { ...DEFAULT_INBOX_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !(value >= 0) || (name === 'maxEntries' && value < 1)) {
      throw new EventsConfigError(`Inbox limit "${name}" must be a positive number (got ${JSON.stringify(value)}).`);
    }
  }
  if (limits.memoryMs < MINUTE) throw new EventsConfigError('Inbox limit "memoryMs" must be at least a minute: it is how long a Xero retry is recognised.');
  return limits;
}

function entryOf(event: XeroEvent): InboxEntryInput {
  return {
    id: eventId(event),
    resource: resourceKey(event.tenantId, event.eventCategory, event.resourceId),
    at: eventTime(event.eventDateUtc) ?? 0,
    source: 'xero',
    payload: event,
  };
}

function sweptEntry(change: SweptChange): InboxEntryInput {
  const event: XeroEvent = {
    resourceUrl: change.resourceUrl,
    resourceId: change.resourceId,
    tenantId: change.tenantId,
    tenantType: 'ORGANISATION',
    eventCategory: change.category,
    // A read cannot tell a create from an update: catch-up events are UPDATEs.
    eventType: 'UPDATE',
    eventDateUtc: new Date(change.updatedAt).toISOString(),
  };
  return {
    id: identity(['sweep', change.tenantId.toLowerCase(), change.category, change.resourceId.toLowerCase(), String(change.updatedAt)]),
    resource: resourceKey(change.tenantId, change.category, change.resourceId),
    at: change.updatedAt,
    source: 'sweep',
    payload: event,
  };
}
