/**
 * What the Xero Guard Trigger's parameters mean, as plain values, and the first thing wrong with
 * them in the editor's words (the same rules Node-RED's `xero events` applies, over the same core
 * checks: checkEventFilter, the poller's watches and schedule).
 */
import { MINUTE } from '../../src/clock';
import {
  CATCH_UP_CATEGORIES,
  EventsConfigError,
  XERO_GUID,
  pollWindowProblem,
  positiveSetting as positive,
  splitWatches,
  type EventFilter,
  type NamedEventName,
  type WatchName,
} from '../../src/events';

export interface WebhookSettings {
  mode: 'webhook';
  /** Tenant ids; empty: every organisation. */
  organisations: string[];
  filter: EventFilter;
  fetch: boolean;
  /** 0: no catch-up sweep. */
  catchUpMinutes: number;
}

export interface PollSettings {
  mode: 'poll';
  /** Tenant ids; empty: every organisation the credential reaches. */
  organisations: string[];
  watches: WatchName[];
  named: NamedEventName[];
  intervalMs: number;
  ceilingMs: number;
  backfillFrom: string;
  timeZone: string;
  dueInDays: number;
}

export type TriggerSettings = WebhookSettings | PollSettings;

/** The node's parameters as n8n gives them (getNodeParameter), by name. */
export type ParameterReader = (name: string, fallback: unknown) => unknown;

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
/** A multiOptions value (an array), or the text an expression gave (separated by commas or spaces). */
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map((s) => String(s)) : text(v).split(/[,\s]+/)).map((s) => s.trim()).filter(Boolean);

export function readTriggerSettings(read: ParameterReader): TriggerSettings {
  const organisations = list(read('organisations', []));
  const notGuid = organisations.find((o) => !XERO_GUID.test(o));
  if (notGuid) {
    throw new EventsConfigError(
      `Organisations: "${notGuid.slice(0, 60)}" is not a tenant id (a UUID); choose organisations from the list, or leave it empty for all.`,
    );
  }
  if (read('mode', 'webhook') === 'poll') return readPoll(read, organisations);
  const categories = list(read('categories', [...CATCH_UP_CATEGORIES])).map((c) => c.toUpperCase());
  const eventTypes = list(read('eventTypes', ['CREATE', 'UPDATE'])).map((c) => c.toUpperCase());
  const rawDirection = read('invoiceDirection', 'both');
  const direction = rawDirection === 'sales' || rawDirection === 'purchases' ? rawDirection : 'both';
  const fetch = read('fetchRecords', true) !== false;
  if (categories.length === 0) throw new EventsConfigError('Categories: choose at least one (contacts, invoices, credit notes).');
  if (eventTypes.length === 0) throw new EventsConfigError('Event Types: choose created, updated or both.');
  if (direction !== 'both' && !fetch) {
    throw new EventsConfigError(
      'Invoices: telling sales invoices from bills needs the invoices themselves: turn on "Fetch Records", or choose "Sales and Bills".',
    );
  }
  const catchUp = read('catchUpMinutes', 60);
  const catchUpMinutes = catchUp === '' || catchUp === undefined ? 60 : (positive(catchUp) ?? 0);
  return {
    mode: 'webhook',
    organisations,
    filter: { categories, eventTypes, ...(organisations.length > 0 ? { tenantIds: organisations } : {}), direction },
    fetch,
    catchUpMinutes: catchUpMinutes > 0 ? Math.max(1, Math.round(catchUpMinutes)) : 0,
  };
}

function readPoll(read: ParameterReader, organisations: string[]): PollSettings {
  const { watches, named, unknown } = splitWatches(list(read('watch', ['sales_invoices'])));
  if (unknown) throw new EventsConfigError(`Watch: "${unknown.slice(0, 60)}" cannot be polled; choose from the list.`);
  if (watches.length + named.length === 0) throw new EventsConfigError('Watch: choose at least one resource or named event to poll.');
  const intervalMs = (positive(read('intervalMinutes', 15)) ?? 15) * MINUTE;
  const ceilingMs = (positive(read('ceilingMinutes', 60)) ?? intervalMs / MINUTE) * MINUTE;
  const window = pollWindowProblem(intervalMs, ceilingMs);
  if (window === 'interval') throw new EventsConfigError('Poll Every (Minutes): at least 1 (Xero allows 60 calls a minute per organisation).');
  if (window === 'ceiling') throw new EventsConfigError('Slow Down To (Minutes): must be at least "Poll Every (Minutes)".');
  return {
    mode: 'poll',
    organisations,
    watches,
    named,
    intervalMs,
    ceilingMs,
    backfillFrom: text(read('backfillFrom', '')),
    timeZone: text(read('timeZone', '')),
    dueInDays: Math.floor(positive(read('dueInDays', 0)) ?? 0),
  };
}

/** The id a trigger node reads and claims under: one per workflow and node, the same in every n8n process. */
export function consumerIdOf(workflowId: string | undefined, nodeId: string): string {
  return `n8n:${workflowId ?? 'unsaved'}:${nodeId}`;
}
