/**
 * xero connection watch: checks the connection on an interval (which also keeps the refresh token
 * alive: the engine rotates it once it is older than the keep-alive age) and sends a message only
 * when the state changes: connected -> problem, problem -> connected, one problem -> another. The
 * change detector is the core's, the same the n8n trigger uses. Any input message checks now.
 * Besides, it remembers each organisation (one message when one is disconnected, refused with a
 * 403, added or recovered) and each organisation's call budget (one warning under the threshold,
 * one on recovery). A whole connection failing is one message, not one per organisation.
 */
import {
  detectBudgetChanges,
  detectStateChange,
  detectTenantChanges,
  isTenantWatchState,
  isWatchState,
  type BudgetEvent,
  type BudgetWatchState,
  type CheckResult,
  type DeniedTenant,
  type StateChangeEvent,
  type TenantChangeEvent,
  type TenantWatchState,
  type WatchState,
} from '../src/check';
import { shortStatus } from '../src/host';
import { checkThrough, connectionOf, type ConnectionHandle } from './lib/connection-handle';
import type { NodeConfig, RED, RuntimeNode } from './lib/red';
import { editorUrl, runtimeOptions } from './lib/settings';
import { NODE_RED_WORDS, showInitialStatus, statusForResult } from './lib/status';

const UNIT_MS = { seconds: 1000, minutes: 60 * 1000, hours: 60 * 60 * 1000 } as const;
type Unit = keyof typeof UNIT_MS;
/** setTimeout's limit; longer intervals are clamped. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export = function register(red: RED): void {
  function XeroConnectionWatchNode(this: RuntimeNode, config: NodeConfig): void {
    red.nodes.createNode(this, config);
    const conn = connectionOf(red, config);
    const amount = Number(config.interval);
    const unit: Unit = typeof config.intervalUnits === 'string' && config.intervalUnits in UNIT_MS ? (config.intervalUnits as Unit) : 'minutes';
    const periodMs = Math.min(MAX_TIMER_MS, Number.isFinite(amount) && amount > 0 ? amount * UNIT_MS[unit] : 5 * UNIT_MS.minutes);
    const emitEveryPoll = config.emitEveryPoll === true || config.emitEveryPoll === 'true';
    const ownTenant = typeof config.tenantId === 'string' ? config.tenantId.trim() : '';
    const tenantId = () => ownTenant || (conn?.settings.tenantId ?? '');
    const context = this.context();
    const remembered = context.get('watchState');
    let state: WatchState | null = isWatchState(remembered) ? remembered : null;
    const rememberedTenants = context.get('tenantState');
    let tenantState: TenantWatchState | null = isTenantWatchState(rememberedTenants) ? rememberedTenants : null;
    const rememberedBudget = context.get('budgetState');
    let budgetState: BudgetWatchState | null = rememberedBudget && typeof rememberedBudget === 'object' ? (rememberedBudget as BudgetWatchState) : null;
    const only = listOf(config.organisations);
    const watched = watchFilter(only);
    const probe = config.probeOrganisations !== false && config.probeOrganisations !== 'false';
    const warnPercent = Number(config.budgetWarnPercent);
    const budgetPolicy = {
      ...runtimeOptions(red).budget,
      ...(Number.isFinite(warnPercent) && warnPercent > 0 && warnPercent < 100 && config.budgetWarnPercent !== '' ? { warnFraction: warnPercent / 100 } : {}),
    };
    let timer: NodeJS.Timeout | null = null;
    let closed = false;
    /** Polls run one at a time: an input while the timer's poll runs waits for it. */
    let queue: Promise<void> = Promise.resolve();

    const pollOnce = async (): Promise<void> => {
      let { result, fix } = await checkThrough(conn, tenantId());
      let denied = await deniedOrganisations(result);
      // Xero refusing every organisation is most likely the whole grant gone (revoked, the token still inside its 30 minutes):
      // a rotation tells, so that is one connection-wide message and not one per organisation.
      // Only on the change: an organisation that stays refused costs no rotation per poll.
      if (
        conn &&
        denied.length > 0 &&
        denied.length === result.tenants.length &&
        denied.some((d) => tenantState?.tenants[d.tenantId]?.state !== 'unreachable')
      ) {
        await conn.forceRefresh().catch(() => undefined);
        ({ result, fix } = await checkThrough(conn, tenantId()));
        denied = await deniedOrganisations(result);
      }
      if (closed) return;
      const { event, state: next } = detectStateChange(state, result, { emitEveryPoll });
      state = next;
      context.set('watchState', next);
      const dot = statusForResult(result, fix);
      this.status({ ...dot, text: shortStatus(`${dot.text} (${new Date().toISOString().slice(11, 19)})`) });
      if (event)
        this.send({
          topic: `xero/connection/${event.kind}`,
          payload: { ...alertOf(red, result, event, conn), organisations: organisationsOf(result, tenantState) },
        });
      if (!conn) return;
      for (const change of organisationChanges(result, denied))
        this.send({ topic: `xero/organisation/${change.kind}`, payload: organisationAlertOf(red, change, conn) });
      const names = Object.fromEntries(result.tenants.map((t) => [t.tenantId, t.tenantName]));
      const budgets = detectBudgetChanges(budgetState, conn.budgets(), {
        now: Date.parse(result.checkedAt),
        policy: budgetPolicy,
        names,
        only: (id) => watched({ tenantId: id, tenantName: names[id] ?? null }),
      });
      budgetState = budgets.state;
      context.set('budgetState', budgets.state);
      for (const change of budgets.events) this.send({ topic: `xero/organisation/${change.kind}`, payload: budgetAlertOf(change, conn) });
    };

    /** Organisations listed but refused (403): the check's own tenant from its result, the others by a probe (never into a reserve). */
    const deniedOrganisations = async (result: CheckResult): Promise<DeniedTenant[]> => {
      const denied: DeniedTenant[] = [];
      const checked = tenantId();
      if (checked && result.problem?.category === 'tenant_access_denied' && result.tenants.some((t) => t.tenantId === checked)) {
        denied.push({ tenantId: checked, reason: result.problem.summary });
      }
      if (probe && conn && result.tenants.length > 0) {
        // The check already read its own tenant's Organisation: no second call for it.
        const probed = await conn
          .probe(
            result.tenants,
            (id) => id !== checked && watched({ tenantId: id, tenantName: result.tenants.find((t) => t.tenantId === id)?.tenantName ?? null }),
          )
          .catch(() => null);
        if (probed) denied.push(...probed.denied);
      }
      return denied;
    };

    /** The core's per-organisation change detector; the connection-wide message already says the whole connection was lost or is back. */
    const organisationChanges = (result: CheckResult, denied: DeniedTenant[]): TenantChangeEvent[] => {
      const { events, state: next } = detectTenantChanges(
        tenantState,
        { status: result.status, checkedAt: result.checkedAt, tenants: result.tenants, reason: result.reason, denied },
        { only },
      );
      tenantState = next;
      context.set('tenantState', next);
      return events.filter((e) => e.kind !== 'connection_lost' && e.kind !== 'connection_restored');
    };

    const poll = (): Promise<void> => {
      queue = queue.then(pollOnce).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.error(conn ? conn.scrub(message) : message);
      });
      return queue;
    };

    const schedule = (): void => {
      if (closed) return;
      timer = setTimeout(() => {
        void poll().then(schedule);
      }, periodMs);
    };

    showInitialStatus(this, conn);
    if (config.checkOnStart !== false && config.checkOnStart !== 'false') void poll().then(schedule);
    else schedule();

    this.on('input', (_msg, _send, done) => {
      void poll().then(() => done());
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      if (timer) clearTimeout(timer);
      queue.then(done, done);
    });
  }

  red.nodes.registerType('xero connection watch', XeroConnectionWatchNode);
};

/** The organisations a connection-wide message is about: those listed now, else those it reached when last seen. */
function organisationsOf(result: CheckResult, known: TenantWatchState | null): Array<{ tenantId: string; tenantName: string | null }> {
  if (result.tenants.length > 0) return result.tenants.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName }));
  return Object.values(known?.tenants ?? {})
    .filter((t) => t.state !== 'disconnected')
    .map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName }));
}

function listOf(value: unknown): string[] {
  const raw = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : '';
  return raw
    .split(/[,\n]/)
    .map((w) => w.trim())
    .filter((w) => w !== '');
}

/** The organisations a watch limited to some is about (ids or names, case-insensitive), as the core's detector reads them. */
function watchFilter(only: string[]): (tenant: { tenantId: string; tenantName: string | null }) => boolean {
  const set = new Set(only.map((w) => w.toLowerCase()));
  if (set.size === 0) return () => true;
  return (t) => set.has(t.tenantId.toLowerCase()) || (t.tenantName !== null && set.has(t.tenantName.trim().toLowerCase()));
}

function connectionOfAlert(connection: ConnectionHandle): { id: string; name: string | null } {
  return { id: connection.id, name: connection.name || connection.settings.name || null };
}

/** One organisation's change: which, what happened, and (when a person must act) how to reconnect it. */
function organisationAlertOf(red: RED, change: TenantChangeEvent, connection: ConnectionHandle): Record<string, unknown> {
  const org = change.tenantName ?? change.tenantId ?? 'an organisation';
  const who = connectionOfAlert(connection);
  const label = who.name ?? who.id;
  const lost = change.kind === 'organisation_disconnected' || change.kind === 'organisation_unreachable';
  const summary =
    change.kind === 'organisation_added'
      ? `${org} is now connected through "${label}".`
      : change.kind === 'organisation_recovered'
        ? `${org} is reachable again through "${label}".`
        : `${org} can no longer be reached through "${label}": ${change.reason ?? 'Xero refused it.'}`;
  return {
    event: change,
    organisation: { tenantId: change.tenantId, tenantName: change.tenantName },
    connection: who,
    summary,
    advice: lost ? `${NODE_RED_WORDS.reconnect} and tick ${org} at Xero; if it was disconnected on purpose, nothing needs doing.` : null,
    reconnect: lost
      ? { how: `Open the xero-connection node "${label}" in the Node-RED editor and click "Connect to Xero".`, url: `${editorUrl(red)}/#node/${connection.id}` }
      : null,
  };
}

/** A call-budget crossing: the organisation, what is left, and what it means. */
function budgetAlertOf(change: BudgetEvent, connection: ConnectionHandle): Record<string, unknown> {
  const org = change.tenantName ?? change.tenantId;
  const left = change.dayRemaining === null ? 'few' : String(change.dayRemaining);
  const of = change.dayLimit === null ? '' : ` of ${change.dayLimit}`;
  return {
    event: change,
    organisation: { tenantId: change.tenantId, tenantName: change.tenantName },
    connection: connectionOfAlert(connection),
    summary: change.kind === 'budget_low' ? `${org} has ${left}${of} Xero API calls left today.` : `${org} has ${left}${of} Xero API calls left today again.`,
    advice:
      change.kind === 'budget_low'
        ? 'Xero answers 429 once none are left (the day rolls over 24 hours). Spread or reduce calls (bigger pages, where filters, If-Modified-Since); checks stop spending the last calls.'
        : null,
  };
}

/** The alert a state change sends: the check result, what changed, and how a person reconnects. */
function alertOf(red: RED, result: CheckResult, event: StateChangeEvent, connection: ConnectionHandle | null): Record<string, unknown> {
  const problem = result.problem ?? null;
  const name = connection ? connection.name || connection.settings.name || null : null;
  return {
    ...result,
    event,
    connection: connection ? { id: connection.id, name } : null,
    summary: problem ? problem.summary : result.reason,
    advice: problem ? problem.advice : null,
    reconnect:
      problem && problem.action === 'reauthenticate' && connection
        ? {
            how: `Open the xero-connection node "${connection.name || connection.id}" in the Node-RED editor and click "Connect to Xero".`,
            url: `${editorUrl(red)}/#node/${connection.id}`,
          }
        : null,
  };
}
