/**
 * The scopes offered are the operation table's, every one in words, grouped by API; and the one rule
 * for whether a chain's granted scopes admit an operation, and which scope to name when they do not.
 */
import { requiredScopeOf, SCOPE_WORDS, scopeGap, scopeLabel, XERO_SCOPES } from '../../../src/host';
import { findXeroOperation, XERO_APIS, xeroOperations, type XeroApiId } from '../../../src/xero/operations';

const op = (api: XeroApiId, id: string) => findXeroOperation(api, id)!;

describe('the scopes offered', () => {
  it('are every scope the documents name, and the granular Accounting ones, no other', () => {
    const table = new Set([...XERO_APIS.flatMap((a) => a.scopes), ...xeroOperations().flatMap((o) => o.granularScopes ?? [])]);
    expect(XERO_SCOPES.map((s) => s.value).sort()).toEqual([...table].sort());
  });

  it('are all in words (a new scope of Xero gets its words in SCOPE_WORDS), sorted, so grouped by their API', () => {
    const words = new Set(Object.keys(SCOPE_WORDS));
    const unnamed = XERO_SCOPES.flatMap((s) => s.value.split('.').slice(s.value.includes('.') ? 1 : 0)).filter((w) => w !== 'read' && !words.has(w));
    expect(unnamed.filter((w) => !['assets', 'files', 'projects'].includes(w))).toEqual([]);
    expect(XERO_SCOPES.map((s) => s.label)).toEqual([...XERO_SCOPES.map((s) => s.label)].sort((a, b) => a.localeCompare(b)));
    const groups = [...new Set(XERO_SCOPES.map((s) => s.label.split(/[:(]/)[0].trim()))];
    expect(groups).toEqual(['Accounting', 'Assets', 'Broad', 'Files', 'Finance', 'Payroll', 'Projects']);
  });

  it('keep their words, and mark the broad scopes of apps from before March 2026', () => {
    expect(scopeLabel('accounting.reports.balancesheet.read')).toBe('Accounting: Report Balance Sheet (Read Only)');
    expect(scopeLabel('payroll.payslip')).toBe('Payroll: Payslips');
    expect(scopeLabel('finance.statements.read')).toBe('Finance: Financial Statements (Read Only)');
    expect(scopeLabel('assets.read')).toBe('Assets (Read Only)');
    expect(XERO_SCOPES.filter((s) => s.broad).map((s) => s.value)).toEqual([
      'accounting.reports.read',
      'accounting.transactions',
      'accounting.transactions.read',
    ]);
    expect(scopeLabel('accounting.transactions')).toBe('Broad (Apps Before March 2026): Transactions');
  });
});

describe('whether granted scopes admit an operation', () => {
  it('names the granular scope a new app needs, the read-only one for a read', () => {
    expect(requiredScopeOf(op('accounting', 'getInvoices'))).toBe('accounting.invoices.read');
    expect(requiredScopeOf(op('accounting', 'createInvoices'))).toBe('accounting.invoices');
    expect(requiredScopeOf(op('accounting', 'getReportBalanceSheet'))).toBe('accounting.reports.balancesheet.read');
    expect(requiredScopeOf(op('payroll-uk', 'getEmployees'))).toBe('payroll.employees.read');
    expect(requiredScopeOf(op('payroll-uk', 'createEmployee'))).toBe('payroll.employees');
  });

  it('admits an operation by any scope it accepts, or by one that covers it', () => {
    expect(scopeGap(op('payroll-uk', 'getEmployees'), ['payroll.employees.read'])).toBeNull();
    expect(scopeGap(op('payroll-uk', 'getEmployees'), ['payroll.employees'])).toBeNull();
    // A broad scope still admits its granular successors' operations (apps from before March 2026).
    expect(scopeGap(op('accounting', 'createInvoices'), ['accounting.transactions'])).toBeNull();
    expect(scopeGap(op('accounting', 'getReportProfitAndLoss'), ['accounting.reports.read'])).toBeNull();
  });

  it('names what is missing, in words, with what else would do', () => {
    expect(scopeGap(op('payroll-uk', 'createEmployee'), ['payroll.employees.read', 'accounting.contacts'])).toEqual({
      needed: 'payroll.employees',
      label: 'Payroll: Employees',
      alternatives: [],
    });
    expect(scopeGap(op('accounting', 'getInvoices'), ['accounting.contacts'])).toEqual({
      needed: 'accounting.invoices.read',
      label: 'Accounting: Invoices (Read Only)',
      alternatives: ['accounting.transactions', 'accounting.transactions.read', 'accounting.invoices'],
    });
  });
});
