import type { INodePropertyOptions } from 'n8n-workflow';

/**
 * Xero's scopes as the credential offers them. Apps created from 2 March 2026 must use the granular
 * accounting scopes; older apps may keep the broad ones until September 2027. offline_access (and
 * openid profile email) are always added for the authorization-code grant, never offered here.
 */
export const XERO_SCOPE_OPTIONS: INodePropertyOptions[] = [
  { name: 'Accounting: Attachments', value: 'accounting.attachments' },
  { name: 'Accounting: Attachments (Read Only)', value: 'accounting.attachments.read' },
  { name: 'Accounting: Bank Transactions', value: 'accounting.banktransactions' },
  { name: 'Accounting: Bank Transactions (Read Only)', value: 'accounting.banktransactions.read' },
  { name: 'Accounting: Budgets (Read Only)', value: 'accounting.budgets.read' },
  { name: 'Accounting: Contacts', value: 'accounting.contacts' },
  { name: 'Accounting: Contacts (Read Only)', value: 'accounting.contacts.read' },
  { name: 'Accounting: Invoices', value: 'accounting.invoices' },
  { name: 'Accounting: Invoices (Read Only)', value: 'accounting.invoices.read' },
  { name: 'Accounting: Journals (Read Only)', value: 'accounting.journals.read' },
  { name: 'Accounting: Manual Journals', value: 'accounting.manualjournals' },
  { name: 'Accounting: Manual Journals (Read Only)', value: 'accounting.manualjournals.read' },
  { name: 'Accounting: Payments', value: 'accounting.payments' },
  { name: 'Accounting: Payments (Read Only)', value: 'accounting.payments.read' },
  { name: 'Accounting: Report Aged (Read Only)', value: 'accounting.reports.aged.read' },
  { name: 'Accounting: Report Balance Sheet (Read Only)', value: 'accounting.reports.balancesheet.read' },
  { name: 'Accounting: Report Bank Summary (Read Only)', value: 'accounting.reports.banksummary.read' },
  { name: 'Accounting: Report Budget Summary (Read Only)', value: 'accounting.reports.budgetsummary.read' },
  { name: 'Accounting: Report Executive Summary (Read Only)', value: 'accounting.reports.executivesummary.read' },
  { name: 'Accounting: Report Profit and Loss (Read Only)', value: 'accounting.reports.profitandloss.read' },
  { name: 'Accounting: Report Tax (Read Only)', value: 'accounting.reports.taxreports.read' },
  { name: 'Accounting: Report Trial Balance (Read Only)', value: 'accounting.reports.trialbalance.read' },
  { name: 'Accounting: Settings', value: 'accounting.settings' },
  { name: 'Accounting: Settings (Read Only)', value: 'accounting.settings.read' },
  { name: 'Assets', value: 'assets' },
  { name: 'Assets (Read Only)', value: 'assets.read' },
  { name: 'Broad (Apps Before March 2026): Reports (Read Only)', value: 'accounting.reports.read' },
  { name: 'Broad (Apps Before March 2026): Transactions', value: 'accounting.transactions' },
  { name: 'Broad (Apps Before March 2026): Transactions (Read Only)', value: 'accounting.transactions.read' },
  { name: 'Files', value: 'files' },
  { name: 'Files (Read Only)', value: 'files.read' },
  { name: 'Payroll: Employees', value: 'payroll.employees' },
  { name: 'Payroll: Employees (Read Only)', value: 'payroll.employees.read' },
  { name: 'Payroll: Pay Runs', value: 'payroll.payruns' },
  { name: 'Payroll: Pay Runs (Read Only)', value: 'payroll.payruns.read' },
  { name: 'Payroll: Payslips', value: 'payroll.payslip' },
  { name: 'Payroll: Payslips (Read Only)', value: 'payroll.payslip.read' },
  { name: 'Payroll: Settings', value: 'payroll.settings' },
  { name: 'Payroll: Settings (Read Only)', value: 'payroll.settings.read' },
  { name: 'Payroll: Timesheets', value: 'payroll.timesheets' },
  { name: 'Payroll: Timesheets (Read Only)', value: 'payroll.timesheets.read' },
  { name: 'Projects', value: 'projects' },
  { name: 'Projects (Read Only)', value: 'projects.read' },
];

/** What n8n's own Xero credential asks for today (granular), so a new credential works for common workflows. */
export const DEFAULT_XERO_SCOPES = [
  'accounting.invoices',
  'accounting.payments',
  'accounting.banktransactions',
  'accounting.manualjournals',
  'accounting.attachments',
  'accounting.settings',
  'accounting.contacts',
];
