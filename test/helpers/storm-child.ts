/**
 * One OS process of a storm: opens the shared ledger, then on each "round" fires N concurrent
 * getAccessToken calls and reports what each got. With `dieAt`, kills itself with SIGKILL at that
 * engine event, the way a crash would.
 */
import { OffsetClock } from '../../src/clock';
import { TokenEngine } from '../../src/engine';
import type { EngineEvent } from '../../src/engine/events';
import type { EnginePolicy } from '../../src/engine/policy';
import type { Ledger } from '../../src/ledger';
import { XeroIdentityClient } from '../../src/xero';
import { openLedger, type LedgerSpec } from '../../tools/ledgers/ledger-factory';
import { failingWrites } from './failing-writes';

export interface ChildConfig {
  ledger: LedgerSpec;
  tokenUrl: string;
  key: string;
  client: { clientId: string; clientSecret: string };
  dieAt?: { type: EngineEvent['type']; why?: string };
  /** Once, at this event: tell the parent, then SIGSTOP itself (the parent sends SIGCONT). */
  stopAt?: { type: EngineEvent['type']; why?: string };
  leaseTtlMs?: number;
  /** Other policy overrides (short retries keep a storm of lost answers within a few seconds). */
  policy?: Partial<EnginePolicy>;
  /** The first ledger write after Xero's first successful answer fails, as a full disk or a lost database would. */
  failWriteAfterAnswer?: boolean;
}

/** `rejected`: each caller first reports that token as refused by Xero (reportRejected), then asks for a token. */
export type ParentMessage = { type: 'round'; offsetMs: number; callers: number; rejected?: string } | { type: 'exit' };
export type ChildMessage =
  | { type: 'ready' }
  | { type: 'stopped' }
  | {
      type: 'result';
      tokens: string[];
      errors: Array<{ name: string; message: string; retryable: boolean }>;
      /** The engine events of this round, by type (spool recovery is checked by its "as"). */
      events: string[];
    };

async function main(): Promise<void> {
  const config = JSON.parse(process.env.STORM_CHILD_CONFIG ?? '{}') as ChildConfig;
  const clock = new OffsetClock();
  const shared = await openLedger(config.ledger, clock);
  const flaky = config.failWriteAfterAnswer ? failingWrites(shared) : undefined;
  const ledger: Ledger = flaky?.ledger ?? shared;
  let answered = false;
  let stopped = false;
  let events: string[] = [];
  const engine = new TokenEngine({
    ledger,
    clock,
    client: config.client,
    identity: new XeroIdentityClient({ endpoints: { tokenUrl: config.tokenUrl }, clock }),
    policy: { ...config.policy, ...(config.leaseTtlMs ? { leaseTtlMs: config.leaseTtlMs } : {}) },
    onEvent: async (event) => {
      events.push(event.type === 'spool_recovered' ? `spool_recovered:${event.as}` : event.type);
      if (flaky && event.type === 'token_response' && event.ok && !answered) {
        answered = true;
        flaky.failNext();
      }
      const matches = (at: { type: EngineEvent['type']; why?: string } | undefined) =>
        at !== undefined && event.type === at.type && (!at.why || (event.type === 'ledger_written' && event.why === at.why));
      if (matches(config.dieAt)) process.kill(process.pid, 'SIGKILL');
      if (matches(config.stopAt) && !stopped) {
        stopped = true;
        // Stop only once the parent has the message, so it never waits on a process that stopped first.
        await new Promise<void>((resolve) => process.send?.({ type: 'stopped' } satisfies ChildMessage, () => resolve()));
        process.kill(process.pid, 'SIGSTOP');
      }
    },
  });
  const send = (message: ChildMessage) => process.send?.(message);
  process.on('message', async (message: ParentMessage) => {
    if (message.type === 'exit') {
      await ledger.close();
      process.exit(0);
    }
    clock.set(Date.now() + message.offsetMs);
    events = [];
    const rejected = message.rejected;
    const settled = await Promise.allSettled(
      Array.from({ length: message.callers }, async () => {
        if (rejected) await engine.reportRejected(config.key, rejected);
        return engine.getAccessToken(config.key);
      }),
    );
    send({
      type: 'result',
      tokens: settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])),
      errors: settled.flatMap((s) =>
        s.status === 'rejected' ? [{ name: String(s.reason?.name), message: String(s.reason?.message), retryable: Boolean(s.reason?.retryable) }] : [],
      ),
      events,
    });
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
