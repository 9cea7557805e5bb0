import { XERO_REPORTS, type XeroReportName } from '../../xero/accounting/paths';
import type { TenantBook } from './store';
import { arr, obj, round2, wireDate, wireMs, type XRecord } from './values';

/** The reports the simulator builds from the book (the core's list); each answers `{"Reports":[{... Rows ...}]}`. */
export const REPORTS = XERO_REPORTS;
export type ReportName = XeroReportName;

const TITLES: Record<ReportName, string> = {
  ProfitAndLoss: 'Profit and Loss',
  BalanceSheet: 'Balance Sheet',
  TrialBalance: 'Trial Balance',
  AgedReceivablesByContact: 'Aged Receivables By Contact',
  AgedPayablesByContact: 'Aged Payables By Contact',
  BankSummary: 'Bank Summary',
  BudgetSummary: 'Budget Summary',
  ExecutiveSummary: 'Executive Summary',
};

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** Xero's report dates read "31 March 2026". */
const longDate = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
};

const money = (n: number): string => round2(n).toFixed(2);
const cell = (value: string, id?: string): XRecord => (id ? { Value: value, Attributes: [{ Id: 'account', Value: id }] } : { Value: value });
const row = (cells: XRecord[]): XRecord => ({ RowType: 'Row', Cells: cells });
const summaryRow = (cells: XRecord[]): XRecord => ({ RowType: 'SummaryRow', Cells: cells });
const header = (titles: string[]): XRecord => ({ RowType: 'Header', Cells: titles.map((t) => cell(t)) });
const section = (title: string, rows: XRecord[]): XRecord => ({ RowType: 'Section', Title: title, Rows: rows });

/** Per-account movement, from the journals (the book's double entry). */
function balances(book: TenantBook, from: number, to: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const j of book.journals) {
    const at = wireMs(j.JournalDate) ?? 0;
    if (at < from || at > to) continue;
    for (const raw of arr(j.JournalLines)) {
      const l = obj(raw) as XRecord;
      const code = String(l.AccountCode);
      out.set(code, round2((out.get(code) ?? 0) + Number(l.NetAmount)));
    }
    // Tax lines go to the GST account.
    const tax = arr(j.JournalLines).reduce<number>((s, l) => s + Number((obj(l) as XRecord).TaxAmount ?? 0), 0);
    if (tax !== 0) out.set('820', round2((out.get('820') ?? 0) + tax));
  }
  return out;
}

function accountRows(book: TenantBook, moves: Map<string, number>, classes: string[], sign: number): { rows: XRecord[]; total: number } {
  const rows: XRecord[] = [];
  let total = 0;
  for (const a of book.collection('Accounts').values()) {
    if (!classes.includes(String(a.Class))) continue;
    const v = sign * (moves.get(String(a.Code)) ?? 0);
    if (v === 0) continue;
    rows.push(row([cell(String(a.Name), String(a.AccountID)), cell(money(v), String(a.AccountID))]));
    total += v;
  }
  return { rows, total: round2(total) };
}

function aged(book: TenantBook, type: 'ACCREC' | 'ACCPAY', contactId: string, now: number): XRecord[] {
  const buckets = [0, 0, 0, 0, 0];
  const rows: XRecord[] = [];
  for (const inv of book.collection('Invoices').values()) {
    if (inv.Type !== type || inv.Status !== 'AUTHORISED' || String(obj(inv.Contact)?.ContactID).toLowerCase() !== contactId.toLowerCase()) continue;
    const due = wireMs(inv.DueDate) ?? now;
    const days = Math.floor((now - due) / 86_400_000);
    const i = days <= 0 ? 0 : days <= 30 ? 1 : days <= 60 ? 2 : days <= 90 ? 3 : 4;
    buckets[i] = round2((buckets[i] ?? 0) + Number(inv.AmountDue));
    rows.push(
      row([
        cell(new Date(wireMs(inv.Date) ?? now).toISOString().slice(0, 10)),
        cell(String(inv.InvoiceNumber ?? '')),
        cell(money(Number(inv.Total))),
        cell(money(Number(inv.AmountPaid))),
        cell(money(Number(inv.AmountDue))),
      ]),
    );
  }
  return [
    header(['Date', 'Reference', 'Total', 'Paid', 'Due']),
    section('', rows),
    section('', [summaryRow([cell('Total'), cell(''), cell(''), cell(''), cell(money(buckets.reduce((s, b) => s + b, 0)))])]),
  ];
}

/** A string: the report needs a parameter it did not get (the message says which). */
export function buildReport(book: TenantBook, name: ReportName, query: URLSearchParams, now: number, orgName: string): XRecord | string {
  const to = Date.parse(query.get('toDate') ?? query.get('date') ?? '') || now;
  const from = Date.parse(query.get('fromDate') ?? '') || Date.UTC(new Date(to).getUTCFullYear(), 0, 1);
  const moves = balances(book, from, to);
  const all = balances(book, 0, to);
  let rows: XRecord[];
  switch (name) {
    case 'ProfitAndLoss': {
      const income = accountRows(book, moves, ['REVENUE'], -1);
      const expenses = accountRows(book, moves, ['EXPENSE'], 1);
      rows = [
        header(['', longDate(to)]),
        section('Income', [...income.rows, summaryRow([cell('Total Income'), cell(money(income.total))])]),
        section('Less Operating Expenses', [...expenses.rows, summaryRow([cell('Total Operating Expenses'), cell(money(expenses.total))])]),
        section('', [row([cell('Net Profit'), cell(money(income.total - expenses.total))])]),
      ];
      break;
    }
    case 'BalanceSheet':
    case 'TrialBalance': {
      const assets = accountRows(book, all, ['ASSET'], 1);
      const liabilities = accountRows(book, all, ['LIABILITY'], -1);
      const equity = accountRows(book, all, ['EQUITY', 'REVENUE', 'EXPENSE'], -1);
      rows = [
        header(name === 'TrialBalance' ? ['Account', 'Debit', 'Credit'] : ['', longDate(to)]),
        section('Assets', [...assets.rows, summaryRow([cell('Total Assets'), cell(money(assets.total))])]),
        section('Liabilities', [...liabilities.rows, summaryRow([cell('Total Liabilities'), cell(money(liabilities.total))])]),
        section('Equity', [...equity.rows, summaryRow([cell('Total Equity'), cell(money(equity.total))])]),
      ];
      break;
    }
    case 'AgedReceivablesByContact':
    case 'AgedPayablesByContact': {
      const contactId = query.get('contactId') ?? query.get('ContactID');
      if (!contactId) return 'contactId is a required parameter for this report.';
      rows = aged(book, name === 'AgedReceivablesByContact' ? 'ACCREC' : 'ACCPAY', contactId, to);
      break;
    }
    case 'BankSummary': {
      const bankRows: XRecord[] = [];
      for (const a of book.collection('Accounts').values()) {
        if (a.Type !== 'BANK') continue;
        const closing = all.get(String(a.Code)) ?? 0;
        const movement = moves.get(String(a.Code)) ?? 0;
        bankRows.push(
          row([
            cell(String(a.Name), String(a.AccountID)),
            cell(money(closing - movement)),
            cell(money(Math.max(0, movement))),
            cell(money(Math.max(0, -movement))),
            cell(money(closing)),
          ]),
        );
      }
      rows = [header(['Bank Accounts', 'Opening Balance', 'Cash Received', 'Cash Spent', 'Closing Balance']), section('', bankRows)];
      break;
    }
    case 'BudgetSummary':
      rows = [header(['Account', longDate(to)]), section('Income', [summaryRow([cell('Total Income'), cell('0.00')])])];
      break;
    case 'ExecutiveSummary': {
      const income = accountRows(book, moves, ['REVENUE'], -1).total;
      const expenses = accountRows(book, moves, ['EXPENSE'], 1).total;
      rows = [
        header(['', longDate(to)]),
        section('Cash', [row([cell('Cash received'), cell(money(Math.max(0, income)))]), row([cell('Cash spent'), cell(money(Math.max(0, expenses)))])]),
        section('Profitability', [
          row([cell('Income'), cell(money(income))]),
          row([cell('Expenses'), cell(money(expenses))]),
          row([cell('Net profit'), cell(money(income - expenses))]),
        ]),
      ];
      break;
    }
  }
  return {
    ReportID: name,
    ReportName: TITLES[name],
    ReportType: name,
    ReportTitles: [TITLES[name], orgName, `As at ${longDate(to)}`],
    ReportDate: longDate(now),
    UpdatedDateUTC: wireDate(now),
    Fields: [],
    Rows: rows,
  };
}
