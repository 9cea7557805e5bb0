import { MINUTE } from '../../../src/clock';
import { GRACE_MODES } from '../../../src/simulator';
import { checkAlive, openLanes, type Lane } from '../lanes';
import { eachLane, type Scenario } from './scenario';

const CONCURRENT = 20;
const SLOW_MS = 12_000;

/** Scenario 3: the token endpoint answers after 12 s for ten minutes, under 20 concurrent executions (the 2018 incident's shape). */
export const slowXero: Scenario = {
  name: 'slow-xero',
  title: 'Slow Xero (token endpoint answers after 12 s for ten minutes)',
  deployment: 'queue',
  description:
    `Queue mode. The access token has just expired when Xero's token endpoint starts answering ${SLOW_MS / 1000} s late (the token is issued at once, the answer is delayed), ` +
    `for ten minutes of simulated time. ${CONCURRENT} executions start at once at the start of the ten minutes and ${CONCURRENT} more five minutes in. ` +
    'Then Xero is quick again; 31 minutes later two executions, then two more to see whether the chain survived. Grace modes run one after another on the same stack.',
  async run({ host, time }) {
    const all: Lane[] = [];
    for (const grace of GRACE_MODES) {
      const lanes = await openLanes(host, time, { scenario: 'slow-xero', specs: [{ side: 'n8n' }, { side: 'ours' }], graces: [grace] });
      all.push(...lanes);
      await eachLane(lanes, (l) => l.run(host, 2));
      time.advance(31 * MINUTE);
      const slow = lanes.map((l) => l.sim.faults.add({ kind: 'delay', ms: SLOW_MS, when: 'after', endpoint: 'token', probability: 1 }).id);
      await eachLane(lanes, (l) => l.run(host, CONCURRENT));
      time.advance(5 * MINUTE);
      await eachLane(lanes, (l) => l.run(host, CONCURRENT));
      time.advance(5 * MINUTE);
      lanes.forEach((l, i) => l.sim.faults.remove(slow[i]!));
      time.advance(31 * MINUTE);
      await eachLane(lanes, (l) => l.run(host, 2));
      time.advance(31 * MINUTE);
      await checkAlive(host, lanes);
    }
    return {
      lanes: all,
      expectation: { alerts: 0, authFailuresAllowed: 0 },
      notes: [
        "n8n's own credential waits 10 s for its refresh lease (Redis in queue mode) and then refreshes without it, re-reading the stored token first; with the holder still waiting on Xero's 12 s answer, the waiter presents the refresh token the holder already spent. Xero Guard's waiters wait for the lease (up to 20 s) and the holder renews it before it sends.",
      ],
    };
  },
};
