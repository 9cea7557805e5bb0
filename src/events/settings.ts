/**
 * The rules both event hosts apply to what a user typed (n8n's Xero Guard Trigger, Node-RED's
 * `xero events`), kept here once; each host words the refusal with its own field names. The core's
 * own checks (checkEventFilter, checkSchedule) still guard the engine underneath.
 */
import { MINUTE } from '../clock';
import { NAMED_EVENTS, type NamedEventName } from './named-events';
import { WATCH_NAMES, type WatchName } from './resources';

/** A Xero id (tenant, record): a GUID. */
export const XERO_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A number setting above zero, or null for empty, zero, negative or not a number (the caller's default then applies). */
export function positiveSetting(v: unknown): number | null {
  const n = typeof v === 'number' ? v : Number(v);
  return v !== '' && v !== undefined && v !== null && Number.isFinite(n) && n > 0 ? n : null;
}

/** What a "watch" list names: resources to poll, named events, and the first name that is neither. */
export function splitWatches(chosen: readonly string[]): { watches: WatchName[]; named: NamedEventName[]; unknown: string | undefined } {
  const watches = chosen.filter((w): w is WatchName => (WATCH_NAMES as readonly string[]).includes(w));
  const named = chosen.filter((w): w is NamedEventName => (NAMED_EVENTS as readonly string[]).includes(w));
  const unknown = chosen.find((w) => !watches.includes(w as WatchName) && !named.includes(w as NamedEventName));
  return { watches, named, unknown };
}

/** Which poll setting is wrong: the interval under a minute (Xero allows 60 calls a minute per organisation), or a ceiling under the interval. */
export function pollWindowProblem(intervalMs: number, ceilingMs: number): 'interval' | 'ceiling' | null {
  if (intervalMs < MINUTE) return 'interval';
  if (ceilingMs < intervalMs) return 'ceiling';
  return null;
}
