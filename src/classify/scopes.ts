/**
 * Which granted Xero scope covers which required one, so the classifier says "a scope is missing" only
 * when one is: a read-write scope covers its `.read` form, and the broad scopes of apps created before
 * 2 March 2026 cover the granular ones that replaced them (`accounting.transactions` covers
 * `accounting.invoices`, `accounting.reports.read` covers `accounting.reports.balancesheet.read`).
 */

/** The granular scopes of 2026 and the broad scope each replaced. */
const REPLACED_BY_GRANULAR: Readonly<Record<string, string>> = {
  'accounting.invoices': 'accounting.transactions',
  'accounting.payments': 'accounting.transactions',
  'accounting.banktransactions': 'accounting.transactions',
  'accounting.manualjournals': 'accounting.transactions',
};

const GRANULAR_REPORT = /^accounting\.reports\.[a-z]+\.read$/;

/** True when the granted scopes include `required` or a scope that covers it. */
export function isCovered(granted: ReadonlySet<string>, required: string): boolean {
  if (granted.has(required)) return true;
  const readOnly = required.endsWith('.read');
  const base = readOnly ? required.slice(0, -'.read'.length) : required;
  if (readOnly && granted.has(base)) return true;
  const broad = REPLACED_BY_GRANULAR[base];
  if (broad !== undefined && (granted.has(broad) || (readOnly && granted.has(`${broad}.read`)))) return true;
  return GRANULAR_REPORT.test(required) && granted.has('accounting.reports.read');
}
