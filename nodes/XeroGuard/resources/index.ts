/**
 * Every resource of the Xero Guard (Accounting) node: the hand-made ones, a file each, with n8n's own
 * fields where n8n's Xero node has them; then the Accounting table's other operations (table.ts), each
 * joining its hand-made resource or making a resource of its own. Which operations an endpoint allows,
 * and how Xero removes its records, follow Xero's Accounting API document (openapi/xero_accounting.yaml).
 */
import type { ResourceModule } from '../../shared/api-node/types';
import { account } from './account';
import { attachment } from './attachment';
import { bankTransaction } from './bank-transaction';
import { bankTransfer } from './bank-transfer';
import { contact } from './contact';
import { contactGroup } from './contact-group';
import { creditNote } from './credit-note';
import { currency } from './currency';
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
import { withTable } from './table';

/** The hand-made resources, in the order their fields appear in the node's description; the editor lists them by name. */
export const HAND_MADE: readonly ResourceModule[] = [
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
];

/** Every resource of the node but the Custom API Call (which every node adds last). */
export const RESOURCES: readonly ResourceModule[] = withTable(HAND_MADE);
