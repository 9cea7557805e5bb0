/**
 * Xero's OAuth scopes: one table for every host, so n8n's credential and Node-RED's config node
 * offer the same list, with the same words, and ask for the same defaults. Apps created from
 * 2 March 2026 must use the granular accounting scopes; older apps may keep the broad ones until
 * September 2027.
 */

export interface XeroScope {
  value: string;
  /** The words an editor shows for it. */
  label: string;
  /** A broad scope, only for Xero apps created before March 2026. */
  broad?: true;
}

/** Always asked for with the authorization-code grant (a refresh token, and who connected); never offered. */
export const BASE_SCOPES: readonly string[] = ['offline_access', 'openid', 'profile', 'email'];

/** The scopes an editor offers, sorted by label. */
export const XERO_SCOPES: readonly XeroScope[] = [
  { value: 'accounting.attachments', label: 'Accounting: Attachments' },
  { value: 'accounting.attachments.read', label: 'Accounting: Attachments (Read Only)' },
  { value: 'accounting.banktransactions', label: 'Accounting: Bank Transactions' },
  { value: 'accounting.banktransactions.read', label: 'Accounting: Bank Transactions (Read Only)' },
  { value: 'accounting.budgets.read', label: 'Accounting: Budgets (Read Only)' },
  { value: 'accounting.contacts', label: 'Accounting: Contacts' },
  { value: 'accounting.contacts.read', label: 'Accounting: Contacts (Read Only)' },
  { value: 'accounting.invoices', label: 'Accounting: Invoices' },
  { value: 'accounting.invoices.read', label: 'Accounting: Invoices (Read Only)' },
  { value: 'accounting.journals.read', label: 'Accounting: Journals (Read Only)' },
  { value: 'accounting.manualjournals', label: 'Accounting: Manual Journals' },
  { value: 'accounting.manualjournals.read', label: 'Accounting: Manual Journals (Read Only)' },
  { value: 'accounting.payments', label: 'Accounting: Payments' },
  { value: 'accounting.payments.read', label: 'Accounting: Payments (Read Only)' },
  { value: 'accounting.reports.aged.read', label: 'Accounting: Report Aged (Read Only)' },
  { value: 'accounting.reports.balancesheet.read', label: 'Accounting: Report Balance Sheet (Read Only)' },
  { value: 'accounting.reports.banksummary.read', label: 'Accounting: Report Bank Summary (Read Only)' },
  { value: 'accounting.reports.budgetsummary.read', label: 'Accounting: Report Budget Summary (Read Only)' },
  { value: 'accounting.reports.executivesummary.read', label: 'Accounting: Report Executive Summary (Read Only)' },
  { value: 'accounting.reports.profitandloss.read', label: 'Accounting: Report Profit and Loss (Read Only)' },
  { value: 'accounting.reports.taxreports.read', label: 'Accounting: Report Tax (Read Only)' },
  { value: 'accounting.reports.trialbalance.read', label: 'Accounting: Report Trial Balance (Read Only)' },
  { value: 'accounting.settings', label: 'Accounting: Settings' },
  { value: 'accounting.settings.read', label: 'Accounting: Settings (Read Only)' },
  { value: 'assets', label: 'Assets' },
  { value: 'assets.read', label: 'Assets (Read Only)' },
  { value: 'accounting.reports.read', label: 'Broad (Apps Before March 2026): Reports (Read Only)', broad: true },
  { value: 'accounting.transactions', label: 'Broad (Apps Before March 2026): Transactions', broad: true },
  { value: 'accounting.transactions.read', label: 'Broad (Apps Before March 2026): Transactions (Read Only)', broad: true },
  { value: 'files', label: 'Files' },
  { value: 'files.read', label: 'Files (Read Only)' },
  { value: 'payroll.employees', label: 'Payroll: Employees' },
  { value: 'payroll.employees.read', label: 'Payroll: Employees (Read Only)' },
  { value: 'payroll.payruns', label: 'Payroll: Pay Runs' },
  { value: 'payroll.payruns.read', label: 'Payroll: Pay Runs (Read Only)' },
  { value: 'payroll.payslip', label: 'Payroll: Payslips' },
  { value: 'payroll.payslip.read', label: 'Payroll: Payslips (Read Only)' },
  { value: 'payroll.settings', label: 'Payroll: Settings' },
  { value: 'payroll.settings.read', label: 'Payroll: Settings (Read Only)' },
  { value: 'payroll.timesheets', label: 'Payroll: Timesheets' },
  { value: 'payroll.timesheets.read', label: 'Payroll: Timesheets (Read Only)' },
  { value: 'projects', label: 'Projects' },
  { value: 'projects.read', label: 'Projects (Read Only)' },
];

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
 * The scopes to ask for: the base ones (authorization-code grant only), the picked ones and any
 * typed extras ("a b", "a,b" or a list), in that order, without duplicates.
 */
export function requestedScopes(picked: unknown, options: { base?: boolean } = {}): string[] {
  const words = (v: unknown): string[] => (typeof v === 'string' ? v.split(/[\s,]+/) : Array.isArray(v) ? v.flatMap(words) : []);
  const base = options.base === false ? [] : BASE_SCOPES;
  return [
    ...new Set([
      ...base,
      ...words(picked)
        .map((s) => s.trim())
        .filter(Boolean),
    ]),
  ];
}
