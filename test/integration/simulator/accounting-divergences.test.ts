import { DEMO_TENANT_ID, type Simulator } from '../../../src/simulator';
import {
  accountingSim,
  xero,
  type Envelope,
  type ReportRow,
  type WireAccount,
  type WireContact,
  type WireInvoice,
  type WireJournal,
  type WireReport,
  type XeroValidationError,
} from './accounting-helpers';

/**
 * Where independent checks found the simulator out of step with Xero (issue 27, "Why"), each checked
 * against xero_accounting.yaml: every test here failed before its fix.
 */
let sim: Simulator;
let token: string;
beforeEach(async () => {
  ({ sim, token } = await accountingSim());
});
afterEach(() => sim.close());

const get = <T = unknown>(path: string) => xero<T>(sim, token, 'GET', path);
type Invoices = Envelope<'Invoices', WireInvoice>;
type Contacts = Envelope<'Contacts', WireContact>;
type Reports = Envelope<'Reports', WireReport>;
const LINE = { Description: 'Advice', Quantity: 2, UnitAmount: 100, AccountCode: '200' };

async function contact(name: string, email = `${name.toLowerCase().replace(/\W+/g, '.')}@example.com`): Promise<string> {
  return (await xero<Contacts>(sim, token, 'PUT', 'Contacts', { Contacts: [{ Name: name, EmailAddress: email }] })).json.Contacts[0].ContactID;
}

async function invoice(contactId: string, fields: Record<string, unknown> = {}): Promise<WireInvoice> {
  const r = await xero<Invoices>(sim, token, 'PUT', 'Invoices', {
    Invoices: [
      { Type: 'ACCREC', Contact: { ContactID: contactId }, Date: '2026-03-10', DueDate: '2026-04-10', LineItems: [LINE], Status: 'AUTHORISED', ...fields },
    ],
  });
  expect(r.status).toBe(200);
  return r.json.Invoices[0];
}

describe('where on an empty list', () => {
  it('answers 200 with an empty list for a field the record has, and still refuses a field it does not have', async () => {
    const empty = await get<Contacts | undefined>(`Contacts?where=${encodeURIComponent('EmailAddress=="nobody@example.com"')}`);
    expect({ status: empty.status, contacts: empty.json?.Contacts }).toEqual({ status: 200, contacts: [] });
    const invoices = await get<Invoices | undefined>(`Invoices?where=${encodeURIComponent('SentToContact==true')}`);
    expect({ status: invoices.status, invoices: invoices.json?.Invoices }).toEqual({ status: 200, invoices: [] });
    const unknown = await get<XeroValidationError>(`Contacts?where=${encodeURIComponent('ShoeSize==9')}`);
    expect(unknown.status).toBe(400);
    expect(unknown.json.Type).toBe('QueryParseException');
  });
});

describe('searchTerm', () => {
  it('Contacts: a case-insensitive search across Name, FirstName, LastName, ContactNumber and EmailAddress', async () => {
    await contact('Kowhai Dental');
    await contact('Totara Builders', 'accounts@kowhai-group.example');
    await contact('Summit Legal');
    const names = async (term: string) => (await get<Contacts>(`Contacts?searchTerm=${encodeURIComponent(term)}`)).json.Contacts.map((c) => c.Name).sort();
    expect(await names('KOWHAI')).toEqual(['Kowhai Dental', 'Totara Builders']);
    expect(await names('legal')).toEqual(['Summit Legal']);
    expect(await names('nothing-like-it')).toEqual([]);
  });

  it('Invoices: a case-insensitive search across InvoiceNumber and Reference', async () => {
    const id = await contact('Ridgeway Motors');
    const a = await invoice(id, { Reference: 'Fleet service REF12' });
    const b = await invoice(id, { Reference: 'Tyres' });
    const numbers = async (term: string) =>
      (await get<Invoices>(`Invoices?searchTerm=${encodeURIComponent(term)}`)).json.Invoices.map((i) => i.InvoiceID).sort();
    expect(await numbers('ref12')).toEqual([a.InvoiceID]);
    expect(await numbers(b.InvoiceNumber.toLowerCase())).toEqual([b.InvoiceID]);
  });
});

describe('Journals', () => {
  it('balance: every journal’s net amounts sum to zero, the tax on its own line to the tax account', async () => {
    sim.accounting.seed(DEMO_TENANT_ID, { contacts: 5, invoices: 30, seed: 11 });
    const journals = (await get<Envelope<'Journals', WireJournal>>('Journals')).json.Journals;
    expect(journals.length).toBeGreaterThan(10);
    for (const j of journals) {
      const net = j.JournalLines.reduce((s, l) => s + l.NetAmount, 0);
      expect({ journal: j.JournalNumber, source: j.SourceType, net: Math.round(net * 100) / 100 }).toEqual({
        journal: j.JournalNumber,
        source: j.SourceType,
        net: 0,
      });
    }
    const sale = journals.find((j) => j.SourceType === 'ACCREC');
    const tax = sale!.JournalLines.find((l) => l.AccountCode === '820');
    expect(tax).toBeDefined();
    expect(tax!.NetAmount).toBeLessThan(0);
  });
});

describe('the Trial Balance', () => {
  it('has its own layout: Account, Debit, Credit, YTD Debit, YTD Credit, sections by account class, and totals that agree', async () => {
    sim.accounting.seed(DEMO_TENANT_ID, { contacts: 5, invoices: 30, seed: 11 });
    const report = (await get<Reports>('Reports/TrialBalance')).json.Reports[0];
    expect(report.Rows[0].Cells.map((c) => c.Value)).toEqual(['Account', 'Debit', 'Credit', 'YTD Debit', 'YTD Credit']);
    const sections = report.Rows.filter((r) => r.RowType === 'Section');
    expect(sections.map((s) => s.Title)).toEqual(['Revenue', 'Expenses', 'Assets', 'Liabilities', 'Equity', '']);
    for (const s of sections.slice(0, 5)) for (const row of s.Rows) expect(row.Cells).toHaveLength(5);
    const total = sections[5].Rows[0];
    expect(total.RowType).toBe('SummaryRow');
    const [, debit, credit, ytdDebit, ytdCredit] = total.Cells.map((c) => c.Value);
    expect(debit).toBe(credit);
    expect(ytdDebit).toBe(ytdCredit);
    expect(Number(ytdDebit)).toBeGreaterThan(0);
    // Mid-year, with the year's profit in Revenue and Expenses and earlier years' in Retained Earnings.
    const december = (await get<Reports>('Reports/TrialBalance?date=2025-12-31')).json.Reports[0];
    const revenue = december.Rows.find((r) => r.Title === 'Revenue');
    expect(revenue!.Rows.length).toBeGreaterThan(0);
    const [, d, c, yd, yc] = december.Rows.at(-1)!.Rows[0].Cells.map((x) => x.Value);
    expect([d, yd]).toEqual([c, yc]);
    expect(Number(d)).toBeGreaterThan(0);
  });
});

describe('periods and timeframe', () => {
  beforeEach(() => {
    sim.accounting.seed(DEMO_TENANT_ID, { contacts: 5, invoices: 60, seed: 2 });
  });

  it('Profit and Loss: one column per period, the newest first', async () => {
    const report = (await get<Reports>('Reports/ProfitAndLoss?fromDate=2026-03-01&toDate=2026-03-31&periods=2&timeframe=MONTH')).json.Reports[0];
    expect(report.Rows[0].Cells.map((c) => c.Value)).toEqual(['', '31 Mar 2026', '28 Feb 2026', '31 Jan 2026']);
    for (const section of report.Rows.filter((r) => r.RowType === 'Section'))
      for (const row of section.Rows) expect({ title: section.Title, cells: row.Cells.length }).toEqual({ title: section.Title, cells: 4 });
    const months = (await get<Reports>('Reports/ProfitAndLoss?fromDate=2026-01-01&toDate=2026-01-31')).json.Reports[0];
    const income = (r: WireReport, col: number) => Number(r.Rows.find((x: ReportRow) => x.Title === 'Income')!.Rows.at(-1)!.Cells[col].Value);
    expect(income(report, 3)).toBe(income(months, 1));
  });

  it('Balance Sheet: one column per period end, by quarter', async () => {
    const report = (await get<Reports>('Reports/BalanceSheet?date=2026-03-31&periods=3&timeframe=QUARTER')).json.Reports[0];
    expect(report.Rows[0].Cells.map((c) => c.Value)).toEqual(['', '31 Mar 2026', '31 Dec 2025', '30 Sep 2025', '30 Jun 2025']);
    for (const section of report.Rows.filter((r) => r.RowType === 'Section')) for (const row of section.Rows) expect(row.Cells).toHaveLength(5);
    const refused = await get('Reports/BalanceSheet?periods=13&timeframe=MONTH');
    expect(refused.status).toBe(400);
  });
});

describe('summarizeErrors=false', () => {
  it('marks each refused element HasValidationErrors: true where the document’s record has the field', async () => {
    const r = await xero<Contacts>(sim, token, 'POST', 'Contacts?summarizeErrors=false', {
      Contacts: [{ Name: 'Fine Ltd' }, { EmailAddress: 'no-name@example.com' }],
    });
    expect(r.status).toBe(200);
    expect(r.json.Contacts.map((c) => [c.StatusAttributeString, c.HasValidationErrors])).toEqual([
      ['OK', false],
      ['ERROR', true],
    ]);
    expect(r.json.Contacts[1].ValidationErrors![0].Message).toBe('The contact name must be specified.');
  });
});

describe('invoice history', () => {
  it('records the approval and each payment, as Xero’s history does', async () => {
    const id = await contact('Harbour Florists');
    const draft = (
      await xero<Invoices>(sim, token, 'PUT', 'Invoices', { Invoices: [{ Type: 'ACCREC', Contact: { ContactID: id }, LineItems: [LINE], Status: 'DRAFT' }] })
    ).json.Invoices[0];
    await xero(sim, token, 'POST', `Invoices/${draft.InvoiceID}`, { Invoices: [{ Status: 'AUTHORISED' }] });
    const bank = (await get<Envelope<'Accounts', WireAccount>>('Accounts')).json.Accounts.find((a) => a.Type === 'BANK')!;
    await xero(sim, token, 'PUT', 'Payments', { Payments: [{ Invoice: { InvoiceID: draft.InvoiceID }, Account: { AccountID: bank.AccountID }, Amount: 100 }] });
    await xero(sim, token, 'PUT', 'Payments', { Payments: [{ Invoice: { InvoiceID: draft.InvoiceID }, Account: { AccountID: bank.AccountID }, Amount: 130 }] });
    const history = (await get<Envelope<'HistoryRecords', { Changes: string }>>(`Invoices/${draft.InvoiceID}/History`)).json.HistoryRecords.map(
      (h) => h.Changes,
    );
    expect(history).toEqual(['Created', 'Approved', 'Payment Received', 'Payment Received', 'Paid']);
  });
});

describe('resources the book does not model', () => {
  it('BrandingThemes and Users answer with records, not 404', async () => {
    const themes = await get<Envelope<'BrandingThemes', { BrandingThemeID: string }>>('BrandingThemes');
    expect(themes.status).toBe(200);
    expect(themes.json.BrandingThemes.length).toBeGreaterThan(0);
    expect((await get(`BrandingThemes/${themes.json.BrandingThemes[0].BrandingThemeID}`)).status).toBe(200);
    const users = await get<Envelope<'Users', { UserID: string }>>('Users');
    expect(users.status).toBe(200);
    expect(users.json.Users.length).toBeGreaterThan(0);
    expect((await get<Envelope<'Users', { UserID: string }>>(`Users/${users.json.Users[0].UserID}`)).json.Users[0].UserID).toBe(users.json.Users[0].UserID);
  });
});
