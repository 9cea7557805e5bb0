import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { XERO_APIS, xeroApi, xeroOperations, type XeroApiId, type XeroOperation } from '../../../../src/xero/operations';
import { resolveSchema } from '../../../../src/xero/operations/schema-walk';
import { simulatedApi } from '../../../../src/simulator/apis/catalogue';
import { targetOf } from '../../../../src/simulator/apis/collections';
import { complete } from '../../../../src/simulator/apis/records';
import { DEMO_TENANT_ID, SECOND_TENANT_ID, type Simulator } from '../../../../src/simulator';
import { OPENAPI_DIR } from '../../../../tools/openapi/generate';
import { answerOf, START, type Answer } from '../accounting-helpers';
import { DocumentValidator } from '../../../../tools/openapi/validator';
import { methodKey, refTarget, type OpenApiDocument, type OperationObject, type SchemaObject } from './openapi';

/**
 * Walks the operation table against a running simulator the way a client reading only the table
 * would: path parameters from records it has already seen (a list first when it has none), required
 * query parameters from their schema, bodies from the document's request examples or from the request
 * schema, and for the hand-modelled Accounting book, bodies a bookkeeper would send. Every answer is
 * kept, so a test can validate it against the document. Shared by the table walk and the xero-node sweep.
 */

export const UK_TENANT_ID = 'c1d2e3f4-0a1b-4c2d-8e3f-405162738495';
/** The walks' clock: the same start as the Accounting tests'. */
export const NOW = START;

/** Every scope every API names, and the granular Accounting ones: a chain that may call anything. */
export const ALL_SCOPES = [
  'offline_access',
  'openid',
  'profile',
  'email',
  ...new Set(XERO_APIS.flatMap((a) => a.scopes)),
  'accounting.invoices',
  'accounting.payments',
  'accounting.banktransactions',
  'accounting.manualjournals',
];

/** Which organisation each API is walked in: payroll needs an organisation of its country. */
export const TENANT_OF: Record<XeroApiId, string> = {
  accounting: DEMO_TENANT_ID,
  'payroll-au': SECOND_TENANT_ID,
  'payroll-au-v2': SECOND_TENANT_ID,
  'payroll-nz': DEMO_TENANT_ID,
  'payroll-uk': UK_TENANT_ID,
  projects: DEMO_TENANT_ID,
  files: DEMO_TENANT_ID,
  assets: DEMO_TENANT_ID,
  finance: DEMO_TENANT_ID,
};

export function connect(sim: Simulator, scopes = ALL_SCOPES): string {
  return sim.seedGrant({ scopes, tenants: [DEMO_TENANT_ID, SECOND_TENANT_ID, { tenantId: UK_TENANT_ID, name: 'Walk Ltd (UK)', countryCode: 'GB' }] })
    .access_token;
}

export interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

type Rec = Record<string, unknown>;

const documents = new Map<XeroApiId, DocumentValidator>();
export function validatorOf(api: XeroApiId): DocumentValidator {
  let v = documents.get(api);
  if (!v) {
    v = new DocumentValidator(parse(readFileSync(join(OPENAPI_DIR, xeroApi(api).document), 'utf8')), api);
    documents.set(api, v);
  }
  return v;
}

/** The document an API's operations come from. */
const documentOf = (api: XeroApiId): OpenApiDocument => validatorOf(api).doc as unknown as OpenApiDocument;

/** The document's own description of an operation, for its documented answers. */
export function documented(op: XeroOperation): OperationObject {
  return documentOf(op.api).paths[op.path][methodKey(op.method)]!;
}

/** The schema the document gives this status of this operation, or undefined. */
export function answerSchema(op: XeroOperation, status: number): SchemaObject | undefined {
  let r = documented(op).responses?.[String(status)];
  if (typeof r?.$ref === 'string') r = documentOf(op.api).components.responses![refTarget(r.$ref)];
  return r?.content?.['application/json']?.schema;
}

const BANK = '090';
const SAVINGS = '091';

/** Bodies for the hand-modelled book, per resource: what the book's rules need (a contact, lines, a bank account). */
function bookRecord(w: Walker, resource: string): Rec | undefined {
  const n = w.next();
  const line = { Description: 'Walked', Quantity: 1, UnitAmount: 100, AccountCode: '200' };
  const contact = { ContactID: w.idOf('accounting', '/Contacts', 'ContactID') };
  switch (resource) {
    case 'Contacts':
      return { Name: `Walk Contact ${n}`, EmailAddress: `walk${n}@example.com` };
    case 'ContactGroups':
      return { Name: `Walk Group ${n}` };
    case 'Invoices':
      return { Type: 'ACCREC', Contact: contact, Date: '2026-03-31', DueDate: '2026-04-30', Status: 'AUTHORISED', LineItems: [line] };
    case 'CreditNotes':
      return { Type: 'ACCRECCREDIT', Contact: contact, Status: 'AUTHORISED', LineItems: [{ ...line, UnitAmount: 20 }] };
    case 'Payments':
      return { Invoice: { InvoiceID: w.idOf('accounting', '/Invoices', 'InvoiceID') }, Account: { Code: BANK }, Amount: 1, Date: '2026-04-01' };
    case 'BankTransactions':
      return { Type: 'SPEND', Contact: contact, BankAccount: { Code: BANK }, LineItems: [{ ...line, AccountCode: '404' }] };
    case 'BankTransfers':
      return { FromBankAccount: { Code: BANK }, ToBankAccount: { Code: SAVINGS }, Amount: 10 };
    case 'Accounts':
      return { Code: `W${n}`, Name: `Walk Account ${n}`, Type: 'OVERHEADS' };
    case 'Items':
      return { Code: `WALK${n}`, Name: `Walk Item ${n}` };
    case 'Quotes':
      return { Contact: contact, Date: '2026-04-01', LineItems: [line] };
    case 'PurchaseOrders':
      return { Contact: contact, LineItems: [{ ...line, AccountCode: '429' }] };
    case 'ManualJournals':
      return {
        Narration: `Walk ${n}`,
        JournalLines: [
          { LineAmount: 10, AccountCode: '429' },
          { LineAmount: -10, AccountCode: '800' },
        ],
      };
    case 'TrackingCategories':
      return { Name: `Walk Category ${n}` };
    case 'TaxRates':
      return { Name: `Walk Rate ${n}`, TaxComponents: [{ Name: 'Tax', Rate: 5 }] };
    case 'Currencies':
      return { Code: ['USD', 'EUR', 'GBP', 'JPY', 'CAD'][n % 5] };
    default:
      return undefined;
  }
}

/** Bodies for book operations below a record (allocations, options, history, group members). */
function bookSpecial(w: Walker, op: XeroOperation): Rec | undefined {
  if (/History/.test(op.operationId) && op.method === 'PUT') return { HistoryRecords: [{ Details: 'Walked through every operation' }] };
  if (/Allocation/.test(op.operationId) && op.kind === 'create')
    return { Allocations: [{ Invoice: { InvoiceID: w.idOf('accounting', '/Invoices', 'InvoiceID') }, Amount: 1, Date: '2026-04-02' }] };
  if (op.operationId === 'createContactGroupContacts') return { Contacts: [{ ContactID: w.idOf('accounting', '/Contacts', 'ContactID') }] };
  if (op.operationId === 'createTrackingOptions' || op.operationId === 'updateTrackingOptions') return { Name: `Walk Option ${w.next()}` };
  // Deletes by POST: the record's Status set to DELETED, by the path or in the envelope.
  if (op.kind === 'delete' && op.method === 'POST') {
    const key = envelopeKey(op);
    const idField = simulatedApi('accounting').collections.get(targetOf(op).collection)?.idField ?? '';
    const named = { [idField]: w.idOf('accounting', targetOf(op).collection, idField), Status: 'DELETED' };
    return key ? { [key]: [named] } : op.pathParams.length === 0 ? named : { Status: 'DELETED' };
  }
  if (op.operationId === 'emailInvoice') return {};
  return undefined;
}

/** The property of a write's envelope that holds its records (`Invoices` of `{"Invoices": [...]}`), if it is one. */
const envelopeKey = (op: XeroOperation): string | undefined => op.body?.records?.key ?? undefined;

export class Walker {
  /** Records seen, newest first, per API and collection template. */
  readonly seen = new Map<string, Rec[]>();
  private counter = 0;

  constructor(
    readonly sim: Simulator,
    readonly token: string,
  ) {}

  next(): number {
    return ++this.counter;
  }

  private key(api: XeroApiId, template: string): string {
    return `${api} ${template.toLowerCase()}`;
  }

  /** A value for a property of a record of this collection (its id, its number), if one has been seen. */
  valueOf(api: XeroApiId, template: string, property: string): string | undefined {
    for (const r of this.seen.get(this.key(api, template)) ?? []) {
      const k = Object.keys(r).find((p) => p.toLowerCase() === property.toLowerCase());
      if (k && r[k] !== undefined && r[k] !== null && r[k] !== '') return String(r[k]);
    }
    return undefined;
  }

  idOf(api: XeroApiId, template: string, property: string): string {
    const v = this.valueOf(api, template, property);
    if (v === undefined) throw new Error(`no ${property} seen in ${api} ${template}`);
    return v;
  }

  /** A value of this name anywhere this API has answered, at any depth (a foreign key, a pay run's payslips, Files' ObjectId). */
  anywhere(api: XeroApiId, property: string): string | undefined {
    const wanted = property.toLowerCase();
    const search = (value: unknown, depth: number): string | undefined => {
      if (!value || typeof value !== 'object' || depth > 6) return undefined;
      if (Array.isArray(value)) {
        for (const v of value) {
          const found = search(v, depth + 1);
          if (found !== undefined) return found;
        }
        return undefined;
      }
      for (const [k, v] of Object.entries(value)) if (k.toLowerCase() === wanted && typeof v === 'string' && v !== '') return v;
      for (const v of Object.values(value)) {
        const found = search(v, depth + 1);
        if (found !== undefined) return found;
      }
      return undefined;
    };
    for (const [k, list] of this.seen) {
      if (!k.startsWith(`${api} `)) continue;
      const found = search(list, 0);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** The id a record of this collection has in the document's own examples (the simulator's seed data). */
  private exampleId(api: XeroApiId, template: string, property: string): string | undefined {
    const sim = simulatedApi(api);
    for (const op of sim.operations) {
      if (op.method !== 'GET' || targetOf(op).collection !== template || !op.response.records) continue;
      const example = sim.examples[op.operationId]?.response;
      if (example === undefined) continue;
      const where = op.response.records;
      const at: unknown = where.key === null ? example : (example as Rec)[where.key];
      const found: unknown[] = where.many ? (Array.isArray(at) ? at : []) : [at];
      for (const r of found as Array<Rec | null | undefined>) {
        const k = Object.keys(r ?? {}).find((p) => p.toLowerCase() === property.toLowerCase());
        const value = k ? r![k] : undefined;
        if (typeof value === 'string') return value;
      }
    }
    return undefined;
  }

  harvest(op: XeroOperation, json: unknown, params: Record<string, string>, front: boolean): void {
    if (!json || !op.response.records) return;
    const where = op.response.records;
    const at: unknown = where.key === null ? json : (json as Rec)[where.key];
    const found: unknown[] = where.many ? (Array.isArray(at) ? at : []) : at && typeof at === 'object' ? [at] : [];
    const records = found.filter((r): r is Rec => !!r && typeof r === 'object');
    const target = targetOf(op);
    if (target.verb) return;
    const template = target.collection.replace(/\{([^}]+)\}/g, (_m, p) => params[p] ?? `{${p}}`);
    const k = this.key(op.api, target.collection);
    const concreteKey = this.key(op.api, template);
    for (const key of new Set([k, concreteKey])) {
      const list = this.seen.get(key) ?? [];
      if (front) list.unshift(...records);
      else list.push(...records);
      this.seen.set(key, list);
    }
  }

  /** The path parameters of an operation, each from the collection it names a record of. */
  async params(op: XeroOperation): Promise<Record<string, string> | string> {
    const segments = op.path.split('/').filter((s) => s !== '');
    const params: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
      const m = /^\{(.+)\}$/.exec(segments[i] as string);
      if (!m) continue;
      const name = m[1] as string;
      // Files names a folder in /Files/{FolderId}: its records are the folders'.
      const prefix = op.api === 'files' && name === 'FolderId' ? '/Folders' : `/${segments.slice(0, i).join('/')}`;
      const property = op.api === 'files' && name === 'FolderId' ? 'Id' : name;
      const concrete = prefix.replace(/\{([^}]+)\}/g, (_x, p) => params[p] ?? '');
      const fromCollection = (): string | undefined =>
        this.valueOf(op.api, concrete, property) ?? this.valueOf(op.api, prefix, property) ?? this.idFieldValue(op.api, prefix, concrete);
      let value = fromCollection();
      if (value === undefined) {
        await this.listCollection(op.api, prefix, params);
        value = fromCollection();
      }
      const idField = simulatedApi(op.api).collections.get(prefix)?.idField;
      value ??= this.exampleId(op.api, prefix, name) ?? (idField ? this.exampleId(op.api, prefix, idField) : undefined) ?? this.anywhere(op.api, name);
      if (name === 'FileName') value ??= 'walk.txt';
      if (value === undefined) return `no ${name} for ${op.operationId}: no record of ${prefix} seen`;
      params[name] = value;
    }
    return params;
  }

  private idFieldValue(api: XeroApiId, template: string, concrete: string): string | undefined {
    const idField = simulatedApi(api).collections.get(template)?.idField;
    return idField ? (this.valueOf(api, concrete, idField) ?? this.valueOf(api, template, idField)) : undefined;
  }

  private async listCollection(api: XeroApiId, template: string, params: Record<string, string>): Promise<void> {
    const list = xeroOperations(api).find((o) => o.method === 'GET' && o.path === template && o.response.records?.many);
    if (list) await this.send(list, params);
  }

  /** A value for a query parameter the operation requires. */
  queryValue(op: XeroOperation, name: string): string {
    const p = op.query.find((q) => q.name === name);
    const schema = resolveSchema(p?.schema.items ?? p?.schema, simulatedApi(op.api).schemas);
    if (schema?.enum?.[0]) return schema.enum[0];
    if (schema?.format === 'uuid')
      return this.anywhere(op.api, name.replace(/s$/, '')) ?? this.anywhere('accounting', name.replace(/s$/, '')) ?? '00000000-0000-0000-0000-000000000001';
    if (schema?.format === 'date' || /date$/i.test(name)) return '2026-03-31';
    if (schema?.type === 'integer' || schema?.type === 'number') return '1';
    if (schema?.type === 'boolean') return 'true';
    if (name === 'ObjectIds') return this.anywhere('files', 'ObjectId') ?? '00000000-0000-0000-0000-000000000001';
    return typeof p?.schema.example === 'string' ? p.schema.example : 'walk';
  }

  /** A value for a header the operation declares beyond the usual ones (Accounting's `contentType` on attachment reads). */
  headerValue(op: XeroOperation, name: string): string | undefined {
    const h = op.headers.other?.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!h) return undefined;
    return /content-?type/i.test(h.name) ? 'text/plain' : typeof h.schema.example === 'string' ? h.schema.example : 'walk';
  }

  /** The body a client would send: the book's, the document's request example, or one built from the request schema. */
  body(op: XeroOperation): { bytes: Buffer; type: string } | undefined {
    if (!op.body) return undefined;
    if (op.body.mediaType === 'application/octet-stream') return { bytes: Buffer.from(`walked ${op.operationId}\n`), type: 'text/plain' };
    if (op.body.mediaType === 'multipart/form-data') {
      const boundary = `walk${this.next()}`;
      const part = (name: string, value: string, extra = ''): string =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n\r\n${value}\r\n`;
      const text =
        part('body', 'walked file contents', '; filename="walk.txt"\r\nContent-Type: text/plain') +
        part('name', 'walk.txt') +
        part('filename', 'walk.txt') +
        part('mimeType', 'text/plain') +
        `--${boundary}--\r\n`;
      return { bytes: Buffer.from(text), type: `multipart/form-data; boundary=${boundary}` };
    }
    const json = (value: unknown) => ({ bytes: Buffer.from(JSON.stringify(value)), type: 'application/json' });
    const sim = simulatedApi(op.api);
    if (op.api === 'accounting') {
      const special = bookSpecial(this, op);
      if (special) return json(special);
      const record = bookRecord(this, op.resource);
      if (record) {
        const key = envelopeKey(op);
        return json(key ? { [key]: [record] } : record);
      }
    }
    const example = sim.examples[op.operationId]?.request;
    const top = resolveSchema(op.body.schema, sim.schemas);
    const value: unknown =
      example !== undefined
        ? structuredClone(example)
        : top?.type === 'array'
          ? [complete({}, top.items, sim.schemas, NOW)]
          : complete({}, op.body.schema, sim.schemas, NOW);
    // A write naming a record by an id in its body (Accounting's deletes by POST, an update or create): one that exists.
    const coll = sim.collections.get(targetOf(op).collection);
    if (coll?.idField && op.kind !== 'create') {
      const key = envelopeKey(op);
      const inEnvelope = key ? (value as Rec)[key] : undefined;
      const records: unknown[] = Array.isArray(value) ? value : key && Array.isArray(inEnvelope) ? inEnvelope : [value];
      const id = this.valueOf(op.api, targetOf(op).collection, coll.idField);
      for (const r of records) if (r && typeof r === 'object' && coll.idField in r && id !== undefined) (r as Rec)[coll.idField] = id;
    }
    return json(value);
  }

  /** Builds and sends one operation's request; keeps what it answers. */
  async send(op: XeroOperation, known?: Record<string, string>): Promise<{ sent: Sent; answer: Answer } | { skipped: string }> {
    const params = known ?? (await this.params(op));
    if (typeof params === 'string') return { skipped: params };
    const path = op.path.replace(/\{([^}]+)\}/g, (_m, p) => encodeURIComponent(params[p] ?? ''));
    const query = new URLSearchParams();
    for (const q of op.query) if (q.required) query.set(q.name, this.queryValue(op, q.name));
    const url = `${this.sim.apiUrl}${xeroApi(op.api).basePath}${path}${query.size > 0 ? `?${query}` : ''}`;
    const body = this.body(op);
    const extra: Record<string, string> = {};
    for (const h of op.headers.other ?? []) if (h.required) extra[h.name] = this.headerValue(op, h.name) ?? '';
    const headers: Record<string, string> = {
      ...extra,
      authorization: `Bearer ${this.token}`,
      'xero-tenant-id': TENANT_OF[op.api],
      accept: op.response.mediaType === 'application/pdf' ? 'application/pdf' : 'application/json',
      ...(body ? { 'content-type': body.type } : {}),
    };
    const answer = await answerOf(await fetch(url, { method: op.method, headers, ...(body ? { body: new Uint8Array(body.bytes) } : {}) }));
    if (answer.status < 300) this.harvest(op, answer.json, params, op.method !== 'GET');
    return { sent: { method: op.method, url, headers, ...(body ? { body: body.bytes } : {}) }, answer };
  }
}

/** The order a walk takes: lists first, then new records, then what needs a record, reads, and deletes last. */
export function walkOrder(operations: readonly XeroOperation[]): XeroOperation[] {
  const rank = (op: XeroOperation): number => {
    const hasParams = op.pathParams.length > 0;
    if (op.kind === 'list' && !hasParams) return 0;
    if ((op.kind === 'create' || op.kind === 'upsert') && !hasParams) return 1;
    if (op.kind === 'create' || op.kind === 'upsert') return 2;
    if (op.kind === 'update' || op.kind === 'action') return 3;
    if (op.kind === 'delete') return 5;
    return 4;
  };
  // Deletes deepest first: a timesheet's line before the timesheet, a file's association before the file.
  const depth = (op: XeroOperation): number => (op.kind === 'delete' ? -op.pathParams.length : 0);
  return [...operations]
    .map((op, i) => ({ op, i }))
    .sort((a, b) => rank(a.op) - rank(b.op) || depth(a.op) - depth(b.op) || a.i - b.i)
    .map((x) => x.op);
}
