import { MINUTE, type OffsetClock } from '../../src/clock';
import type { Simulator, SimulatorTokenResponse } from '../../src/simulator';

/**
 * A grant whose access token expires `inMs` from now on both clocks (negative: already expired).
 * The simulator issues 30-minute tokens; its clock steps back while it issues and returns at once,
 * so only the issue time moves. With `inMs` under the engine's 5-minute refresh-ahead window the
 * first request inside n8n rotates it, while the simulator still accepts the old access token.
 */
export function seedGrantExpiringIn(sim: Simulator, clock: OffsetClock, inMs: number, email?: string): SimulatorTokenResponse {
  const back = 30 * MINUTE - inMs;
  clock.advance(-back);
  try {
    return sim.seedGrant(email ? { email } : {});
  } finally {
    clock.advance(back);
  }
}

/** Token-endpoint requests the simulator received, those a fault answered included. */
export const tokenRequests = (sim: Simulator): number => sim.stats().requestsByEndpoint.token ?? 0;

/** Runs `count` jobs with at most `parallel` in flight; resolves to every result in order. */
export async function pool<T>(count: number, parallel: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const lanes = Array.from({ length: Math.min(parallel, count) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      results[i] = await job(i);
    }
  });
  await Promise.all(lanes);
  return results;
}
