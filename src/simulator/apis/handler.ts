/**
 * Every operation of the table the hand-modelled Accounting book does not answer: one stateful store
 * driven by the documents. An operation's verb (its `kind`) says what it does to its collection
 * (collections.ts), its `response.records` where the records go, its `paging` how a list comes in
 * pages, its scopes who may call it. Records are kept as the document's schema has them (records.ts),
 * seeded from the document's own examples, and answered in each API's envelope (answers.ts).
 */
import { scopesAdmit, type XeroApiId, type XeroOperation } from '../../xero/operations';
import { conformToSchema, resolveSchema } from '../../xero/operations/schema-walk';
import { admitApiCall, isAdmitted, withHeaders, type ApiRequest } from '../api-endpoints';
import type { SimulatorCore } from '../core';
import { newId } from '../formats';
import { json, type SimResponse } from '../http-kit';
import { idempotent, MAX_IDEMPOTENCY_KEY } from '../idempotency';
import { compileOrder, compileWhere, WhereError } from '../where';
import { authorizationUnsuccessful, notFound } from '../xero-errors';
import { answer, refused, unreadable, type PageCounts, type Refusal } from './answers';
import type { GenericCall, StoreTools } from './call';
import { simulatedApi } from './catalogue';
import { targetOf, type Collection } from './collections';
import { FILES_HOOKS } from './files';
import { complete, fieldsOf, present, stamp, type XRecord } from './records';
import { ApiStore } from './store';

/** "A single POST to the Accounting or Payroll APIs has a size limit of 3.5MB" (developer.xero.com xero-api-limits). */
const MAX_JSON_BYTES = 3.5 * 1024 * 1024;
/** 10 MB a file, as the Accounting API's attachments. */
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
const FALLBACK_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

/** What the hand-modelled Accounting book says about its own records, for sub-collections below them. */
export interface BookRecords {
  /** Whether the book has this record; undefined when the collection is not the book's. */
  has(tenantId: string, collection: string, id: string): boolean | undefined;
}

/** Statuses an action's verb moves a record to, where the record's schema has that status. */
const VERB_STATUS: Record<string, string> = { approve: 'APPROVED', reject: 'REJECTED', reverttodraft: 'DRAFT', revert: 'DRAFT' };

/** Query parameters that shape a list rather than filter it by a field of the same name. */
const NOT_FILTERS = new Set([
  'where',
  'order',
  'filter',
  'sort',
  'direction',
  'orderby',
  'sortdirection',
  'filterby',
  'page',
  'pagesize',
  'offset',
  'summaryonly',
  'unitdp',
  'includearchived',
  'summarizeerrors',
  'searchterm',
  'createdbymyapp',
]);

export class GenericApis {
  readonly store = new ApiStore();

  constructor(
    private readonly core: SimulatorCore,
    private readonly bookRecords?: BookRecords,
  ) {}

  /** A request below one base path; `ids` are the APIs served there (several for `/payroll.xro/2.0`). */
  handle(req: ApiRequest, raw: Buffer, ids: readonly XeroApiId[], segments: string[]): SimResponse {
    const apis = ids.map(simulatedApi);
    // A path no API here has is a 404 whoever asks (as the Accounting book answers).
    if (!apis.some((a) => a.matcher.knows(segments))) return notFound();
    const admitted = admitApiCall(this.core, req);
    if (!isAdmitted(admitted)) return admitted;
    const country = admitted.org.countryCode;
    const sim = apis.find((a) => a.api.region === undefined || a.api.region === country);
    // A payroll of another country, or none: Xero's sources do not say what it answers; the simulator says 404.
    const match = sim?.matcher.match(req.method, segments);
    if (!sim || !match) return withHeaders(notFound(), admitted.headers);
    if (!scopesAdmit(match.operation, admitted.grant.scopes)) return withHeaders(authorizationUnsuccessful(req.correlationId), admitted.headers);
    const book = this.store.book(sim.api.id, admitted.org.tenantId);
    const call: GenericCall = {
      req,
      raw,
      sim,
      op: match.operation,
      params: match.params,
      book,
      admitted,
      now: this.core.clock.now(),
      providerName: this.core.client(admitted.grant.clientId)?.name ?? admitted.grant.clientId,
    };
    const response = idempotent(
      book.idempotency,
      { method: req.method.toUpperCase(), headers: req.headers, url: req.url, correlationId: req.correlationId, raw, tenantId: admitted.org.tenantId },
      call.now,
      this.core.recorder,
      () =>
        refused(
          sim.api.id,
          [{ field: 'Idempotency-Key', message: `The Idempotency-Key header must be ${MAX_IDEMPOTENCY_KEY} characters or fewer.` }],
          req.correlationId,
        ),
      () => this.dispatch(call),
    );
    return withHeaders(response, admitted.headers);
  }

  private dispatch(call: GenericCall): SimResponse {
    const hook = call.sim.api.id === 'files' ? FILES_HOOKS[call.op.operationId] : undefined;
    if (hook) return hook(call, this.tools);
    const target = targetOf(call.op);
    const coll = call.sim.collections.get(target.collection) as Collection;
    const key = concrete(target.collection, call.params);
    if (coll.parent && !this.parentExists(call, coll)) return notFound();
    const id = target.idParam ? call.params[target.idParam] : undefined;
    if (call.op.body?.mediaType === 'application/octet-stream') return this.attach(call, coll, key);
    const mediaType = call.op.response.mediaType;
    if (call.op.method === 'GET' && mediaType && mediaType !== 'application/json' && id !== undefined) return this.bytes(call, coll, key, id, target.idParam);
    switch (call.op.kind) {
      case 'list':
        return this.list(call, coll, key);
      case 'get':
        return this.read(call, coll, key, id);
      case 'create':
        return this.write(call, coll, key, undefined, 'create');
      case 'update':
        return this.write(call, coll, key, id, 'update');
      case 'upsert':
        return this.write(call, coll, key, undefined, 'upsert');
      case 'delete':
        return this.remove(call, coll, key, id);
      default:
        return this.act(call, coll, key, id, target.verb);
    }
  }

  /** What a hook needs from the store, without reaching into it. */
  readonly tools: StoreTools = {
    records: (call: GenericCall, template: string, params: Record<string, string> = {}): Map<string, XRecord> => {
      const coll = call.sim.collections.get(template) as Collection;
      const key = concrete(template, params);
      this.seed(call, coll, key, params);
      return call.book.collection(key);
    },
    insert: (call: GenericCall, template: string, input: XRecord, params: Record<string, string> = {}): XRecord =>
      this.insert(call, call.sim.collections.get(template) as Collection, concrete(template, params), input, params),
    list: (call: GenericCall, records: XRecord[]): SimResponse => this.page(call, records),
    present: (call: GenericCall, record: unknown): XRecord => present(record, call.op.response.records?.schema, call.sim.schemas, call.now),
    refuse: (call: GenericCall, refusals: Refusal[]): SimResponse => refused(call.sim.api.id, refusals, call.req.correlationId),
  };

  private parentExists(call: GenericCall, coll: Collection): boolean {
    const parent = coll.parent as NonNullable<Collection['parent']>;
    const id = call.params[parent.param] ?? '';
    const fromBook = this.bookRecords?.has(call.book.tenantId, parent.template, id);
    if (call.sim.api.id === 'accounting' && fromBook !== undefined) return fromBook;
    const parentColl = call.sim.collections.get(parent.template);
    if (!parentColl?.idField || parentColl.singleton) return true;
    return this.find(call, parentColl, concrete(parent.template, call.params), id) !== undefined;
  }

  /** Fills a collection from the document's examples the first time it is read. */
  private seed(call: GenericCall, coll: Collection, key: string, params: Record<string, string> = call.params): void {
    const book = call.book;
    if (book.seeded.has(key)) return;
    book.seeded.add(key);
    if (coll.parent) {
      // Below a record the client made, a collection starts empty; below an example record, it has the examples.
      const parentColl = call.sim.collections.get(coll.parent.template);
      const parentId = params[coll.parent.param] ?? '';
      const parent = parentColl?.idField ? this.find(call, parentColl, concrete(coll.parent.template, params), parentId, params) : undefined;
      if (parent && !book.fromExamples.has(parent)) return;
    }
    const records = book.collection(key);
    for (const operationId of coll.seeds) {
      const op = call.sim.operations.find((o) => o.operationId === operationId) as XeroOperation;
      const example = call.sim.examples[operationId]?.response;
      if (example === undefined || !op.response.records) continue;
      for (const raw of recordsIn(example, op.response.records)) {
        const record = present(structuredClone(raw), coll.schema, call.sim.schemas, call.now);
        this.linkParent(call, coll, record, params);
        book.fromExamples.add(record);
        if (coll.singleton) {
          if (!book.singletons.has(key)) book.singletons.set(key, record);
          continue;
        }
        const id = coll.idField ? String(record[coll.idField] ?? '') : '';
        const k = id !== '' ? id.toLowerCase() : book.nextKey();
        if (!records.has(k)) records.set(k, record);
      }
    }
    // A top-level collection the document gives no example of still has one record, built from its
    // schema, so every read by id has something to read (Accounting's published reports).
    if (records.size === 0 && !coll.singleton && !coll.parent && coll.idField && coll.readById) {
      const record = present({}, coll.schema, call.sim.schemas, call.now);
      if (!record[coll.idField]) record[coll.idField] = newId();
      book.fromExamples.add(record);
      records.set(String(record[coll.idField]).toLowerCase(), record);
    }
  }

  private linkParent(call: GenericCall, coll: Collection, record: XRecord, params: Record<string, string>): void {
    if (!coll.parent) return;
    const schema = resolveSchema(coll.schema ? { ref: coll.schema } : undefined, call.sim.schemas);
    const field = Object.keys(schema?.properties ?? {}).find((p) => p.toLowerCase() === coll.parent?.param.toLowerCase());
    const value = params[coll.parent.param];
    if (field && value !== undefined) record[field] = value;
  }

  /** A record by its id, or (`by`) by the property the path parameter names: an attachment by AttachmentID or FileName. */
  private find(call: GenericCall, coll: Collection, key: string, id: string, params: Record<string, string> = call.params, by?: string): XRecord | undefined {
    this.seed(call, coll, key, params);
    const records = call.book.collection(key);
    const direct = records.get(id.toLowerCase());
    if (direct || !by) return direct;
    const wanted = id.toLowerCase();
    for (const r of records.values()) {
      const k = Object.keys(r).find((p) => p.toLowerCase() === by.toLowerCase());
      if (k && String(r[k]).toLowerCase() === wanted) return r;
    }
    return undefined;
  }

  /** An attachment: the bytes of the request, kept under the file name the path gives (the same name replaces). */
  private attach(call: GenericCall, coll: Collection, key: string): SimResponse {
    if (call.raw.length > MAX_ATTACHMENT_BYTES) return json(413, { Message: 'Attachments are limited to 10 MB each.' });
    if (call.raw.length === 0) return refused(call.sim.api.id, [{ field: 'body', message: 'The attachment is empty.' }], call.req.correlationId);
    const fileName = call.params.FileName ?? call.book.nextKey();
    const mimeType =
      String(call.req.headers['content-type'] ?? 'application/octet-stream')
        .split(';')[0]
        ?.trim() || 'application/octet-stream';
    const path = call.req.url.pathname;
    const record = present(
      {
        AttachmentID: newId(),
        FileName: fileName,
        Url: `https://api.xero.com${path}`,
        MimeType: mimeType,
        ContentLength: call.raw.length,
        ...(call.req.url.searchParams.get('IncludeOnline')?.toLowerCase() === 'true' ? { IncludeOnline: true } : {}),
      },
      coll.schema,
      call.sim.schemas,
      call.now,
    );
    this.seed(call, coll, key);
    const records = call.book.collection(key);
    for (const [k, r] of records) if (String(r.FileName).toLowerCase() === fileName.toLowerCase()) records.delete(k);
    records.set(String(coll.idField ? record[coll.idField] : record.AttachmentID).toLowerCase(), record);
    call.book.files.set(`${key}/${String(record.AttachmentID).toLowerCase()}`, { bytes: Buffer.from(call.raw), mimeType });
    return answer(call.op, [present(record, call.op.response.records?.schema, call.sim.schemas, call.now)], { now: call.now, providerName: call.providerName });
  }

  /** A binary answer: an attachment's bytes (the document's example records have none of their own: a line says so). */
  private bytes(call: GenericCall, coll: Collection, key: string, id: string, by: string | undefined): SimResponse {
    const record = this.find(call, coll, key, id, call.params, by);
    if (!record) return notFound();
    const stored = call.book.files.get(`${key}/${String(record.AttachmentID ?? '').toLowerCase()}`);
    const name = String(record.FileName ?? record.Name ?? 'file');
    const mimeType = stored?.mimeType ?? String(record.MimeType ?? call.op.response.mediaType);
    return {
      status: 200,
      headers: { 'Content-Type': mimeType, 'Content-Disposition': `attachment; filename="${encodeURIComponent(name)}"` },
      body: stored?.bytes ?? Buffer.from(`Example attachment ${name}\n`),
    };
  }

  private list(call: GenericCall, coll: Collection, key: string): SimResponse {
    this.seed(call, coll, key);
    let records = [...call.book.collection(key).values()];
    const filtered = this.filter(call, coll, records);
    if (!Array.isArray(filtered)) return filtered;
    records = filtered;
    return this.page(call, records);
  }

  private page(call: GenericCall, records: XRecord[]): SimResponse {
    const { op } = call;
    const q = call.req.url.searchParams;
    let counts: PageCounts | undefined;
    if (op.paging.style === 'page') {
      const paging = op.paging;
      const raw = q.get(paging.pageParam);
      // The Accounting generation (Accounting, Payroll AU) answers everything when no page is asked for;
      // the newer APIs, which count their pages, always answer a page.
      if (raw !== null || paging.counts !== undefined) {
        const page = Math.max(1, Math.floor(Number(raw ?? 1)) || 1);
        const asked = paging.sizeParam ? Number(q.get(paging.sizeParam) ?? NaN) : NaN;
        const fallback = paging.defaultSize ?? FALLBACK_PAGE_SIZE;
        const pageSize = Math.min(paging.maxSize ?? MAX_PAGE_SIZE, Math.max(1, Number.isFinite(asked) && asked >= 1 ? Math.floor(asked) : fallback));
        counts = { page, pageSize, itemCount: records.length };
        records = records.slice((page - 1) * pageSize, page * pageSize);
      }
    }
    const schema = op.response.records?.schema;
    return answer(
      op,
      records.map((r) => present(r, schema, call.sim.schemas, call.now)),
      { now: call.now, providerName: call.providerName, ...(counts ? { counts } : {}) },
    );
  }

  /** `where`/`order` (Accounting, Payroll AU), `filter` (Payroll NZ/UK: `firstName==John,lastName==Smith`), `sort`, and a parameter named like a field. */
  private filter(call: GenericCall, coll: Collection, input: XRecord[]): XRecord[] | SimResponse {
    const q = call.req.url.searchParams;
    const fields = fieldsOf(coll.schema, call.sim.schemas);
    let records = input;
    try {
      const where = q.get('where');
      if (where && where.trim() !== '') records = records.filter(compileWhere(where, fields, coll.schema ?? 'Record'));
      const order = q.get('order');
      if (order && order.trim() !== '') records = [...records].sort(compileOrder(order, fields, coll.schema ?? 'Record'));
    } catch (err) {
      if (err instanceof WhereError) return json(400, { ErrorNumber: 16, Type: 'QueryParseException', Message: err.message });
      throw err;
    }
    const byName = (name: string): string | undefined => {
      const lower = name.toLowerCase();
      const names = [lower, lower.replace(/ids$/, 'id'), lower.replace(/ies$/, 'y'), lower.replace(/s$/, '')];
      return (
        [...fields].find((f) => names.includes(f.toLowerCase())) ??
        (lower === 'status' || lower === 'states' ? [...fields].find((f) => /status$/i.test(f)) : undefined)
      );
    };
    const filter = q.get('filter');
    if (filter) {
      for (const clause of filter.split(',')) {
        const [name = '', value = ''] = clause.split('==');
        const field = byName(name.trim());
        if (field) records = records.filter((r) => String(r[field]).toLowerCase() === value.trim().toLowerCase());
      }
    }
    for (const p of call.op.query) {
      const value = q.get(p.name);
      if (value === null || value.trim() === '' || NOT_FILTERS.has(p.name.toLowerCase())) continue;
      const format = p.schema.format ?? resolveSchema(p.schema.items, call.sim.schemas)?.format;
      if (format === 'date' || format === 'date-time' || p.schema.type === 'boolean') continue;
      const field = byName(p.name);
      if (!field) continue;
      const wanted = new Set(value.split(',').map((s) => s.trim().toLowerCase()));
      records = records.filter((r) => wanted.has(String(r[field]).toLowerCase()));
    }
    const sort = q.get('sort') ?? q.get('orderBy');
    if (sort) {
      const [name = '', dir] = sort.trim().split(/\s+/);
      const field = byName(name);
      const direction = (dir ?? q.get('direction') ?? q.get('sortDirection') ?? 'ASC').toUpperCase() === 'DESC' ? -1 : 1;
      if (field)
        records = [...records].sort((a, b) => {
          const x = a[field] as string | number;
          const y = b[field] as string | number;
          return x === y ? 0 : x === undefined ? -direction : y === undefined ? direction : x < y ? -direction : direction;
        });
    }
    return records;
  }

  private read(call: GenericCall, coll: Collection, key: string, id: string | undefined): SimResponse {
    const ctx = { now: call.now, providerName: call.providerName };
    const schema = call.op.response.records?.schema;
    const by = targetOf(call.op).idParam;
    if (id !== undefined && call.op.response.records?.many) {
      // A list read by a key that is not the records' own id (UK statutory leave summaries of an employee).
      this.seed(call, coll, key);
      const wanted = id.toLowerCase();
      const matching = [...call.book.collection(key).values()].filter((r) =>
        Object.entries(r).some(([k, v]) => k.toLowerCase() === (by ?? '').toLowerCase() && String(v).toLowerCase() === wanted),
      );
      const one = this.find(call, coll, key, id, call.params, by);
      return this.page(call, matching.length > 0 ? matching : one ? [one] : []);
    }
    if (id !== undefined) {
      const record = this.find(call, coll, key, id, call.params, by);
      return record ? answer(call.op, [present(record, schema, call.sim.schemas, call.now)], ctx) : notFound();
    }
    this.seed(call, coll, key);
    if (coll.singleton || !call.op.response.records?.many) {
      const record = call.book.singletons.get(key) ?? [...call.book.collection(key).values()][0] ?? {};
      return answer(call.op, [present(record, schema, call.sim.schemas, call.now)], ctx);
    }
    return this.page(call, [...call.book.collection(key).values()]);
  }

  /** The records a write carries: a bare list (Payroll AU), an envelope's list (`{"Invoices":[...]}`), or one record. */
  private inputs(call: GenericCall): { records: XRecord[]; schema?: string } | SimResponse {
    const body = call.op.body;
    if (!body || call.raw.length === 0) return { records: [{}] };
    if (call.raw.length > MAX_JSON_BYTES) return json(413, { Message: 'A single request to the API has a size limit of 3.5MB.' });
    let parsed: unknown;
    try {
      parsed = JSON.parse(call.raw.toString('utf8'));
    } catch {
      return unreadable(call.sim.api.id, call.req.correlationId);
    }
    // Where the table says the records go; an envelope's records may also come as one bare record (as Accounting takes them).
    const where = body.records;
    const schema = where?.schema ? { schema: where.schema } : {};
    const inEnvelope = where?.key && parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as XRecord)[where.key] : undefined;
    return { records: asRecords(Array.isArray(inEnvelope) ? inEnvelope : parsed), ...schema };
  }

  /** What the document's request schema requires and what does not fit its types, in the client's words. */
  private refusals(call: GenericCall, inputs: XRecord[], schemaName: string | undefined, creating: boolean): Refusal[] {
    const schema = resolveSchema(schemaName ? { ref: schemaName } : undefined, call.sim.schemas);
    if (!schema?.properties) return [];
    const out: Refusal[] = [];
    for (const input of inputs) {
      if (creating)
        for (const name of schema.required ?? [])
          if (input[name] === undefined || input[name] === null) out.push({ field: name, message: `${name} is required.` });
      for (const [name, value] of Object.entries(input)) {
        const prop = schema.properties[name];
        if (!prop || value === null || value === undefined) continue;
        if (conformToSchema(value, prop, call.sim.schemas) === undefined)
          out.push({ field: name, message: `${name} is not a valid value (${JSON.stringify(value).slice(0, 60)}).` });
      }
    }
    return out;
  }

  private insert(call: GenericCall, coll: Collection, key: string, input: XRecord, params: Record<string, string> = call.params): XRecord {
    const schemas = call.sim.schemas;
    const record = present(input, coll.schema, schemas, call.now);
    if (coll.idField) {
      const idSchema = resolveSchema(resolveSchema({ ref: coll.schema ?? '' }, schemas)?.properties?.[coll.idField], schemas);
      // Xero gives a new record its own id; a code-like id (a tax type) and a reference the record is keyed
      // by (an association's ObjectId) are the client's.
      const missing = record[coll.idField] === undefined || record[coll.idField] === '';
      if (missing || (idSchema?.format === 'uuid' && coll.ownId)) record[coll.idField] = newId();
    }
    stamp(record, coll.schema, schemas, call.now, true);
    this.linkParent(call, coll, record, params);
    if (coll.singleton) {
      const merged = { ...(call.book.singletons.get(key) ?? {}), ...record };
      call.book.singletons.set(key, merged);
      return merged;
    }
    this.seed(call, coll, key, params);
    const id = coll.idField ? String(record[coll.idField]).toLowerCase() : call.book.nextKey();
    call.book.collection(key).set(id, record);
    return record;
  }

  private update(call: GenericCall, coll: Collection, existing: XRecord, input: XRecord): XRecord {
    const schemas = call.sim.schemas;
    const changes = conformToSchema(input, coll.schema ? { ref: coll.schema } : undefined, schemas) as XRecord | undefined;
    const merged = complete({ ...existing, ...(changes ?? {}) }, coll.schema ? { ref: coll.schema } : undefined, schemas, call.now);
    if (coll.idField) merged[coll.idField] = existing[coll.idField];
    stamp(merged, coll.schema, schemas, call.now, false);
    Object.keys(existing).forEach((k) => delete existing[k]);
    Object.assign(existing, merged);
    return existing;
  }

  private write(call: GenericCall, coll: Collection, key: string, id: string | undefined, mode: 'create' | 'update' | 'upsert'): SimResponse {
    const parsed = this.inputs(call);
    if (!Array.isArray((parsed as { records?: unknown }).records)) return parsed as SimResponse;
    const { records: inputs, schema: inputSchema } = parsed as { records: XRecord[]; schema?: string };
    const ctx = { now: call.now, providerName: call.providerName };
    const done: XRecord[] = [];
    if (id !== undefined) {
      const existing = this.find(call, coll, key, id, call.params, targetOf(call.op).idParam);
      if (!existing) return notFound();
      const problems = this.refusals(call, inputs, inputSchema, false);
      if (problems.length > 0) return refused(call.sim.api.id, problems, call.req.correlationId);
      for (const input of inputs) done.push(this.update(call, coll, existing, input));
    } else if (coll.singleton) {
      this.seed(call, coll, key);
      const existing = call.book.singletons.get(key);
      const problems = this.refusals(call, inputs, inputSchema, existing === undefined);
      if (problems.length > 0) return refused(call.sim.api.id, problems, call.req.correlationId);
      for (const input of inputs) done.push(existing ? this.update(call, coll, existing, input) : this.insert(call, coll, key, input));
    } else {
      const updating = (input: XRecord): XRecord | undefined =>
        mode !== 'create' && coll.idField && typeof input[coll.idField] === 'string' ? this.find(call, coll, key, String(input[coll.idField])) : undefined;
      const problems = inputs.flatMap((input) => this.refusals(call, [input], inputSchema, updating(input) === undefined));
      if (problems.length > 0) return refused(call.sim.api.id, problems, call.req.correlationId);
      for (const input of inputs) {
        const existing = updating(input);
        done.push(existing ? this.update(call, coll, existing, input) : this.insert(call, coll, key, input));
      }
    }
    const schema = call.op.response.records?.schema;
    return answer(
      call.op,
      done.map((r) => present(r, schema, call.sim.schemas, call.now)),
      ctx,
    );
  }

  private remove(call: GenericCall, coll: Collection, key: string, id: string | undefined): SimResponse {
    const schemas = call.sim.schemas;
    const ctx = { now: call.now, providerName: call.providerName };
    const schema = call.op.response.records?.schema;
    let ids: string[];
    if (id !== undefined) ids = [id];
    else if (call.op.method !== 'DELETE') {
      const parsed = this.inputs(call);
      if (!Array.isArray((parsed as { records?: unknown }).records)) return parsed as SimResponse;
      ids = (parsed as { records: XRecord[] }).records.map((r) => String(coll.idField ? (r[coll.idField] ?? '') : ''));
    } else {
      this.seed(call, coll, key);
      const all = [...call.book.collection(key).values()];
      call.book.collection(key).clear();
      return answer(
        call.op,
        all.map((r) => present(r, schema, schemas, call.now)),
        ctx,
      );
    }
    const gone: XRecord[] = [];
    for (const one of ids) {
      const record = this.find(call, coll, key, one, call.params, targetOf(call.op).idParam);
      if (!record) return notFound();
      const recordSchema = resolveSchema(coll.schema ? { ref: coll.schema } : undefined, schemas);
      const statusField = Object.keys(recordSchema?.properties ?? {}).find((p) => p.toLowerCase() === 'status');
      const statuses = statusField ? (resolveSchema(recordSchema?.properties?.[statusField], schemas)?.enum ?? []) : [];
      // Accounting's deletes by POST mark the record DELETED (it stays readable); a DELETE removes it.
      const deleted = statuses.find((e) => e.toUpperCase() === 'DELETED');
      if (call.op.method !== 'DELETE' && statusField && deleted) record[statusField] = deleted;
      else call.book.collection(key).delete(one.toLowerCase());
      if (recordSchema?.properties?.IsDeleted) record.IsDeleted = true;
      stamp(record, coll.schema, schemas, call.now, false);
      gone.push(record);
    }
    return answer(
      call.op,
      gone.map((r) => present(r, schema, schemas, call.now)),
      ctx,
    );
  }

  private act(call: GenericCall, coll: Collection, key: string, id: string | undefined, verb: string | undefined): SimResponse {
    const schemas = call.sim.schemas;
    const ctx = { now: call.now, providerName: call.providerName };
    const schema = call.op.response.records?.schema;
    if (id === undefined) {
      // An action on nothing in particular (Accounting's Setup): the document's own answer.
      const example = call.sim.examples[call.op.operationId]?.response;
      const records = example !== undefined && call.op.response.records ? recordsIn(example, call.op.response.records) : [{}];
      return answer(
        call.op,
        records.map((r) => present(structuredClone(r), schema, schemas, call.now)),
        ctx,
      );
    }
    const record = this.find(call, coll, key, id, call.params, targetOf(call.op).idParam);
    if (!record) return notFound();
    const status = VERB_STATUS[(verb ?? '').toLowerCase()];
    const recordSchema = resolveSchema(coll.schema ? { ref: coll.schema } : undefined, schemas);
    const statusField = Object.keys(recordSchema?.properties ?? {}).find((p) => p.toLowerCase() === 'status');
    // The document's own spelling of the status (Payroll UK's `Approved`, Payroll AU's `APPROVED`).
    const spelled = statusField
      ? (resolveSchema(recordSchema?.properties?.[statusField], schemas)?.enum ?? []).find((e) => e.toUpperCase() === status)
      : undefined;
    if (statusField && spelled) record[statusField] = spelled;
    stamp(record, coll.schema, schemas, call.now, false);
    return answer(call.op, [present(record, schema, schemas, call.now)], ctx);
  }
}

/** The collection template with the request's path values in it, lower-cased: `/employees/<id>/leave`. */
export function concrete(template: string, params: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_m, name: string) => (params[name] ?? '').toLowerCase()).toLowerCase();
}

function asRecords(value: unknown): XRecord[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is XRecord => v !== null && typeof v === 'object' && !Array.isArray(v));
}

/** The records in an answer (an example), where the operation's `response.records` says they sit. */
export function recordsIn(body: unknown, where: NonNullable<XeroOperation['response']['records']>): XRecord[] {
  const at = where.key === null ? body : body && typeof body === 'object' ? (body as XRecord)[where.key] : undefined;
  return asRecords(where.many ? (Array.isArray(at) ? at : []) : at);
}
