/**
 * One OpenAPI document -> its rows of the operation table (src/xero/operations/types.ts), its schemas
 * in compact form, and the examples that hold to their own schema. Every rule here reads the document;
 * where Xero's documents leave something unsaid that the table needs (Journals' offset cursor, the
 * granular scopes that replace the broad ones), the rule names its source and fails loudly when a new
 * document no longer fits it.
 */
import type {
  XeroApi,
  XeroBody,
  XeroExamples,
  XeroHeaders,
  XeroHttpMethod,
  XeroOperation,
  XeroOperationKind,
  XeroPaging,
  XeroParameter,
  XeroResponse,
  XeroSchema,
} from '../../src/xero/operations/types';
import { conformToSchema } from '../../src/xero/operations/schema-walk';
import { compactSchema, refName, unescapeText, type Json } from './compact-schema';
import type { IncludedDocument } from './documents';
import { DocumentValidator } from './validator';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Properties of an answer that carry its metadata, not its records. */
const META = new Set(['pagination', 'problem', 'warnings', 'id', 'status', 'providername', 'datetimeutc', 'totalcount', 'page', 'perpage']);

/**
 * Journals page by `offset`: "Offset by a specified journal number. e.g. journals with a JournalNumber
 * greater than the offset will be returned", 100 at a time (xero_accounting.yaml getJournals; developer.xero.com).
 */
const OFFSET_PAGING: Record<string, { cursorField: string; batch: number }> = { getJournals: { cursorField: 'JournalNumber', batch: 100 } };

/**
 * The granular scopes that replace `accounting.transactions` for apps created from 2 March 2026, by
 * resource (developer.xero.com "Scopes", 2026). Xero's table names Invoices, Credit Notes, Quotes,
 * Purchase Orders and Repeating Invoices under accounting.invoices; Payments, Batch Payments,
 * Overpayments and Prepayments under accounting.payments; Bank Transactions and Transfers under
 * accounting.banktransactions; Manual Journals under accounting.manualjournals. Linked Transactions,
 * Receipts and Expense Claims (billable expenses on invoices; retired expense claims) are put under
 * accounting.invoices by inference: no source we hold names them.
 */
const TRANSACTION_SUCCESSORS: Record<string, string> = {
  Invoices: 'accounting.invoices',
  CreditNotes: 'accounting.invoices',
  Quotes: 'accounting.invoices',
  PurchaseOrders: 'accounting.invoices',
  RepeatingInvoices: 'accounting.invoices',
  LinkedTransactions: 'accounting.invoices',
  Receipts: 'accounting.invoices',
  ExpenseClaims: 'accounting.invoices',
  Payments: 'accounting.payments',
  BatchPayments: 'accounting.payments',
  Overpayments: 'accounting.payments',
  Prepayments: 'accounting.payments',
  BankTransactions: 'accounting.banktransactions',
  BankTransfers: 'accounting.banktransactions',
  ManualJournals: 'accounting.manualjournals',
};

/** `accounting.reports.read` by report; the list of published reports (GST, BAS) and TenNinetyNine under their own. */
const REPORT_SUCCESSORS: Record<string, string> = {
  AgedPayablesByContact: 'accounting.reports.aged.read',
  AgedReceivablesByContact: 'accounting.reports.aged.read',
  BalanceSheet: 'accounting.reports.balancesheet.read',
  BankSummary: 'accounting.reports.banksummary.read',
  BudgetSummary: 'accounting.reports.budgetsummary.read',
  ExecutiveSummary: 'accounting.reports.executivesummary.read',
  ProfitAndLoss: 'accounting.reports.profitandloss.read',
  TrialBalance: 'accounting.reports.trialbalance.read',
  TenNinetyNine: 'accounting.reports.tenninetynine.read',
  '': 'accounting.reports.taxreports.read',
  '{ReportID}': 'accounting.reports.taxreports.read',
};

export interface DocumentTable {
  api: XeroApi;
  operations: XeroOperation[];
  schemas: Record<string, XeroSchema>;
  examples: Record<string, XeroExamples>;
  /** Examples the generator did not keep, with why (they break their own schema). */
  examplesLeftOut: Array<{ operationId: string; which: 'request' | 'response'; reason: string }>;
}

class DocumentReader {
  readonly validator: DocumentValidator;
  constructor(
    readonly doc: Json,
    readonly source: IncludedDocument,
  ) {
    this.validator = new DocumentValidator(doc, source.id);
  }

  componentsOf(kind: string): Json {
    return ((this.doc.components as Json | undefined)?.[kind] ?? {}) as Json;
  }

  resolve(value: unknown, kind: 'parameters' | 'responses' | 'requestBodies' | 'schemas'): Json {
    const v = (value ?? {}) as Json;
    if (typeof v.$ref !== 'string') return v;
    const found = this.componentsOf(kind)[refName(v.$ref) as string];
    if (!found) throw new Error(`${this.source.file}: ${v.$ref} is not in components.${kind}`);
    return this.resolve(found, kind);
  }

  schemaNamed(name: string): Json {
    return this.resolve({ $ref: `#/components/schemas/${name}` }, 'schemas');
  }
}

/** `getEmployeeLeaveBalances` -> `Get Employee Leave Balances`. */
export function words(operationId: string): string {
  return operationId
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/^./, (c) => c.toUpperCase());
}

function parameter(reader: DocumentReader, raw: Json): XeroParameter {
  const schema = compactSchema(raw.schema ?? { type: 'string' });
  const out: XeroParameter = { name: String(raw.name), schema };
  if (raw.required === true) out.required = true;
  if (typeof raw.description === 'string' && raw.description.trim() !== '') out.description = unescapeText(raw.description);
  if (schema.example === undefined && (typeof raw.example === 'string' || typeof raw.example === 'number' || typeof raw.example === 'boolean')) {
    schema.example = typeof raw.example === 'string' ? unescapeText(raw.example).replace(/^"(.*)"$/, '$1') : raw.example;
  }
  // Xero reads a list as one comma-separated value: the Accounting document says so (style: form,
  // explode: false), Projects and Finance in their descriptions ("a comma separated list").
  const resolved = reader.resolve(raw.schema, 'schemas');
  if (resolved.type === 'array') out.commaSeparated = true;
  return out;
}

function parametersOf(reader: DocumentReader, item: Json, op: Json): Json[] {
  const merged = new Map<string, Json>();
  for (const raw of [...((item.parameters as unknown[]) ?? []), ...((op.parameters as unknown[]) ?? [])]) {
    const p = reader.resolve(raw, 'parameters');
    merged.set(`${String(p.in)}:${String(p.name).toLowerCase()}`, p);
  }
  return [...merged.values()];
}

function headersOf(reader: DocumentReader, params: Json[]): XeroHeaders {
  const headers = params.filter((p) => p.in === 'header');
  const tenant = headers.find((h) => String(h.name).toLowerCase() === 'xero-tenant-id');
  const known = new Set(['xero-tenant-id', 'idempotency-key', 'if-modified-since']);
  const other = headers.filter((h) => !known.has(String(h.name).toLowerCase())).map((h) => parameter(reader, h));
  return {
    tenant: tenant ? (tenant.required === true ? 'required' : 'optional') : 'none',
    idempotencyKey: headers.some((h) => String(h.name).toLowerCase() === 'idempotency-key'),
    ifModifiedSince: headers.some((h) => String(h.name).toLowerCase() === 'if-modified-since'),
    ...(other.length > 0 ? { other } : {}),
  };
}

function bodyOf(reader: DocumentReader, op: Json): XeroBody | undefined {
  if (!op.requestBody) return undefined;
  const rb = reader.resolve(op.requestBody, 'requestBodies');
  const content = (rb.content ?? {}) as Json;
  const mediaType = (['application/json', 'multipart/form-data', 'application/octet-stream'] as const).find((m) => content[m] !== undefined);
  if (!mediaType) throw new Error(`${reader.source.file} ${String(op.operationId)}: request body of type ${Object.keys(content).join(', ')}`);
  const schema = ((content[mediaType] as Json).schema ?? {}) as Json;
  return {
    mediaType,
    required: rb.required === true,
    schema: compactSchema(schema),
    ...(mediaType === 'application/json' ? { records: recordsOf(reader, schema) } : {}),
    ...(typeof rb.description === 'string' ? { description: unescapeText(rb.description) } : {}),
  };
}

function successOf(reader: DocumentReader, op: Json): { status: number; content: Json } {
  const statuses = Object.keys((op.responses ?? {}) as Json)
    .filter((s) => /^2\d\d$/.test(s))
    .sort();
  const status = statuses[0];
  if (!status) throw new Error(`${reader.source.file} ${String(op.operationId)}: no 2xx response`);
  const response = reader.resolve((op.responses as Json)[status], 'responses');
  return { status: Number(status), content: (response.content ?? {}) as Json };
}

/** Where the records sit in an answer of this schema. */
function recordsOf(reader: DocumentReader, schema: Json): XeroResponse['records'] {
  const name = refName(schema.$ref);
  const s = reader.resolve(schema, 'schemas');
  if (s.type === 'array') {
    const item = refName((s.items as Json | undefined)?.$ref);
    return { key: null, many: true, ...(item ? { schema: item } : {}) };
  }
  const props = Object.entries((s.properties ?? {}) as Json);
  const payload = props.filter(([k]) => !META.has(k.toLowerCase()));
  if (payload.length === 1) {
    const [key, prop] = payload[0] as [string, Json];
    const inner = reader.resolve(prop, 'schemas');
    const viaRef = refName(prop.$ref);
    if (inner.type === 'array') {
      const item = refName((inner.items as Json | undefined)?.$ref);
      if (item) return { key, many: true, schema: item };
    } else if (viaRef) return { key, many: false, schema: viaRef };
  }
  return { key: null, many: false, ...(name ? { schema: name } : {}) };
}

function responseOf(reader: DocumentReader, op: Json): { response: XeroResponse; schema?: Json } {
  const { status, content } = successOf(reader, op);
  const mediaType = Object.keys(content)[0];
  if (!mediaType) return { response: { status } };
  const schema = (content[mediaType] as Json).schema as Json | undefined;
  const response: XeroResponse = { status, mediaType, ...(schema ? { schema: compactSchema(schema) } : {}) };
  if (schema && mediaType === 'application/json') response.records = recordsOf(reader, schema);
  return { response, schema };
}

function pagingOf(reader: DocumentReader, operationId: string, query: XeroParameter[], responseSchema: Json | undefined): XeroPaging {
  const byName = (re: RegExp): XeroParameter | undefined => query.find((q) => re.test(q.name));
  const offset = byName(/^offset$/i);
  if (offset) {
    const known = OFFSET_PAGING[operationId];
    if (!known) throw new Error(`${reader.source.file} ${operationId}: takes offset, and the generator does not know its cursor`);
    return { style: 'offset', offsetParam: offset.name, ...known };
  }
  const page = byName(/^page$/i);
  if (!page) return { style: 'none' };
  const size = byName(/^page_?size$/i);
  // The size parameter's own default and maximum; without one, what the page parameter says a page holds
  // ("Up to 100 invoices will be returned", "By default the number of the records per set is 100").
  const sizeText = size?.description ?? '';
  const defaultSize =
    (typeof size?.schema.default === 'number' ? size.schema.default : undefined) ??
    numberIn(sizeText, [/set to (\d+) by default/i, /by default the number of (?:the )?records (?:per set |returned )?is (\d+)/i]) ??
    numberIn(page.description ?? '', [/records per set is (\d+)/i, /up to (\d+)/i]);
  const maxSize = size?.schema.maximum ?? numberIn(sizeText, [/between 1 and (\d+)/i, /maximum (?:of )?(\d+)/i]);
  const props = responseSchema ? Object.keys((reader.resolve(responseSchema, 'schemas').properties ?? {}) as Json) : [];
  const counts = props.includes('pagination') ? 'pagination' : props.includes('TotalCount') && props.includes('PerPage') ? 'files' : undefined;
  return {
    style: 'page',
    pageParam: page.name,
    ...(size ? { sizeParam: size.name } : {}),
    ...(defaultSize !== undefined ? { defaultSize } : {}),
    ...(maxSize !== undefined ? { maxSize } : {}),
    ...(counts ? { counts } : {}),
  };
}

function numberIn(text: string, patterns: RegExp[]): number | undefined {
  for (const p of patterns) {
    const m = p.exec(text);
    if (m?.[1]) return Number(m[1]);
  }
  return undefined;
}

function kindOf(operationId: string, method: XeroHttpMethod, path: string, response: XeroResponse, paging: XeroPaging): XeroOperationKind {
  const verb = /^[a-z]+/.exec(operationId)?.[0] ?? '';
  const lastIsParam = /\}$/.test(path);
  if (verb === 'get') {
    // A report answers `{"Reports":[one]}`: it is read, not listed. A record by id comes in a list of
    // one at the Accounting API: `get`, unless the answer pages (Files' associations of an object).
    const many = response.records?.many === true && response.records.key !== 'Reports';
    return many && (!lastIsParam || paging.style !== 'none') ? 'list' : 'get';
  }
  if (operationId.startsWith('updateOrCreate')) return 'upsert';
  if (verb === 'create' || verb === 'upload') return 'create';
  if (verb === 'update' || verb === 'patch') return 'update';
  if (verb === 'delete') return 'delete';
  if (method === 'DELETE') return 'delete';
  return 'action';
}

function scopesOf(doc: Json, op: Json): string[] {
  const security = (op.security ?? doc.security ?? []) as Json[];
  const out: string[] = [];
  for (const requirement of security) for (const list of Object.values(requirement)) for (const s of list as string[]) if (!out.includes(s)) out.push(s);
  return out;
}

function granularScopes(api: string, path: string, scopes: string[]): string[] | undefined {
  if (api !== 'accounting') return undefined;
  const segments = path.split('/').filter(Boolean);
  const out: string[] = [];
  for (const scope of scopes) {
    if (scope === 'accounting.transactions' || scope === 'accounting.transactions.read') {
      const successor = TRANSACTION_SUCCESSORS[segments[0] ?? ''];
      if (!successor) throw new Error(`xero_accounting.yaml ${path}: under ${scope}, and no granular successor is known for ${segments[0]}`);
      out.push(scope.endsWith('.read') ? `${successor}.read` : successor);
    } else if (scope === 'accounting.reports.read') {
      const successor = REPORT_SUCCESSORS[segments[1] ?? ''];
      if (!successor) throw new Error(`xero_accounting.yaml ${path}: under ${scope}, and no granular report scope is known for it`);
      out.push(successor);
    }
  }
  const unique = [...new Set(out)].filter((s) => !scopes.includes(s));
  return unique.length > 0 ? unique : undefined;
}

function example(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export function readDocument(doc: Json, source: IncludedDocument): DocumentTable {
  const reader = new DocumentReader(doc, source);
  const info = (doc.info ?? {}) as Json;
  const server = String(((doc.servers as Json[] | undefined)?.[0] ?? {}).url ?? '');
  const basePath = new URL(server).pathname.replace(/\/+$/, '');
  const schemas = Object.fromEntries(Object.entries(reader.componentsOf('schemas')).map(([name, s]) => [name, compactSchema(s)]));
  const operations: XeroOperation[] = [];
  const examples: Record<string, XeroExamples> = {};
  const examplesLeftOut: DocumentTable['examplesLeftOut'] = [];
  const allScopes = new Set<string>();

  for (const [path, itemRaw] of Object.entries((doc.paths ?? {}) as Json)) {
    const item = itemRaw as Json;
    for (const m of METHODS) {
      const op = item[m] as Json | undefined;
      if (!op) continue;
      const operationId = String(op.operationId);
      const method = m.toUpperCase() as XeroHttpMethod;
      const params = parametersOf(reader, item, op);
      const pathParams = path.match(/\{[^}]+\}/g)?.map((p) => p.slice(1, -1)) ?? [];
      const declared = params.filter((p) => p.in === 'path');
      for (const name of pathParams)
        if (!declared.some((p) => p.name === name)) throw new Error(`${source.file} ${operationId}: path parameter {${name}} is not declared`);
      const query = params.filter((p) => p.in === 'query').map((p) => parameter(reader, p));
      const { response, schema: responseSchema } = responseOf(reader, op);
      const scopes = scopesOf(doc, op);
      scopes.forEach((s) => allScopes.add(s));
      const granular = granularScopes(source.id, path, scopes);
      const body = bodyOf(reader, op);
      const paging: XeroPaging = method === 'GET' ? pagingOf(reader, operationId, query, responseSchema) : { style: 'none' };
      const summary = unescapeText(String(op.summary ?? words(operationId)));
      const description = typeof op.description === 'string' ? unescapeText(op.description) : undefined;
      operations.push({
        api: source.id,
        operationId,
        name: words(operationId),
        resource: path.split('/').filter(Boolean)[0] ?? '',
        kind: kindOf(operationId, method, path, response, paging),
        method,
        path,
        pathParams: pathParams.map((name) => parameter(reader, declared.find((p) => p.name === name) as Json)),
        query,
        headers: headersOf(reader, params),
        ...(body ? { body } : {}),
        paging,
        response,
        scopes,
        ...(granular ? { granularScopes: granular } : {}),
        summary,
        ...(description && description !== summary ? { description } : {}),
        ...(op.deprecated === true ? { deprecated: true as const } : {}),
      });

      const kept: XeroExamples = {};
      const keep = (which: 'request' | 'response', raw: unknown, schema: Json | undefined): unknown => {
        if (raw === undefined || !schema) return undefined;
        // Xero's examples write nulls, date-times for dates and numbers as strings where the schema
        // says otherwise: brought into the schema's form first, and kept only if they then hold to it.
        const value = conformToSchema(raw, compactSchema(schema), schemas);
        const errors = reader.validator.errors(schema, value);
        if (errors.length === 0) return value;
        examplesLeftOut.push({ operationId, which, reason: errors.slice(0, 3).join('; ') });
        return undefined;
      };
      const success = successOf(reader, op);
      const responseExample = keep('response', example((success.content['application/json'] as Json | undefined)?.example), responseSchema);
      if (responseExample !== undefined) kept.response = responseExample;
      const rb = op.requestBody ? reader.resolve(op.requestBody, 'requestBodies') : undefined;
      const requestContent = (rb?.content as Json | undefined)?.['application/json'] as Json | undefined;
      const requestExample = keep('request', example(requestContent?.example), requestContent?.schema as Json | undefined);
      if (requestExample !== undefined) kept.request = requestExample;
      if (kept.response !== undefined || kept.request !== undefined) examples[operationId] = kept;
    }
  }

  const api: XeroApi = {
    id: source.id,
    title: String(info.title ?? source.label),
    label: source.label,
    document: source.file,
    version: String(info.version ?? ''),
    basePath,
    ...(source.region ? { region: source.region } : {}),
    scopes: [...allScopes].sort(),
  };
  return { api, operations, schemas, examples, examplesLeftOut };
}
