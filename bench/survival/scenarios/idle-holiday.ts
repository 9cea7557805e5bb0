import { DAY } from '../../../src/clock';
import { progress } from '../../../tools/n8n/install';
import { checkAlive, nextPolls, openLanes } from '../lanes';
import { eachLane, type Scenario } from './scenario';

const WEEKLY = 'a weekly HTTP Request';

/** Scenario 2: a workflow that runs once, then not for 61 days, then again. */
export const idleHoliday: Scenario = {
  name: 'idle-holiday',
  title: 'Idle holiday (61 days)',
  deployment: 'single',
  description:
    'A workflow runs once, then not for 61 days, then again. Each side has what it ships: Xero Guard the Watchdog example ' +
    "(its Connection Trigger) active; n8n's own credential nothing extra. A second n8n row adds a hand-made keep-alive, " +
    `${WEEKLY} on the same credential every 7 days (started by the harness through the workflow's webhook, standing in for a ` +
    'Schedule Trigger, whose timers run on real time and would not fire across the moved clock). The clock moves 7 days at a time ' +
    "and, for Xero Guard, waits for one Watchdog poll after each move (it polls every minute here; the example's 15 minutes is as good over 7 days).",
  async run({ host, time }) {
    const lanes = await openLanes(host, time, {
      scenario: 'idle-holiday',
      specs: [{ side: 'n8n' }, { side: 'n8n', variant: WEEKLY }, { side: 'ours' }],
    });
    await host.ready();
    await eachLane(lanes, (l) => l.run(host, 1));
    const keepAlive = lanes.filter((l) => l.spec.variant === WEEKLY);
    const ours = lanes.filter((l) => l.side === 'ours');
    for (let day = 7; day <= 56; day += 7) {
      time.advance(7 * DAY);
      await eachLane(keepAlive, (l) => l.run(host, 1));
      await nextPolls(host, ours);
      progress(`survival: idle-holiday: day ${day}`);
    }
    time.advance(5 * DAY);
    await nextPolls(host, ours);
    // Day 61: the workflow runs again.
    await eachLane(lanes, (l) => l.run(host, 1));
    await checkAlive(host, lanes);
    return {
      lanes,
      expectation: { alerts: 0, authFailuresAllowed: 0 },
      notes: [
        "Xero Guard's token requests over the 61 days are its keep-alive: each Watchdog poll after a 7-day move finds the access token expired and refreshes it, which also starts Xero's 60-day clock again (about 8 requests; the hand-made weekly run on n8n's side makes as many).",
      ],
    };
  },
};
