/**
 * The resources of the Xero Guard Payroll NZ node: Xero's Payroll NZ API (/payroll.xro/2.0), for New Zealand organisations, every operation
 * of its document as the operation table has it, each resource described in a bookkeeper's words.
 */
import { xeroApi } from '../../src/xero/operations';
import { payrollNzSchemas } from '../../src/xero/operations/generated/payroll-nz.schemas';
import { tableResource } from '../shared/api-node/table/resource';
import type { ResourceModule } from '../shared/api-node/types';

export const PAYROLL_NZ = xeroApi('payroll-nz');

export const RESOURCES: readonly ResourceModule[] = [
  tableResource({
    api: PAYROLL_NZ,
    resource: 'Employees',
    schemas: payrollNzSchemas,
    description:
      'Employees of the payroll: details, employment, tax, opening balances, leave, pay templates, payment method, salary and wages, working patterns',
  }),
  tableResource({ api: PAYROLL_NZ, resource: 'Deductions', schemas: payrollNzSchemas, description: 'Deductions taken from pay' }),
  tableResource({
    api: PAYROLL_NZ,
    resource: 'StatutoryDeductions',
    schemas: payrollNzSchemas,
    description: 'Deductions the law requires, such as child support (read only)',
  }),
  tableResource({ api: PAYROLL_NZ, resource: 'Superannuations', schemas: payrollNzSchemas, description: 'Superannuation (KiwiSaver and other) schemes' }),
  tableResource({
    api: PAYROLL_NZ,
    resource: 'EarningsRates',
    schemas: payrollNzSchemas,
    description: 'The earnings rates pay is made of (ordinary time, overtime, allowances)',
  }),
  tableResource({ api: PAYROLL_NZ, resource: 'LeaveTypes', schemas: payrollNzSchemas, description: 'The kinds of leave the organisation gives' }),
  tableResource({ api: PAYROLL_NZ, resource: 'Reimbursements', schemas: payrollNzSchemas, description: 'The kinds of expense reimbursed through pay' }),
  tableResource({
    api: PAYROLL_NZ,
    resource: 'Timesheets',
    schemas: payrollNzSchemas,
    description: 'Timesheets of employees, line by line, approved or reverted to draft',
  }),
  tableResource({
    api: PAYROLL_NZ,
    resource: 'PayRunCalendars',
    schemas: payrollNzSchemas,
    description: 'The pay periods (weekly, fortnightly, monthly...) employees are paid on',
  }),
  tableResource({
    api: PAYROLL_NZ,
    resource: 'PayRuns',
    schemas: payrollNzSchemas,
    description: "A pay run: the pay of a calendar's employees for one period",
  }),
  tableResource({ api: PAYROLL_NZ, resource: 'PaySlips', schemas: payrollNzSchemas, description: "Employees' payslips in a pay run, and their lines" }),
  tableResource({
    api: PAYROLL_NZ,
    resource: 'Settings',
    schemas: payrollNzSchemas,
    description: 'The payroll settings and its tracking categories (read only)',
  }),
];
