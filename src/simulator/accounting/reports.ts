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

const SHORT_MONTHS = MONTHS.map((m) => m.slice(0, 3));
/** Xero's report column dates read "31 Mar 2026" (xero_accounting.yaml's Balance Sheet example). */
const shortDate = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${SHORT_MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
};

const endOfMonth = (year: number, month: number): number => Date.UTC(year, month + 1, 0);
/** The same day `months` earlier (a month end stays a month end: 31 Mar -> 28 Feb). */
function monthsBefore(ms: number, months: number): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() - months;
  const last = endOfMonth(y, m);
  return ms === endOfMonth(y, d.getUTCMonth()) ? last : Math.min(Date.UTC(y, m, d.getUTCDate()), last);
}

const TIMEFRAMES: Record<string, number> = { MONTH: 1, QUARTER: 3, YEAR: 12 };

/**
 * `periods` and `timeframe` (xero_accounting.yaml: the number of periods to compare, and MONTH,
 * QUARTER or YEAR): the report's own period first, then that many earlier ones.
 */
function comparisons(query: URLSearchParams, most: number): { count: number; months: number } | string {
  const periods = query.get('periods');
  const timeframe = (query.get('timeframe') ?? 'MONTH').toUpperCase();
  const months = TIMEFRAMES[timeframe];
  if (months === undefined) return `timeframe must be MONTH, QUARTER or YEAR, not ${timeframe}.`;
  if (periods === null || periods === '') return { count: 0, months };
  const n = Number(periods);
  if (!Number.isInteger(n) || n < 1 || n > most) return `periods must be a whole number from 1 to ${most}.`;
  return { count: n, months };
}

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
  }
  return out;
}

/** One row per account of these classes that moved, a column per period; and each column's total. */
function accountRows(book: TenantBook, columns: Array<Map<string, number>>, classes: string[], sign: number): { rows: XRecord[]; totals: number[] } {
  const rows: XRecord[] = [];
  const totals = columns.map(() => 0);
  for (const a of book.collection('Accounts').values()) {
    if (!classes.includes(String(a.Class))) continue;
    const values = columns.map((moves) => sign * (moves.get(String(a.Code)) ?? 0));
    if (values.every((v) => v === 0)) continue;
    rows.push(row([cell(String(a.Name), String(a.AccountID)), ...values.map((v) => cell(money(v), String(a.AccountID)))]));
    values.forEach((v, i) => (totals[i] = (totals[i] ?? 0) + v));
  }
  return { rows, totals: totals.map(round2) };
}

const totalRow = (label: string, totals: number[]): XRecord => summaryRow([cell(label), ...totals.map((t) => cell(money(t)))]);

const CLASS_SECTIONS: Array<[title: string, classes: string[]]> = [
  ['Revenue', ['REVENUE']],
  ['Expenses', ['EXPENSE']],
  ['Assets', ['ASSET']],
  ['Liabilities', ['LIABILITY']],
  ['Equity', ['EQUITY']],
];

/**
 * The Trial Balance's own layout (xero_accounting.yaml's example): Account, Debit, Credit, YTD Debit,
 * YTD Credit; a section per account class; each account "Name (Code)" with its balance on the side it
 * falls; a total row. The period is the month of the report date; the year to date starts with the
 * financial year (1 April, the simulated organisations' year ending 31 March), and earlier years'
 * profit sits in Retained Earnings, so the columns agree.
 */
function trialBalance(book: TenantBook, to: number): XRecord[] {
  const d = new Date(to);
  const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const yearStart = Date.UTC(d.getUTCMonth() >= 3 ? d.getUTCFullYear() : d.getUTCFullYear() - 1, 3, 1);
  const period = balances(book, monthStart, to);
  const ytdProfit = balances(book, yearStart, to);
  const toDate = balances(book, 0, to);
  const before = balances(book, 0, yearStart - 1);
  const side = (v: number): [string, string] => (v > 0 ? [money(v), ''] : v < 0 ? ['', money(-v)] : ['', '']);
  const sums = [0, 0, 0, 0];
  const add = (p: number, y: number): void => {
    sums[p > 0 ? 0 : 1] = (sums[p > 0 ? 0 : 1] ?? 0) + Math.abs(p);
    sums[y > 0 ? 2 : 3] = (sums[y > 0 ? 2 : 3] ?? 0) + Math.abs(y);
  };
  const sections = CLASS_SECTIONS.map(([title, classes]) => {
    const rows: XRecord[] = [];
    const profitAndLoss = title === 'Revenue' || title === 'Expenses';
    for (const a of book.collection('Accounts').values()) {
      if (!classes.includes(String(a.Class))) continue;
      const code = String(a.Code);
      const p = period.get(code) ?? 0;
      const y = (profitAndLoss ? ytdProfit : toDate).get(code) ?? 0;
      if (p === 0 && y === 0) continue;
      add(p, y);
      const id = String(a.AccountID);
      rows.push(row([cell(`${String(a.Name)} (${code})`, id), ...[...side(p), ...side(y)].map((v) => cell(v, id))]));
    }
    if (title === 'Equity') {
      let earlier = 0;
      for (const a of book.collection('Accounts').values()) if (a.Class === 'REVENUE' || a.Class === 'EXPENSE') earlier += before.get(String(a.Code)) ?? 0;
      earlier = round2(earlier);
      if (earlier !== 0) {
        add(0, earlier);
        rows.push(row([cell('Retained Earnings'), cell(''), cell(''), ...side(earlier).map((v) => cell(v))]));
      }
    }
    return section(title, rows);
  });
  return [
    header(['Account', 'Debit', 'Credit', 'YTD Debit', 'YTD Credit']),
    ...sections,
    section('', [summaryRow([cell('Total'), ...sums.map((v) => cell(money(v)))])]),
  ];
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
      // Xero compares up to 12 periods (xero_accounting.yaml getReportProfitAndLoss).
      const compare = comparisons(query, 12);
      if (typeof compare === 'string') return compare;
      const spans = Array.from(
        { length: compare.count + 1 },
        (_, k) => [monthsBefore(from, k * compare.months), monthsBefore(to, k * compare.months)] as const,
      );
      const columns = spans.map(([f, t]) => balances(book, f, t));
      const income = accountRows(book, columns, ['REVENUE'], -1);
      const expenses = accountRows(book, columns, ['EXPENSE'], 1);
      rows = [
        header(['', ...spans.map(([, t]) => shortDate(t))]),
        section('Income', [...income.rows, totalRow('Total Income', income.totals)]),
        section('Less Operating Expenses', [...expenses.rows, totalRow('Total Operating Expenses', expenses.totals)]),
        section('', [row([cell('Net Profit'), ...income.totals.map((t, i) => cell(money(t - (expenses.totals[i] ?? 0))))])]),
      ];
      break;
    }
    case 'BalanceSheet': {
      // Xero compares up to 11 earlier period ends on the Balance Sheet.
      const compare = comparisons(query, 11);
      if (typeof compare === 'string') return compare;
      const ends = Array.from({ length: compare.count + 1 }, (_, k) => monthsBefore(to, k * compare.months));
      const columns = ends.map((t) => balances(book, 0, t));
      const assets = accountRows(book, columns, ['ASSET'], 1);
      const liabilities = accountRows(book, columns, ['LIABILITY'], -1);
      const equity = accountRows(book, columns, ['EQUITY', 'REVENUE', 'EXPENSE'], -1);
      rows = [
        header(['', ...ends.map(shortDate)]),
        section('Assets', [...assets.rows, totalRow('Total Assets', assets.totals)]),
        section('Liabilities', [...liabilities.rows, totalRow('Total Liabilities', liabilities.totals)]),
        section('Equity', [...equity.rows, totalRow('Total Equity', equity.totals)]),
      ];
      break;
    }
    case 'TrialBalance':
      rows = trialBalance(book, to);
      break;
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
      const income = accountRows(book, [moves], ['REVENUE'], -1).totals[0] ?? 0;
      const expenses = accountRows(book, [moves], ['EXPENSE'], 1).totals[0] ?? 0;
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
