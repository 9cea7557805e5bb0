/**
 * The Accounting API's operations no hand-made resource does, from the operation table: each joins
 * the hand-made resource of its table resource (Invoices gets the document's other invoice operations)
 * or, where there is none, makes a resource of its own (Overpayments, Prepayments, Repeating Invoices,
 * Batch Payments, Budgets, ...), described here in a bookkeeper's words. The organisation's own codes
 * and the contact picker stand in for the table's plain fields where a field names one.
 */
import type { INodeProperties } from 'n8n-workflow';
import { xeroApi, xeroOperations, type XeroOperation } from '../../../src/xero/operations';
import { accountingSchemas } from '../../../src/xero/operations/generated/accounting.schemas';
import { label, type FieldHook } from '../../shared/api-node/table/fields';
import { lowerCamel, singular, tableParts } from '../../shared/api-node/table/resource';
import type { ResourceModule } from '../../shared/api-node/types';
import { contactLocator } from './contact-locator';
import { DONE_ANOTHER_WAY } from './covers';

export const ACCOUNTING = xeroApi('accounting');

/** What each table resource without a hand-made one is, for a person and for an AI agent choosing one. */
export const TABLE_RESOURCES: Readonly<Record<string, string>> = {
  BatchPayments: 'Several bills or invoices paid (or received) in one bank transaction',
  BrandingThemes: 'The branding themes that style invoices and quotes, and the payment services on them',
  Budgets: 'The budgets of the organisation, with their lines by account and period (read only)',
  ExpenseClaims: 'Expense claims of users, made of receipts (retired by Xero for new organisations)',
  InvoiceReminders: 'Whether invoice reminders are switched on (read only)',
  LinkedTransactions: 'Billable expenses: a bill or spend money line linked to the sales invoice it is billed on',
  Overpayments: 'Money received or paid beyond what was owed, allocated to invoices later',
  PaymentServices: 'Payment services (such as a card payment link) offered on invoices',
  Prepayments: 'Money received or paid before an invoice, allocated to invoices later',
  Receipts: 'Draft expense receipts of users, for expense claims',
  RepeatingInvoices: 'Templates that raise an invoice or bill on a schedule',
  Setup: 'Set up a new organisation: its chart of accounts and conversion balances in one request',
  Users: 'The users of the organisation (read only)',
};

/** A field the organisation has a list for, by the table's field name. */
const ORGANISATION_LISTS: Readonly<Record<string, { method: string; what: string }>> = {
  TaxType: { method: 'getTaxTypes', what: 'tax rate' },
  AccountCode: { method: 'getAccountCodes', what: 'account' },
  ItemCode: { method: 'getItemCodes', what: 'item' },
  CurrencyCode: { method: 'getCurrencies', what: 'currency' },
};

/** The contact picker for a contact's ID; the organisation's own list for its codes. */
export const accountingFieldHook: FieldHook = (input, field) => {
  if (input.at === 'path' && input.name === 'ContactID')
    return contactLocator({ name: input.name, displayName: 'Contact', description: 'The contact', required: true });
  const list = ORGANISATION_LISTS[input.name];
  if (!list || (input.schema.type !== undefined && input.schema.type !== 'string')) return field;
  const rest: INodeProperties = { ...field };
  delete rest.options;
  delete rest.placeholder;
  return {
    ...rest,
    displayName: `${field.displayName} Name or ID`,
    type: 'options',
    typeOptions: { loadOptionsMethod: list.method, loadOptionsDependsOn: ['organizationId'] },
    allowArbitraryValues: true,
    default: '',
    description: `The organisation's own ${list.what}. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
  } as INodeProperties;
};

/** The Accounting operations the hand-made resources do (their own, and those they do another way). */
function coveredBy(resources: readonly ResourceModule[]): Set<string> {
  const ids = new Set<string>(Object.keys(DONE_ANOTHER_WAY));
  for (const r of resources) for (const op of Object.values(r.operations)) for (const id of op.covers ?? []) ids.add(id);
  return ids;
}

/** A hand-made resource with the table's other operations of its table resource. */
function joined(resource: ResourceModule, ops: readonly XeroOperation[]): ResourceModule {
  if (ops.length === 0) return resource;
  const parts = tableParts(ACCOUNTING, ops, accountingSchemas, accountingFieldHook);
  const clash = ops.find((op) => op.operationId in resource.operations);
  if (clash) throw new Error(`${resource.name}: the table's ${clash.operationId} has the value of a hand-made operation`);
  // The table's fields show only for the table's operations: the hand-made fields keep their own.
  return { ...resource, operations: { ...resource.operations, ...parts.operations }, properties: [...resource.properties, ...parts.properties] };
}

/** The hand-made resources, each joined by its table resource's other operations, then the table's resources of their own. */
export function withTable(handMade: readonly ResourceModule[]): ResourceModule[] {
  const done = coveredBy(handMade);
  const left = xeroOperations('accounting').filter((op) => !done.has(op.operationId));
  const tables = new Set(handMade.map((r) => r.table).filter((t): t is string => t !== undefined));
  const own = handMade.map((r) => joined(r, r.table ? left.filter((op) => op.resource === r.table) : []));
  const rest = [...new Set(left.map((op) => op.resource))].filter((t) => !tables.has(t));
  return [
    ...own,
    ...rest.map((table): ResourceModule => {
      const description = TABLE_RESOURCES[table];
      if (!description) throw new Error(`The Accounting table's resource ${table} has no description in nodes/XeroGuard/resources/table.ts`);
      // Only what no hand-made resource does: their attachments and history are the Attachment and History resources'.
      const ops = left.filter((op) => op.resource === table);
      return {
        value: lowerCamel(table),
        name: label(singular(table)),
        description,
        table,
        ...tableParts(ACCOUNTING, ops, accountingSchemas, accountingFieldHook),
      };
    }),
  ];
}
