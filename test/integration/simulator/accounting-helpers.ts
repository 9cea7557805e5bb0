import { ManualClock } from '../../../src/clock';
import { DEMO_TENANT_ID, startSimulator, type Simulator } from '../../../src/simulator';

export type { XeroProblem } from './helpers';

export const START = Date.UTC(2026, 3, 1, 9, 0, 0);

/** Every scope the Accounting API routes ask for: broad ones, as an app from before March 2026 holds. */
export const ACCOUNTING_SCOPES = [
  'offline_access',
  'accounting.transactions',
  'accounting.contacts',
  'accounting.settings',
  'accounting.attachments',
  'accounting.journals.read',
  'accounting.reports.read',
];

export async function accountingSim(): Promise<{ sim: Simulator; clock: ManualClock; token: string }> {
  const clock = new ManualClock(START);
  const sim = await startSimulator({ clock });
  const token = sim.seedGrant({ scopes: ACCOUNTING_SCOPES }).access_token;
  return { sim, clock, token };
}

/**
 * One answer read whole. `json` is the body parsed (undefined when it is not JSON), typed as `T`: the
 * shape the caller expects, usually the body of a success; an error's body is read with another `T`.
 */
export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
  bytes: Buffer;
}

/** Any record of the Accounting API: the fields a test reads are named where it reads them. */
export type WireRecord = Record<string, unknown>;

/** A paged list's `pagination`. */
export interface Pagination {
  page: number;
  pageSize: number;
  pageCount: number;
  itemCount: number;
}

/** An Accounting API list or batch as Xero answers it (`{ Invoices: [...] }`), with `pagination` when paged. */
export type Envelope<K extends string, T = WireRecord> = { [P in K]: T[] } & { pagination?: Pagination };

/** One element's validation errors, in a batch answered with summarizeErrors=false or in a refusal's Elements. */
export interface ValidationErrors {
  ValidationErrors: Array<{ Message: string }>;
}

export interface WireContact {
  ContactID: string;
  Name: string;
  StatusAttributeString?: string;
  HasValidationErrors?: boolean;
  ValidationErrors?: Array<{ Message: string }>;
  UpdatedDateUTC: string;
  [field: string]: unknown;
}

export interface WireInvoice {
  InvoiceID: string;
  InvoiceNumber: string;
  Type: string;
  Status: string;
  Date: string;
  Total: number;
  AmountDue: number;
  Contact: { ContactID: string; Name: string };
  /** Left out of unpaged lists and summaryOnly pages. */
  LineItems?: Array<{ TaxType?: string; [field: string]: unknown }>;
  Payments?: WireRecord[];
  StatusAttributeString?: string;
  UpdatedDateUTC: string;
  [field: string]: unknown;
}

export interface WireAccount {
  AccountID: string;
  Type: string;
  [field: string]: unknown;
}

export interface WireJournal {
  JournalNumber: number;
  SourceType: string;
  JournalLines: Array<{ AccountCode: string; NetAmount: number; [field: string]: unknown }>;
  [field: string]: unknown;
}

/** A row of a report: a header, a section (with rows of its own) or a row of cells. */
export interface ReportRow {
  RowType: string;
  Title?: string;
  Cells: Array<{ Value: string }>;
  Rows: ReportRow[];
}

export interface WireReport {
  Rows: ReportRow[];
  [field: string]: unknown;
}

/** A 400 with Xero's validation errors, or a 400 QueryParseException. */
export interface XeroValidationError {
  Type: string;
  Message: string;
  Elements: ValidationErrors[];
}

/** One Accounting API call as any HTTP client would make it. */
export async function xero<T = unknown>(
  sim: Simulator,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  tenantId = DEMO_TENANT_ID,
): Promise<Answer<T>> {
  const init: RequestInit = {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'xero-tenant-id': tenantId,
      accept: 'application/json',
      ...(body !== undefined && !Buffer.isBuffer(body) ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
  };
  if (body !== undefined) init.body = Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body);
  return answerOf<T>(await fetch(`${sim.apiUrl}/api.xro/2.0/${path}`, init));
}

/** An answer read whole: its bytes, as text, and as JSON when it is JSON. */
export async function answerOf<T = unknown>(res: Response): Promise<Answer<T>> {
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json: json as T, bytes };
}
