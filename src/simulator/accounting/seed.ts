import { seededRandom } from '../random';
import type { AccountingApi } from './handler';
import type { XRecord } from './values';

/**
 * A realistic book for demos and benchmarks: customers and suppliers, a year of sales invoices and
 * bills (drafts, approved, paid, part-paid), payments into the bank account, a few bank
 * transactions and items. Deterministic for a given seed, so a benchmark reads the same book twice.
 */
export interface SeedOptions {
  contacts?: number;
  invoices?: number;
  /** Share of approved invoices that get paid (in full or part), 0..1. Default 0.6. */
  paidShare?: number;
  seed?: number;
}

export interface SeedSummary {
  tenantId: string;
  contacts: number;
  invoices: number;
  payments: number;
  bankTransactions: number;
  items: number;
}

export const SEED_LIMITS = { contacts: 10_000, invoices: 100_000 };

const FIRST = [
  'Ridgeway',
  'Harbour',
  'Kowhai',
  'Summit',
  'Bluegum',
  'Totara',
  'Coastal',
  'Meridian',
  'Pioneer',
  'Silver Fern',
  'Riverbend',
  'Southern Cross',
  'Kauri',
  'Wattle',
  'Northgate',
];
const SECOND = [
  'Bakery',
  'Builders',
  'Dental',
  'Design',
  'Electrical',
  'Florists',
  'Freight',
  'Gardens',
  'Legal',
  'Motors',
  'Plumbing',
  'Printing',
  'Studio',
  'Traders',
  'Vets',
];
const PRODUCTS: Array<[description: string, price: number, account: string]> = [
  ['Consulting (hours)', 150, '200'],
  ['Monthly bookkeeping', 450, '200'],
  ['Annual accounts preparation', 1800, '200'],
  ['GST return', 320, '200'],
  ['Payroll processing', 95, '200'],
  ['Training workshop', 600, '260'],
];
const COSTS: Array<[description: string, price: number, account: string]> = [
  ['Office supplies', 85, '429'],
  ['Advertising', 400, '400'],
  ['Software subscription', 120, '429'],
  ['Bank fees', 15, '404'],
];

/** Fills the book, then sends what it created to the apps' webhooks, as Xero would for changes made in its own screens. */
export function seedBook(api: AccountingApi, tenantId: string, now: number, options: SeedOptions = {}): SeedSummary {
  try {
    return fillBook(api, tenantId, now, options);
  } finally {
    api.publishChanges(tenantId);
  }
}

function fillBook(api: AccountingApi, tenantId: string, now: number, options: SeedOptions): SeedSummary {
  const rnd = seededRandom(options.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const contactCount = Math.min(SEED_LIMITS.contacts, options.contacts ?? 50);
  const invoiceCount = Math.min(SEED_LIMITS.invoices, options.invoices ?? 3000);
  const paidShare = options.paidShare ?? 0.6;
  const yearAgo = now - 365 * 86_400_000;
  const summary: SeedSummary = { tenantId, contacts: 0, invoices: 0, payments: 0, bankTransactions: 0, items: 0 };
  const made = (r: XRecord | string[]): r is XRecord => !Array.isArray(r);

  const bank = api.ctxFor(tenantId);
  const bankAccount = [...bank.book.collection('Accounts').values()].find((a) => a.Code === '090');

  for (const [description, price, account] of PRODUCTS) {
    const code = description
      .replace(/[^A-Za-z]/g, '')
      .slice(0, 10)
      .toUpperCase();
    if (made(api.createRecord(tenantId, 'Items', { Code: code, Name: description, SalesDetails: { UnitPrice: price, AccountCode: account } }, yearAgo)))
      summary.items++;
  }

  const contacts: XRecord[] = [];
  for (let i = 0; i < contactCount; i++) {
    const name = `${pick(FIRST)} ${pick(SECOND)} ${i + 1}`;
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '.');
    const c = api.createRecord(
      tenantId,
      'Contacts',
      { Name: name, EmailAddress: `accounts@${slug}.example`, FirstName: 'Accounts', LastName: 'Team', ContactNumber: `C${String(i + 1).padStart(5, '0')}` },
      yearAgo + i * 1000,
    );
    if (made(c)) {
      contacts.push(c);
      summary.contacts++;
    }
  }
  if (contacts.length === 0) return summary;

  for (let i = 0; i < invoiceCount; i++) {
    const at = yearAgo + Math.floor(((i + rnd()) / invoiceCount) * 365 * 86_400_000);
    const sale = rnd() < 0.85;
    const lines = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
      const [Description, UnitAmount, AccountCode] = pick(sale ? PRODUCTS : COSTS);
      return { Description, Quantity: 1 + Math.floor(rnd() * 4), UnitAmount, AccountCode };
    });
    const status = rnd() < 0.1 ? 'DRAFT' : 'AUTHORISED';
    const contact = pick(contacts);
    const date = new Date(at).toISOString().slice(0, 10);
    const due = new Date(at + 20 * 86_400_000).toISOString().slice(0, 10);
    const inv = api.createRecord(
      tenantId,
      'Invoices',
      {
        Type: sale ? 'ACCREC' : 'ACCPAY',
        Contact: { ContactID: contact.ContactID },
        Date: date,
        DueDate: due,
        Status: status,
        LineItems: lines,
        Reference: sale ? `Job ${1000 + i}` : `Bill ${i}`,
      },
      at,
    );
    if (!made(inv)) continue;
    summary.invoices++;
    if (status === 'AUTHORISED' && bankAccount && rnd() < paidShare) {
      const full = rnd() < 0.85;
      const amount = full ? Number(inv.AmountDue) : Math.round(Number(inv.AmountDue) * 50) / 100;
      const paidAt = Math.min(now, at + Math.floor(rnd() * 30) * 86_400_000);
      const p = api.createRecord(
        tenantId,
        'Payments',
        {
          Invoice: { InvoiceID: inv.InvoiceID },
          Account: { AccountID: bankAccount.AccountID },
          Amount: amount,
          Date: new Date(paidAt).toISOString().slice(0, 10),
          Reference: `Payment ${i}`,
        },
        paidAt,
      );
      if (made(p)) summary.payments++;
    }
  }

  if (bankAccount) {
    for (let i = 0; i < Math.min(24, invoiceCount); i++) {
      const at = yearAgo + i * 15 * 86_400_000;
      const [Description, UnitAmount, AccountCode] = pick(COSTS);
      const bt = api.createRecord(
        tenantId,
        'BankTransactions',
        {
          Type: 'SPEND',
          Contact: { ContactID: pick(contacts).ContactID },
          BankAccount: { AccountID: bankAccount.AccountID },
          Date: new Date(at).toISOString().slice(0, 10),
          LineItems: [{ Description, Quantity: 1, UnitAmount, AccountCode }],
        },
        at,
      );
      if (made(bt)) summary.bankTransactions++;
    }
  }
  return summary;
}
