import { HOUR } from '../../../src/clock';
import { checkAlive, openLanes } from '../lanes';
import { eachLane, type Scenario } from './scenario';

/** Scenario 1: an hourly workflow; one refresh's token response is lost; the next run is an hour later. */
export const lostAnswer: Scenario = {
  name: 'lost-answer',
  title: 'Lost answer, late next run',
  deployment: 'single',
  description:
    'An hourly workflow (webhook, then an HTTP Request to Xero on the credential). At the first run after the access token expired, ' +
    "Xero issues the new pair but its answer is lost (the simulator's `drop-response` on the token endpoint, once). " +
    'The next run comes 60 minutes later, beyond the 30-minute grace window; then four more hourly runs, then two runs to see whether the connection is alive.',
  async run({ host, time }) {
    const lanes = await openLanes(host, time, { scenario: 'lost-answer', specs: [{ side: 'n8n' }, { side: 'ours' }] });
    await host.ready();
    await eachLane(lanes, (l) => l.run(host, 1));
    time.advance(HOUR);
    for (const l of lanes) l.sim.faults.add({ kind: 'drop-response', endpoint: 'token', times: 1 });
    await eachLane(lanes, (l) => l.run(host, 1));
    for (const l of lanes) {
      const fired = l.sim.stats().faultsFired;
      if (fired === 0) l.notes.push('the dropped answer did not fire on the hourly run (no refresh was made then)');
    }
    for (let hour = 2; hour <= 6; hour++) {
      time.advance(HOUR);
      await eachLane(lanes, (l) => l.run(host, 1));
    }
    await checkAlive(host, lanes);
    return {
      lanes,
      expectation: { alerts: 0, authFailuresAllowed: 0 },
      notes: [
        "Xero Guard's one spent-token reuse per grace mode is its recovery: the refresh whose answer was lost is retried with the same refresh token inside Xero's 30-minute window (what the grace window is for), so it is not a dead-token presentation.",
      ],
    };
  },
};
