/**
 * The core client on Xero's other APIs: paths below each API's base path, every page of a list in
 * each paging style the operation table names (a page number with or without a size, counts or none,
 * the Files API's TotalCount, an offset cursor), a multipart upload, and a 401
 * AuthorizationUnsuccessful classified as a missing scope or an endpoint closed to the app from the
 * scopes the caller passes.
 */
import { ManualClock } from '../../../src/clock';
import type { HttpRequest, HttpResponse } from '../../../src/xero';
import { apiPath, staticTokenSource, XeroAccountingClient, XeroApiError, type XeroListOptions } from '../../../src/xero/accounting';
import { findXeroOperation } from '../../../src/xero/operations';

const TENANT = '11111111-1111-4111-8111-111111111111';

function client(answer: (request: HttpRequest, n: number) => HttpResponse): { client: XeroAccountingClient; sent: HttpRequest[] } {
  const sent: HttpRequest[] = [];
  return {
    sent,
    client: new XeroAccountingClient({
      tokens: staticTokenSource('token'),
      tenantId: TENANT,
      clock: new ManualClock(),
      transport: async (request) => {
        sent.push(request);
        return answer(request, sent.length);
      },
    }),
  };
}

const json = (body: unknown, status = 200): HttpResponse => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const urlOf = (r: HttpRequest) => {
  const u = new URL(r.url);
  return `${u.pathname}${u.search}`;
};
const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: from + i }));

async function pages(c: XeroAccountingClient, options: XeroListOptions): Promise<number[]> {
  const counts: number[] = [];
  for await (const page of c.pages(options)) counts.push(page.records.length);
  return counts;
}

describe('the core client below another API base path', () => {
  it('encodes a path below the base once, drops a copy of the base, and refuses a base that is none', () => {
    expect(apiPath('/payroll.xro/2.0', ['Employees', 'a b']).encoded).toBe('/payroll.xro/2.0/Employees/a%20b');
    expect(apiPath('/payroll.xro/2.0', '/payroll.xro/2.0/Employees').encoded).toBe('/payroll.xro/2.0/Employees');
    expect(() => apiPath('/evil.test/x', 'Employees')).toThrow(/not the base path of a Xero API/);
    expect(() => apiPath('/files.xro/1.0', ['Files', '..'])).toThrow(/step out/);
  });

  it('sends a request below the base path given, with the tenant and JSON as ever', async () => {
    const { client: c, sent } = client(() => json({ employees: [] }));
    await c.request({ path: ['Employees'], base: '/payroll.xro/2.0', query: { filter: 'firstName==Ann' } });
    expect(urlOf(sent[0]!)).toBe('/payroll.xro/2.0/Employees?filter=firstName%3D%3DAnn');
    expect(sent[0]!.headers['xero-tenant-id']).toBe(TENANT);
  });
});

describe("every page of a list, in each API's own paging style", () => {
  it('Payroll UK: page numbers without a size, Xero pagination counts, stopping at pageCount', async () => {
    const paging = findXeroOperation('payroll-uk', 'getEmployees')!.paging;
    const { client: c, sent } = client((_, n) => json({ pagination: { page: n, pageSize: 100, pageCount: 2, itemCount: 200 }, employees: rows(100, n * 100) }));
    expect(await pages(c, { path: ['Employees'], base: '/payroll.xro/2.0', envelope: 'employees', paging })).toEqual([100, 100]);
    expect(sent.map(urlOf)).toEqual(['/payroll.xro/2.0/Employees?page=1', '/payroll.xro/2.0/Employees?page=2']);
  });

  it('Payroll AU: no counts, a short page is the last', async () => {
    const paging = findXeroOperation('payroll-au', 'getEmployees')!.paging;
    const { client: c, sent } = client((_, n) => json({ Employees: rows(n === 1 ? 100 : 7) }));
    expect(await pages(c, { path: ['Employees'], base: '/payroll.xro/1.0', envelope: 'Employees', paging })).toEqual([100, 7]);
    expect(sent).toHaveLength(2);
  });

  it('Projects: its pageSize sent at the default, a short page the last', async () => {
    const paging = findXeroOperation('projects', 'getProjects')!.paging;
    const { client: c, sent } = client((_, n) => json({ pagination: { page: n, pageSize: 50, pageCount: 9, itemCount: 420 }, items: rows(n === 1 ? 50 : 3) }));
    expect(await pages(c, { path: ['Projects'], base: '/projects.xro/2.0', envelope: 'items', paging })).toEqual([50, 3]);
    expect(sent.map(urlOf)).toEqual(['/projects.xro/2.0/Projects?page=1&pageSize=50', '/projects.xro/2.0/Projects?page=2&pageSize=50']);
  });

  it("Files: its lower-case pagesize at the most it takes, the end from the answer's TotalCount", async () => {
    const paging = findXeroOperation('files', 'getFiles')!.paging;
    const { client: c, sent } = client((_, n) => json({ TotalCount: 200, Page: n, PerPage: 100, Items: rows(100) }));
    expect(await pages(c, { path: ['Files'], base: '/files.xro/1.0', envelope: 'Items', paging })).toEqual([100, 100]);
    expect(sent.map(urlOf)).toEqual(['/files.xro/1.0/Files?page=1&pagesize=100', '/files.xro/1.0/Files?page=2&pagesize=100']);
  });

  it('a size outside what the API takes is refused before any call', async () => {
    const paging = findXeroOperation('files', 'getFiles')!.paging;
    const { client: c, sent } = client(() => json({}));
    await expect(pages(c, { path: ['Files'], base: '/files.xro/1.0', envelope: 'Items', paging, query: { pagesize: 500 } })).rejects.toThrow(
      /pagesize 500 is outside Xero's range/,
    );
    expect(sent).toHaveLength(0);
  });

  it('an offset style from the table follows its cursor field', async () => {
    const paging = findXeroOperation('accounting', 'getJournals')!.paging;
    const { client: c, sent } = client((_, n) => json({ Journals: n === 1 ? rows(100).map((r) => ({ JournalNumber: r.id + 1 })) : [{ JournalNumber: 101 }] }));
    expect(await pages(c, { path: ['Journals'], envelope: 'Journals', paging })).toEqual([100, 1]);
    expect(sent.map(urlOf)).toEqual(['/api.xro/2.0/Journals?offset=0', '/api.xro/2.0/Journals?offset=100']);
  });

  it('an empty page ends a list that says nothing of its size', async () => {
    const { client: c, sent } = client((_, n) => json({ things: rows(n === 1 ? 3 : 0) }));
    expect(await pages(c, { path: ['Things'], base: '/files.xro/1.0', envelope: 'things', paging: { style: 'page', pageParam: 'page' } })).toEqual([3, 0]);
    expect(sent).toHaveLength(2);
  });
});

describe('a multipart upload (the Files API)', () => {
  it('sends the text parts and the file part, the key and the tenant, below the base path', async () => {
    const { client: c, sent } = client(() => json({ Id: 'f1' }, 201));
    const answer = await c.upload({
      path: ['Files'],
      base: '/files.xro/1.0',
      method: 'POST',
      data: Buffer.from('%PDF-1.4 x'),
      contentType: 'application/pdf',
      form: { filePart: 'body', fileName: 'a "quoted"\r\nname.pdf', fields: { name: 'a.pdf', filename: 'a.pdf', mimeType: 'application/pdf' } },
      stableId: 'exec:node:0:0',
    });
    expect(answer.body).toEqual({ Id: 'f1' });
    const request = sent[0]!;
    expect(urlOf(request)).toBe('/files.xro/1.0/Files');
    const type = request.headers['content-type']!;
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(type)![1];
    const text = Buffer.from(request.body as Uint8Array).toString('latin1');
    const parts = text.split(`--${boundary}`).slice(1, -1);
    expect(parts.map((p) => /name="([^"]+)"/.exec(p)![1])).toEqual(['name', 'filename', 'mimeType', 'body']);
    expect(parts[3]).toContain('filename="a _quoted___name.pdf"');
    expect(parts[3]).toContain('Content-Type: application/pdf\r\n\r\n%PDF-1.4 x\r\n');
    expect(text.endsWith(`--${boundary}--\r\n`)).toBe(true);
    expect(request.headers['idempotency-key']).toEqual(expect.any(String));
  });
});

describe('a 401 AuthorizationUnsuccessful, told apart by the scopes passed with the request', () => {
  const unauthorised = (): HttpResponse => json({ Type: null, Title: 'Unauthorized', Status: 401, Detail: 'AuthorizationUnsuccessful' }, 401);
  const fail = async (scopes?: { required: string[]; granted: string[] }) => {
    const { client: c } = client(unauthorised);
    return (await c.request({ path: ['Employees'], base: '/payroll.xro/2.0', ...(scopes ? { scopes } : {}) }).catch((e: unknown) => e)) as XeroApiError;
  };

  it('is a missing scope when the chain lacks the operation scope', async () => {
    const error = await fail({ required: ['payroll.employees.read'], granted: ['accounting.contacts'] });
    expect(error).toBeInstanceOf(XeroApiError);
    expect(error.category).toBe('insufficient_scope');
    expect(error.classification.missingScopes).toEqual(['payroll.employees.read']);
  });

  it('is an endpoint closed to the app when the chain holds the scope', async () => {
    const error = await fail({ required: ['payroll.employees.read'], granted: ['payroll.employees'] });
    expect(error.category).toBe('plan_restricted');
  });

  it('without scopes, stays the missing scope it always was', async () => {
    expect((await fail()).category).toBe('insufficient_scope');
  });
});
