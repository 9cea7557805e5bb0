/**
 * What a `xero events` node's editor fields mean, as plain values, and the first thing wrong with
 * them in the editor's words; and which organisations it hears.
 */
import { MINUTE } from '../../src/clock';
import {
  CATCH_UP_CATEGORIES,
  EventsConfigError,
  NAMED_EVENTS,
  WATCH_NAMES,
  XERO_GUID,
  pollWindowProblem,
  positiveSetting as positive,
  splitWatches,
  type EventFilter,
  type NamedEventName,
  type WatchName,
} from '../../src/events';
import type { ConnectionHandle } from './connection-handle';
import { ROUTE_PATH } from './events-route';
import type { NodeConfig } from './red';

export interface EventsSettings {
  mode: 'webhook' | 'poll';
  /** Tenant ids; empty: the connection's tenant, else every organisation it reaches. */
  organisations: string[];
  /** webhook: the route to receive at ('' = this node only reads the app's inbox). */
  path: string;
  filter: EventFilter;
  fetch: boolean;
  /** 0: no catch-up sweep. */
  catchUpMinutes: number;
  watches: WatchName[];
  named: NamedEventName[];
  intervalMs: number;
  ceilingMs: number;
  backfillFrom: string;
  timeZone: string;
  dueInDays: number;
  /** '' = the default context store. */
  contextStore: string;
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v.join(',') : text(v))
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
const flag = (v: unknown, fallback: boolean): boolean => (v === undefined || v === '' ? fallback : v === true || v === 'true');

export function readEventsSettings(config: NodeConfig): EventsSettings {
  const mode = config.mode === 'poll' ? 'poll' : 'webhook';
  const organisations = list(config.organisations);
  const notGuid = organisations.find((o) => !XERO_GUID.test(o));
  if (notGuid)
    throw new EventsConfigError(
      `Organisations: "${notGuid.slice(0, 60)}" is not a tenant id (a UUID); list tenant ids separated by commas, or leave it empty for all.`,
    );
  const path = text(config.path);
  if (mode === 'webhook' && path !== '' && !ROUTE_PATH.test(path)) {
    throw new EventsConfigError(
      `Receive at: "${path.slice(0, 60)}" is not a path; use one such as /xero/webhook (letters, digits, - _ . ~ /), or leave it empty to read another node's deliveries.`,
    );
  }
  const categories = config.categories === undefined ? [...CATCH_UP_CATEGORIES] : list(config.categories).map((c) => c.toUpperCase());
  const eventTypes = config.eventTypes === undefined ? ['CREATE', 'UPDATE'] : list(config.eventTypes).map((c) => c.toUpperCase());
  const direction = config.direction === 'sales' || config.direction === 'purchases' ? config.direction : 'both';
  const fetch = flag(config.fetch, true);
  const { watches, named, unknown } = splitWatches(list(config.watches));
  const intervalMs = (positive(config.interval) ?? 15) * MINUTE;
  const ceilingMs = (positive(config.ceiling) ?? intervalMs / MINUTE) * MINUTE;
  if (mode === 'webhook') {
    if (categories.length === 0 || eventTypes.length === 0) throw new EventsConfigError('Tick at least one category and one event type.');
    if (direction !== 'both' && !fetch) throw new EventsConfigError('Sales only or bills only needs the invoices themselves: tick "Read the records".');
  } else {
    if (unknown) throw new EventsConfigError(`Watch: "${unknown.slice(0, 60)}" cannot be polled; choose from ${[...WATCH_NAMES, ...NAMED_EVENTS].join(', ')}.`);
    if (watches.length + named.length === 0) throw new EventsConfigError('Watch: tick at least one resource or named event to poll.');
    const window = pollWindowProblem(intervalMs, ceilingMs);
    if (window === 'interval') throw new EventsConfigError('Poll every: at least 1 minute (Xero allows 60 calls a minute per organisation).');
    if (window === 'ceiling') throw new EventsConfigError('Slow down to: must be at least "Poll every".');
  }
  const catchUp = config.catchUp === undefined || config.catchUp === '' ? 60 : (positive(config.catchUp) ?? 0);
  return {
    mode,
    organisations,
    path,
    filter: { categories, eventTypes, ...(organisations.length > 0 ? { tenantIds: organisations } : {}), direction },
    fetch,
    catchUpMinutes: catchUp > 0 ? Math.max(1, catchUp) : 0,
    watches,
    named,
    intervalMs,
    ceilingMs,
    backfillFrom: text(config.backfillFrom),
    timeZone: text(config.timeZone),
    dueInDays: Math.floor(positive(config.dueInDays) ?? 0),
    contextStore: text(config.contextStore),
  };
}

/** The organisations to hear: the node's list, else the connection's tenant, else every organisation it reaches now. */
export async function tenantIdsOf(conn: ConnectionHandle, settings: EventsSettings): Promise<string[]> {
  if (settings.organisations.length > 0) return settings.organisations;
  if (conn.settings.tenantId) return [conn.settings.tenantId];
  const tenants = await conn.session.organisations();
  if (tenants.length === 0) throw new EventsConfigError('The xero-connection reaches no organisation: click "Connect to Xero" in it and tick at least one.');
  return tenants.map((t) => t.tenantId);
}
