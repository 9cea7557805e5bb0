/**
 * Xero's OAuth scopes: one table for every host, so n8n's credential and Node-RED's config node
 * offer the same list, with the same words, and ask for the same defaults. The list is every scope
 * Xero's OpenAPI documents name (the operation table, src/xero/operations) and the granular
 * Accounting scopes that replace the broad ones, each labelled with its API so an editor's sorted
 * list reads grouped by API. Apps created from 2 March 2026 must use the granular accounting scopes;
 * older apps may keep the broad ones until September 2027.
 *
 * Also the one place that says whether a chain's granted scopes admit an operation, and which scope
 * to name when they do not.
 */
import { isCovered } from '../classify/scopes';
import { acceptedScopes, XERO_APIS, xeroOperations, type XeroOperation } from '../xero/operations';

export interface XeroScope {
  value: string;
  /** The words an editor shows for it. */
  label: string;
  /** A broad scope, only for Xero apps created before March 2026. */
  broad?: true;
}

/** Always asked for with the authorization-code grant (a refresh token, and who connected); never offered. */
export const BASE_SCOPES: readonly string[] = ['offline_access', 'openid', 'profile', 'email'];

/** Each word of a scope name in a person's words; a scope with a word missing here is a new one to name (a unit test says which). */
export const SCOPE_WORDS: Readonly<Record<string, string>> = {
  attachments: 'Attachments',
  banktransactions: 'Bank Transactions',
  budgets: 'Budgets',
  contacts: 'Contacts',
  invoices: 'Invoices',
  journals: 'Journals',
  manualjournals: 'Manual Journals',
  payments: 'Payments',
  settings: 'Settings',
  transactions: 'Transactions',
  reports: 'Reports',
  aged: 'Aged',
  balancesheet: 'Balance Sheet',
  banksummary: 'Bank Summary',
  budgetsummary: 'Budget Summary',
  executivesummary: 'Executive Summary',
  profitandloss: 'Profit and Loss',
  taxreports: 'Tax',
  tenninetynine: '1099',
  trialbalance: 'Trial Balance',
  paymentservices: 'Payment Services',
  employees: 'Employees',
  payruns: 'Pay Runs',
  payslip: 'Payslips',
  timesheets: 'Timesheets',
  bankstatementsplus: 'Bank Statements Plus',
  cashvalidation: 'Cash Validation',
  statements: 'Financial Statements',
};

/** The group a scope's label starts with: the API that names it (Payroll AU, NZ and UK share one set). */
const GROUPS: ReadonlyArray<[RegExp, string]> = [
  [/^accounting\.|^paymentservices$/, 'Accounting'],
  [/^payroll\./, 'Payroll'],
  [/^finance\./, 'Finance'],
];

const word = (w: string): string => SCOPE_WORDS[w] ?? w.charAt(0).toUpperCase() + w.slice(1);

/** `accounting.reports.balancesheet.read` -> "Accounting: Report Balance Sheet (Read Only)"; `assets` -> "Assets". */
function labelOf(value: string, broad: boolean): string {
  const readOnly = value.endsWith('.read') ? ' (Read Only)' : '';
  const parts = value.replace(/\.read$/, '').split('.');
  const group = GROUPS.find(([pattern]) => pattern.test(value))?.[1];
  if (!group) return `${word(parts[0])}${readOnly}`;
  const rest = group === 'Accounting' && parts[0] === 'paymentservices' ? parts : parts.slice(1);
  // A granular report scope reads "Report Balance Sheet"; the broad one "Reports".
  const words = rest[0] === 'reports' && rest.length > 1 ? ['Report', ...rest.slice(1).map(word)] : rest.map(word);
  return `${broad ? 'Broad (Apps Before March 2026)' : group}: ${words.join(' ')}${readOnly}`;
}

/**
 * Scopes that granular ones replace: listed beside a granular successor, and never accepted alone (or
 * with only their own read or read-write form) by any operation.
 */
function broadScopes(): Set<string> {
  const stem = (s: string) => s.replace(/\.read$/, '');
  const replaced = new Set<string>();
  const alone = new Set<string>();
  for (const op of xeroOperations()) {
    const accepted = acceptedScopes(op);
    for (const s of op.scopes) {
      if (op.granularScopes?.length) replaced.add(s);
      if (accepted.every((other) => stem(other) === stem(s))) alone.add(s);
    }
  }
  return new Set([...replaced].filter((s) => !alone.has(s)));
}

function offeredScopes(): XeroScope[] {
  const broad = broadScopes();
  const values = new Set<string>([...XERO_APIS.flatMap((api) => api.scopes), ...xeroOperations().flatMap((op) => op.granularScopes ?? [])]);
  return [...values]
    .map((value): XeroScope => ({ value, label: labelOf(value, broad.has(value)), ...(broad.has(value) ? { broad: true as const } : {}) }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** The scopes an editor offers, sorted by label: every scope of the operation table, grouped by API in the label. */
export const XERO_SCOPES: readonly XeroScope[] = offeredScopes();

/** The words an editor shows for a scope (its value when the table does not name it). */
export function scopeLabel(value: string): string {
  return XERO_SCOPES.find((s) => s.value === value)?.label ?? value;
}

/** What a new connection asks for: the scopes n8n's own Xero credential asks for, so common workflows work. */
export const DEFAULT_XERO_SCOPES: readonly string[] = [
  'accounting.invoices',
  'accounting.payments',
  'accounting.banktransactions',
  'accounting.manualjournals',
  'accounting.attachments',
  'accounting.settings',
  'accounting.contacts',
];

/**
 * The scopes to ask for: the base ones (authorization-code grant only), the picked ones (with a
 * sign-in, the default set when none is picked: an emptied Scopes field never leaves only the
 * sign-in scopes) and any typed extras ("a b", "a,b" or a list), in that order, without duplicates.
 */
export function requestedScopes(picked: unknown, options: { base?: boolean; extra?: unknown } = {}): string[] {
  const words = (v: unknown): string[] =>
    (typeof v === 'string' ? v.split(/[\s,]+/) : Array.isArray(v) ? v.flatMap(words) : []).map((s) => s.trim()).filter(Boolean);
  const chosen = words(picked);
  const signIn = options.base !== false;
  // A Custom Connection (no sign-in) asking for nothing gets what its app was given at Xero: no default there.
  const picks = chosen.length > 0 || !signIn ? chosen : DEFAULT_XERO_SCOPES;
  return [...new Set([...(signIn ? BASE_SCOPES : []), ...picks, ...words(options.extra)])];
}

/**
 * The one scope to name for an operation: the granular one where Xero has replaced the broad scope
 * (apps created from March 2026 can ask for nothing else), the read-only one for a read.
 */
export function requiredScopeOf(op: XeroOperation): string {
  const candidates = op.granularScopes?.length ? op.granularScopes : op.scopes;
  const read = op.method === 'GET' ? candidates.find((s) => s.endsWith('.read')) : undefined;
  return read ?? candidates.find((s) => !s.endsWith('.read')) ?? candidates[0] ?? '';
}

/** Why a chain may not call an operation: the scope to add, and every other scope that would also do. */
export interface ScopeGap {
  needed: string;
  label: string;
  alternatives: string[];
}

/**
 * Whether the granted scopes admit the operation (any accepted scope, or one that covers it: a
 * read-write scope its `.read` form, a broad scope its granular successors), and if not, what to add.
 * An operation the documents give no scope to is always admitted.
 */
export function scopeGap(op: XeroOperation, granted: readonly string[]): ScopeGap | null {
  const accepted = acceptedScopes(op);
  if (accepted.length === 0) return null;
  const held = new Set(granted);
  if (accepted.some((s) => isCovered(held, s))) return null;
  const needed = requiredScopeOf(op);
  return { needed, label: scopeLabel(needed), alternatives: accepted.filter((s) => s !== needed) };
}

/** The scopes a connection asks for against those Xero granted it: what a check reports. */
export interface ScopeReport {
  /** What the connection asks Xero for (its Scopes field, the default set when empty). */
  requested: string[];
  /** What Xero granted the connection's current sign-in; null while unknown (not connected). */
  granted: string[] | null;
  /** Asked for but not granted (none covers it): workflows needing these fail until a reconnect grants them. */
  missing: string[];
}

/** Which requested scopes the grant lacks (a granted read-write scope covers its `.read` form, a broad one its granular successors). */
export function scopeReport(requested: readonly string[], granted: readonly string[] | null): ScopeReport {
  const held = new Set(granted ?? []);
  return { requested: [...requested], granted: granted ? [...granted] : null, missing: granted ? requested.filter((s) => !isCovered(held, s)) : [] };
}
