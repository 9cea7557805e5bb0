import {
  account,
  attachment,
  bankTransaction,
  bankTransfer,
  contactGroup,
  creditNote,
  currency,
  history,
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
} from './accounting';
import { contact } from './contact';
import { customApiCall } from './custom';
import { invoice } from './invoice';
import type { ResourceModule } from './types';

/** Every resource of the node, in the order the editor lists them. */
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

export type { OperationDef, PlannedRequest, ResourceModule } from './types';
export { MappingError } from './types';
