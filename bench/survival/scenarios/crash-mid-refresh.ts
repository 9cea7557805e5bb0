import { HOUR, MINUTE } from '../../../src/clock';
import { progress } from '../../../tools/n8n/install';
import { waitFor } from '../../../tools/n8n/n8n';
import { checkAlive, lastSeq, nextPolls, openLanes, refreshIssuedSince } from '../lanes';

const HELD_MS = 12_000;
import { eachLane, type Scenario } from './scenario';

/** Scenario 5: the workers are SIGKILLed after Xero issued the new pair and before it was stored. */
export const crashMidRefresh: Scenario = {
  name: 'crash-mid-refresh',
  title: 'Crash mid-refresh',
  deployment: 'queue',
  description:
    'Queue mode, an hourly workflow. At the first run after the access token expired, Xero issues the new pair and holds its answer 12 s; ' +
    'while every lane has a refresh in flight, both workers are SIGKILLed (a crash, not a shutdown) and started again, as a supervisor would. ' +
    "Real time then runs for the dead workers' leases (30 s) and one Watchdog poll, the same for both sides; the next hourly run comes 60 minutes later, " +
    'then two more, then two runs to see whether the connection is alive.',
  async run({ host, time }) {
    const stack = host.stack;
    if (!stack) throw new Error('crash-mid-refresh needs queue mode');
    const lanes = await openLanes(host, time, { scenario: 'crash-mid-refresh', specs: [{ side: 'n8n' }, { side: 'ours' }] });
    await eachLane(lanes, (l) => l.run(host, 1));
    time.advance(HOUR);
    const before = lanes.map((l) => lastSeq(l.sim));
    // Held 12 s: long enough for every lane to be caught, shorter than either client's timeout.
    for (const l of lanes) l.sim.faults.add({ kind: 'delay', ms: HELD_MS, when: 'after', endpoint: 'token', times: 1 });
    const runs = eachLane(lanes, (l) => l.run(host, 1));
    const inFlight = await waitFor(
      'a refresh in flight on every lane',
      () => (lanes.every((l, i) => refreshIssuedSince(l.sim, before[i]!)) ? true : undefined),
      60_000,
      20,
    ).catch(() => false);
    for (const [i, l] of lanes.entries())
      l.notes.push(
        refreshIssuedSince(l.sim, before[i]!)
          ? 'Xero had issued the new pair, its answer still held, when the workers were killed'
          : 'no refresh was in flight when the workers were killed',
      );
    if (!inFlight) progress('survival: not every lane had a refresh in flight when the workers were killed');
    for (const w of stack.workers) {
      progress(`survival: SIGKILL ${w.name} (pid ${w.pid}) during a refresh`);
      await w.kill();
    }
    for (const w of stack.workers) await w.start();
    await runs;
    const killedAt = Date.now();
    await waitFor("the dead workers' leases to run out", () => (Date.now() - killedAt > 31_000 ? true : undefined), 60_000, 500);
    await nextPolls(
      host,
      lanes.filter((l) => l.side === 'ours'),
    );
    for (let hour = 1; hour <= 3; hour++) {
      time.advance(HOUR);
      await eachLane(lanes, (l) => l.run(host, 1));
    }
    time.advance(10 * MINUTE);
    await checkAlive(host, lanes);
    return {
      lanes,
      expectation: { alerts: 0, authFailuresAllowed: 0 },
      notes: [
        "n8n re-queues an execution whose worker died (Bull's stalled job) and runs it again within about a minute: that re-run presents the spent refresh token inside Xero's grace window, which is how n8n's own credential can survive this crash in queue mode.",
        'The executions running in the killed workers are lost on both sides (n8n marks them crashed or failed); they count as failed, not as failed for auth.',
        "Xero Guard's intent was written to the ledger before the token call, so the next holder of the lease (here the Watchdog's poll on the main process, inside the grace window) finishes the refresh; with no poll and no execution within 30 minutes of the crash, it too would present a spent token.",
      ],
    };
  },
};
