/** Scope rules the consent page and client_credentials enforce. */

const KNOWN_SCOPE =
  /^(openid|profile|email|offline_access|(accounting|payroll|files|assets|projects|bankfeeds|finance|paymentservices|app|marketplace|einvoicing)(\.[a-z]+)*)$/;

/** Broad scopes that apps created from 2 March 2026 may no longer ask for. */
const BROAD_SCOPES = new Set(['accounting.transactions', 'accounting.transactions.read', 'accounting.reports.read']);

export const splitScopes = (scope: string | undefined): string[] => (scope ?? '').split(/[\s+]+/).filter((s) => s.length > 0);

export type ScopeProblem = 'unknown' | 'broad' | 'empty';

export function scopeProblem(scopes: string[], granularOnly: boolean): ScopeProblem | undefined {
  if (scopes.length === 0) return 'empty';
  if (scopes.some((s) => !KNOWN_SCOPE.test(s))) return 'unknown';
  if (granularOnly && scopes.some((s) => BROAD_SCOPES.has(s))) return 'broad';
  return undefined;
}

/** Organisation needs one of these (xero_accounting.yaml, getOrganisations security). */
export const ORGANISATION_SCOPES = ['accounting.settings', 'accounting.settings.read'];
