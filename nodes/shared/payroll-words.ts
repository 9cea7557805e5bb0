/**
 * What the payroll resources are, in a bookkeeper's words, where Payroll AU, NZ and UK have the same
 * kind of record (each node adds its own): one set of words for the three payroll nodes.
 */
export const PAYROLL_WORDS: Readonly<Record<string, string>> = {
  Deductions: 'Deductions taken from pay',
  EarningsRates: 'The earnings rates pay is made of (ordinary time, overtime, allowances)',
  LeaveTypes: 'The kinds of leave the organisation gives',
  Reimbursements: 'The kinds of expense reimbursed through pay',
  Timesheets: 'Timesheets of employees, line by line, approved or reverted to draft',
  PayRunCalendars: 'The pay periods (weekly, fortnightly, monthly...) employees are paid on',
  PayRuns: "A pay run: the pay of a calendar's employees for one period",
  Settings: 'The payroll settings and its tracking categories (read only)',
};
