import { HOUR } from '../../../src/clock';
import { waitFor } from '../../../tools/n8n/n8n';
import { checkAlive, nextPolls, openLanes, type Lane } from '../lanes';
import { eachLane, type Scenario } from './scenario';

const DURING = 2;

async function messageCount(lane: Lane, count: number, what: string): Promise<number | undefined> {
  const slack = lane.slack;
  if (!slack) return undefined;
  const at = await waitFor(what, () => (slack.messages.length >= count ? slack.messages[count - 1]!.at : undefined), 180_000, 250).catch(() => undefined);
  return at;
}

/** Scenario 6: the user revokes access, then reconnects. */
export const revocation: Scenario = {
  name: 'revocation',
  title: 'Revocation and recovery',
  deployment: 'single',
  description:
    'A connected workflow runs; the user revokes access at Xero (every grant of the user); the workflow runs twice while revoked; ' +
    'the user reconnects (a new grant stored in the same credential, as n8n\'s "Connect" / "Switch account" leaves it); the workflow runs again. ' +
    'Times are real seconds from the revocation to the first alert and from the reconnect to the "works again" message (Watchdog polling every minute).',
  async run({ host, time }) {
    const lanes = await openLanes(host, time, { scenario: 'revocation', specs: [{ side: 'n8n' }, { side: 'ours' }] });
    await host.ready();
    await eachLane(lanes, (l) => l.run(host, 1));
    time.advance(HOUR);
    await eachLane(lanes, (l) => l.run(host, 1));
    const ours = lanes.filter((l) => l.side === 'ours');
    // Whatever poll is running now finishes first, so the timing starts from a quiet Watchdog.
    await nextPolls(host, ours);
    const revokedAt = Date.now();
    for (const l of lanes) l.sim.revokeUser(l.email);
    time.advance(HOUR);
    await eachLane(lanes, (l) => l.run(host, DURING));
    await eachLane(ours, async (l) => {
      const at = await messageCount(l, 1, `${l.label}: the first alert`);
      if (at !== undefined) l.firstAlertAfterMs = at - revokedAt;
    });
    // One more poll while still revoked: the incident is not posted twice.
    await nextPolls(host, ours);
    const reconnectedAt = Date.now();
    await eachLane(lanes, (l) => l.reconnect(host));
    await eachLane(ours, async (l) => {
      const at = await messageCount(l, 2, `${l.label}: the "works again" message`);
      if (at !== undefined) l.recoveredAfterMs = at - reconnectedAt;
    });
    await nextPolls(host, ours);
    await checkAlive(host, lanes);
    return {
      lanes,
      expectation: { alerts: 2, authFailuresAllowed: DURING },
      notes: [
        "Both times are the wait for the Watchdog's next poll, counted from just after a poll: at most a minute here, where it polls every minute; with the example's 15-minute interval, up to 15 minutes.",
        `Both sides need the one human action a revocation always needs (reconnect). The ${DURING} executions run while revoked fail on both sides; n8n's own credential says nothing until then, and nothing at all to a person who is not watching executions.`,
      ],
    };
  },
};
