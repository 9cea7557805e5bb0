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

/**
 * A path below api.xro/2.0: `Invoices/<InvoiceID>` (text, split at each `/`) or its segments, each taken
 * literally (`['Invoices', id, 'Attachments', 'a #1.pdf']`). A leading `api.xro/2.0` is dropped (the
 * client adds it), so a path copied from Xero's documentation works either way.
 */
export function accountingPath(path: string | readonly string[]): { segments: string[]; encoded: string } {
  const segments = segmentsOf(path, 'relative to api.xro/2.0 (e.g. Invoices or Invoices/<InvoiceID>)');
  if (segments[0]?.toLowerCase() === 'api.xro' && segments[1] === '2.0') segments.splice(0, 2);
  return encodePath(ACCOUNTING_BASE_PATH, segments);
}

/** A path from api.xero.com itself (Payroll, Assets, Projects, Files, /connections): the same rules, without the Accounting prefix. */
export function rootPath(path: string | readonly string[]): { segments: string[]; encoded: string } {
  return encodePath('', segmentsOf(path, 'a path on api.xero.com (e.g. /payroll.xro/2.0/Employees)'));
}

/** A base path of one of Xero's APIs below api.xero.com: `/payroll.xro/2.0`, `/files.xro/1.0` (the operation table's basePath). */
const API_BASE_PATH = /^\/[a-z]+\.xro\/\d+(?:\.\d+)?$/;

/**
 * A path below another Xero API's base path (`/payroll.xro/2.0`, `/projects.xro/2.0`, from the operation
 * table): the same rules as accountingPath, a leading copy of the base path dropped the same way.
 */
export function apiPath(basePath: string, path: string | readonly string[]): { segments: string[]; encoded: string } {
  if (!API_BASE_PATH.test(basePath)) throw new RangeError(`"${clip(basePath)}" is not the base path of a Xero API (such as /payroll.xro/2.0)`);
  const segments = segmentsOf(path, `relative to ${basePath} (e.g. Employees or Employees/<EmployeeID>)`);
  const base = basePath.split('/').slice(1);
  if (segments.length > base.length && base.every((b, i) => segments[i]?.toLowerCase() === b.toLowerCase())) segments.splice(0, base.length);
  return encodePath(basePath, segments);
}

function segmentsOf(path: string | readonly string[], what: string): string[] {
  if (typeof path !== 'string') return path.map(String);
  const p = path.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(p) || p.startsWith('//')) throw new RangeError(`path "${clip(path)}" must be ${what}, not a URL`);
  if (p.includes('?') || p.includes('#'))
    throw new RangeError(`path "${clip(path)}" must not carry a query: pass where, order, page and the rest as query options`);
  return p.replace(/^\/+/, '').replace(/\/+$/, '').split('/');
}

/**
 * Why a text cannot be one segment of a Xero path, or null when it can. An ID or a file name is one
 * segment: a `/` in it would add a level, and an empty, `.` or `..` segment would leave the API.
 */
export function pathSegmentProblem(segment: string): string | null {
  if (segment === '') return 'it has an empty segment (an ID or file name left empty, or two "/" in a row)';
  if (segment === '.' || segment === '..') return `a "${segment}" segment would step out of the Xero API`;
  if (segment.includes('/')) return `"${clip(segment)}" contains a "/", which a Xero path cannot carry inside an ID or file name`;
  return null;
}

/** The one place a Xero path is encoded: every segment checked, then URL-encoded once. */
function encodePath(prefix: string, segments: string[]): { segments: string[]; encoded: string } {
  if (segments.length === 0) throw new RangeError('the path is empty: name a Xero endpoint such as Invoices');
  for (const segment of segments) {
    const problem = pathSegmentProblem(segment);
    if (problem) throw new RangeError(`path "${clip(segments.join('/'))}" is not a valid Xero path: ${problem}`);
  }
  return { segments, encoded: `${prefix}/${segments.map((s) => encodeURIComponent(s)).join('/')}` };
}

/**
 * A path as typed in a URL (`/Invoices/<InvoiceID>/Attachments/my%20file.pdf`, as a Custom API Call takes it):
 * its segments, each percent-decoded once, for accountingPath or rootPath to encode again. A segment that
 * is not valid percent-encoding, or that decodes to something that is not one segment (`a%2Fb`), is refused.
 */
export function decodeUrlPath(path: string): string[] {
  return segmentsOf(path, "a path on Xero's API").map((segment) => {
    let plain: string;
    try {
      plain = decodeURIComponent(segment);
    } catch {
      throw new RangeError(`path segment "${clip(segment)}" is not valid percent-encoding (write a "%" as %25)`);
    }
    const problem = pathSegmentProblem(plain);
    if (problem) throw new RangeError(`path "${clip(path)}" is not a valid Xero path: ${problem}`);
    return plain;
  });
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
