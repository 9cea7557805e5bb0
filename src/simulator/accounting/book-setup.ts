import { newId } from '../formats';
import { buildAccount } from './resources';
import type { TenantBook } from './store';
import type { XRecord } from './values';

/** A demo organisation's starting chart of accounts (codes as in Xero's demo company). */
const CHART: Array<[code: string, name: string, type: string]> = [
  ['090', 'Business Bank Account', 'BANK'],
  ['091', 'Business Savings Account', 'BANK'],
  ['200', 'Sales', 'REVENUE'],
  ['260', 'Other Revenue', 'REVENUE'],
  ['300', 'Purchases', 'DIRECTCOSTS'],
  ['400', 'Advertising', 'OVERHEADS'],
  ['404', 'Bank Fees', 'OVERHEADS'],
  ['429', 'General Expenses', 'OVERHEADS'],
  ['610', 'Accounts Receivable', 'CURRENT'],
  ['800', 'Accounts Payable', 'CURRLIAB'],
  ['820', 'GST', 'CURRLIAB'],
  ['970', 'Owner A Funds Introduced', 'EQUITY'],
];

const TAX_RATES: Array<[type: string, name: string, rate: number, report: string]> = [
  ['OUTPUT2', '15% GST on Income', 15, 'OUTPUT'],
  ['INPUT2', '15% GST on Expenses', 15, 'INPUT'],
  ['ZERORATED', 'Zero Rated', 0, 'OUTPUT'],
  ['NONE', 'No GST', 0, 'NONE'],
];

/** Fills a new book with what every Xero organisation has: accounts, tax rates, its base currency. */
export function initialiseBook(book: TenantBook, currency: string, createdAt: number): void {
  const ctx = { book, now: createdAt, currency };
  const taxRates = book.collection('TaxRates');
  for (const [type, name, rate, report] of TAX_RATES) {
    taxRates.set(type, {
      Name: name,
      TaxType: type,
      ReportTaxType: report,
      CanApplyToAssets: true,
      CanApplyToEquity: true,
      CanApplyToExpenses: report !== 'OUTPUT',
      CanApplyToLiabilities: true,
      CanApplyToRevenue: report !== 'INPUT',
      DisplayTaxRate: rate,
      EffectiveRate: rate,
      Status: 'ACTIVE',
      TaxComponents: [{ Name: 'GST', Rate: rate, IsCompound: false, IsNonRecoverable: false }],
    });
  }
  const accounts = book.collection('Accounts');
  for (const [code, name, type] of CHART) {
    const built = buildAccount({ Code: code, Name: name, Type: type }, ctx, undefined);
    if ('record' in built) {
      if (type === 'BANK') built.record.EnablePaymentsToAccount = true;
      accounts.set(String(built.record.AccountID).toLowerCase(), built.record);
    }
  }
  book.collection('Currencies').set(currency, { Code: currency, Description: CURRENCY_NAMES[currency] ?? currency });
  const region: XRecord = { TrackingCategoryID: newId(), Name: 'Region', Status: 'ACTIVE', Options: [] };
  region.Options = ['North', 'South'].map((n) => ({ TrackingOptionID: newId(), Name: n, Status: 'ACTIVE', TrackingCategoryID: region.TrackingCategoryID }));
  book.collection('TrackingCategories').set(String(region.TrackingCategoryID).toLowerCase(), region);
}

const CURRENCY_NAMES: Record<string, string> = { NZD: 'New Zealand Dollar', AUD: 'Australian Dollar', GBP: 'British Pound', USD: 'United States Dollar' };
