/**
 * The resources of the Xero Guard Finance node: Xero's Finance API (/finance.xro/1.0), read only: every operation of its document as the operation table has it,
 * each resource described in a bookkeeper's words.
 */
import { xeroApi } from '../../src/xero/operations';
import { financeSchemas } from '../../src/xero/operations/generated/finance.schemas';
import { tableResources } from '../shared/api-node/table/resource';
import type { ResourceModule } from '../shared/api-node/types';

export const FINANCE = xeroApi('finance');

export const RESOURCES: readonly ResourceModule[] = tableResources(FINANCE, financeSchemas, {
  FinancialStatements: 'Financial statements: balance sheet, cash flow, profit and loss, trial balance, and revenue and expense by contact',
  CashValidation: 'Bank balances and statement lines as Xero holds them, to check cash against the books',
  BankStatementsPlus: 'Bank statement lines with their accounting (how each was reconciled)',
});
