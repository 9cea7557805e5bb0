import { EVENT_CATEGORIES, EVENT_TYPES, type XeroEvent } from './delivery';
import { EventsConfigError } from './errors';
import { directionOfType, isObject } from './resources';

/**
 * Which events a consumer wants. Everything but `direction` is decided from the event alone;
 * `direction` (sales or purchases) needs the invoice's Type, so for invoices it is decided after
 * the record is fetched. Credit note events carry their Type in `data`, so they are decided at once.
 */
export interface EventFilter {
  /** Default: every category. */
  categories?: readonly string[];
  /** Default: CREATE and UPDATE. */
  eventTypes?: readonly string[];
  /** Organisations (tenant IDs); default: all the app's. */
  tenantIds?: readonly string[];
  /**
   * Invoices and credit notes: 'sales' (ACCREC, ACCRECCREDIT), 'purchases' (bills: ACCPAY, and
   * ACCPAYCREDIT) or 'both' (default). Other categories are not affected.
   */
  direction?: 'sales' | 'purchases' | 'both';
}

/** Checks a filter the user wrote; the error names the option and what it takes. */
export function checkEventFilter(filter: EventFilter): EventFilter {
  const list = (name: string, value: unknown, allowed?: readonly string[]) => {
    if (value === undefined) return;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) {
      throw new EventsConfigError(`Event filter "${name}" must be a list of names${allowed ? ` from ${allowed.join(', ')}` : ''}.`);
    }
    const unknown = allowed ? value.filter((v: string) => !allowed.includes(v.toUpperCase())) : [];
    if (unknown.length > 0)
      throw new EventsConfigError(`Event filter "${name}" has ${unknown.map((u: string) => `"${u}"`).join(', ')}; Xero sends ${allowed?.join(', ')}.`);
  };
  list('categories', filter.categories, EVENT_CATEGORIES);
  list('eventTypes', filter.eventTypes, EVENT_TYPES);
  list('tenantIds', filter.tenantIds);
  if (filter.direction !== undefined && !['sales', 'purchases', 'both'].includes(filter.direction)) {
    throw new EventsConfigError(`Event filter "direction" must be "sales", "purchases" or "both" (got ${JSON.stringify(filter.direction)}).`);
  }
  return filter;
}

/** 'yes', 'no', or 'record' when only the record's Type can tell (an invoice under a direction filter). */
export function matchEvent(filter: EventFilter, event: XeroEvent): 'yes' | 'no' | 'record' {
  const has = (list: readonly string[] | undefined, value: string) => !list || list.length === 0 || list.some((v) => v.toUpperCase() === value.toUpperCase());
  if (!has(filter.categories, event.eventCategory) || !has(filter.eventTypes, event.eventType)) return 'no';
  if (filter.tenantIds && filter.tenantIds.length > 0 && !filter.tenantIds.some((t) => t.toLowerCase() === event.tenantId.toLowerCase())) return 'no';
  if (!filter.direction || filter.direction === 'both') return 'yes';
  if (event.eventCategory === 'CREDITNOTE' && event.data?.Type) return directionOfType(event.data.Type) === filter.direction ? 'yes' : 'no';
  if (event.eventCategory === 'INVOICE' || event.eventCategory === 'CREDITNOTE') return 'record';
  return 'yes';
}

/**
 * After the fetch: does the record's Type fit the direction? A record that could not be read (not
 * found, budget, error) is let through with its reason, so nothing is dropped on a guess.
 */
export function matchRecord(filter: EventFilter, record: unknown): boolean {
  if (!filter.direction || filter.direction === 'both' || !isObject(record)) return true;
  const direction = directionOfType(record.Type);
  return direction === null || direction === filter.direction;
}
