/**
 * The resources of the Xero Guard Payroll UK node: Xero's Payroll UK API (/payroll.xro/2.0), for UK organisations, every operation
 * of its document as the operation table has it, each resource described in a bookkeeper's words.
 */
import { xeroApi } from '../../src/xero/operations';
import { payrollUkSchemas } from '../../src/xero/operations/generated/payroll-uk.schemas';
import { tableResource } from '../shared/api-node/table/resource';
import type { ResourceModule } from '../shared/api-node/types';

export const PAYROLL_UK = xeroApi('payroll-uk');

export const RESOURCES: readonly ResourceModule[] = [
  tableResource({
    api: PAYROLL_UK,
    resource: 'Employees',
    schemas: payrollUkSchemas,
    description: 'Employees of the payroll: details, employment, tax, opening balances, leave, pay template, payment method, salary and wages',
  }),
  tableResource({
    api: PAYROLL_UK,
    resource: 'StatutoryLeaves',
    schemas: payrollUkSchemas,
    description: 'Statutory leave of an employee (such as statutory sick leave) and its summary',
  }),
  tableResource({ api: PAYROLL_UK, resource: 'Benefits', schemas: payrollUkSchemas, description: 'Benefits (such as pension schemes) paid through payroll' }),
  tableResource({ api: PAYROLL_UK, resource: 'Deductions', schemas: payrollUkSchemas, description: 'Deductions taken from pay' }),
  tableResource({ api: PAYROLL_UK, resource: 'EarningsOrders', schemas: payrollUkSchemas, description: 'Court-ordered deductions from earnings (read only)' }),
  tableResource({
    api: PAYROLL_UK,
    resource: 'EarningsRates',
    schemas: payrollUkSchemas,
    description: 'The earnings rates pay is made of (ordinary time, overtime, allowances)',
  }),
  tableResource({ api: PAYROLL_UK, resource: 'LeaveTypes', schemas: payrollUkSchemas, description: 'The kinds of leave the organisation gives' }),
  tableResource({ api: PAYROLL_UK, resource: 'Reimbursements', schemas: payrollUkSchemas, description: 'The kinds of expense reimbursed through pay' }),
  tableResource({
    api: PAYROLL_UK,
    resource: 'Timesheets',
    schemas: payrollUkSchemas,
    description: 'Timesheets of employees, line by line, approved or reverted to draft',
  }),
  tableResource({
    api: PAYROLL_UK,
    resource: 'PayRunCalendars',
    schemas: payrollUkSchemas,
    description: 'The pay periods (weekly, fortnightly, monthly...) employees are paid on',
  }),
  tableResource({
    api: PAYROLL_UK,
    resource: 'PayRuns',
    schemas: payrollUkSchemas,
    description: "A pay run: the pay of a calendar's employees for one period (read only)",
  }),
  tableResource({ api: PAYROLL_UK, resource: 'Payslips', schemas: payrollUkSchemas, description: "Employees' payslips in a pay run (read only)" }),
  tableResource({
    api: PAYROLL_UK,
    resource: 'Settings',
    schemas: payrollUkSchemas,
    description: 'The payroll settings and its tracking categories (read only)',
  }),
];
