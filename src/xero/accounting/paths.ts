/**
 * Paths below https://api.xero.com/api.xro/2.0/ and what Xero's answers at them look like.
 */
export const ACCOUNTING_BASE_PATH = '/api.xro/2.0';

/**
 * Endpoints that take `page` (and, since 2025, `pageSize` up to 1,000): the GET operations of
 * xero_accounting.yaml that declare components.parameters.page/pageSize (BankTransactions,
 * Contacts, CreditNotes, Invoices, ManualJournals, Overpayments, Payments, Prepayments,
 * PurchaseOrders; Quotes declares `page`). Anything else ignores `page` and answers everything at
 * once, so paging it would fetch the same list forever.
 */
export const PAGED_ENDPOINTS: ReadonlySet<string> = new Set([
  'banktransactions',
  'contacts',
  'creditnotes',
  'invoices',
  'manualjournals',
  'overpayments',
  'payments',
  'prepayments',
  'purchaseorders',
  'quotes',
]);

/** The reports the core supports (`Reports/<name>`): the node offers them and the simulator builds them. */
export const XERO_REPORTS = [
  'ProfitAndLoss',
  'BalanceSheet',
  'TrialBalance',
  'AgedReceivablesByContact',
  'AgedPayablesByContact',
  'BankSummary',
  'BudgetSummary',
  'ExecutiveSummary',
] as const;
export type XeroReportName = (typeof XERO_REPORTS)[number];

/** Xero's default page size, and the most `pageSize` takes (developer.xero.com "Paging": up to 1,000). */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** Journals page by `offset` (the last JournalNumber seen), 100 at a time (xero_accounting.yaml getJournals). */
export const JOURNALS_BATCH = 100;

/** Segments URL-encoded one by one; `..`, `.` and empty segments refused, so a path cannot leave api.xro/2.0. */
export function accountingPath(path: string | readonly string[]): { segments: string[]; encoded: string } {
  if (typeof path !== 'string') return literalSegments(path, ACCOUNTING_BASE_PATH);
  let p = path.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(p) || p.startsWith('//'))
    throw new RangeError(`path "${clip(path)}" must be relative to api.xro/2.0 (e.g. Invoices or Invoices/<InvoiceID>), not a URL`);
  p = p.replace(/^\/+/, '');
  if (p.toLowerCase().startsWith('api.xro/2.0/')) p = p.slice('api.xro/2.0/'.length);
  if (p.includes('?') || p.includes('#'))
    throw new RangeError(`path "${clip(path)}" must not carry a query: pass where, order, page and the rest as query options`);
  const segments = p.replace(/\/+$/, '').split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..'))
    throw new RangeError(`path "${clip(path)}" is not a valid Xero path (empty, "." or ".." segment)`);
  return { segments, encoded: `${ACCOUNTING_BASE_PATH}/${segments.map((s) => encodeURIComponent(s)).join('/')}` };
}

/**
 * A path from api.xero.com itself (Payroll, Assets, Projects, Files, /connections): the same
 * segment rules as accountingPath, without the Accounting prefix.
 */
export function rootPath(path: string | readonly string[]): { segments: string[]; encoded: string } {
  if (typeof path !== 'string') return literalSegments(path, '');
  const p = path.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(p) || p.startsWith('//'))
    throw new RangeError(`path "${clip(path)}" must be a path on api.xero.com (e.g. /payroll.xro/2.0/Employees), not a URL`);
  if (p.includes('?') || p.includes('#')) throw new RangeError(`path "${clip(path)}" must not carry a query: pass query options instead`);
  const segments = p.replace(/^\/+/, '').replace(/\/+$/, '').split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..'))
    throw new RangeError(`path "${clip(path)}" is not a valid Xero path (empty, "." or ".." segment)`);
  return { segments, encoded: `/${segments.map((s) => encodeURIComponent(s)).join('/')}` };
}

/**
 * A path given as its segments, each taken literally (a file name may hold `#`, `?` or a space): encoded
 * here, and only `..`, `.` and empty segments refused.
 */
function literalSegments(path: readonly string[], base: string): { segments: string[]; encoded: string } {
  const segments = path.map(String);
  if (segments.length === 0 || segments.some((s) => s === '' || s === '.' || s === '..'))
    throw new RangeError(`path "${clip(segments.join('/'))}" is not a valid Xero path (empty, "." or ".." segment)`);
  return { segments, encoded: `${base}/${segments.map((s) => encodeURIComponent(s)).join('/')}` };
}

export function isPagedEndpoint(segments: readonly string[]): boolean {
  return segments.length === 1 && PAGED_ENDPOINTS.has((segments[0] ?? '').toLowerCase());
}

export function isJournals(segments: readonly string[]): boolean {
  return segments.length === 1 && (segments[0] ?? '').toLowerCase() === 'journals';
}

const SPECIAL_ENVELOPES: Record<string, string> = {
  organisation: 'Organisations',
  history: 'HistoryRecords',
  onlineinvoice: 'OnlineInvoices',
  allocations: 'Allocations',
};

/** The array in an answer that holds the records: `{"Invoices":[...]}` for Invoices, `HistoryRecords` for .../History. */
export function recordsOf(body: unknown, segments: readonly string[], envelope?: string): unknown[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return Array.isArray(body) ? body : [];
  const record = body as Record<string, unknown>;
  if (envelope !== undefined) {
    const named = record[envelope];
    return Array.isArray(named) ? named : [];
  }
  const named = [...segments].reverse().find((s) => !/^[0-9a-f-]{36}$/i.test(s)) ?? '';
  const wanted = SPECIAL_ENVELOPES[named.toLowerCase()] ?? named;
  for (const [key, value] of Object.entries(record)) if (key.toLowerCase() === wanted.toLowerCase() && Array.isArray(value)) return value;
  for (const [key, value] of Object.entries(record)) if (key !== 'Warnings' && Array.isArray(value)) return value;
  return [];
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
