/**
 * The resources of the Xero Guard Payroll UK node: Xero's Payroll UK API (/payroll.xro/2.0), for UK organisations: every operation of its document as the operation table has it,
 * each resource described in a bookkeeper's words.
 */
import { xeroApi } from '../../src/xero/operations';
import { payrollUkSchemas } from '../../src/xero/operations/generated/payroll-uk.schemas';
import { PAYROLL_WORDS } from '../shared/payroll-words';
import { tableResources } from '../shared/api-node/table/resource';
import type { ResourceModule } from '../shared/api-node/types';

export const PAYROLL_UK = xeroApi('payroll-uk');

export const RESOURCES: readonly ResourceModule[] = tableResources(PAYROLL_UK, payrollUkSchemas, {
  ...PAYROLL_WORDS,
  Employees: 'Employees of the payroll: details, employment, tax, opening balances, leave, pay template, payment method, salary and wages',
  StatutoryLeaves: 'Statutory leave of an employee (such as statutory sick leave) and its summary',
  Benefits: 'Benefits (such as pension schemes) paid through payroll',
  EarningsOrders: 'Court-ordered deductions from earnings (read only)',
  PayRuns: "A pay run: the pay of a calendar's employees for one period (read only)",
  Payslips: "Employees' payslips in a pay run (read only)",
});
