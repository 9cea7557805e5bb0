import type { Clock } from '../clock';

const FIRST_POLL_MS = 2;
const MAX_POLL_MS = 50;

/**
 * Polls `attempt` until it yields a lease or `waitMs` passes on `clock`. Polling, not
 * notification, so the same loop serves files, rows and keys, and a crashed holder cannot leave a
 * waiter hanging: its lease simply expires.
 */
export async function waitForLease<T>(clock: Clock, waitMs: number, attempt: () => Promise<T | null>): Promise<T | null> {
  const deadline = clock.now() + waitMs;
  let pause = FIRST_POLL_MS;
  for (;;) {
    const lease = await attempt();
    if (lease) return lease;
    const left = deadline - clock.now();
    if (left <= 0) return null;
    await clock.sleep(Math.min(pause, left));
    pause = Math.min(MAX_POLL_MS, pause * 2);
  }
}
