/**
 * The resources of the Xero Guard Payroll AU node: Xero's Payroll AU API (/payroll.xro/1.0) and its v2
 * timesheets (/payroll.xro/2.0), for Australian organisations: every operation of both documents as the
 * operation table has them, each resource described in a bookkeeper's words. Both have Timesheets: the
 * v2 ones are their own resource.
 */
import { xeroApi } from '../../src/xero/operations';
import { payrollAuSchemas } from '../../src/xero/operations/generated/payroll-au.schemas';
import { payrollAuV2Schemas } from '../../src/xero/operations/generated/payroll-au-v2.schemas';
import { PAYROLL_WORDS } from '../shared/payroll-words';
import { tableResource, tableResources } from '../shared/api-node/table/resource';
import type { ResourceModule } from '../shared/api-node/types';

export const PAYROLL_AU = xeroApi('payroll-au');
export const PAYROLL_AU_V2 = xeroApi('payroll-au-v2');

export const RESOURCES: readonly ResourceModule[] = [
  ...tableResources(PAYROLL_AU, payrollAuSchemas, {
    Employees: 'Employees of the payroll: personal details, tax declaration, leave balances, bank accounts and pay template',
    LeaveApplications: 'Leave an employee applies for, approved or rejected',
    PayItems: 'The earnings rates, deductions, reimbursements and leave types pay is made of',
    PayrollCalendars: 'The pay periods (weekly, fortnightly, monthly...) employees are paid on',
    PayRuns: PAYROLL_WORDS.PayRuns!,
    Payslip: "One employee's payslip in a pay run, with its earnings, deductions and leave lines",
    Settings: 'The payroll settings: accounts, tracking categories, days in the payroll year (read only)',
    Superfunds: 'The super funds employees contribute to',
    SuperfundProducts: 'Super fund products found by ABN or USI (read only)',
    Timesheets: 'Timesheets of employees (the original payroll API)',
  }),
  tableResource({
    api: PAYROLL_AU_V2,
    resource: 'Timesheets',
    schemas: payrollAuV2Schemas,
    description: PAYROLL_WORDS.Timesheets!,
    value: 'timesheetV2',
    name: 'Timesheet (v2)',
  }),
];
