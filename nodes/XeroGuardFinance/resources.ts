/**
 * The resources of the Xero Guard Finance node: Xero's Finance API (/finance.xro/1.0), read only, every operation
 * of its document as the operation table has it, each resource described in a bookkeeper's words.
 */
import { xeroApi } from '../../src/xero/operations';
import { financeSchemas } from '../../src/xero/operations/generated/finance.schemas';
import { tableResource } from '../shared/api-node/table/resource';
import type { ResourceModule } from '../shared/api-node/types';

export const FINANCE = xeroApi('finance');

export const RESOURCES: readonly ResourceModule[] = [
  tableResource({
    api: FINANCE,
    resource: 'FinancialStatements',
    schemas: financeSchemas,
    description: 'Financial statements: balance sheet, cash flow, profit and loss, trial balance, and revenue and expense by contact',
  }),
  tableResource({
    api: FINANCE,
    resource: 'CashValidation',
    schemas: financeSchemas,
    description: 'Bank balances and statement lines as Xero holds them, to check cash against the books',
  }),
  tableResource({
    api: FINANCE,
    resource: 'BankStatementsPlus',
    schemas: financeSchemas,
    description: 'Bank statement lines with their accounting (how each was reconciled)',
  }),
];
