/**
 * Every resource of the Xero Guard node, a file each. Which operations an endpoint allows, and how Xero
 * removes its records, follow Xero's Accounting API documentation (xero_accounting.yaml).
 */
import { account } from './account';
import { attachment } from './attachment';
import { bankTransaction } from './bank-transaction';
import { bankTransfer } from './bank-transfer';
import { contact } from './contact';
import { contactGroup } from './contact-group';
import { creditNote } from './credit-note';
import { currency } from './currency';
import { customApiCall } from './custom-api-call';
import { history } from './history';
import { invoice } from './invoice';
import { item } from './item';
import { journal } from './journal';
import { manualJournal } from './manual-journal';
import { organisation } from './organisation';
import { payment } from './payment';
import { purchaseOrder } from './purchase-order';
import { quote } from './quote';
import { report } from './report';
import { taxRate } from './tax-rate';
import { trackingCategory } from './tracking-category';
import type { ResourceModule } from './types';

/** In the order their fields appear in the node's description; the editor lists them by name. */
export const RESOURCES: readonly ResourceModule[] = [
  account,
  attachment,
  bankTransaction,
  bankTransfer,
  contact,
  contactGroup,
  creditNote,
  currency,
  history,
  invoice,
  item,
  journal,
  manualJournal,
  organisation,
  payment,
  purchaseOrder,
  quote,
  report,
  taxRate,
  trackingCategory,
  customApiCall,
];

export function resourceByValue(value: string): ResourceModule | undefined {
  return RESOURCES.find((r) => r.value === value);
}

export type { OperationDef, PlannedRequest, ResourceModule, SingleRequest } from './types';
export { MappingError } from './types';
