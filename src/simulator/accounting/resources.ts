import { newId } from '../formats';
import {
  accountByCode,
  accountRef,
  contactSummary,
  dateInput,
  keepText,
  LINE_AMOUNT_TYPES,
  newContact,
  postJournal,
  priceLines,
  resolveContact,
  setDate,
  setPricedLines,
  recordHistory,
  stamp,
  touch,
  type Built,
  type Ctx,
} from './bookkeeping';
import { arr, dateString, dayOf, num, obj, round2, str, wireDate, wireMs, type XRecord } from './values';

/** The scopes that admit a read or a write: the broad pre-2026 scope or its granular successor. */
export interface Scopes {
  read: string[];
  write: string[];
}

const scopes = (...names: string[]): Scopes => ({ write: names, read: names.flatMap((n) => [n, `${n}.read`]) });
const CONTACTS = scopes('accounting.contacts');
const INVOICES = scopes('accounting.transactions', 'accounting.invoices');
const PAYMENTS = scopes('accounting.transactions', 'accounting.payments');
const BANK = scopes('accounting.transactions', 'accounting.banktransactions');
const JOURNALS_MANUAL = scopes('accounting.transactions', 'accounting.manualjournals');
const SETTINGS = scopes('accounting.settings');

export interface ResourceDef {
  /** Path segment and envelope key (`Invoices` -> `{"Invoices":[...]}`). */
  name: string;
  idField: string;
  /** Also addressable by this field in the path (`Invoices/INV-0001`). */
  numberField?: string;
  /** Takes page/pageSize (xero_accounting.yaml). */
  paged: boolean;
  scopes: Scopes;
  build?: (input: XRecord, ctx: Ctx, existing: XRecord | undefined) => Built;
  /** After a record is stored: journals, balances. */
  saved?: (record: XRecord, ctx: Ctx, previous: XRecord | undefined) => void;
  /** summaryOnly=true: Xero leaves out the heavy parts. */
  summary?: (record: XRecord) => XRecord;
  /** Shown only with includeArchived=true. */
  archived?: (record: XRecord) => boolean;
  pdf?: boolean;
  attachments?: boolean;
  history?: boolean;
  /** DELETE {name}/{id} is allowed. */
  deletable?: boolean;
  /** `searchTerm` looks in these fields, case-insensitively (xero_accounting.yaml's parameter description). */
  searchFields?: readonly string[];
}

/** The GST account of the starting chart (book-setup.ts), where a document's tax is posted. */
export const TAX_ACCOUNT = '820';

const lineAmountTypesOf = (input: XRecord, existing: XRecord | undefined, errors: string[], allowed = LINE_AMOUNT_TYPES): string => {
  const v = str(input.LineAmountTypes) ?? str(existing?.LineAmountTypes) ?? allowed[0];
  if (!allowed.includes(v as string)) errors.push(`LineAmountTypes must be one of ${allowed.join(', ')}.`);
  return v as string;
};

const statusOf = (input: XRecord, existing: XRecord | undefined, allowed: string[], fallback: string, errors: string[], what: string): string => {
  const v = str(input.Status) ?? str(existing?.Status) ?? fallback;
  if (!allowed.includes(v)) errors.push(`${what} Status '${v}' is not valid here (one of ${allowed.join(', ')}).`);
  return v;
};

const locked = (existing: XRecord | undefined, statuses: string[]): boolean => existing !== undefined && statuses.includes(String(existing.Status));

function fail(errors: string[]): Built | undefined {
  return errors.length > 0 ? { errors } : undefined;
}

/** Invoices (ACCREC sales invoices, ACCPAY bills). */
function buildInvoice(input: XRecord, ctx: Ctx, existing: XRecord | undefined): Built {
  const errors: string[] = [];
  if (locked(existing, ['PAID', 'VOIDED', 'DELETED'])) return { errors: [`Invoice not of valid status for modification (it is ${String(existing?.Status)}).`] };
  const type = str(input.Type) ?? str(existing?.Type);
  if (type !== 'ACCREC' && type !== 'ACCPAY')
    errors.push(type ? `Invoice Type '${type}' is not valid (ACCREC or ACCPAY).` : 'Invoice Type must be specified (ACCREC or ACCPAY).');
  const contact =
    input.Contact !== undefined || !existing ? resolveContact(input.Contact, ctx, errors, type === 'ACCPAY' ? 'supplier' : 'customer') : undefined;
  const status = statusOf(
    input,
    existing,
    existing ? ['DRAFT', 'SUBMITTED', 'AUTHORISED', 'DELETED', 'VOIDED'] : ['DRAFT', 'SUBMITTED', 'AUTHORISED'],
    'DRAFT',
    errors,
    'Invoice',
  );
  if (status === 'DELETED' && existing && existing.Status === 'AUTHORISED') errors.push('An AUTHORISED invoice cannot be deleted; void it instead.');
  if (status === 'VOIDED' && existing && Number(existing.AmountPaid) > 0) errors.push('This document cannot be voided as it has a payment allocated to it.');
  const lat = lineAmountTypesOf(input, existing, errors);
  const priced = priceLines(input.LineItems ?? existing?.LineItems, lat, ctx, type === 'ACCPAY' ? 'INPUT2' : 'OUTPUT2', errors);
  if (status === 'AUTHORISED' && priced.lines.length === 0) errors.push('Invoices must have at least one line item to be approved.');
  const date = dateInput(input, 'Date', existing ? undefined : ctx.now, errors) ?? (existing ? undefined : ctx.now);
  const due = dateInput(input, 'DueDate', undefined, errors);
  let number = str(input.InvoiceNumber) ?? str(existing?.InvoiceNumber);
  if (!number && type === 'ACCREC') number = `INV-${String(ctx.book.next('invoice')).padStart(4, '0')}`;
  if (!str(input.InvoiceNumber) && !existing && type === 'ACCREC') {
    while (ctx.book.numbers.has(`Invoices:${number ?? ''}`)) number = `INV-${String(ctx.book.next('invoice')).padStart(4, '0')}`;
  }
  if (number && type === 'ACCREC') {
    const holder = ctx.book.numbers.get(`Invoices:${number}`);
    if (holder !== undefined && holder !== String(existing?.InvoiceID ?? '').toLowerCase()) errors.push('Invoice # must be unique.');
  }
  const failed = fail(errors);
  if (failed) return failed;
  const record: XRecord = existing
    ? { ...existing }
    : {
        Type: type,
        InvoiceID: newId(),
        Payments: [],
        CreditNotes: [],
        Prepayments: [],
        Overpayments: [],
        AmountPaid: 0,
        AmountCredited: 0,
        SentToContact: false,
        CurrencyRate: 1,
        IsDiscounted: false,
        HasAttachments: false,
        HasErrors: false,
      };
  if (number !== undefined) record.InvoiceNumber = number;
  keepText(record, input, existing, ['Reference']);
  if (contact) record.Contact = contactSummary(contact);
  if (date !== undefined) setDate(record, 'Date', date);
  const dueMs = due ?? (existing ? undefined : (date ?? ctx.now) + 30 * 86_400_000);
  if (dueMs !== undefined) setDate(record, 'DueDate', dueMs);
  record.Status = status;
  setPricedLines(record, lat, priced);
  record.AmountDue = round2(priced.Total - Number(record.AmountPaid) - Number(record.AmountCredited));
  record.CurrencyCode = str(input.CurrencyCode) ?? str(existing?.CurrencyCode) ?? ctx.currency;
  stamp(record, ctx);
  return { record };
}

function invoicePosted(record: XRecord, ctx: Ctx, previous: XRecord | undefined): void {
  if (record.Type === 'ACCREC' && typeof record.InvoiceNumber === 'string') {
    if (previous?.InvoiceNumber !== record.InvoiceNumber && typeof previous?.InvoiceNumber === 'string')
      ctx.book.numbers.delete(`Invoices:${previous.InvoiceNumber}`);
    if (record.Status === 'DELETED') ctx.book.numbers.delete(`Invoices:${record.InvoiceNumber}`);
    else ctx.book.numbers.set(`Invoices:${record.InvoiceNumber}`, String(record.InvoiceID).toLowerCase());
  }
  if (record.Status !== 'AUTHORISED' || previous?.Status === 'AUTHORISED') return;
  const sale = record.Type === 'ACCREC';
  const sign = sale ? 1 : -1;
  const lines = arr(record.LineItems).map((l) => obj(l) as XRecord);
  postJournal(ctx, {
    id: String(record.InvoiceID),
    type: String(record.Type),
    date: ctx.now,
    reference: String(record.InvoiceNumber ?? ''),
    lines: [
      { code: sale ? '610' : '800', net: sign * Number(record.Total), tax: 0 },
      ...lines.map((l) => ({
        code: String(l.AccountCode ?? (sale ? '200' : '400')),
        net: -sign * (Number(l.LineAmount) - (record.LineAmountTypes === 'Inclusive' ? Number(l.TaxAmount) : 0)),
        tax: -sign * Number(l.TaxAmount),
      })),
      // The tax on its own line to the tax account, so the journal balances on NetAmount as Xero's do.
      ...(Number(record.TotalTax) !== 0 ? [{ code: TAX_ACCOUNT, net: -sign * Number(record.TotalTax), tax: 0 }] : []),
    ],
  });
}

const withoutLines = (record: XRecord): XRecord => {
  const { LineItems: _lines, ...rest } = record;
  return rest;
};

function buildContact(input: XRecord, ctx: Ctx, existing: XRecord | undefined): Built {
  const errors: string[] = [];
  const name = str(input.Name) ?? str(existing?.Name);
  if (!name) errors.push('The contact name must be specified.');
  if (name) {
    for (const other of ctx.book.collection('Contacts').values()) {
      if (other !== existing && other.ContactStatus === 'ACTIVE' && String(other.Name).toLowerCase() === name.toLowerCase()) {
        errors.push(`The contact name ${name} is already assigned to another contact. The contact name must be unique across all active contacts.`);
      }
    }
  }
  const email = str(input.EmailAddress);
  if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) errors.push('Email address must be valid.');
  const status = str(input.ContactStatus) ?? str(existing?.ContactStatus) ?? 'ACTIVE';
  if (!['ACTIVE', 'ARCHIVED'].includes(status)) errors.push(`ContactStatus '${status}' is not valid (ACTIVE or ARCHIVED).`);
  const failed = fail(errors);
  if (failed) return failed;
  const record = existing ? { ...existing } : newContact(input, ctx);
  if (existing) {
    for (const f of ['Name', 'FirstName', 'LastName', 'EmailAddress', 'ContactNumber', 'AccountNumber', 'TaxNumber', 'BankAccountDetails', 'CompanyNumber']) {
      if (typeof input[f] === 'string') record[f] = input[f];
    }
    if (Array.isArray(input.Addresses)) record.Addresses = input.Addresses;
    if (Array.isArray(input.Phones)) record.Phones = input.Phones;
  }
  record.ContactStatus = status;
  if (typeof input.IsSupplier === 'boolean') record.IsSupplier = input.IsSupplier;
  if (typeof input.IsCustomer === 'boolean') record.IsCustomer = input.IsCustomer;
  stamp(record, ctx);
  return { record };
}

function buildPayment(input: XRecord, ctx: Ctx, existing: XRecord | undefined): Built {
  if (existing) {
    // Xero changes a payment only to delete it.
    if (str(input.Status) !== 'DELETED') return { errors: ['A payment can only be deleted (Status DELETED), not edited.'] };
    if (existing.Status === 'DELETED') return { errors: ['This payment has already been deleted.'] };
    const record = { ...existing, Status: 'DELETED' };
    stamp(record, ctx);
    return { record };
  }
  const errors: string[] = [];
  const ref = obj(input.Invoice);
  const invoices = ctx.book.collection('Invoices');
  let invoice: XRecord | undefined;
  if (!ref) errors.push('An Invoice, Credit Note, Prepayment or Overpayment must be specified for the payment.');
  else {
    const id = str(ref.InvoiceID);
    invoice = id ? invoices.get(id.toLowerCase()) : [...invoices.values()].find((i) => i.InvoiceNumber === str(ref.InvoiceNumber));
    if (!invoice) errors.push('Invoice could not be found.');
  }
  const account = accountRef(ctx, input.Account);
  if (!account) errors.push('Account could not be found. Payments need the AccountID or Code of a bank account (or one with EnablePaymentsToAccount).');
  else if (account.Type !== 'BANK' && account.EnablePaymentsToAccount !== true)
    errors.push(`Account code '${String(account.Code)}' is not a bank account and does not accept payments.`);
  const amount = num(input.Amount);
  if (amount === undefined || amount <= 0) errors.push('Payment amount must be greater than zero.');
  if (invoice && invoice.Status !== 'AUTHORISED') errors.push('Payments can only be made against Authorised documents.');
  if (invoice && amount !== undefined && amount > Number(invoice.AmountDue) + 0.001)
    errors.push('Payment amount exceeds the amount outstanding on this document.');
  const date = dateInput(input, 'Date', ctx.now, errors) ?? ctx.now;
  const failed = fail(errors);
  if (failed || !invoice || !account || amount === undefined) return failed ?? { errors: ['Payment is incomplete.'] };
  const record: XRecord = {
    PaymentID: newId(),
    Date: wireDate(date),
    BankAmount: amount,
    Amount: amount,
    Reference: str(input.Reference) ?? '',
    CurrencyRate: 1,
    PaymentType: invoice.Type === 'ACCPAY' ? 'ACCPAYPAYMENT' : 'ACCRECPAYMENT',
    Status: 'AUTHORISED',
    IsReconciled: input.IsReconciled === true,
    HasAccount: true,
    HasValidationErrors: false,
    Account: { AccountID: account.AccountID, Code: account.Code, Name: account.Name },
    Invoice: {
      Type: invoice.Type,
      InvoiceID: invoice.InvoiceID,
      InvoiceNumber: invoice.InvoiceNumber,
      Contact: invoice.Contact,
      Payments: [],
      CreditNotes: [],
      Prepayments: [],
      Overpayments: [],
      HasErrors: false,
      IsDiscounted: false,
      LineItems: [],
      CurrencyCode: invoice.CurrencyCode,
    },
  };
  stamp(record, ctx);
  return { record };
}

function paymentSaved(record: XRecord, ctx: Ctx, previous: XRecord | undefined): void {
  const invoiceId = String((obj(record.Invoice) as XRecord).InvoiceID).toLowerCase();
  const invoice = ctx.book.collection('Invoices').get(invoiceId);
  if (!invoice) return;
  const amount = Number(record.Amount);
  const sign = record.Status === 'DELETED' && previous ? -1 : previous ? 0 : 1;
  if (sign === 0) return;
  invoice.AmountPaid = round2(Number(invoice.AmountPaid) + sign * amount);
  invoice.AmountDue = round2(Number(invoice.Total) - Number(invoice.AmountPaid) - Number(invoice.AmountCredited));
  const summary = {
    PaymentID: record.PaymentID,
    Date: record.Date,
    Amount: amount,
    Reference: record.Reference,
    CurrencyRate: 1,
    HasAccount: true,
    HasValidationErrors: false,
  };
  invoice.Payments = sign > 0 ? [...arr(invoice.Payments), summary] : arr(invoice.Payments).filter((p) => obj(p)?.PaymentID !== record.PaymentID);
  const who = String(obj(invoice.Contact)?.Name ?? '');
  const on = dateString(dayOf(wireMs(record.Date) ?? ctx.now)).slice(0, 10);
  if (sign > 0) recordHistory(ctx, String(invoice.InvoiceID), 'Payment Received', `Payment received from ${who} on ${on} for ${amount.toFixed(2)}.`);
  else recordHistory(ctx, String(invoice.InvoiceID), 'Payment Deleted', `Payment of ${amount.toFixed(2)} from ${who} on ${on} deleted.`);
  if (sign > 0 && Number(invoice.AmountDue) <= 0)
    recordHistory(ctx, String(invoice.InvoiceID), 'Paid', `Payment received from ${who} on ${on} for ${amount.toFixed(2)}. This invoice has been fully paid.`);
  if (Number(invoice.AmountDue) <= 0) {
    invoice.Status = 'PAID';
    invoice.FullyPaidOnDate = record.Date;
  } else if (invoice.Status === 'PAID') {
    invoice.Status = 'AUTHORISED';
    delete invoice.FullyPaidOnDate;
  }
  touch(ctx, 'Invoices', invoice);
  const sale = invoice.Type === 'ACCREC';
  const bank = String((obj(record.Account) as XRecord).Code);
  postJournal(ctx, {
    id: String(record.PaymentID),
    type: sale ? 'ACCRECPAYMENT' : 'ACCPAYPAYMENT',
    date: ctx.now,
    reference: String(record.Reference),
    lines: [
      { code: bank, net: sign * (sale ? amount : -amount), tax: 0 },
      { code: sale ? '610' : '800', net: sign * (sale ? -amount : amount), tax: 0 },
    ],
  });
}

function buildCreditNote(input: XRecord, ctx: Ctx, existing: XRecord | undefined): Built {
  const errors: string[] = [];
  if (locked(existing, ['PAID', 'VOIDED', 'DELETED']))
    return { errors: [`Credit note not of valid status for modification (it is ${String(existing?.Status)}).`] };
  const type = str(input.Type) ?? str(existing?.Type);
  if (type !== 'ACCRECCREDIT' && type !== 'ACCPAYCREDIT') errors.push('Credit note Type must be ACCRECCREDIT or ACCPAYCREDIT.');
  const contact = input.Contact !== undefined || !existing ? resolveContact(input.Contact, ctx, errors, undefined) : undefined;
  const status = statusOf(input, existing, ['DRAFT', 'SUBMITTED', 'AUTHORISED', 'DELETED', 'VOIDED'], 'DRAFT', errors, 'Credit note');
  const lat = lineAmountTypesOf(input, existing, errors);
  const priced = priceLines(input.LineItems ?? existing?.LineItems, lat, ctx, type === 'ACCPAYCREDIT' ? 'INPUT2' : 'OUTPUT2', errors);
  const date = dateInput(input, 'Date', existing ? undefined : ctx.now, errors);
  const failed = fail(errors);
  if (failed) return failed;
  const record: XRecord = existing
    ? { ...existing }
    : {
        Type: type,
        CreditNoteID: newId(),
        CreditNoteNumber: `CN-${String(ctx.book.next('creditnote')).padStart(4, '0')}`,
        Allocations: [],
        Payments: [],
        CurrencyRate: 1,
        HasAttachments: false,
        HasErrors: false,
        AppliedAmount: 0,
        SentToContact: false,
      };
  if (contact) record.Contact = contactSummary(contact);
  if (date !== undefined) setDate(record, 'Date', date);
  keepText(record, input, existing, ['Reference']);
  record.Status = status;
  setPricedLines(record, lat, priced);
  record.RemainingCredit = round2(priced.Total - Number(record.AppliedAmount));
  record.CurrencyCode = str(input.CurrencyCode) ?? str(existing?.CurrencyCode) ?? ctx.currency;
  stamp(record, ctx);
  return { record };
}

function buildBankTransaction(input: XRecord, ctx: Ctx, existing: XRecord | undefined): Built {
  const errors: string[] = [];
  const type = str(input.Type) ?? str(existing?.Type);
  if (!type || !['RECEIVE', 'SPEND'].includes(type)) errors.push('Bank transaction Type must be RECEIVE or SPEND.');
  const bank = input.BankAccount !== undefined || !existing ? accountRef(ctx, input.BankAccount) : accountRef(ctx, existing.BankAccount);
  if (!bank || bank.Type !== 'BANK') errors.push('A valid bank account must be specified (BankAccount with the AccountID or Code of a BANK account).');
  const contact = input.Contact !== undefined || !existing ? resolveContact(input.Contact, ctx, errors, undefined) : undefined;
  const lat = lineAmountTypesOf(input, existing, errors);
  const priced = priceLines(input.LineItems ?? existing?.LineItems, lat, ctx, type === 'SPEND' ? 'INPUT2' : 'OUTPUT2', errors);
  if (priced.lines.length === 0) errors.push('At least one line item must be specified.');
  const status = statusOf(input, existing, ['AUTHORISED', 'DELETED'], 'AUTHORISED', errors, 'Bank transaction');
  const date = dateInput(input, 'Date', existing ? undefined : ctx.now, errors);
  const failed = fail(errors);
  if (failed || !bank) return failed ?? { errors: ['Bank account missing.'] };
  const record: XRecord = existing ? { ...existing } : { BankTransactionID: newId(), IsReconciled: false, CurrencyRate: 1, HasAttachments: false, Url: '' };
  record.Type = type;
  record.BankAccount = { AccountID: bank.AccountID, Code: bank.Code, Name: bank.Name };
  if (contact) record.Contact = contactSummary(contact);
  if (date !== undefined) setDate(record, 'Date', date);
  keepText(record, input, existing, ['Reference']);
  record.Status = status;
  setPricedLines(record, lat, priced);
  record.CurrencyCode = ctx.currency;
  stamp(record, ctx);
  return { record };
}

function buildBankTransfer(input: XRecord, ctx: Ctx, existing: XRecord | undefined): Built {
  if (existing) {
    // A bank transfer is never edited, only deleted (POST BankTransfers[/{id}] with Status DELETED).
    if (str(input.Status) !== 'DELETED') return { errors: ['A bank transfer cannot be changed; delete it (Status DELETED) and create another.'] };
    const record = { ...existing, Status: 'DELETED' };
    return { record };
  }
  const errors: string[] = [];
  const from = accountRef(ctx, input.FromBankAccount);
  const to = accountRef(ctx, input.ToBankAccount);
  if (!from || from.Type !== 'BANK') errors.push('FromBankAccount must be a bank account.');
  if (!to || to.Type !== 'BANK') errors.push('ToBankAccount must be a bank account.');
  if (from && to && from === to) errors.push('The bank accounts must be different.');
  const amount = num(input.Amount);
  if (amount === undefined || amount <= 0) errors.push('Amount must be greater than zero.');
  const date = dateInput(input, 'Date', ctx.now, errors) ?? ctx.now;
  const failed = fail(errors);
  if (failed || !from || !to) return failed ?? { errors: ['Bank accounts missing.'] };
  const record: XRecord = {
    BankTransferID: newId(),
    FromBankAccount: { AccountID: from.AccountID, Code: from.Code, Name: from.Name },
    ToBankAccount: { AccountID: to.AccountID, Code: to.Code, Name: to.Name },
    Amount: amount,
    Date: wireDate(date),
    CurrencyRate: 1,
    FromBankTransactionID: newId(),
    ToBankTransactionID: newId(),
    FromIsReconciled: false,
    ToIsReconciled: false,
    Reference: str(input.Reference) ?? '',
    HasAttachments: false,
    CreatedDateUTC: wireDate(ctx.now),
  };
  return { record };
}

const ACCOUNT_CLASS: Record<string, string> = {
  BANK: 'ASSET',
  CURRENT: 'ASSET',
  FIXED: 'ASSET',
  INVENTORY: 'ASSET',
  NONCURRENT: 'ASSET',
  PREPAYMENT: 'ASSET',
  CURRLIAB: 'LIABILITY',
  LIABILITY: 'LIABILITY',
  TERMLIAB: 'LIABILITY',
  PAYG: 'LIABILITY',
  EQUITY: 'EQUITY',
  DEPRECIATN: 'EXPENSE',
  DIRECTCOSTS: 'EXPENSE',
  EXPENSE: 'EXPENSE',
  OVERHEADS: 'EXPENSE',
  OTHERINCOME: 'REVENUE',
  REVENUE: 'REVENUE',
  SALES: 'REVENUE',
};

export function buildAccount(input: XRecord, ctx: Ctx, existing: XRecord | undefined): Built {
  const errors: string[] = [];
  const code = str(input.Code) ?? str(existing?.Code);
  const name = str(input.Name) ?? str(existing?.Name);
  const type = str(input.Type) ?? str(existing?.Type);
  if (!name) errors.push('Please enter a Name.');
  if (!type || !ACCOUNT_CLASS[type]) errors.push(`Account Type '${type ?? ''}' is not valid.`);
  if (type !== 'BANK' && !code) errors.push('Please enter a Code.');
  for (const other of ctx.book.collection('Accounts').values()) {
    if (other === existing) continue;
    if (code && other.Code === code) errors.push('Please enter a unique Code.');
    if (name && String(other.Name).toLowerCase() === name.toLowerCase()) errors.push('Please enter a unique Name.');
  }
  const failed = fail(errors);
  if (failed || !type) return failed ?? { errors: ['Account Type missing.'] };
  const record: XRecord = existing
    ? { ...existing }
    : { AccountID: newId(), Status: 'ACTIVE', EnablePaymentsToAccount: false, ShowInExpenseClaims: false, HasAttachments: false, AddToWatchlist: false };
  if (code) record.Code = code;
  record.Name = name;
  record.Type = type;
  record.Class = ACCOUNT_CLASS[type];
  keepText(record, input, existing, ['Description']);
  record.TaxType = str(input.TaxType) ?? str(existing?.TaxType) ?? (record.Class === 'REVENUE' ? 'OUTPUT2' : record.Class === 'EXPENSE' ? 'INPUT2' : 'NONE');
  record.ReportingCode = str(existing?.ReportingCode) ?? `${String(record.Class).slice(0, 3)}`;
  if (type === 'BANK') {
    record.BankAccountType = str(input.BankAccountType) ?? str(existing?.BankAccountType) ?? 'BANK';
    keepText(record, input, existing, ['BankAccountNumber']);
    record.CurrencyCode = ctx.currency;
  }
  if (typeof input.EnablePaymentsToAccount === 'boolean') record.EnablePaymentsToAccount = input.EnablePaymentsToAccount;
  if (str(input.Status)) record.Status = input.Status;
  stamp(record, ctx);
  return { record };
}

function buildItem(input: XRecord, ctx: Ctx, existing: XRecord | undefined): Built {
  const errors: string[] = [];
  const code = str(input.Code) ?? str(existing?.Code);
  if (!code) errors.push('Item code must be specified.');
  if (code && code.length > 30) errors.push('Item code must not be more than 30 characters long.');
  for (const other of ctx.book.collection('Items').values()) if (other !== existing && other.Code === code) errors.push(`Item code '${code}' already exists.`);
  const failed = fail(errors);
  if (failed) return failed;
  const record: XRecord = existing ? { ...existing } : { ItemID: newId(), IsTrackedAsInventory: false };
  record.Code = code;
  record.Name = str(input.Name) ?? str(existing?.Name) ?? code;
  keepText(record, input, existing, ['Description', 'PurchaseDescription']);
  record.IsSold = input.IsSold !== false;
  record.IsPurchased = input.IsPurchased !== false;
  const sales = obj(input.SalesDetails);
  const purchase = obj(input.PurchaseDetails);
  record.SalesDetails = { UnitPrice: num(sales?.UnitPrice) ?? 0, AccountCode: str(sales?.AccountCode) ?? '200', TaxType: str(sales?.TaxType) ?? 'OUTPUT2' };
  record.PurchaseDetails = {
    UnitPrice: num(purchase?.UnitPrice) ?? 0,
    AccountCode: str(purchase?.AccountCode) ?? '300',
    TaxType: str(purchase?.TaxType) ?? 'INPUT2',
  };
  stamp(record, ctx);
  return { record };
}

const QUOTE_LINE_TYPES = ['EXCLUSIVE', 'INCLUSIVE', 'NOTAX'];

function buildQuote(input: XRecord, ctx: Ctx, existing: XRecord | undefined): Built {
  const errors: string[] = [];
  const contact = input.Contact !== undefined || !existing ? resolveContact(input.Contact, ctx, errors, 'customer') : undefined;
  const status = statusOf(input, existing, ['DRAFT', 'SENT', 'DECLINED', 'ACCEPTED', 'INVOICED', 'DELETED'], 'DRAFT', errors, 'Quote');
  const lat = lineAmountTypesOf(input, existing, errors, QUOTE_LINE_TYPES);
  const asInvoiceType = lat === 'INCLUSIVE' ? 'Inclusive' : lat === 'NOTAX' ? 'NoTax' : 'Exclusive';
  const priced = priceLines(input.LineItems ?? existing?.LineItems, asInvoiceType, ctx, 'OUTPUT2', errors);
  const date = dateInput(input, 'Date', existing ? undefined : ctx.now, errors);
  const expiry = dateInput(input, 'ExpiryDate', undefined, errors);
  const failed = fail(errors);
  if (failed) return failed;
  const record: XRecord = existing
    ? { ...existing }
    : { QuoteID: newId(), QuoteNumber: `QU-${String(ctx.book.next('quote')).padStart(4, '0')}`, CurrencyRate: 1 };
  if (contact) record.Contact = contactSummary(contact);
  if (date !== undefined) setDate(record, 'Date', date);
  if (expiry !== undefined) setDate(record, 'ExpiryDate', expiry);
  keepText(record, input, existing, ['Reference', 'Title', 'Summary', 'Terms']);
  record.Status = status;
  setPricedLines(record, lat, priced);
  record.TotalDiscount = 0;
  record.CurrencyCode = ctx.currency;
  stamp(record, ctx);
  return { record };
}

function buildPurchaseOrder(input: XRecord, ctx: Ctx, existing: XRecord | undefined): Built {
  const errors: string[] = [];
  const contact = input.Contact !== undefined || !existing ? resolveContact(input.Contact, ctx, errors, 'supplier') : undefined;
  const status = statusOf(input, existing, ['DRAFT', 'SUBMITTED', 'AUTHORISED', 'BILLED', 'DELETED'], 'DRAFT', errors, 'Purchase order');
  const lat = lineAmountTypesOf(input, existing, errors);
  const priced = priceLines(input.LineItems ?? existing?.LineItems, lat, ctx, 'INPUT2', errors);
  const date = dateInput(input, 'Date', existing ? undefined : ctx.now, errors);
  const delivery = dateInput(input, 'DeliveryDate', undefined, errors);
  const failed = fail(errors);
  if (failed) return failed;
  const record: XRecord = existing
    ? { ...existing }
    : {
        PurchaseOrderID: newId(),
        PurchaseOrderNumber: `PO-${String(ctx.book.next('po')).padStart(4, '0')}`,
        CurrencyRate: 1,
        SentToContact: false,
        HasAttachments: false,
      };
  if (contact) record.Contact = contactSummary(contact);
  if (date !== undefined) setDate(record, 'Date', date);
  if (delivery !== undefined) setDate(record, 'DeliveryDate', delivery);
  keepText(record, input, existing, ['Reference', 'DeliveryAddress', 'AttentionTo']);
  record.Status = status;
  setPricedLines(record, lat, priced);
  record.TotalDiscount = 0;
  record.CurrencyCode = ctx.currency;
  stamp(record, ctx);
  return { record };
}

function buildManualJournal(input: XRecord, ctx: Ctx, existing: XRecord | undefined): Built {
  const errors: string[] = [];
  if (locked(existing, ['POSTED', 'VOIDED', 'DELETED']) && str(input.Status) !== 'VOIDED') return { errors: ['A posted manual journal can only be voided.'] };
  const narration = str(input.Narration) ?? str(existing?.Narration);
  if (!narration) errors.push('Narration must be specified.');
  const lines = (input.JournalLines ?? existing?.JournalLines) as unknown;
  const journalLines = arr(lines)
    .map((l) => obj(l))
    .filter((l): l is XRecord => l !== undefined);
  let total = 0;
  for (const l of journalLines) {
    const code = str(l.AccountCode);
    if (!code || !accountByCode(ctx, code)) errors.push(`Account code '${code ?? ''}' is not a valid code for this document.`);
    total += num(l.LineAmount) ?? 0;
  }
  if (journalLines.length < 2) errors.push('A manual journal needs at least two journal lines.');
  if (Math.abs(round2(total)) > 0)
    errors.push(
      `The total debits (${journalLines
        .filter((l) => (num(l.LineAmount) ?? 0) > 0)
        .reduce((s, l) => s + (num(l.LineAmount) ?? 0), 0)
        .toFixed(
          2,
        )}) must equal total credits (${Math.abs(journalLines.filter((l) => (num(l.LineAmount) ?? 0) < 0).reduce((s, l) => s + (num(l.LineAmount) ?? 0), 0)).toFixed(2)})`,
    );
  const status = statusOf(input, existing, ['DRAFT', 'POSTED', 'DELETED', 'VOIDED'], 'DRAFT', errors, 'Manual journal');
  const date = dateInput(input, 'Date', existing ? undefined : ctx.now, errors);
  const failed = fail(errors);
  if (failed) return failed;
  const record: XRecord = existing ? { ...existing } : { ManualJournalID: newId(), HasAttachments: false, ShowOnCashBasisReports: true, Url: '' };
  record.Narration = narration;
  if (date !== undefined) setDate(record, 'Date', date, false);
  record.Status = status;
  record.LineAmountTypes = str(input.LineAmountTypes) ?? str(existing?.LineAmountTypes) ?? 'NoTax';
  record.JournalLines = journalLines.map((l) => ({
    Description: str(l.Description) ?? '',
    TaxType: str(l.TaxType) ?? 'NONE',
    LineAmount: num(l.LineAmount) ?? 0,
    AccountCode: l.AccountCode,
    AccountID: accountByCode(ctx, str(l.AccountCode))?.AccountID,
    TaxAmount: 0,
    IsBlank: false,
    Tracking: [],
  }));
  stamp(record, ctx);
  return { record };
}

function buildTrackingCategory(input: XRecord, ctx: Ctx, existing: XRecord | undefined): Built {
  const errors: string[] = [];
  const name = str(input.Name) ?? str(existing?.Name);
  if (!name) errors.push('Tracking category name must be specified.');
  const active = [...ctx.book.collection('TrackingCategories').values()].filter((t) => t !== existing && t.Status === 'ACTIVE');
  if (active.some((t) => String(t.Name).toLowerCase() === name?.toLowerCase())) errors.push(`A tracking category named '${name ?? ''}' already exists.`);
  // Xero allows two active tracking categories per organisation.
  if (!existing && active.length >= 2) errors.push('You cannot have more than 2 active tracking categories.');
  const failed = fail(errors);
  if (failed) return failed;
  const record: XRecord = existing ? { ...existing } : { TrackingCategoryID: newId(), Status: 'ACTIVE', Options: [] };
  record.Name = name;
  if (str(input.Status)) record.Status = input.Status;
  return { record };
}

function buildTaxRate(input: XRecord, ctx: Ctx, existing: XRecord | undefined): Built {
  const errors: string[] = [];
  const name = str(input.Name) ?? str(existing?.Name);
  if (!name) errors.push('Tax rate name must be specified.');
  const components = arr(input.TaxComponents ?? existing?.TaxComponents)
    .map((c) => obj(c))
    .filter((c): c is XRecord => c !== undefined);
  if (components.length === 0) errors.push('At least one tax component must be specified.');
  const failed = fail(errors);
  if (failed) return failed;
  const rate = round2(components.reduce((s, c) => s + (num(c.Rate) ?? 0), 0));
  const record: XRecord = existing
    ? { ...existing }
    : {
        TaxType: str(input.TaxType) ?? `TAX${String(ctx.book.next('taxrate')).padStart(3, '0')}`,
        Status: 'ACTIVE',
        ReportTaxType: 'OUTPUT',
        CanApplyToAssets: true,
        CanApplyToEquity: true,
        CanApplyToExpenses: true,
        CanApplyToLiabilities: true,
        CanApplyToRevenue: true,
      };
  record.Name = name;
  record.TaxComponents = components.map((c) => ({
    Name: str(c.Name) ?? name,
    Rate: num(c.Rate) ?? 0,
    IsCompound: c.IsCompound === true,
    IsNonRecoverable: c.IsNonRecoverable === true,
  }));
  record.DisplayTaxRate = rate;
  record.EffectiveRate = rate;
  if (str(input.ReportTaxType)) record.ReportTaxType = input.ReportTaxType;
  return { record };
}

function buildCurrency(input: XRecord, ctx: Ctx, existing: XRecord | undefined): Built {
  const code = str(input.Code);
  if (!code || !/^[A-Z]{3}$/.test(code)) return { errors: ['Currency Code must be a three-letter ISO 4217 code.'] };
  if (!existing && ctx.book.collection('Currencies').has(code)) return { errors: [`The currency ${code} has already been added.`] };
  return { record: { Code: code, Description: str(input.Description) ?? code } };
}

function buildContactGroup(input: XRecord, ctx: Ctx, existing: XRecord | undefined): Built {
  const name = str(input.Name) ?? str(existing?.Name);
  if (!name) return { errors: ['Contact group name must be specified.'] };
  for (const g of ctx.book.collection('ContactGroups').values())
    if (g !== existing && g.Status === 'ACTIVE' && String(g.Name).toLowerCase() === name.toLowerCase())
      return { errors: [`A contact group named '${name}' already exists.`] };
  const record: XRecord = existing ? { ...existing } : { ContactGroupID: newId(), Status: 'ACTIVE', Contacts: [] };
  record.Name = name;
  if (str(input.Status)) record.Status = input.Status;
  return { record };
}

const RESOURCES: ResourceDef[] = [
  {
    name: 'Contacts',
    idField: 'ContactID',
    numberField: 'ContactNumber',
    paged: true,
    scopes: CONTACTS,
    build: buildContact,
    archived: (r) => r.ContactStatus === 'ARCHIVED',
    attachments: true,
    history: true,
    searchFields: ['Name', 'FirstName', 'LastName', 'ContactNumber', 'EmailAddress'],
  },
  { name: 'ContactGroups', idField: 'ContactGroupID', paged: false, scopes: CONTACTS, build: buildContactGroup, archived: (r) => r.Status === 'DELETED' },
  {
    name: 'Invoices',
    idField: 'InvoiceID',
    numberField: 'InvoiceNumber',
    paged: true,
    scopes: INVOICES,
    build: buildInvoice,
    saved: invoicePosted,
    summary: withoutLines,
    pdf: true,
    attachments: true,
    history: true,
    searchFields: ['InvoiceNumber', 'Reference'],
  },
  {
    name: 'CreditNotes',
    idField: 'CreditNoteID',
    numberField: 'CreditNoteNumber',
    paged: true,
    scopes: INVOICES,
    build: buildCreditNote,
    summary: withoutLines,
    pdf: true,
    attachments: true,
    history: true,
  },
  { name: 'Payments', idField: 'PaymentID', paged: true, scopes: PAYMENTS, build: buildPayment, saved: paymentSaved, history: true },
  { name: 'BankTransactions', idField: 'BankTransactionID', paged: true, scopes: BANK, build: buildBankTransaction, attachments: true, history: true },
  { name: 'BankTransfers', idField: 'BankTransferID', paged: false, scopes: BANK, build: buildBankTransfer, attachments: true, history: true },
  {
    name: 'Accounts',
    idField: 'AccountID',
    paged: false,
    scopes: SETTINGS,
    build: buildAccount,
    archived: (r) => r.Status === 'ARCHIVED',
    attachments: true,
    deletable: true,
  },
  { name: 'Items', idField: 'ItemID', numberField: 'Code', paged: false, scopes: SETTINGS, build: buildItem, history: true, deletable: true },
  {
    name: 'Quotes',
    idField: 'QuoteID',
    numberField: 'QuoteNumber',
    paged: true,
    scopes: INVOICES,
    build: buildQuote,
    summary: withoutLines,
    pdf: true,
    attachments: true,
    history: true,
  },
  {
    name: 'PurchaseOrders',
    idField: 'PurchaseOrderID',
    numberField: 'PurchaseOrderNumber',
    paged: true,
    scopes: INVOICES,
    build: buildPurchaseOrder,
    summary: withoutLines,
    pdf: true,
    attachments: true,
    history: true,
  },
  { name: 'ManualJournals', idField: 'ManualJournalID', paged: true, scopes: JOURNALS_MANUAL, build: buildManualJournal, attachments: true, history: true },
  {
    name: 'TrackingCategories',
    idField: 'TrackingCategoryID',
    paged: false,
    scopes: SETTINGS,
    build: buildTrackingCategory,
    archived: (r) => r.Status === 'ARCHIVED',
    deletable: true,
  },
  { name: 'TaxRates', idField: 'TaxType', paged: false, scopes: SETTINGS, build: buildTaxRate },
  { name: 'Currencies', idField: 'Code', paged: false, scopes: SETTINGS, build: buildCurrency },
];

export const RESOURCE_BY_NAME: ReadonlyMap<string, ResourceDef> = new Map(RESOURCES.map((r) => [r.name.toLowerCase(), r]));
export const RESOURCE_NAMES = RESOURCES.map((r) => r.name);
export const JOURNALS_SCOPES: Scopes = { read: ['accounting.journals.read'], write: [] };
export const ATTACHMENT_SCOPES: Scopes = scopes('accounting.attachments');
export const REPORT_SCOPES = (report: string): string[] => {
  const granular = report.startsWith('Aged') ? 'aged' : report.toLowerCase().replace('summary', 'summary');
  return ['accounting.reports.read', `accounting.reports.${granular}.read`];
};
/** The document's schema of one record of a resource: `Invoices` -> `Invoice`, `Currencies` -> `Currency`. */
export const recordSchemaOf = (def: ResourceDef): string => def.name.replace(/ies$/, 'y').replace(/s$/, '');
/** Records keyed by id in lower case (Xero's GUIDs are case-insensitive); TaxRates and Currencies by their code. */
export const keyOf = (def: ResourceDef, id: string): string => (def.idField === 'TaxType' || def.idField === 'Code' ? id : id.toLowerCase());
