import { DateTime } from 'luxon';
import { fromXeroDate } from '../xero/accounting';

/**
 * The events bookkeepers ask for by name, as predicates over fetched records, each with its own
 * identity so it is emitted once (docs/design/events.md "Named events"):
 * - invoice_paid: a sales invoice that became PAID (read from invoice changes);
 * - quote_accepted: a quote that became ACCEPTED (read from quote changes);
 * - invoice_overdue: an authorised sales invoice with money due past its due date;
 * - bill_due: an authorised bill with money due on or before today (plus dueInDays).
 * Paid and accepted follow changes (If-Modified-Since). Overdue and due are states reached by the
 * calendar with no change to the record, so they are read by a query once a day (the first poll
 * after midnight in the organisation's time zone); an invoice is emitted once per due date, however
 * many days it stays overdue.
 */
export const NAMED_EVENTS = ['invoice_paid', 'invoice_overdue', 'bill_due', 'quote_accepted'] as const;
export type NamedEventName = (typeof NAMED_EVENTS)[number];

export interface NamedEventContext {
  /** Today in the organisation's time zone, yyyy-MM-dd. */
  today: string;
  /** bill_due: this many days ahead count as due (0: due today or earlier). */
  dueInDays: number;
  /** invoice_paid: invoices fully paid before this day are not news (an old paid invoice edited again). */
  paidSince: string;
}

export interface NamedEventSpec {
  mode: 'changes' | 'daily';
  path: 'Invoices' | 'Quotes';
  idField: string;
  /** What Xero filters for us (Quotes take Status, not where). */
  query(context: NamedEventContext): Record<string, string>;
  /** The same test on our side, whatever Xero filtered. */
  matches(record: Record<string, unknown>, context: NamedEventContext): boolean;
  /** Identity of this occurrence, without the organisation (the poller adds it). */
  key(record: Record<string, unknown>, id: string): string;
}

export const NAMED_EVENT_SPECS: Record<NamedEventName, NamedEventSpec> = {
  invoice_paid: {
    mode: 'changes',
    path: 'Invoices',
    idField: 'InvoiceID',
    query: () => ({ where: 'Type=="ACCREC" AND Status=="PAID"' }),
    matches: (r, c) => r.Type === 'ACCREC' && r.Status === 'PAID' && (calendarDate(r.FullyPaidOnDate) ?? c.today) >= c.paidSince,
    key: (r, id) => `paid:${id}:${calendarDate(r.FullyPaidOnDate) ?? '-'}`,
  },
  quote_accepted: {
    mode: 'changes',
    path: 'Quotes',
    idField: 'QuoteID',
    query: () => ({ Status: 'ACCEPTED' }),
    matches: (r) => r.Status === 'ACCEPTED',
    key: (_r, id) => `accepted:${id}`,
  },
  invoice_overdue: {
    mode: 'daily',
    path: 'Invoices',
    idField: 'InvoiceID',
    query: (c) => ({ where: `Type=="ACCREC" AND Status=="AUTHORISED" AND AmountDue>0 AND DueDate<${xeroDateTime(c.today)}` }),
    matches: (r, c) => r.Type === 'ACCREC' && r.Status === 'AUTHORISED' && amountDue(r) > 0 && (calendarDate(dueDateOf(r)) ?? c.today) < c.today,
    key: (r, id) => `overdue:${id}:${calendarDate(dueDateOf(r)) ?? '-'}`,
  },
  bill_due: {
    mode: 'daily',
    path: 'Invoices',
    idField: 'InvoiceID',
    query: (c) => ({ where: `Type=="ACCPAY" AND Status=="AUTHORISED" AND AmountDue>0 AND DueDate<=${xeroDateTime(addDays(c.today, c.dueInDays))}` }),
    matches: (r, c) =>
      r.Type === 'ACCPAY' && r.Status === 'AUTHORISED' && amountDue(r) > 0 && (calendarDate(dueDateOf(r)) ?? '9999-12-31') <= addDays(c.today, c.dueInDays),
    key: (r, id) => `due:${id}:${calendarDate(dueDateOf(r)) ?? '-'}`,
  },
};

/** yyyy-MM-dd of a Xero date in any form the client gives (ISO, DateString, `/Date(ms)/`); null if none. */
export function calendarDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const iso = value.startsWith('/Date(') ? fromXeroDate(value) : value;
  const m = iso ? /^(\d{4}-\d{2}-\d{2})/.exec(iso) : null;
  return m ? m[1] : null;
}

/** Today in `timeZone` (IANA), yyyy-MM-dd. */
export function dayIn(now: number, timeZone: string): string {
  return DateTime.fromMillis(now, { zone: timeZone }).toISODate() ?? DateTime.fromMillis(now, { zone: 'utc' }).toISODate() ?? '';
}

export function addDays(day: string, days: number): string {
  return DateTime.fromISO(day, { zone: 'utc' }).plus({ days }).toISODate() ?? day;
}

/** DueDateString is the organisation's calendar date; DueDate is the same date at midnight UTC. */
function dueDateOf(record: Record<string, unknown>): unknown {
  return record.DueDateString ?? record.DueDate;
}

function amountDue(record: Record<string, unknown>): number {
  return typeof record.AmountDue === 'number' ? record.AmountDue : Number(record.AmountDue ?? 0) || 0;
}

function xeroDateTime(day: string): string {
  const [y, m, d] = day.split('-');
  return `DateTime(${y},${m},${d})`;
}

export function isNamedEvent(value: unknown): value is NamedEventName {
  return typeof value === 'string' && (NAMED_EVENTS as readonly string[]).includes(value);
}
