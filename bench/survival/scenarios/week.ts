import { HOUR, MINUTE } from '../../../src/clock';
import { GRACE_MODES, type GraceMode } from '../../../src/simulator';
import { progress } from '../../../tools/n8n/install';
import { waitFor } from '../../../tools/n8n/n8n';
import type { Worker } from '../../../tools/queue/stack';
import type { PrivateService } from '../../../tools/services/private-services';
import { checkAlive, lastSeq, nextPolls, openLanes, refreshIssuedSince, type Lane } from '../lanes';
import { eachLane, type Scenario } from './scenario';

interface WeekPlan {
  form: 'short' | 'full';
  steps: number;
  stepMs: number;
  /** Executions per stream per step. */
  perStep: number;
  streams: number;
  /** Spread each step's executions over the step (full) or run them back to back at its start (short). */
  spaced: boolean;
  graces: readonly GraceMode[];
  killAt: number;
  redisRestartAt: number;
}

export function weekPlan(full: boolean): WeekPlan {
  // Short (CI): a week in 14 half-day steps, every step needs a rotation. Full: every 30 minutes, with
  // each stream's executions 15 minutes apart, in every grace mode.
  return full
    ? { form: 'full', steps: 336, stepMs: 30 * MINUTE, perStep: 2, streams: 2, spaced: true, graces: GRACE_MODES, killAt: 100, redisRestartAt: 200 }
    : { form: 'short', steps: 14, stepMs: 12 * HOUR, perStep: 2, streams: 4, spaced: false, graces: ['same-pair'], killAt: 5, redisRestartAt: 9 };
}

/**
 * Scenario 7: a simulated week in queue mode with faults on both token endpoints (5% dropped answers,
 * 5% 503s, one dropped answer forced on the first rotation), a worker SIGKILLed while a refresh is in
 * flight and a restart of the queue Redis.
 */
export function week(full: boolean, redis: PrivateService): Scenario {
  const p = weekPlan(full);
  return {
    name: full ? 'week-full' : 'week-short',
    title: `The week (${p.form} form)`,
    deployment: 'queue',
    description:
      `A simulated week in ${p.steps} steps of ${p.stepMs / MINUTE} minutes; per step ${p.streams} streams x ${p.perStep} webhook executions per credential, ` +
      `${p.spaced ? `spread over the step (one execution per stream every ${p.stepMs / p.perStep / MINUTE} minutes)` : 'back to back at the start of the step'}. ` +
      'Faults on every token endpoint: 5% dropped answers and 5% 503s (fixed seed), one dropped answer forced on the first rotation; ' +
      `one worker SIGKILLed at step ${p.killAt} while a token request is in flight (answers held 5 s that step; then real time runs until the dead worker's lease ran out and the Watchdog polled), ` +
      `the queue Redis restarted at step ${p.redisRestartAt}. Then faults off, one more step, two executions each ("alive").` +
      (p.spaced ? '' : " Compressed: every retry after a dropped answer lands inside the grace window, which favours n8n's own credential."),
    async run({ host, time }) {
      const stack = host.stack;
      if (!stack) throw new Error('the week needs queue mode');
      const lanes = await openLanes(host, time, {
        scenario: p.form === 'full' ? 'week-full' : 'week',
        specs: [{ side: 'n8n' }, { side: 'ours' }],
        graces: p.graces,
      });
      for (const l of lanes) {
        l.sim.faults.add({ kind: 'drop-response', endpoint: 'token', probability: 0.05 });
        l.sim.faults.add({ kind: 'server-error', status: 503, endpoint: 'token', probability: 0.05 });
        l.sim.faults.add({ kind: 'drop-response', endpoint: 'token', times: 1 });
      }
      const burst = (k: number): Promise<unknown> =>
        eachLane(lanes, async (l) => {
          await Promise.all(
            Array.from({ length: p.streams }, async () => {
              for (let i = 0; i < k; i++) await l.run(host, 1);
            }),
          );
        });
      const step = async (during?: () => Promise<void>): Promise<void> => {
        if (p.spaced) {
          for (let k = 0; k < p.perStep; k++) {
            time.advance(p.stepMs / p.perStep);
            const work = burst(1);
            if (k === 0 && during) await during();
            await work;
          }
        } else {
          time.advance(p.stepMs);
          const work = burst(p.perStep);
          if (during) await during();
          await work;
        }
      };
      for (let s = 1; s <= p.steps; s++) {
        if (s === p.killAt) {
          const ids = lanes.map((l) => l.sim.faults.add({ kind: 'delay', ms: 5000, when: 'after', endpoint: 'token', times: 1 }).id);
          const before = lanes.map((l) => lastSeq(l.sim));
          await step(async () => {
            await waitFor('a refresh in flight', () => (lanes.some((l, i) => refreshIssuedSince(l.sim, before[i]!)) ? true : undefined), 60_000, 20).catch(
              () => undefined,
            );
            const victim = stack.workers[1]!;
            progress(`survival: step ${s}: SIGKILL ${victim.name} (pid ${victim.pid}) during a refresh`);
            await victim.kill();
            await victim.start();
          });
          lanes.forEach((l, i) => l.sim.faults.remove(ids[i]!));
          // Real time for the dead worker's 30 s lease and a Watchdog poll before the clock moves on.
          const killedAt = Date.now();
          await waitFor("the dead worker's lease to run out", () => (Date.now() - killedAt > 31_000 ? true : undefined), 60_000, 500);
          await nextPolls(
            host,
            lanes.filter((l) => l.side === 'ours'),
          ).catch(() => progress('survival: no Watchdog poll within 150 s of the crash'));
        } else if (s === p.redisRestartAt) {
          progress(`survival: step ${s}: restarting the queue Redis`);
          await redis.stop();
          await redis.start();
          await restartUnhealthyWorkers(stack.workers);
          await step();
        } else {
          await step();
        }
        if (s % 10 === 0 || !p.spaced) progress(`survival: week step ${s}/${p.steps} (+${(time.offsetMs / HOUR).toFixed(1)} h): ok ${okLine(lanes)}`);
      }
      time.advance(p.stepMs);
      await checkAlive(host, lanes);
      return {
        lanes,
        expectation: { alerts: 0, authFailuresAllowed: 0 },
        notes: [
          'Executions lost with the killed worker count as failed ("failed to be processed too many times", or the webhook call closed), for either credential.',
        ],
      };
    },
  };
}

function okLine(lanes: Lane[]): string {
  return lanes.map((l) => `${l.label} ${l.answers.filter((a) => a.status === 200).length}/${l.answers.length}`).join(', ');
}

/** n8n gives up on a Redis it cannot reach for QUEUE_BULL_REDIS_TIMEOUT_THRESHOLD and exits: start such a worker again, as a supervisor would. */
async function restartUnhealthyWorkers(workers: Worker[]): Promise<void> {
  for (const w of workers) {
    const healthy = await waitFor(
      `${w.name} healthy after the Redis restart`,
      async () => {
        const r = await fetch(`http://127.0.0.1:${w.healthPort}/healthz/readiness`).catch(() => undefined);
        return r?.status === 200 ? true : undefined;
      },
      60_000,
      500,
    ).catch(() => false);
    if (!healthy) {
      progress(`survival: ${w.name} did not come back after the Redis restart: starting it again`);
      await w.stop();
      await w.start();
    }
  }
}
