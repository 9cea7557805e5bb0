import { MINUTE } from '../../../src/clock';
import { GRACE_MODES } from '../../../src/simulator';
import { checkAlive, openLanes } from '../lanes';
import { eachLane, type Scenario } from './scenario';

const CONCURRENT = 20;
const ROUNDS = 2;

/** Scenario 4: two n8n processes on one database, no queue mode, no Redis. */
export const severalProcesses: Scenario = {
  name: 'several-processes',
  title: 'Several processes without queue mode',
  deployment: 'two-mains',
  description:
    'Two `n8n start` processes share one PostgreSQL database without Redis (two containers behind a load balancer); webhook calls alternate between them. ' +
    `After the access token expired, ${CONCURRENT} executions start at once (half on each process); ${ROUNDS} such rounds, 31 minutes apart, ` +
    'one grace mode after another in each round; then two executions to see whether the connection is alive.',
  async run({ host, time }) {
    const lanes = await openLanes(host, time, { scenario: 'several-processes', specs: [{ side: 'n8n' }, { side: 'ours' }] });
    await host.ready();
    await eachLane(lanes, (l) => l.run(host, 2));
    for (let round = 1; round <= ROUNDS; round++) {
      time.advance(31 * MINUTE);
      for (const grace of GRACE_MODES)
        await eachLane(
          lanes.filter((l) => l.grace === grace),
          (l) => l.run(host, CONCURRENT),
        );
    }
    time.advance(31 * MINUTE);
    await checkAlive(host, lanes);
    return {
      lanes,
      expectation: { alerts: 0, authFailuresAllowed: 0 },
      notes: [
        "Both processes run the Watchdog's trigger (n8n activates every active workflow in each process when there is no queue mode), so each connection is polled twice a minute.",
      ],
    };
  },
};
