/**
 * The resources of the Xero Guard Payroll AU node: Xero's Payroll AU API (/payroll.xro/1.0) and its v2 timesheets (/payroll.xro/2.0), for Australian organisations, every operation
 * of its document as the operation table has it, each resource described in a bookkeeper's words.
 */
import { xeroApi } from '../../src/xero/operations';
import { payrollAuSchemas } from '../../src/xero/operations/generated/payroll-au.schemas';
import { payrollAuV2Schemas } from '../../src/xero/operations/generated/payroll-au-v2.schemas';
import { tableResource } from '../shared/api-node/table/resource';
import type { ResourceModule } from '../shared/api-node/types';

export const PAYROLL_AU = xeroApi('payroll-au');
export const PAYROLL_AU_V2 = xeroApi('payroll-au-v2');

export const RESOURCES: readonly ResourceModule[] = [
  tableResource({
    api: PAYROLL_AU,
    resource: 'Employees',
    schemas: payrollAuSchemas,
    description: 'Employees of the payroll: personal details, tax declaration, leave balances, bank accounts and pay template',
  }),
  tableResource({
    api: PAYROLL_AU,
    resource: 'LeaveApplications',
    schemas: payrollAuSchemas,
    description: 'Leave an employee applies for, approved or rejected',
  }),
  tableResource({
    api: PAYROLL_AU,
    resource: 'PayItems',
    schemas: payrollAuSchemas,
    description: 'The earnings rates, deductions, reimbursements and leave types pay is made of',
  }),
  tableResource({
    api: PAYROLL_AU,
    resource: 'PayrollCalendars',
    schemas: payrollAuSchemas,
    description: 'The pay periods (weekly, fortnightly, monthly...) employees are paid on',
  }),
  tableResource({
    api: PAYROLL_AU,
    resource: 'PayRuns',
    schemas: payrollAuSchemas,
    description: "A pay run: the pay of a payroll calendar's employees for one period, drafted then posted",
  }),
  tableResource({
    api: PAYROLL_AU,
    resource: 'Payslip',
    schemas: payrollAuSchemas,
    description: "One employee's payslip in a pay run, with its earnings, deductions and leave lines",
  }),
  tableResource({
    api: PAYROLL_AU,
    resource: 'Settings',
    schemas: payrollAuSchemas,
    description: 'The payroll settings: accounts, tracking categories, days in the payroll year (read only)',
  }),
  tableResource({ api: PAYROLL_AU, resource: 'Superfunds', schemas: payrollAuSchemas, description: 'The super funds employees contribute to' }),
  tableResource({
    api: PAYROLL_AU,
    resource: 'SuperfundProducts',
    schemas: payrollAuSchemas,
    description: 'Super fund products found by ABN or USI (read only)',
  }),
  tableResource({ api: PAYROLL_AU, resource: 'Timesheets', schemas: payrollAuSchemas, description: 'Timesheets of employees (the original payroll API)' }),
  tableResource({
    api: PAYROLL_AU_V2,
    resource: 'Timesheets',
    schemas: payrollAuV2Schemas,
    description: 'Timesheets of employees in Payroll AU v2, line by line, approved or reverted to draft',
    value: 'timesheetV2',
    name: 'Timesheet (v2)',
  }),
];
