import type { Clock } from '../clock';
import type { ConsumerNotice, EventConsumer, EventItem } from './consumer';
import type { ChangeItem, ChangePoller, PollResult, PollState } from './poller';

/**
 * The two loops every host runs over the events core (docs/design/events.md "What the hosts must
 * do"), written once so the order that makes "once" true lives in one place: emit, then commit (or
 * complete); give the batch back when emitting failed. A host supplies only how it emits (an n8n
 * execution, a Node-RED message) and where it says things.
 */

export interface DrainReport {
  /** Items emitted. */
  emitted: number;
  /** Batches emitted. */
  batches: number;
  /** Batches whose claim had expired before the commit: another process emits them again, flagged `redelivered`. */
  lost: number;
}

export interface DrainOptions {
  /** Consumer notices (missed, restarted), each once. */
  onNotice?: (notice: ConsumerNotice) => void;
  /** Batches per call at most, so one call never runs unbounded (default 50; the next wake reads on). */
  maxBatches?: number;
  /**
   * For a host whose emit settles when the host says the batch was handled (n8n: the execution
   * ended): how long to wait for that word. Give the consumer's claim time (`CLAIM_TTL_MS`): by then
   * the claim has lapsed, so going on without the word loses nothing (the batch comes again, flagged
   * `redelivered`), while waiting on would hold every later event behind an answer that may never
   * come (n8n in queue mode can miss the end of an execution). Without it the loop waits as long as emit takes.
   */
  settleWithin?: { ms: number; clock: Clock; onUnsettled: (items: EventItem[]) => void };
}

/** Emits every batch waiting for this consumer, oldest first, each committed after it was emitted. */
export async function drainConsumer(
  consumer: EventConsumer,
  emit: (items: EventItem[]) => void | Promise<void>,
  options: DrainOptions = {},
): Promise<DrainReport> {
  const report: DrainReport = { emitted: 0, batches: 0, lost: 0 };
  for (let round = 0; round < (options.maxBatches ?? 50); round++) {
    const batch = await consumer.next();
    for (const notice of batch.notices) options.onNotice?.(notice);
    if (batch.items.length > 0) {
      let settled: boolean;
      try {
        settled = await settles(emit(batch.items), options.settleWithin);
      } catch (error) {
        await batch.abandon().catch(() => undefined);
        throw error;
      }
      report.emitted += batch.items.length;
      report.batches += 1;
      if (!settled) {
        // Not committed: the lapsed claim makes the next read take this batch again, flagged.
        options.settleWithin?.onUnsettled(batch.items);
        report.lost += 1;
        continue;
      }
      if (!(await batch.commit())) report.lost += 1;
    }
    if (!batch.more) break;
  }
  return report;
}

/** Whether `work` settled within the time given (a rejection is thrown); without a time, waits for it. */
async function settles(work: void | Promise<void>, within: DrainOptions['settleWithin']): Promise<boolean> {
  if (within === undefined || !(work instanceof Promise)) {
    await work;
    return true;
  }
  let done = false;
  const finished = work.then(() => {
    done = true;
  });
  // The race handles `finished` either way: a late rejection, after the loop went on without it, is dropped.
  await Promise.race([finished, within.clock.sleep(within.ms)]);
  return done;
}

/**
 * One poll: its items emitted, then their identities marked emitted for every process; given back
 * at once when emitting failed. `emit` receives the state to keep with the items (a host that saves
 * its state as it emits, like n8n's static data, stores it there); the result's state is the same.
 */
export async function pollAndEmit(
  poller: ChangePoller,
  previous: PollState | null | undefined,
  emit: (items: ChangeItem[], state: PollState) => void | Promise<void>,
): Promise<PollResult> {
  const result = await poller.poll(previous);
  if (result.items.length > 0) {
    try {
      await emit(result.items, result.state);
    } catch (error) {
      await poller.release(result.pending).catch(() => undefined);
      throw error;
    }
  }
  await poller.complete(result.pending);
  return result;
}
