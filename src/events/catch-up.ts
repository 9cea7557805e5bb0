import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DAY, HOUR, MINUTE, systemClock, type Clock } from '../clock';
import type { EventStore, InboxLimits } from '../ledger/event-store';
import { isRetryable, messageOf, recordFailure, type CallBudgetLike, type RecordReader } from './budget';
import { EventsConfigError } from './errors';
import { EventInbox, type SweptChange } from './inbox';
import { CATEGORY_RESOURCES, recordId, updatedAt } from './resources';

/**
 * The catch-up sweep for webhook mode (docs/design/events.md "Catch-up"). Xero delivers a change
 * once, retries for a while, and may switch a failing webhook off: a delivery lost while the host
 * was down never comes. Every interval (default hourly) one process per organisation and category
 * reads what changed since the sweep's own cursor (If-Modified-Since, less an overlap) and adds
 * each change to the app's inbox as a catch-up event. The inbox drops those Xero had delivered (a
 * Xero event for the same record stamped at or after the change, less coverMs) and those already
 * swept, so every trigger gets a lost change once, and a delivered one never twice.
 */
/** What Xero sends webhooks for and the Accounting API can read: what the catch-up sweeps, and the hosts' default categories. */
export const CATCH_UP_CATEGORIES = ['CONTACT', 'INVOICE', 'CREDITNOTE'] as const;
export type CatchUpCategory = (typeof CATCH_UP_CATEGORIES)[number];

export interface CatchUpOptions {
  store: EventStore;
  /** The app's inbox (`WebhookKey.inboxName()`). */
  inbox: string;
  reader: RecordReader;
  budget?: CallBudgetLike;
  tenantIds: readonly string[];
  /** Default: contacts, invoices and credit notes. */
  categories?: readonly CatchUpCategory[];
  /** Default one hour. */
  intervalMs?: number;
  /**
   * Changes younger than this are left to the next sweep (default 5 minutes): a webhook normally
   * arrives within seconds, so by then a delivered change is in the inbox and is not added twice.
   */
  settleMs?: number;
  /** How far each sweep reaches back before its cursor (default 5 minutes, as the poller). */
  overlapMs?: number;
  /** The most a sweep reaches back after a long outage (default 7 days: as long as the inbox remembers what Xero delivered). */
  maxSpanMs?: number;
  clock?: Clock;
  owner?: string;
  limits?: Partial<InboxLimits>;
}

export interface CatchUpReport {
  swept: Array<{ tenantId: string; category: CatchUpCategory; read: number; added: number; covered: number; calls: number }>;
  /** Started this sweep's cursor (first run): nothing read. */
  started: Array<{ tenantId: string; category: CatchUpCategory }>;
  /** Not swept now: not due yet, or another process is sweeping it. */
  skipped: Array<{ tenantId: string; category: CatchUpCategory; reason: 'not_due' | 'budget' | 'failed' }>;
  notices: string[];
}

/** Runs the sweeps that are due; cheap to call often (a call that finds nothing due reads nothing from Xero). */
export async function runCatchUp(options: CatchUpOptions): Promise<CatchUpReport> {
  const clock = options.clock ?? systemClock;
  const intervalMs = options.intervalMs ?? HOUR;
  const settleMs = options.settleMs ?? 5 * MINUTE;
  const overlapMs = options.overlapMs ?? 5 * MINUTE;
  const maxSpanMs = options.maxSpanMs ?? 7 * DAY;
  if (!(intervalMs >= MINUTE)) throw new EventsConfigError(`The catch-up interval must be at least a minute (got ${JSON.stringify(intervalMs)} ms).`);
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const inbox = new EventInbox({ store: options.store, inbox: options.inbox, clock, limits: options.limits });
  const scope = `catch-up:${options.inbox}`;
  const report: CatchUpReport = { swept: [], started: [], skipped: [], notices: [] };
  const marks = await options.store.readMarks(scope);
  for (const tenantId of options.tenantIds) {
    for (const category of options.categories ?? CATCH_UP_CATEGORIES) {
      const now = clock.now();
      const name = `${tenantId.toLowerCase()}:${category}`;
      // One sweep per slot of the interval, by whichever process claims the slot first.
      const slot = `${name}:${Math.floor(now / intervalMs)}`;
      const { token, states } = await options.store.claimKeys(scope, [slot], { owner, ttlMs: intervalMs, now });
      if (states[slot] !== 'claimed' && states[slot] !== 'reclaimed') {
        report.skipped.push({ tenantId, category, reason: 'not_due' });
        continue;
      }
      const upTo = now - settleMs;
      const cursor = marks[name];
      if (cursor === undefined) {
        await options.store.raiseMarks(scope, { [name]: upTo });
        await options.store.completeKeys(scope, token, [slot], now, { retentionMs: 2 * intervalMs, maxKeys: 10_000 });
        report.started.push({ tenantId, category });
        continue;
      }
      const from = Math.max(cursor - overlapMs, now - maxSpanMs);
      if (cursor - overlapMs < now - maxSpanMs) {
        report.notices.push(
          `The catch-up of ${category.toLowerCase()}s for organisation ${tenantId} had not run for over ${Math.round(maxSpanMs / DAY)} days; it reads back ${Math.round(maxSpanMs / DAY)} days only.`,
        );
      }
      try {
        const swept = await sweepOne(options, tenantId, category, from, upTo);
        if (swept.refused) {
          await options.store.releaseKeys(scope, token, [slot]);
          report.skipped.push({ tenantId, category, reason: 'budget' });
          continue;
        }
        const outcome = await inbox.appendSwept(swept.changes);
        if (outcome.warning) report.notices.push(outcome.warning);
        await options.store.raiseMarks(scope, { [name]: upTo });
        await options.store.completeKeys(scope, token, [slot], clock.now(), { retentionMs: 2 * intervalMs, maxKeys: 10_000 });
        report.swept.push({
          tenantId,
          category,
          read: swept.changes.length,
          added: outcome.appended,
          covered: outcome.covered + outcome.duplicates,
          calls: swept.calls,
        });
      } catch (error) {
        await options.store.releaseKeys(scope, token, [slot]).catch(() => undefined);
        report.skipped.push({ tenantId, category, reason: 'failed' });
        report.notices.push(
          `The catch-up of ${category.toLowerCase()}s for organisation ${tenantId} failed${isRetryable(error) ? ' (it is tried again next time)' : ''}: ${messageOf(error)}`,
        );
      }
    }
  }
  return report;
}

/** The records of one category changed in (from, upTo], oldest first, asking the budget before each call. */
async function sweepOne(options: CatchUpOptions, tenantId: string, category: CatchUpCategory, from: number, upTo: number) {
  const resource = CATEGORY_RESOURCES[category];
  if (!resource) throw new EventsConfigError(`No catch-up for category ${category}.`);
  const changes: SweptChange[] = [];
  let calls = 0;
  const pages = options.reader.pages({
    path: resource.path,
    tenantId,
    ifModifiedSince: from,
    query: { ...resource.query, order: 'UpdatedDateUTC ASC', pageSize: 500 },
  });
  try {
    for (;;) {
      if (options.budget && !options.budget.mayUseForHousekeeping(tenantId)) return { changes, calls, refused: true };
      let next;
      try {
        next = await pages.next();
      } catch (error) {
        recordFailure(options.budget, tenantId, error);
        throw error;
      }
      if (next.done) break;
      calls++;
      options.budget?.record(tenantId, next.value.limits);
      for (const record of next.value.records) {
        const id = recordId(record, resource.idField);
        const at = updatedAt(record);
        if (!id || at === null || at > upTo) continue;
        changes.push({ tenantId, category, resourceId: id, updatedAt: at, resourceUrl: `https://api.xero.com/api.xro/2.0/${resource.path}/${id}` });
      }
    }
  } finally {
    await pages.return(undefined).catch(() => undefined);
  }
  return { changes, calls, refused: false };
}
