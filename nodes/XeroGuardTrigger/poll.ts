/**
 * Polling mode of the Xero Guard Trigger, inside n8n's poll(): If-Modified-Since reads on the
 * adaptive interval (src/events ChangePoller), every change claimed in the credential's ledger so
 * it is emitted once across processes. The poller's state lives in the workflow's static data,
 * which n8n saves with the execution it starts; since n8n's poll() can only act before emitting
 * (it returns its items), the claims of a poll are marked emitted at the start of the next one
 * (docs/design/events.md "The polling cursor").
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { DAY, systemClock, type Clock } from '../../src/clock';
import { ChangePoller, pollDue, type PendingClaims, type PollState, type PollWatch } from '../../src/events';
import type { ConnectionSession } from '../../src/host';
import { changeItem } from './items';
import type { PollSettings } from './settings';

/** Static data keys: the poller's state, and the claims of the last poll not yet marked emitted. */
const STATE_KEY = 'xeroGuardPoll';
const PENDING_KEY = 'xeroGuardPollPending';
/** A test run reads at most this many changes of the last week, and claims none. */
const MANUAL_ITEMS = 10;

export interface Polling {
  context: IPollFunctions;
  settings: PollSettings;
  session: ConnectionSession;
  consumerId: string;
  /** Says each notice once (budget skipped, resumed, a failed watch). */
  warn: (text: string) => void;
  /** Default the system clock (tests move their own). */
  clock?: Clock;
}

/**
 * The polls of one trigger in this process, one after another: n8n may start a poll while another
 * runs (at activation it starts two), and both would keep their own claims in the same static
 * data. Across processes the ledger's claims keep a change to one of them.
 */
const running = new Map<string, Promise<unknown>>();

export function pollChanges(polling: Polling): Promise<INodeExecutionData[][] | null> {
  const id = polling.consumerId + (polling.context.getMode() === 'manual' ? ':test' : '');
  const previous = running.get(id) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => pollOnce(polling));
  const settled = next.catch(() => undefined);
  running.set(id, settled);
  void settled.then(() => {
    if (running.get(id) === settled) running.delete(id);
  });
  return next;
}

async function pollOnce({ context, settings, session, consumerId, warn, clock = systemClock }: Polling): Promise<INodeExecutionData[][] | null> {
  const manual = context.getMode() === 'manual';
  const tenantIds = settings.organisations.length > 0 ? settings.organisations : (await session.organisations()).map((t) => t.tenantId);
  const watches: PollWatch[] = tenantIds.flatMap((tenantId) => [
    ...settings.watches.map((watch) => ({ tenantId, watch })),
    ...settings.named.map((named) => ({ tenantId, named })),
  ]);
  const store = await session.eventStore();
  const common = {
    store,
    reader: await session.accounting(),
    budget: session.budget() ?? undefined,
    watches,
    clock,
    ...(settings.timeZone ? { timeZone: settings.timeZone } : {}),
    dueInDays: settings.dueInDays,
  };

  if (manual) {
    // A test run shows recent changes and leaves the active trigger's state and claims alone.
    const sample = new ChangePoller({ ...common, consumer: `${consumerId}:test`, backfillFrom: clock.now() - 7 * DAY, maxItemsPerPoll: MANUAL_ITEMS });
    const result = await sample.poll(null);
    await sample.release(result.pending);
    return result.items.length > 0 ? [result.items.slice(-MANUAL_ITEMS).map(changeItem)] : null;
  }

  const staticData = context.getWorkflowStaticData('node');
  const schedule = { intervalMs: settings.intervalMs, ceilingMs: settings.ceilingMs };
  const previous = staticData[STATE_KEY] as PollState | undefined;
  const poller = new ChangePoller({
    ...common,
    consumer: consumerId,
    schedule,
    // Watches added to a trigger that already runs start from now; a new trigger from its first start.
    backfillFrom: settings.backfillFrom || (staticData[STATE_KEY] ? null : await firstStart(store, consumerId, clock.now())),
  });
  // The last poll's items were handed to n8n, which saved this static data with their execution: mark them
  // emitted, at the next poll that reads (a poll n8n starts at once after another finds nothing due, and
  // must not mark items whose execution n8n may still be starting).
  const pending = staticData[PENDING_KEY] as PendingClaims | undefined;
  if (pending && pollDue(previous?.schedule, clock.now(), schedule)) {
    await poller.complete(pending);
    const done = new Set(pending.claims.map((c) => c.token));
    const left = ((staticData[PENDING_KEY] as PendingClaims | undefined)?.claims ?? []).filter((c) => !done.has(c.token));
    if (left.length > 0) staticData[PENDING_KEY] = { claims: left } as unknown as IDataObject;
    else delete staticData[PENDING_KEY];
  }
  const result = await poller.poll(previous);
  for (const notice of result.notices) warn(notice.message);
  context.logger.debug('Xero Guard Trigger polled', {
    due: result.due,
    changes: result.items.length,
    watches: watches.length,
    completed: pending?.claims.length ?? 0,
  });
  staticData[STATE_KEY] = result.state as unknown as IDataObject;
  if (result.items.length === 0) {
    await poller.complete(result.pending);
    return null;
  }
  if (result.pending) {
    // Added to what is still pending (never replacing it): a claim left out would never be marked emitted.
    const kept = (staticData[PENDING_KEY] as PendingClaims | undefined)?.claims ?? [];
    staticData[PENDING_KEY] = { claims: [...kept, ...result.pending.claims] } as unknown as IDataObject;
  }
  return [result.items.map(changeItem)];
}

/**
 * When this trigger first started, kept in the ledger: n8n saves static data only with an
 * execution, so a trigger restarted before its first change would otherwise start from "now" again
 * and miss what changed in between.
 */
async function firstStart(store: Awaited<ReturnType<ConnectionSession['eventStore']>>, consumerId: string, now: number): Promise<number> {
  const scope = `poll-start:${consumerId}`;
  const marks = await store.readMarks(scope);
  if (typeof marks.start === 'number') return marks.start;
  await store.raiseMarks(scope, { start: now });
  return now;
}
