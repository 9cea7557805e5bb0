import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GENERATED_DIR, OPENAPI_DIR, generate } from '../../../../tools/openapi/generate';
import { EXCLUDED } from '../../../../tools/openapi/documents';
import { undeclaredRequired } from '../../../../tools/openapi/validator';
import { XERO_APIS, XERO_LEFT_OUT, acceptedScopes, scopesAdmit, xeroOperations, findXeroOperation } from '../../../../src/xero/operations';

/**
 * The operation table is what Xero's documents say, nothing more and nothing less: regenerating it
 * changes nothing, and every operationId of every document is either in it or left out with a reason.
 */

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function operationIdsOf(file: string): string[] {
  // The document's paths: each an item of operations by method (the rest of the document is not read here).
  const doc = parse(readFileSync(join(OPENAPI_DIR, file), 'utf8')) as { paths?: Record<string, Record<string, { operationId: string } | undefined>> };
  const ids: string[] = [];
  for (const item of Object.values(doc.paths ?? {})) for (const m of METHODS) if (item[m]) ids.push(item[m].operationId);
  return ids;
}

describe('the operation table', () => {
  it('is exactly what `npm run openapi:generate` writes from openapi/ (an update of the documents is one command and a reviewed diff)', () => {
    const files = generate();
    const onDisk = readdirSync(GENERATED_DIR).sort();
    expect(onDisk).toEqual(files.map((f) => f.name).sort());
    for (const f of files) {
      const disk = readFileSync(join(GENERATED_DIR, f.name), 'utf8');
      // One line of context, not a 300 KB diff, when it fails.
      if (disk !== f.text) {
        const lines = disk.split('\n');
        const fresh = f.text.split('\n');
        const at = fresh.findIndex((l, i) => l !== lines[i]);
        throw new Error(`${f.name} is stale at line ${at + 1}: on disk "${lines[at]}", generated "${fresh[at]}". Run npm run openapi:generate.`);
      }
    }
  });

  it('counts, per document, every operationId: in the table, or left out with the reason', () => {
    const documents = readdirSync(OPENAPI_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    const report: Record<string, { inDocument: number; inTable: number; leftOut: number }> = {};
    for (const file of documents) {
      const ids = operationIdsOf(file);
      const api = XERO_APIS.find((a) => a.document === file);
      const inTable = api ? xeroOperations(api.id).map((op) => op.operationId) : [];
      const wholeDocument = XERO_LEFT_OUT.find((l) => l.document === file && l.operationId === undefined);
      const leftOut = wholeDocument ? ids : XERO_LEFT_OUT.filter((l) => l.document === file && l.operationId).map((l) => l.operationId as string);
      // Nothing invented, nothing lost, nothing both in and out.
      expect({ file, ids: [...inTable, ...leftOut].sort() }).toEqual({ file, ids: [...ids].sort() });
      expect(new Set(inTable).size).toBe(inTable.length);
      report[file] = { inDocument: ids.length, inTable: inTable.length, leftOut: leftOut.length };
    }
    console.log(
      [
        'document                     in document  in table  left out',
        ...Object.entries(report).map(
          ([f, r]) => `${f.padEnd(28)} ${String(r.inDocument).padStart(11)} ${String(r.inTable).padStart(9)} ${String(r.leftOut).padStart(9)}`,
        ),
        '',
        'left out:',
        ...XERO_LEFT_OUT.map((l) => `- ${l.document}${l.operationId ? ` ${l.operationId}` : ''}: ${l.reason}`),
      ].join('\n'),
    );
    expect(report).toEqual({
      'xero-app-store.yaml': { inDocument: 4, inTable: 0, leftOut: 4 },
      'xero-finance.yaml': { inDocument: 8, inTable: 8, leftOut: 0 },
      'xero-identity.yaml': { inDocument: 2, inTable: 0, leftOut: 2 },
      'xero-payroll-au-v2.yaml': { inDocument: 9, inTable: 9, leftOut: 0 },
      'xero-payroll-au.yaml': { inDocument: 32, inTable: 32, leftOut: 0 },
      'xero-payroll-nz.yaml': { inDocument: 71, inTable: 71, leftOut: 0 },
      'xero-payroll-uk.yaml': { inDocument: 69, inTable: 69, leftOut: 0 },
      'xero-projects.yaml': { inDocument: 16, inTable: 16, leftOut: 0 },
      'xero-webhooks.yaml': { inDocument: 0, inTable: 0, leftOut: 0 },
      'xero_accounting.yaml': { inDocument: 235, inTable: 235, leftOut: 0 },
      'xero_assets.yaml': { inDocument: 6, inTable: 6, leftOut: 0 },
      'xero_bankfeeds.yaml': { inDocument: 7, inTable: 0, leftOut: 7 },
      'xero_files.yaml': { inDocument: 18, inTable: 18, leftOut: 0 },
    });
    for (const excluded of EXCLUDED) expect(XERO_LEFT_OUT.find((l) => l.document === excluded.file)?.reason).toBe(excluded.reason);
  });

  it('gives every operation its base path, scopes, paging and the place its records sit', () => {
    expect(Object.fromEntries(XERO_APIS.map((a) => [a.id, a.basePath]))).toEqual({
      accounting: '/api.xro/2.0',
      'payroll-au': '/payroll.xro/1.0',
      'payroll-au-v2': '/payroll.xro/2.0',
      'payroll-nz': '/payroll.xro/2.0',
      'payroll-uk': '/payroll.xro/2.0',
      projects: '/projects.xro/2.0',
      files: '/files.xro/1.0',
      assets: '/assets.xro/1.0',
      finance: '/finance.xro/1.0',
    });
    for (const op of xeroOperations()) {
      expect({ op: op.operationId, scopes: op.scopes.length > 0 }).toEqual({ op: op.operationId, scopes: true });
      expect({ op: op.operationId, tenant: op.headers.tenant }).toEqual({ op: op.operationId, tenant: 'required' });
    }
    const paging = (api: Parameters<typeof findXeroOperation>[0], id: string) => findXeroOperation(api, id)?.paging;
    expect(paging('accounting', 'getInvoices')).toEqual({ style: 'page', pageParam: 'page', sizeParam: 'pageSize', defaultSize: 100, counts: 'pagination' });
    expect(paging('accounting', 'getJournals')).toEqual({ style: 'offset', offsetParam: 'offset', cursorField: 'JournalNumber', batch: 100 });
    expect(paging('payroll-au', 'getEmployees')).toEqual({ style: 'page', pageParam: 'page', defaultSize: 100 });
    expect(paging('payroll-uk', 'getEmployees')).toEqual({ style: 'page', pageParam: 'page', defaultSize: 100, counts: 'pagination' });
    expect(paging('projects', 'getProjects')).toEqual({
      style: 'page',
      pageParam: 'page',
      sizeParam: 'pageSize',
      defaultSize: 50,
      maxSize: 500,
      counts: 'pagination',
    });
    expect(paging('files', 'getFiles')).toEqual({ style: 'page', pageParam: 'page', sizeParam: 'pagesize', maxSize: 100, counts: 'files' });
    expect(paging('finance', 'getFinancialStatementBalanceSheet')).toEqual({ style: 'none' });
    expect(findXeroOperation('payroll-uk', 'getEmployee')?.response.records).toEqual({ key: 'employee', many: false, schema: 'Employee' });
    expect(findXeroOperation('projects', 'getProjects')?.response.records).toEqual({ key: 'items', many: true, schema: 'Project' });
    expect(findXeroOperation('files', 'getFolders')?.response.records).toEqual({ key: null, many: true, schema: 'Folder' });
    expect(findXeroOperation('files', 'uploadFile')?.body?.mediaType).toBe('multipart/form-data');
  });

  it('names the granular scopes that replace the broad Accounting ones, and admits a chain by any accepted scope', () => {
    const getInvoices = findXeroOperation('accounting', 'getInvoices')!;
    expect(acceptedScopes(getInvoices)).toEqual(['accounting.transactions', 'accounting.transactions.read', 'accounting.invoices', 'accounting.invoices.read']);
    expect(scopesAdmit(getInvoices, ['accounting.invoices.read'])).toBe(true);
    expect(scopesAdmit(getInvoices, ['accounting.payments.read'])).toBe(false);
    expect(findXeroOperation('accounting', 'createPrepaymentAllocations')?.granularScopes).toEqual(['accounting.payments']);
    expect(findXeroOperation('accounting', 'getReportBalanceSheet')?.granularScopes).toEqual(['accounting.reports.balancesheet.read']);
    expect(findXeroOperation('payroll-uk', 'createEmployee')?.scopes).toEqual(['payroll.employees']);
    expect(scopesAdmit(findXeroOperation('payroll-uk', 'getEmployees')!, ['payroll.employees.read'])).toBe(true);
    // Every broad-scoped Accounting operation has its successor (the generator throws otherwise; this pins it).
    for (const op of xeroOperations('accounting'))
      if (op.scopes.some((s) => s.startsWith('accounting.transactions') || s === 'accounting.reports.read'))
        expect({ op: op.operationId, granular: (op.granularScopes ?? []).length > 0 || op.scopes.includes('accounting.reports.tenninetynine.read') }).toEqual({
          op: op.operationId,
          granular: true,
        });
  });

  it('tells each operation what it does, from its verb', () => {
    const kind = (api: Parameters<typeof findXeroOperation>[0], id: string) => findXeroOperation(api, id)?.kind;
    expect(kind('accounting', 'getInvoices')).toBe('list');
    expect(kind('accounting', 'getInvoice')).toBe('get');
    expect(kind('accounting', 'getReportBalanceSheet')).toBe('get');
    expect(kind('accounting', 'updateOrCreateInvoices')).toBe('upsert');
    expect(kind('accounting', 'deleteBatchPayment')).toBe('delete');
    expect(kind('accounting', 'emailInvoice')).toBe('action');
    expect(kind('files', 'uploadFile')).toBe('create');
    expect(kind('files', 'getAssociationsByObject')).toBe('list');
    expect(kind('projects', 'patchProject')).toBe('update');
    expect(findXeroOperation('payroll-uk', 'getEmployeeLeaveBalances')?.name).toBe('Get Employee Leave Balances');
  });

  it('lists the required names Xero’s documents do not declare (taken out before validating, and out of the compact schemas)', () => {
    const slips = readdirSync(OPENAPI_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => undeclaredRequired(parse(readFileSync(join(OPENAPI_DIR, f), 'utf8')).components?.schemas ?? {}).map((r) => `${f} ${r.schema}.${r.name}`));
    expect(slips).toEqual([
      'xero_assets.yaml Setting.name',
      'xero_files.yaml FileObject.id',
      'xero_files.yaml FileObject.name',
      'xero_files.yaml FileObject.manufacturer',
      'xero_files.yaml FileObject.releaseDate',
      'xero_files.yaml Folder.name',
    ]);
  });
});
