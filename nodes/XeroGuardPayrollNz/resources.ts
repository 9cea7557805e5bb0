/**
 * The resources of the Xero Guard Payroll NZ node: Xero's Payroll NZ API (/payroll.xro/2.0), for New Zealand organisations: every operation of its document as the operation table has it,
 * each resource described in a bookkeeper's words.
 */
import { xeroApi } from '../../src/xero/operations';
import { payrollNzSchemas } from '../../src/xero/operations/generated/payroll-nz.schemas';
import { PAYROLL_WORDS } from '../shared/payroll-words';
import { tableResources } from '../shared/api-node/table/resource';
import type { ResourceModule } from '../shared/api-node/types';

export const PAYROLL_NZ = xeroApi('payroll-nz');

export const RESOURCES: readonly ResourceModule[] = tableResources(PAYROLL_NZ, payrollNzSchemas, {
  ...PAYROLL_WORDS,
  Employees: 'Employees of the payroll: details, employment, tax, opening balances, leave, pay templates, payment method, salary and wages, working patterns',
  StatutoryDeductions: 'Deductions the law requires, such as child support (read only)',
  Superannuations: 'Superannuation (KiwiSaver and other) schemes',
  PaySlips: "Employees' payslips in a pay run, and their lines",
});
