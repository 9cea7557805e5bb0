/**
 * Polling mode of `xero events`: If-Modified-Since reads on the adaptive interval (src/events
 * ChangePoller), each change claimed in the connection's ledger so it is emitted once; the cursor
 * is kept in the node's context (a persistent store keeps it across restarts). Any input message
 * polls at once, whatever the interval.
 */
import type { Clock } from '../../src/clock';
import { ChangePoller, pollAndEmit, type ChangeItem, type PollState, type PollWatch } from '../../src/events';
import type { ConnectionHandle } from './connection-handle';
import { tenantIdsOf, type EventsSettings } from './events-settings';
import { lazily, type NodeWork } from './events-work';
import type { NodeMessage } from './red';

/** Where the poller keeps its cursor in the node's context. */
const POLL_STATE = 'xeroEventsPoll';
/** How often the node asks whether a poll is due (the adaptive interval decides; nothing is read when it is not). */
const TICK_MS = 10_000;

/** The node's context as Node-RED gives it, with the store and callback arguments (a file store needs them). */
interface NodeContext {
  get(key: string, store: string, callback: (error: unknown, value: unknown) => void): void;
  get(key: string, callback: (error: unknown, value: unknown) => void): void;
  set(key: string, value: unknown, store: string, callback: (error: unknown) => void): void;
  set(key: string, value: unknown, callback: (error: unknown) => void): void;
}

export function poll({ work, conn, settings, clock }: { work: NodeWork; conn: ConnectionHandle; settings: EventsSettings; clock: Clock }): void {
  const { node } = work;
  const context = node.context() as unknown as NodeContext;
  const store = settings.contextStore;
  const load = (): Promise<PollState | null> =>
    new Promise((resolve, reject) => {
      const done = (error: unknown, value: unknown) => (error ? reject(error) : resolve((value ?? null) as PollState | null));
      if (store) context.get(POLL_STATE, store, done);
      else context.get(POLL_STATE, done);
    });
  const save = (state: PollState): Promise<void> =>
    new Promise((resolve, reject) => {
      const done = (error: unknown) => (error ? reject(error) : resolve());
      if (store) context.set(POLL_STATE, state, store, done);
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
      consumer: `node-red:${node.id}`,
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
    await save(scheduled.begin(await load()));
    return { scheduled, now: new ChangePoller(options) };
  });

  const pollWith = (which: 'scheduled' | 'now'): Promise<void> =>
    work.serial(async () => {
      const result = await pollAndEmit((await pollers())[which], await load(), (items) => {
        for (const item of items) node.send(changeMessage(item));
      });
      await save(result.state);
      for (const notice of result.notices) work.warn(notice.message);
      if (!result.due) return;
      const n = result.items.length;
      const next = result.state.schedule ? ` next ${new Date(result.state.schedule.nextPollAt).toISOString().slice(11, 16)} UTC` : '';
      work.working('dot', `polled ${new Date(clock.now()).toISOString().slice(11, 19)}: ${n} change${n === 1 ? '' : 's'};${next}`);
    });

  void pollWith('scheduled');
  work.every(TICK_MS, () => void pollWith('scheduled'));
  node.on('input', (_msg, _send, done) => {
    void pollWith('now').then(() => done());
  });
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
