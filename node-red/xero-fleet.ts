/**
 * xero fleet: the chain of its xero-connection, or with settings.js `xeroGuard: { fleetScope:
 * 'ledger' }` every chain of that connection's ledger, read from the ledger alone (no call to
 * Xero): name (the xero-connection node's), state, reason, organisations, token expiry, last
 * rotation, days before the idle limit, pending refresh, last error. Never a chain key or a client
 * id (issue 24, item 2): chains are named by an id keyed with the runtime's ledger key, and a link
 * to the editor only for the xero-connection nodes of this runtime. Any input lists now. In
 * watchdog mode it lists on an interval and sends one message per chain that changed state.
 */
import {
  diffFleet,
  fleetScopeOf,
  fleetSummary,
  ledgerCapReports,
  listFleet,
  shownCapReport,
  shownListing,
  type FleetChangeEvent,
  type FleetListing,
  type FleetWatchState,
} from '../src/fleet';
import { shortStatus } from '../src/host';
import { connectionOf, type ConnectionNode } from './lib/connection-handle';
import { encryptionKey } from './lib/engines';
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
    let scope: ReturnType<typeof fleetScopeOf> = 'own';
    let scopeProblem: string | null = null;
    try {
      scope = fleetScopeOf(runtimeOptions(red).fleetScope, 'settings.js xeroGuard.fleetScope');
    } catch (error) {
      scopeProblem = error instanceof Error ? error.message : String(error);
    }
    // Remembered per scope: a state from another scope, or keyed by chain keys (before ids), is not compared with.
    const stateName = `fleetState:${scope}:v2`;
    const remembered = context.get(stateName);
    let state: FleetWatchState | null = remembered && typeof remembered === 'object' ? (remembered as FleetWatchState) : null;
    let timer: NodeJS.Timeout | null = null;
    let closed = false;
    let queue: Promise<void> = Promise.resolve();

    if (!conn) this.status({ fill: 'red', shape: 'dot', text: 'no xero-connection: pick the one to list' });
    else if (scopeProblem) this.status({ fill: 'red', shape: 'dot', text: shortStatus(scopeProblem) });
    else this.status({ fill: 'grey', shape: 'ring', text: watchdog ? 'watching' : 'ready' });

    const listOnce = async (msg: Record<string, unknown> | null): Promise<void> => {
      if (!conn) return;
      if (scopeProblem) {
        this.error(scopeProblem);
        return;
      }
      const own = runtimeOptions(red);
      const only = scope === 'own' ? [conn.key] : undefined;
      let raw: FleetListing;
      let hostKey: string;
      try {
        raw = await conn.session.use((shared) => listFleet(shared.ledger, { clock: own.clock, policy: own.policy, budgetPolicy: own.budget, only }));
        hostKey = encryptionKey(red).key;
      } catch (error) {
        const dot = statusForError(error, conn.secrets);
        this.status(dot);
        this.error(conn.scrub(error instanceof Error ? error.message : String(error)));
        return;
      }
      if (closed) return;
      const listing = shownListing(raw, hostKey);
      const needs = listing.chains.filter((c) => c.state === 'needs_reauth' || c.state === 'misconfigured' || c.state === 'unreadable').length;
      this.status({ fill: needs > 0 ? 'red' : 'green', shape: 'dot', text: shortStatus(fleetSummary(raw)) });
      const links = editorLinks(
        red,
        raw,
        listing.chains.map((c) => c.id),
      );
      // Each Xero app against its tier's connection limit (issue 28): this connection's app by its tier setting, others by the tier their nodes noted.
      const ownApp = { key: conn.key, clientId: conn.settings.clientId, tier: conn.session.tier };
      const apps = await conn.session
        .use((shared) => ledgerCapReports(shared.ledger, { own: ownApp, ...(scope === 'own' ? { onlyClientId: ownApp.clientId } : {}) }))
        .then((reports) => reports.map(shownCapReport))
        .catch(() => []);
      if (closed) return;
      const withLinks = { ...listing, chains: listing.chains.map((c) => ({ ...c, editorUrl: links.get(c.id) ?? null })), apps };
      if (!watchdog || msg) this.send({ ...(msg ?? {}), topic: 'xero/fleet', payload: withLinks });
      if (!watchdog) return;
      const { events, state: next } = diffFleet(state, listing);
      state = next;
      context.set(stateName, next);
      for (const event of events) this.send({ topic: `xero/fleet/${event.kind}`, payload: fleetAlertOf(event, links.get(event.id) ?? null) });
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

/**
 * The editor link of each listed chain that is a xero-connection node of this runtime (its key is
 * the node's id, which every editor user sees anyway); chains of other hosts sharing the ledger get none.
 */
function editorLinks(red: RED, raw: FleetListing, ids: string[]): Map<string, string> {
  const base = editorUrl(red);
  const links = new Map<string, string>();
  raw.chains.forEach((chain, i) => {
    const node = red.nodes.getNode(chain.key) as ConnectionNode | null;
    if (node?.xeroGuard && ids[i]) links.set(ids[i], `${base}/#node/${chain.key}`);
  });
  return links;
}

/** One chain's change, named by its xero-connection node, with the link to it when a person must act. */
function fleetAlertOf(event: FleetChangeEvent, link: string | null): Record<string, unknown> {
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
        ? { how: `Open the xero-connection node "${event.name}" in the Node-RED editor and click "Connect to Xero".`, url: link }
        : null,
  };
}
