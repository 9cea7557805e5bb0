import { newId } from '../formats';
import type { RecordChange, TenantBook } from './store';
import { arr, dateString, dayOf, num, obj, parseInputDate, round2, str, wireDate, wireMs, type XRecord } from './values';

/**
 * What every write needs: the book, the simulator's clock, the organisation's currency. Builders
 * return the record as Xero would answer it, or Xero's validation messages.
 */
export interface Ctx {
  book: TenantBook;
  now: number;
  currency: string;
  /** Who the history says made the change: the app's name (Xero's `User` for API changes). */
  user?: string;
}

export type Built = { record: XRecord } | { errors: string[] };

/** One line of a record's history (`{Endpoint}/{id}/History`), as Xero writes them. */
export function recordHistory(ctx: Ctx, id: string, changes: string, details: string): void {
  const key = id.toLowerCase();
  const list = ctx.book.history.get(key) ?? [];
  list.push({ Changes: changes, DateUTCString: dateString(ctx.now), DateUTC: wireDate(ctx.now), User: ctx.user ?? 'System Generated', Details: details });
  ctx.book.history.set(key, list);
}

export const LINE_AMOUNT_TYPES = ['Exclusive', 'Inclusive', 'NoTax'];

export function stamp(record: XRecord, ctx: Ctx): void {
  record.UpdatedDateUTC = wireDate(ctx.now);
}

/** The resources Xero sends webhooks for: their event category and ID field (xero-webhooks.yaml). */
const EVENT_RESOURCES: Record<string, { category: RecordChange['category']; idField: string } | undefined> = {
  Contacts: { category: 'CONTACT', idField: 'ContactID' },
  Invoices: { category: 'INVOICE', idField: 'InvoiceID' },
  CreditNotes: { category: 'CREDITNOTE', idField: 'CreditNoteID' },
};

/**
 * Notes a stored record's creation or update for the webhooks (src/simulator/webhooks), with the
 * time it now carries as UpdatedDateUTC. Every path that stores or changes a contact, invoice or
 * credit note calls this (or `touch`); other resources are ignored here.
 */
export function noteChange(ctx: Ctx, resource: string, record: XRecord, type: RecordChange['type']): void {
  const of = EVENT_RESOURCES[resource];
  if (!of) return;
  const change: RecordChange = { category: of.category, resourceId: String(record[of.idField]), type, at: wireMs(record.UpdatedDateUTC) ?? ctx.now };
  if (of.category === 'CREDITNOTE') change.data = { Type: String(record.Type), Status: String(record.Status) };
  ctx.book.changes.push(change);
}

/** A stored record changed in place (paid, allocated, sent, grouped): its UpdatedDateUTC moves and, for the webhook resources, an UPDATE goes out. */
export function touch(ctx: Ctx, resource: string, record: XRecord): void {
  stamp(record, ctx);
  noteChange(ctx, resource, record, 'UPDATE');
}

/** A date field in Xero's pair form: `Date` plus `DateString` (only where Xero sends one). */
export function setDate(record: XRecord, field: string, ms: number, withString = true): void {
  record[field] = wireDate(dayOf(ms));
  if (withString) record[`${field}String`] = dateString(dayOf(ms));
}

/** The input date, the existing one, or today; a date Xero could not read is a validation error. */
export function dateInput(input: XRecord, field: string, fallback: number | undefined, errors: string[]): number | undefined {
  const raw = input[field];
  if (raw === undefined || raw === null || raw === '') return fallback;
  const ms = parseInputDate(raw);
  if (ms === undefined) errors.push(`${field} is not a valid date. Use the format yyyy-mm-dd.`);
  return ms ?? fallback;
}

export function taxRatePercent(ctx: Ctx, taxType: string | undefined): number {
  if (!taxType) return 0;
  const rate = ctx.book.collection('TaxRates').get(taxType);
  return num(rate?.EffectiveRate) ?? 0;
}

export function accountByCode(ctx: Ctx, code: string | undefined): XRecord | undefined {
  if (!code) return undefined;
  for (const a of ctx.book.collection('Accounts').values()) if (a.Code === code) return a;
  return undefined;
}

export function accountRef(ctx: Ctx, ref: unknown): XRecord | undefined {
  const r = obj(ref);
  if (!r) return undefined;
  const id = str(r.AccountID);
  if (id) return ctx.book.collection('Accounts').get(id.toLowerCase());
  return accountByCode(ctx, str(r.Code));
}

export interface Totals {
  lines: XRecord[];
  SubTotal: number;
  TotalTax: number;
  Total: number;
}

/** Text fields an update may leave out: the input's, else what the record had, else empty (as Xero answers them). */
export function keepText(record: XRecord, input: XRecord, existing: XRecord | undefined, fields: readonly string[]): void {
  for (const field of fields) record[field] = str(input[field]) ?? str(existing?.[field]) ?? '';
}

/** The priced lines and their totals on a document. */
export function setPricedLines(record: XRecord, lineAmountTypes: string, priced: Totals): void {
  record.LineAmountTypes = lineAmountTypes;
  record.LineItems = priced.lines;
  record.SubTotal = priced.SubTotal;
  record.TotalTax = priced.TotalTax;
  record.Total = priced.Total;
}

/** Line items priced as Xero prices them: LineAmount = Quantity x UnitAmount less discount; tax on top or inside. */
export function priceLines(input: unknown, lineAmountTypes: string, ctx: Ctx, defaultTax: string, errors: string[]): Totals {
  const lines: XRecord[] = [];
  let sum = 0;
  let tax = 0;
  for (const raw of arr(input)) {
    const li = obj(raw);
    if (!li) {
      errors.push('A line item must be an object.');
      continue;
    }
    const quantity = num(li.Quantity) ?? 1;
    const unit = num(li.UnitAmount) ?? (num(li.LineAmount) !== undefined ? (num(li.LineAmount) as number) / (quantity || 1) : 0);
    const discount = num(li.DiscountRate);
    const amount = round2(quantity * unit * (1 - (discount ?? 0) / 100));
    const accountCode = str(li.AccountCode);
    if (accountCode && !accountByCode(ctx, accountCode)) errors.push(`Account code '${accountCode}' is not a valid code for this document.`);
    const taxType = lineAmountTypes === 'NoTax' ? 'NONE' : (str(li.TaxType) ?? (str(accountByCode(ctx, accountCode)?.TaxType) || defaultTax));
    if (taxType !== 'NONE' && !ctx.book.collection('TaxRates').has(taxType))
      errors.push(`The TaxType code '${taxType}' does not exist or cannot be used for this type of transaction.`);
    const rate = taxRatePercent(ctx, taxType);
    const lineTax =
      lineAmountTypes === 'Inclusive' ? round2(amount - amount / (1 + rate / 100)) : lineAmountTypes === 'NoTax' ? 0 : round2((amount * rate) / 100);
    const line: XRecord = {
      LineItemID: str(li.LineItemID) ?? newId(),
      Description: str(li.Description) ?? '',
      Quantity: quantity,
      UnitAmount: unit,
      TaxType: taxType,
      TaxAmount: lineTax,
      LineAmount: amount,
      Tracking: arr(li.Tracking).filter((t) => obj(t)),
    };
    if (accountCode) line.AccountCode = accountCode;
    if (str(li.ItemCode)) line.ItemCode = li.ItemCode;
    if (discount !== undefined) line.DiscountRate = discount;
    lines.push(line);
    sum += amount;
    tax += lineTax;
  }
  const subTotal = lineAmountTypes === 'Inclusive' ? round2(sum - tax) : round2(sum);
  return { lines, SubTotal: subTotal, TotalTax: round2(tax), Total: round2(subTotal + tax) };
}

/** The contact summary Xero nests in documents. */
export function contactSummary(contact: XRecord): XRecord {
  return { ContactID: contact.ContactID, Name: contact.Name, Addresses: [], Phones: [], ContactGroups: [], ContactPersons: [], HasValidationErrors: false };
}

/** A document's contact by ContactID, or by Name (Xero creates a contact it has not seen by name). */
export function resolveContact(ref: unknown, ctx: Ctx, errors: string[], role: 'customer' | 'supplier' | undefined): XRecord | undefined {
  const r = obj(ref);
  if (!r || (!str(r.ContactID) && !str(r.Name))) {
    errors.push('A Contact must be specified for this type of transaction');
    return undefined;
  }
  const contacts = ctx.book.collection('Contacts');
  let contact: XRecord | undefined;
  const id = str(r.ContactID);
  if (id) {
    contact = contacts.get(id.toLowerCase());
    if (!contact) {
      errors.push(`The contact with ContactID ${id} could not be found.`);
      return undefined;
    }
  } else {
    const name = str(r.Name) as string;
    contact = [...contacts.values()].find((c) => String(c.Name).toLowerCase() === name.toLowerCase() && c.ContactStatus === 'ACTIVE');
    if (!contact) {
      contact = newContact({ Name: name }, ctx);
      contacts.set(String(contact.ContactID).toLowerCase(), contact);
      noteChange(ctx, 'Contacts', contact, 'CREATE');
    }
  }
  if (role === 'customer') contact.IsCustomer = true;
  if (role === 'supplier') contact.IsSupplier = true;
  return contact;
}

export function newContact(input: XRecord, ctx: Ctx): XRecord {
  const c: XRecord = {
    ContactID: newId(),
    ContactStatus: 'ACTIVE',
    Name: str(input.Name) ?? '',
    FirstName: str(input.FirstName) ?? '',
    LastName: str(input.LastName) ?? '',
    EmailAddress: str(input.EmailAddress) ?? '',
    BankAccountDetails: str(input.BankAccountDetails) ?? '',
    Addresses: arr(input.Addresses).filter((a) => obj(a)),
    Phones: arr(input.Phones).filter((p) => obj(p)),
    UpdatedDateUTC: wireDate(ctx.now),
    ContactGroups: [],
    IsSupplier: false,
    IsCustomer: false,
    ContactPersons: arr(input.ContactPersons).filter((p) => obj(p)),
    HasAttachments: false,
    HasValidationErrors: false,
  };
  for (const f of [
    'ContactNumber',
    'AccountNumber',
    'TaxNumber',
    'CompanyNumber',
    'AccountsReceivableTaxType',
    'AccountsPayableTaxType',
    'SalesDefaultAccountCode',
    'PurchasesDefaultAccountCode',
  ]) {
    if (str(input[f])) c[f] = input[f];
  }
  if (str(input.DefaultCurrency)) c.DefaultCurrency = input.DefaultCurrency;
  return c;
}

/** Double entry for the Journals endpoint: one journal per posted document or payment, numbered in order. */
export function postJournal(
  ctx: Ctx,
  source: { id: string; type: string; date: number; reference: string; lines: Array<{ code: string; net: number; tax: number }> },
): void {
  const number = ctx.book.next('journal');
  ctx.book.journals.push({
    JournalID: newId(),
    JournalDate: wireDate(dayOf(source.date)),
    JournalNumber: number,
    CreatedDateUTC: wireDate(ctx.now),
    Reference: source.reference,
    SourceID: source.id,
    SourceType: source.type,
    JournalLines: source.lines.map((l) => {
      const account = accountByCode(ctx, l.code);
      return {
        JournalLineID: newId(),
        AccountID: account?.AccountID,
        AccountCode: l.code,
        AccountType: account?.Type ?? 'CURRENT',
        AccountName: account?.Name ?? l.code,
        Description: '',
        NetAmount: round2(l.net),
        GrossAmount: round2(l.net + l.tax),
        TaxAmount: round2(l.tax),
        TrackingCategories: [],
      };
    }),
  });
}
