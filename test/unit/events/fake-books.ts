/**
 * A stand-in for the Accounting client's `pages` in unit tests: records per organisation and path,
 * read the way Xero answers (If-Modified-Since at one-second resolution, IDs=, the few `where`
 * forms the events core sends, Status=, oldest first, paged). Every call is logged, so tests count
 * calls and see the queries. The simulator-backed tests in test/integration/events prove the same
 * flows against the real client and server.
 */
import type { XeroPage } from '../../../src/xero/accounting';
import type { RecordReader } from '../../../src/events';

export type Row = Record<string, unknown>;

export interface Call {
  tenantId: string;
  path: string;
  query: Record<string, unknown>;
  ifModifiedSince: number | null;
}

export class FakeBooks implements RecordReader {
  readonly calls: Call[] = [];
  /** What the next answers say is left of the day's budget. */
  dayRemaining: number | null = 900;
  /** Thrown by the next call instead of answering (then cleared). */
  failNext: Error | null = null;
  private readonly rows = new Map<string, Row[]>();

  put(tenantId: string, path: string, ...records: Row[]): void {
    const list = this.rows.get(`${tenantId}:${path}`) ?? [];
    for (const record of records) {
      const idField = idFieldOf(path);
      const at = list.findIndex((r) => String(r[idField]).toLowerCase() === String(record[idField]).toLowerCase());
      if (at >= 0) list[at] = record;
      else list.push(record);
    }
    this.rows.set(`${tenantId}:${path}`, list);
  }

  pages: RecordReader['pages'] = (options) => this.read(options as Parameters<RecordReader['pages']>[0]);

  private async *read(options: Parameters<RecordReader['pages']>[0]): AsyncGenerator<XeroPage, void, undefined> {
    const path = String(options.path);
    const tenantId = String(options.tenantId);
    const query = { ...(options.query ?? {}) } as Record<string, unknown>;
    const since = options.ifModifiedSince === undefined ? null : Math.floor(Number(options.ifModifiedSince) / 1000) * 1000;
    let records = [...(this.rows.get(`${tenantId}:${path}`) ?? [])];
    if (since !== null) records = records.filter((r) => Date.parse(String(r.UpdatedDateUTC)) > since);
    const ids = query.IDs as string[] | undefined;
    if (ids) records = records.filter((r) => ids.map((i) => i.toLowerCase()).includes(String(r[idFieldOf(path)]).toLowerCase()));
    if (typeof query.Status === 'string') records = records.filter((r) => r.Status === query.Status);
    if (typeof query.where === 'string') records = records.filter(whereOf(query.where));
    records.sort((a, b) => Date.parse(String(a.UpdatedDateUTC)) - Date.parse(String(b.UpdatedDateUTC)));
    const pageSize = Number(query.pageSize ?? 100);
    for (let page = 1; ; page++) {
      this.calls.push({
        tenantId,
        path,
        query: { ...query, page },
        ifModifiedSince: options.ifModifiedSince === undefined ? null : Number(options.ifModifiedSince),
      });
      if (this.failNext) {
        const error = this.failNext;
        this.failNext = null;
        throw error;
      }
      const slice = records.slice((page - 1) * pageSize, page * pageSize);
      yield {
        page,
        records: structuredClone(slice),
        pagination: null,
        limits: { dayRemaining: this.dayRemaining, minuteRemaining: 50, appMinuteRemaining: 9000 },
        status: 200,
      };
      if (slice.length < pageSize) return;
    }
  }
}

export function idFieldOf(path: string): string {
  return (
    { Invoices: 'InvoiceID', Contacts: 'ContactID', CreditNotes: 'CreditNoteID', Quotes: 'QuoteID', Payments: 'PaymentID', Items: 'ItemID' }[path] ??
    `${path.replace(/s$/, '')}ID`
  );
}

/** `A=="v"`, `A>n`, `A<DateTime(y,m,d)`, `A<=DateTime(y,m,d)`, `A==Guid("x")`, joined by AND, or alternatives by OR. */
function whereOf(text: string): (r: Row) => boolean {
  const alternatives = text.split(' OR ').map((alt) => alt.split(' AND ').map(clause));
  return (r) => alternatives.some((all) => all.every((test) => test(r)));
}

function clause(text: string): (r: Row) => boolean {
  const m = /^(\w+)(==|<=|>=|<|>)(.+)$/.exec(text.trim());
  if (!m) throw new Error(`fake where cannot read ${text}`);
  const [, field, op, raw] = m;
  const date = /^DateTime\((\d+),(\d+),(\d+)\)$/.exec(raw);
  const guid = /^Guid\("(.+)"\)$/.exec(raw);
  const value = date
    ? `${date[1]}-${date[2].padStart(2, '0')}-${date[3].padStart(2, '0')}`
    : guid
      ? guid[1].toLowerCase()
      : raw.startsWith('"')
        ? raw.slice(1, -1)
        : Number(raw);
  return (r) => {
    let v: unknown = r[field];
    if (date) v = String(v).slice(0, 10);
    if (guid) v = String(v).toLowerCase();
    switch (op) {
      case '==':
        return v === value;
      case '<':
        return (v as number) < (value as number);
      case '<=':
        return (v as number) <= (value as number);
      case '>':
        return (v as number) > (value as number);
      default:
        return (v as number) >= (value as number);
    }
  };
}

/** A stable GUID from a number (for readable tests); `prefix` is one hex letter. */
export const guid = (n: number, prefix = 'a'): string => `${prefix.repeat(8)}-0000-4000-8000-${String(n).padStart(12, '0')}`;
