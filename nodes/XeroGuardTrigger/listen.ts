/**
 * Webhook mode of the Xero Guard Trigger, inside n8n's trigger(): this node reads the app's inbox
 * (which the production URL of any trigger of the app appends to, receive.ts) with its own
 * position, one EventConsumer per workflow and node, so every active workflow gets each event once
 * in any number of n8n processes sharing the credential's ledger. Each batch is one execution,
 * committed once n8n says the execution is done; the catch-up sweep adds the changes whose
 * delivery was lost.
 */
import type { ICredentialDataDecryptedObject, IRun, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { MINUTE, systemClock } from '../../src/clock';
import { CLAIM_TTL_MS, EventConsumer, coalescing, drainConsumer, runCatchUp, type EventItem } from '../../src/events';
import type { ConnectionSession } from '../../src/host';
import { safeErrorMessage } from '../shared/safe-error';
import { eventItem } from './items';
import { inboxOf } from './receive';
import type { WebhookSettings } from './settings';
import type { ListenerClaim } from './listener-claim';
import { appended, onAppended } from './wake';

/** How often a trigger looks for events another process appended (one ledger read; no Xero call). */
export const READ_EVERY_MS = 5000;

/** One piece of work at a time (a read of the inbox, a sweep); stopped at close, which waits for the piece under way. */
export class SerialWork {
  private running: Promise<void> = Promise.resolve();
  private closed = false;
  private lastProblem = '';

  constructor(private readonly report: (text: string) => void) {}

  run(work: () => Promise<void>): Promise<void> {
    this.running = this.running
      .then(async () => {
        if (!this.closed) await work();
        this.lastProblem = '';
      })
      .catch((error: unknown) => {
        // A ledger or Xero that is down is said once while it lasts, not every few seconds.
        const text = error instanceof Error ? error.message : String(error);
        if (text !== this.lastProblem) this.report(text);
        this.lastProblem = text;
      });
    return this.running;
  }

  close(): Promise<void> {
    this.closed = true;
    return this.running;
  }
}

/** Said when n8n has not reported the end of a batch's execution within the claim time. */
export function unsettledText(events: number): string {
  const minutes = Math.round(CLAIM_TTL_MS / MINUTE);
  return (
    `n8n had not said after ${minutes} minutes whether the execution of ${events} Xero event${events === 1 ? '' : 's'} ended, so ` +
    `${events === 1 ? 'it starts' : 'they start'} another execution, flagged redelivered (key on eventId where acting twice matters). ` +
    'A Wait node or other long work in this workflow does that too: move it to a sub-workflow called without waiting. ' +
    'In queue mode, n8n can miss the end of an execution that finished within moments of starting: set ' +
    'N8N_EXECUTIONS_QUEUE_KEEP_LAST_COMPLETED=100 and N8N_EXECUTIONS_QUEUE_KEEP_LAST_FAILED=100 on the main process.'
  );
}

export interface Listening {
  context: ITriggerFunctions;
  settings: WebhookSettings;
  session: ConnectionSession;
  credentials: ICredentialDataDecryptedObject;
  keyText: string;
  consumerId: string;
  /** A test run ("Execute step"): emits the next events and waits for no execution (n8n settles none for it). */
  manual: boolean;
  /** This start's claim on the trigger: a later start of the same trigger stops this one (listener-claim.ts). */
  claim: ListenerClaim;
}

export async function listen({ context, settings, session, credentials, keyText, consumerId, manual, claim }: Listening): Promise<ITriggerResponse> {
  const inbox = inboxOf(keyText);
  const say = (text: string): string => safeErrorMessage(text, credentials, [keyText, keyText.trim()]);
  const store = await session.eventStore();
  const consumer = new EventConsumer({
    store,
    inbox,
    consumer: consumerId,
    filter: settings.filter,
    clock: systemClock,
    ...(settings.fetch ? { fetch: { reader: await session.accounting(), budget: session.budget() ?? undefined } } : {}),
  });
  await consumer.open();
  const work = new SerialWork((text) => context.logger.error(`Xero Guard Trigger: ${say(text)}`));

  // Each batch is one execution; the batch is committed when n8n says that execution is done.
  const emitBatch = async (items: EventItem[]): Promise<void> => {
    if (manual) {
      context.emit([items.map(eventItem)]);
      return;
    }
    const done = context.helpers.createDeferredPromise<IRun>();
    context.emit([items.map(eventItem)], undefined, done);
    await done.promise;
  };

  // Reads do not queue up behind each other: one asked while one runs makes one more after it.
  const read = coalescing(() =>
    work.run(async () => {
      await drainConsumer(consumer, emitBatch, {
        onNotice: (notice) => context.logger.warn(`Xero Guard Trigger: ${say(notice.message)}`),
        settleWithin: {
          ms: CLAIM_TTL_MS,
          clock: systemClock,
          onUnsettled: (items) => context.logger.warn(`Xero Guard Trigger: ${unsettledText(items.length)}`),
        },
      });
    }),
  );

  const timers: NodeJS.Timeout[] = [];
  let stopWaking = (): void => undefined;
  const stop = (): Promise<void> => {
    for (const timer of timers.splice(0)) clearInterval(timer);
    stopWaking();
    return work.close();
  };
  claim.onSuperseded(() => {
    context.logger.debug('Xero Guard Trigger: a later start of this trigger took over; this one stops reading.');
    void stop();
  });

  if (!claim.superseded) {
    stopWaking = onAppended(inbox, read);
    timers.push(setInterval(read, READ_EVERY_MS));
    read();

    if (settings.catchUpMinutes > 0 && !manual) {
      const intervalMs = settings.catchUpMinutes * MINUTE;
      // The organisations are looked up once per sweep interval, not every minute (GET /connections is a call).
      let tenants: { slot: number; ids: string[] } | null = null;
      const sweep = (): void => {
        void work.run(async () => {
          const slot = Math.floor(systemClock.now() / intervalMs);
          if (tenants === null || tenants.slot !== slot) {
            const ids = settings.organisations.length > 0 ? settings.organisations : (await session.organisations()).map((t) => t.tenantId);
            tenants = { slot, ids };
          }
          const report = await runCatchUp({
            store,
            inbox,
            reader: await session.accounting(),
            budget: session.budget() ?? undefined,
            tenantIds: tenants.ids,
            intervalMs,
            clock: systemClock,
          });
          for (const notice of report.notices) context.logger.warn(`Xero Guard Trigger: ${say(notice)}`);
          if (report.swept.some((s) => s.added > 0)) appended(inbox);
        });
      };
      sweep();
      timers.push(setInterval(sweep, MINUTE));
    }
  }

  return {
    closeFunction: async () => {
      claim.release();
      await stop();
    },
  };
}
