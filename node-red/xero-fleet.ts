/**
 * xero fleet: every chain the ledger of a xero-connection holds, read from the ledger alone (no call
 * to Xero): name (the xero-connection node's), state, reason, organisations, token expiry, last
 * rotation, days before the idle limit, pending refresh, last error. Any input lists now. In
 * watchdog mode it lists on an interval and sends one message per chain that changed state.
 */
import { diffFleet, fleetSummary, listFleet, type FleetChangeEvent, type FleetWatchState } from '../src/fleet';
import { shortStatus } from '../src/host';
import { connectionOf } from './lib/connection-handle';
import type { NodeConfig, RED, RuntimeNode } from './lib/red';
import { editorUrl, runtimeOptions } from './lib/settings';
import { statusForError } from './lib/status';

const UNIT_MS = { seconds: 1000, minutes: 60 * 1000, hours: 60 * 60 * 1000 } as const;
type Unit = keyof typeof UNIT_MS;
const MAX_TIMER_MS = 2 ** 31 - 1;

export = function register(red: RED): void {
  function XeroFleetNode(this: RuntimeNode, config: NodeConfig): void {
    red.nodes.createNode(this, config);
    const conn = connectionOf(red, config);
    const watchdog = config.mode === 'watchdog';
    const amount = Number(config.interval);
    const unit: Unit = typeof config.intervalUnits === 'string' && config.intervalUnits in UNIT_MS ? (config.intervalUnits as Unit) : 'minutes';
    const periodMs = Math.min(MAX_TIMER_MS, Number.isFinite(amount) && amount > 0 ? amount * UNIT_MS[unit] : 5 * UNIT_MS.minutes);
    const context = this.context();
    const remembered = context.get('fleetState');
    let state: FleetWatchState | null = remembered && typeof remembered === 'object' ? (remembered as FleetWatchState) : null;
    let timer: NodeJS.Timeout | null = null;
    let closed = false;
    let queue: Promise<void> = Promise.resolve();

    if (!conn) this.status({ fill: 'red', shape: 'dot', text: 'no xero-connection: pick one whose ledger to list' });
    else this.status({ fill: 'grey', shape: 'ring', text: watchdog ? 'watching the ledger' : 'ready' });

    const listOnce = async (msg: Record<string, unknown> | null): Promise<void> => {
      if (!conn) return;
      const own = runtimeOptions(red);
      let listing;
      try {
        listing = await conn.session.use((shared) => listFleet(shared.ledger, { clock: own.clock, policy: own.policy, budgetPolicy: own.budget }));
      } catch (error) {
        const dot = statusForError(error, conn.secrets);
        this.status(dot);
        this.error(conn.scrub(error instanceof Error ? error.message : String(error)));
        return;
      }
      if (closed) return;
      const needs = listing.chains.filter((c) => c.state === 'needs_reauth' || c.state === 'misconfigured' || c.state === 'unreadable').length;
      this.status({ fill: needs > 0 ? 'red' : 'green', shape: 'dot', text: shortStatus(fleetSummary(listing)) });
      const base = editorUrl(red);
      const withLinks = { ...listing, chains: listing.chains.map((c) => ({ ...c, editorUrl: `${base}/#node/${c.key}` })) };
      if (!watchdog || msg) this.send({ ...(msg ?? {}), topic: 'xero/fleet', payload: withLinks });
      if (!watchdog) return;
      const { events, state: next } = diffFleet(state, listing);
      state = next;
      context.set('fleetState', next);
      for (const event of events) this.send({ topic: `xero/fleet/${event.kind}`, payload: fleetAlertOf(event, base) });
    };

    const list = (msg: Record<string, unknown> | null): Promise<void> => {
      queue = queue.then(() => listOnce(msg)).catch((error: unknown) => this.error(conn ? conn.scrub(String(error)) : String(error)));
      return queue;
    };

    const schedule = (): void => {
      if (closed || !watchdog) return;
      timer = setTimeout(() => void list(null).then(schedule), periodMs);
    };

    if (watchdog) void list(null).then(schedule);

    this.on('input', (msg, _send, done) => {
      void list(msg).then(() => done());
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      if (timer) clearTimeout(timer);
      queue.then(done, done);
    });
  }

  red.nodes.registerType('xero fleet', XeroFleetNode);
};

/** One chain's change, named by its xero-connection node, with the link to it when a person must act. */
function fleetAlertOf(event: FleetChangeEvent, base: string): Record<string, unknown> {
  const human = event.to === 'needs_reauth' || event.to === 'misconfigured' || event.to === 'unreadable';
  const summary =
    event.kind === 'removed'
      ? `"${event.name}" is no longer in the ledger.`
      : event.kind === 'added'
        ? `"${event.name}" was added (${event.to}).`
        : human
          ? `"${event.name}" needs attention: ${event.reason ?? event.to}`
          : `"${event.name}" is ${event.to} again${event.from ? ` (was ${event.from})` : ''}.`;
  return {
    event,
    summary,
    reconnect:
      human && event.to === 'needs_reauth'
        ? { how: `Open the xero-connection node "${event.name}" in the Node-RED editor and click "Connect to Xero".`, url: `${base}/#node/${event.key}` }
        : null,
  };
}
