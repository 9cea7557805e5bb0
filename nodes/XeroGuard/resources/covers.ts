/**
 * Which operations of the Accounting table a hand-made operation does, named by the requests it sends
 * (matched against the table as a request is at run time), so a typo in an operationId cannot creep
 * in. What a hand-made operation does not cover joins its resource from the table. A few table
 * operations are done by a hand-made one another way: those are listed with how.
 */
import { OperationMatcher, xeroOperations } from '../../../src/xero/operations';

const ACCOUNTING = new OperationMatcher(xeroOperations('accounting'));

/** Stands for a record's ID in a sample request. */
export const ID = '00000000-0000-4000-8000-000000000000';

export type SampleCall = [method: string, path: readonly string[]];

/** The operationIds the sample requests are; a request the table does not know (a record type Xero keeps no history for there) adds none. */
export function covered(...calls: SampleCall[]): string[] {
  const ids = calls.map(([method, path]) => ACCOUNTING.match(method, path)?.operation.operationId).filter((id): id is string => id !== undefined);
  return [...new Set(ids)];
}

/**
 * Table operations a hand-made operation does in another request, so the node does not offer them
 * twice: operationId -> the operation that does it, and how.
 */
export const DONE_ANOTHER_WAY: Readonly<Record<string, string>> = {
  createContacts: 'Contact > Create sends POST /Contacts (updateOrCreateContacts), which creates the same contacts',
  createInvoices: 'Invoice > Create sends POST /Invoices (updateOrCreateInvoices), which creates the same invoices',
};
