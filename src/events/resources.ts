import { fromXeroDate } from '../xero/accounting';

/**
 * The Accounting API resources events are about: where each lives, its ID field, how it can be
 * read by ID. One place for it, used by the record fetch, the poller and the catch-up sweep.
 */
export interface ResourceInfo {
  /** Below api.xro/2.0. */
  path: string;
  idField: string;
  /**
   * How records are read by ID in one call (xero_accounting.yaml): `IDs=` on Contacts and Invoices;
   * CreditNotes take no IDs, so a `where` of CreditNoteID==Guid("...") alternatives; null when the
   * Accounting API cannot read it (subscriptions live in the App Store API).
   */
  byIds: 'IDs' | 'where' | null;
  /** Extra query on every read (contacts: archived ones too, since archiving is an UPDATE event). */
  query?: Record<string, string | boolean>;
}

export const CATEGORY_RESOURCES: Record<string, ResourceInfo | undefined> = {
  CONTACT: { path: 'Contacts', idField: 'ContactID', byIds: 'IDs', query: { includeArchived: true } },
  INVOICE: { path: 'Invoices', idField: 'InvoiceID', byIds: 'IDs' },
  CREDITNOTE: { path: 'CreditNotes', idField: 'CreditNoteID', byIds: 'where' },
};

/**
 * `IDs=` is limited by URL length, not by a documented count: about 52 GUIDs fit (Xero-OpenAPI#534),
 * so 50 per call. A where alternative is about 75 encoded characters, so 20 of those per call.
 */
export const IDS_PER_CALL = 50;
export const WHERE_IDS_PER_CALL = 20;

/** What the poller can watch: the resources the issue lists, each with If-Modified-Since and `order` (xero_accounting.yaml). */
export const WATCHES = {
  sales_invoices: { path: 'Invoices', idField: 'InvoiceID', where: 'Type=="ACCREC"' },
  bills: { path: 'Invoices', idField: 'InvoiceID', where: 'Type=="ACCPAY"' },
  payments: { path: 'Payments', idField: 'PaymentID' },
  bank_transactions: { path: 'BankTransactions', idField: 'BankTransactionID' },
  credit_notes: { path: 'CreditNotes', idField: 'CreditNoteID' },
  contacts: { path: 'Contacts', idField: 'ContactID', query: { includeArchived: true } },
  quotes: { path: 'Quotes', idField: 'QuoteID' },
  purchase_orders: { path: 'PurchaseOrders', idField: 'PurchaseOrderID' },
  manual_journals: { path: 'ManualJournals', idField: 'ManualJournalID' },
  items: { path: 'Items', idField: 'ItemID' },
} as const satisfies Record<string, { path: string; idField: string; where?: string; query?: Record<string, string | boolean> }>;
export type WatchName = keyof typeof WATCHES;
export const WATCH_NAMES = Object.keys(WATCHES) as WatchName[];

/** The record's ID (lower case: Xero's GUIDs are case-insensitive), or null. */
export function recordId(record: unknown, idField: string): string | null {
  const value = isObject(record) ? record[idField] : undefined;
  return typeof value === 'string' && value !== '' ? value.toLowerCase() : null;
}

/**
 * A record's UpdatedDateUTC as epoch ms, whichever form the client gave: ISO 8601 (the client's
 * default) or Xero's `/Date(ms+0000)/` (dates: 'raw').
 */
export function updatedAt(record: unknown): number | null {
  const value = isObject(record) ? record.UpdatedDateUTC : undefined;
  if (typeof value !== 'string') return null;
  const iso = value.startsWith('/Date(') ? fromXeroDate(value) : value;
  if (iso === undefined) return null;
  const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(iso) ? iso : `${iso}Z`);
  return Number.isFinite(ms) ? ms : null;
}

/** Sales or purchases: invoices by Type (ACCREC / ACCPAY), credit notes by Type (ACCRECCREDIT / ACCPAYCREDIT). */
export function directionOfType(type: unknown): 'sales' | 'purchases' | null {
  if (type === 'ACCREC' || type === 'ACCRECCREDIT') return 'sales';
  if (type === 'ACCPAY' || type === 'ACCPAYCREDIT') return 'purchases';
  return null;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}
