import type { SimulatorCore } from '../core';
import { newId } from '../formats';
import { empty, html, json, type SimResponse } from '../http-kit';
import type { ApiRequest } from '../api-endpoints';
import { admitApiCall, isAdmitted, withHeaders } from '../api-endpoints';
import { idempotent, MAX_IDEMPOTENCY_KEY } from '../idempotency';
import { authorizationUnsuccessful, notFound } from '../xero-errors';
import { noteChange, recordHistory, touch, type Ctx } from './bookkeeping';
import { initialiseBook } from './book-setup';
import { documentPdf } from './pdf';
import { buildReport, REPORTS, type ReportName } from './reports';
import { ATTACHMENT_SCOPES, JOURNALS_SCOPES, keyOf, recordSchemaOf, REPORT_SCOPES, RESOURCE_BY_NAME, type ResourceDef, type Scopes } from './resources';
import { AccountingStore, type StoredAttachment, type TenantBook } from './store';
import { compileOrder, compileWhere, WhereError } from '../where';
import { arr, dateString, num, obj, round2, str, wireDate, wireMs, type XRecord } from './values';
import { xeroOperations } from '../../xero/operations';
import { accountingSchemas } from '../../xero/operations/generated/accounting.schemas';

/** "A single POST to the Accounting or Payroll APIs has a size limit of 3.5MB" (developer.xero.com xero-api-limits). */
export const MAX_JSON_WRITE_BYTES = 3.5 * 1024 * 1024;
/** 10 attachments per document, 10 MB each through the API (Codat's and Workato's Xero docs, 2025-2026). */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS = 10;
/** The largest body the server reads for the Accounting API; each route then applies its own limit. */
export const ACCOUNTING_READ_LIMIT = MAX_ATTACHMENT_BYTES + 64 * 1024;
/** Xero's default and largest page (developer.xero.com "Paging"). */
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
/** Journals come 100 at a time after `offset` (xero_accounting.yaml getJournals). */
const JOURNALS_BATCH = 100;

interface Call {
  req: ApiRequest;
  book: TenantBook;
  ctx: Ctx;
  method: string;
  segments: string[];
  raw: Buffer;
  scopes: string[];
  providerName: string;
  orgName: string;
}

const COUNTRY_CURRENCY: Record<string, string> = { NZ: 'NZD', AU: 'AUD', GB: 'GBP', US: 'USD' };

function validationException(elements: XRecord[]): SimResponse {
  return json(400, { ErrorNumber: 10, Type: 'ValidationException', Message: 'A validation exception occurred', Elements: elements });
}

function queryParseException(message: string): SimResponse {
  return json(400, { ErrorNumber: 16, Type: 'QueryParseException', Message: message });
}

/** Xero answers 413 for a body over its size limit. */
const tooLarge = (what: string): SimResponse => html(413, `<html><body><h1>413 Request Entity Too Large</h1><p>${what}</p></body></html>`);

/** Xero's Accounting API, per tenant, from an in-memory store. */
export class AccountingApi {
  readonly store: AccountingStore;

  constructor(private readonly core: SimulatorCore) {
    this.store = new AccountingStore((book) => {
      const org = core.directory.organisations.get(book.tenantId);
      initialiseBook(book, COUNTRY_CURRENCY[org?.countryCode ?? 'NZ'] ?? 'NZD', org?.createdAt ?? core.clock.now());
    });
  }

  ctxFor(tenantId: string): Ctx {
    const org = this.core.directory.organisations.get(tenantId);
    return { book: this.store.book(tenantId), now: this.core.clock.now(), currency: COUNTRY_CURRENCY[org?.countryCode ?? 'NZ'] ?? 'NZD' };
  }

  /** A record made as a PUT would make it, at time `at` (the seed's history), without HTTP or a call budget. */
  createRecord(tenantId: string, resource: string, input: XRecord, at?: number): XRecord | string[] {
    const def = RESOURCE_BY_NAME.get(resource.toLowerCase());
    if (!def?.build) return [`${resource} cannot be created`];
    const ctx = { ...this.ctxFor(tenantId), ...(at === undefined ? {} : { now: at }) };
    const built = def.build(input, ctx, undefined);
    if ('errors' in built) return built.errors;
    const key = keyOf(def, String(built.record[def.idField]));
    ctx.book.collection(def.name).set(key, built.record);
    noteChange(ctx, def.name, built.record, 'CREATE');
    def.saved?.(built.record, ctx, undefined);
    return built.record;
  }

  /**
   * Sends what the last call or seed changed to the apps' webhooks (queued: the delivery never
   * holds up the answer). Changes to a book are noted as they happen (bookkeeping.ts noteChange).
   */
  publishChanges(tenantId: string): void {
    const changes = this.store.book(tenantId).changes.splice(0);
    if (changes.length > 0) this.core.webhooks.publish(tenantId, changes);
  }

  /** Whether the book holds this record (for the generic store's collections below the book's records). */
  has(tenantId: string, collection: string, id: string): boolean | undefined {
    // The organisation's own id is the one record of /Organisation.
    if (collection.toLowerCase() === '/organisation') return id.toLowerCase() === tenantId.toLowerCase();
    const segments = collection.split('/').filter((s) => s !== '');
    const def = segments.length === 1 ? RESOURCE_BY_NAME.get((segments[0] as string).toLowerCase()) : undefined;
    return def ? this.find(this.store.book(tenantId), def, id) !== undefined : undefined;
  }

  /** Everything below /api.xro/2.0/ except Organisation (api-endpoints.ts answers that) and what the generic store answers (modelled.ts). */
  handle(req: ApiRequest, raw: Buffer, segments: string[]): SimResponse {
    // An endpoint Xero does not have is a 404 whoever asks (the existing api.test.ts pins this).
    const root = (segments[0] ?? '').toLowerCase();
    if (root !== 'reports' && root !== 'journals' && !RESOURCE_BY_NAME.has(root)) return notFound();
    const admitted = admitApiCall(this.core, req, segments[0]);
    if (!isAdmitted(admitted)) return admitted;
    const { grant, org } = admitted;
    const ctx = { ...this.ctxFor(org.tenantId), user: this.core.client(grant.clientId)?.name ?? grant.clientId };
    const call: Call = {
      req,
      book: ctx.book,
      ctx,
      method: req.method.toUpperCase(),
      segments,
      raw,
      scopes: grant.scopes,
      providerName: this.core.client(grant.clientId)?.name ?? grant.clientId,
      orgName: org.name,
    };
    const response = idempotent(
      call.book.idempotency,
      { method: call.method, headers: req.headers, url: req.url, correlationId: req.correlationId, raw, tenantId: org.tenantId },
      this.core.clock.now(),
      this.core.recorder,
      () => validationException([{ ValidationErrors: [{ Message: `The Idempotency-Key header must be ${MAX_IDEMPOTENCY_KEY} characters or fewer.` }] }]),
      () => this.dispatch(call),
    );
    this.publishChanges(org.tenantId);
    return withHeaders(response, admitted.headers);
  }

  private dispatch(call: Call): SimResponse {
    const [first = '', second, third, fourth] = call.segments;
    const root = first.toLowerCase();
    if (root === 'reports') return this.report(call, second ?? '');
    if (root === 'journals') return this.journals(call, second);
    const def = RESOURCE_BY_NAME.get(root);
    if (!def) return notFound();
    if (third === undefined) {
      if (!this.allowed(call, def.scopes)) return authorizationUnsuccessful(call.req.correlationId);
      if (second === undefined) {
        if (call.method === 'GET') return this.list(call, def);
        if (call.method === 'PUT' || call.method === 'POST') return this.write(call, def, undefined);
        return notFound();
      }
      if (call.method === 'GET') return this.getOne(call, def, second);
      if (call.method === 'POST' || call.method === 'PUT') return this.write(call, def, second);
      if (call.method === 'DELETE' && def.deletable) return this.remove(call, def, second);
      return notFound();
    }
    const sub = third.toLowerCase();
    const record = this.find(call.book, def, second ?? '');
    if (sub === 'attachments') {
      if (!this.allowed(call, ATTACHMENT_SCOPES) || !this.allowed(call, { read: def.scopes.read, write: def.scopes.read }))
        return authorizationUnsuccessful(call.req.correlationId);
      if (!def.attachments || !record) return notFound();
      return this.attachments(call, def, record, fourth);
    }
    if (!this.allowed(call, def.scopes)) return authorizationUnsuccessful(call.req.correlationId);
    if (!record) return notFound();
    if (fourth !== undefined) return this.member(call, def, record, sub, fourth);
    if (sub === 'history' && def.history) return this.historyOf(call, def, record);
    // xero_accounting.yaml also has {Endpoint}/{id}/pdf (what xero-node calls for a PDF).
    if (sub === 'pdf' && def.pdf && call.method === 'GET') return this.pdfOf(call, record);
    if (def.name === 'Invoices' && sub === 'email' && call.method === 'POST') return this.email(call, record);
    if (def.name === 'Invoices' && sub === 'onlineinvoice' && call.method === 'GET') return this.onlineInvoice(call, record);
    if (def.name === 'CreditNotes' && sub === 'allocations' && call.method === 'PUT') return this.allocate(call, record);
    if (def.name === 'TrackingCategories' && sub === 'options' && call.method === 'PUT') return this.addOptions(call, record);
    if (def.name === 'ContactGroups' && sub === 'contacts' && call.method === 'PUT') return this.addToGroup(call, record);
    if (def.name === 'ContactGroups' && sub === 'contacts' && call.method === 'DELETE') return this.removeFromGroup(call, record, undefined);
    return notFound();
  }

  /** `{Endpoint}/{id}/{sub}/{memberId}`: one contact of a group, one allocation of a credit note, one option of a tracking category. */
  private member(call: Call, def: ResourceDef, record: XRecord, sub: string, memberId: string): SimResponse {
    if (def.name === 'ContactGroups' && sub === 'contacts' && call.method === 'DELETE') return this.removeFromGroup(call, record, memberId);
    if (def.name === 'CreditNotes' && sub === 'allocations' && call.method === 'DELETE') return this.unallocate(call, record, memberId);
    if (def.name === 'TrackingCategories' && sub === 'options' && (call.method === 'POST' || call.method === 'DELETE'))
      return this.changeOption(call, record, memberId);
    return notFound();
  }

  private allowed(call: Call, scopes: Scopes): boolean {
    const needed = call.method === 'GET' ? scopes.read : scopes.write;
    return call.scopes.some((s) => needed.includes(s));
  }

  private envelope(call: Call, key: string, items: unknown[], extra: XRecord = {}): SimResponse {
    return json(200, { Id: newId(), Status: 'OK', ProviderName: call.providerName, DateTimeUTC: wireDate(call.ctx.now), ...extra, [key]: items });
  }

  private find(book: TenantBook, def: ResourceDef, idOrNumber: string): XRecord | undefined {
    const collection = book.collection(def.name);
    const byId = collection.get(keyOf(def, idOrNumber));
    if (byId || !def.numberField) return byId;
    if (def.name === 'Invoices') {
      const id = book.numbers.get(`Invoices:${idOrNumber}`);
      if (id) return collection.get(id);
    }
    for (const r of collection.values()) if (r[def.numberField] === idOrNumber) return r;
    return undefined;
  }

  private list(call: Call, def: ResourceDef): SimResponse {
    const q = call.req.url.searchParams;
    let records = [...call.book.collection(def.name).values()];
    if (def.archived && q.get('includeArchived')?.toLowerCase() !== 'true') records = records.filter((r) => !def.archived?.(r));
    const since = ifModifiedSince(call.req);
    if (since !== undefined) records = records.filter((r) => (wireMs(r.UpdatedDateUTC) ?? wireMs(r.CreatedDateUTC) ?? 0) > since);
    const ids = csv(q.get('IDs') ?? q.get('ids'));
    if (ids) records = records.filter((r) => ids.has(String(r[def.idField]).toLowerCase()));
    const statuses = csv(q.get('Statuses') ?? q.get('statuses'), false);
    if (statuses) records = records.filter((r) => statuses.has(String(r.Status)));
    const contactIds = csv(q.get('ContactIDs'));
    if (contactIds) records = records.filter((r) => contactIds.has(String(obj(r.Contact)?.ContactID).toLowerCase()));
    const numbers = csv(q.get('InvoiceNumbers'), false);
    if (numbers) records = records.filter((r) => numbers.has(String(r.InvoiceNumber)));
    const search = q.get('searchTerm')?.trim().toLowerCase();
    if (search && def.searchFields)
      records = records.filter((r) =>
        def.searchFields?.some((f) =>
          String(r[f] ?? '')
            .toLowerCase()
            .includes(search),
        ),
      );
    const typeName = recordSchemaOf(def);
    const fields = fieldsOf(def);
    try {
      const where = q.get('where');
      if (where && where.trim() !== '') {
        const match = compileWhere(where, fields, typeName);
        records = records.filter(match);
      }
      const order = q.get('order');
      if (order && order.trim() !== '') records.sort(compileOrder(order, fields, typeName));
    } catch (err) {
      if (err instanceof WhereError) return queryParseException(err.message);
      throw err;
    }
    const extra: XRecord = {};
    const pageParam = q.get('page');
    let summarise = q.get('summaryOnly')?.toLowerCase() === 'true';
    if (def.paged && pageParam !== null) {
      const page = Math.max(1, Math.floor(Number(pageParam)) || 1);
      const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(Number(q.get('pageSize') ?? DEFAULT_PAGE_SIZE)) || DEFAULT_PAGE_SIZE));
      const itemCount = records.length;
      extra.pagination = { page, pageSize, pageCount: Math.ceil(itemCount / pageSize), itemCount };
      records = records.slice((page - 1) * pageSize, page * pageSize);
    } else if (def.paged && def.summary) {
      // Unpaged lists leave out line items ("use paging to get line item details").
      summarise = true;
    }
    const items = summarise && def.summary ? records.map(def.summary) : records;
    return this.envelope(call, def.name, items, extra);
  }

  private getOne(call: Call, def: ResourceDef, id: string): SimResponse {
    const record = this.find(call.book, def, id);
    if (!record) return notFound();
    const accept = String(call.req.headers.accept ?? '');
    if (accept.includes('application/pdf')) return def.pdf ? this.pdfOf(call, record) : notFound();
    return this.envelope(call, def.name, [record]);
  }

  private pdfOf(call: Call, record: XRecord): SimResponse {
    {
      const number = String(record.InvoiceNumber ?? record.CreditNoteNumber ?? record.QuoteNumber ?? record.PurchaseOrderNumber ?? '');
      const pdf = documentPdf(`${call.orgName}: ${number}`, [
        `Contact: ${String(obj(record.Contact)?.Name ?? '')}`,
        `Total: ${String(record.Total ?? '')} ${String(record.CurrencyCode ?? '')}`,
        `Status: ${String(record.Status ?? '')}`,
      ]);
      return {
        status: 200,
        headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="${number || 'document'}.pdf"` },
        body: pdf,
      } satisfies SimResponse;
    }
  }

  private parseBody(call: Call, def: ResourceDef): XRecord[] | SimResponse {
    if (call.raw.length > MAX_JSON_WRITE_BYTES) return tooLarge('A single POST to the Accounting API has a size limit of 3.5MB.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(call.raw.toString('utf8'));
    } catch {
      return json(400, { ErrorNumber: 14, Type: 'PostDataInvalidException', Message: 'The request body is not valid JSON.' });
    }
    const container = obj(parsed);
    const items = Array.isArray(parsed)
      ? parsed
      : container && Array.isArray(container[def.name])
        ? (container[def.name] as unknown[])
        : container
          ? [container]
          : [];
    const elements = items.map((i) => obj(i)).filter((i): i is XRecord => i !== undefined);
    if (elements.length === 0) return json(400, { ErrorNumber: 14, Type: 'PostDataInvalidException', Message: `The request body has no ${def.name}.` });
    return elements;
  }

  /** PUT creates, POST creates or updates (by the ID in the body or the path), as at Xero. */
  private write(call: Call, def: ResourceDef, pathId: string | undefined): SimResponse {
    if (!def.build) return notFound();
    const elements = this.parseBody(call, def);
    if (!Array.isArray(elements)) return elements;
    const summarize = call.req.url.searchParams.get('summarizeErrors')?.toLowerCase() !== 'false';
    const results: Array<{ input: XRecord; existing: XRecord | undefined; record?: XRecord; errors?: string[] }> = [];
    for (const input of elements) {
      const id = pathId ?? str(input[def.idField]);
      const existing = id !== undefined ? this.find(call.book, def, id) : undefined;
      if (id !== undefined && !existing && (pathId !== undefined || def.idField !== 'Code')) {
        if (pathId !== undefined) return notFound();
        results.push({ input, existing, errors: [`${def.idField} ${id} could not be found.`] });
        continue;
      }
      const built = def.build(input, call.ctx, existing);
      if ('errors' in built) results.push({ input, existing, errors: built.errors });
      else {
        results.push({ input, existing, record: built.record });
        // Later elements see earlier ones (a contact created by name, an invoice number taken).
        if (!summarize) this.save(call, def, built.record, existing);
      }
    }
    if (summarize) {
      const failed = results.filter((r) => r.errors);
      if (failed.length > 0) return validationException(failed.map((r) => elementOf(def, r.input, r.errors ?? [])));
      for (const r of results) if (r.record) this.save(call, def, r.record, r.existing);
      return this.envelope(
        call,
        def.name,
        results.map((r) => r.record),
      );
    }
    return this.envelope(
      call,
      def.name,
      results.map((r) =>
        r.record
          ? { ...r.record, StatusAttributeString: 'OK' }
          : {
              ...r.input,
              ...(hasProperty(def, 'HasErrors') ? { HasErrors: true } : {}),
              ...(hasProperty(def, 'HasValidationErrors') ? { HasValidationErrors: true } : {}),
              StatusAttributeString: 'ERROR',
              ValidationErrors: (r.errors ?? []).map((Message) => ({ Message })),
            },
      ),
    );
  }

  private save(call: Call, def: ResourceDef, record: XRecord, existing: XRecord | undefined): void {
    const collection = call.book.collection(def.name);
    const key = keyOf(def, String(record[def.idField]));
    collection.set(key, record);
    noteChange(call.ctx, def.name, record, existing ? 'UPDATE' : 'CREATE');
    if (def.history) {
      const what = recordSchemaOf(def);
      // Approving a document is its own line in Xero's history (an approval alone is not an edit).
      const approving = def.name === 'Invoices' && record.Status === 'AUTHORISED' && existing?.Status !== 'AUTHORISED';
      if (!existing) recordHistory(call.ctx, key, 'Created', `${what} created.`);
      else if (!approving) recordHistory(call.ctx, key, 'Edited', `${what} updated.`);
      if (approving)
        recordHistory(
          call.ctx,
          key,
          'Approved',
          `${String(record.InvoiceNumber ?? what)} to ${String(obj(record.Contact)?.Name ?? '')} for ${Number(record.Total).toFixed(2)}.`,
        );
    }
    // After the record's own history: a payment's lines go on the invoice it pays.
    def.saved?.(record, call.ctx, existing);
  }

  private remove(call: Call, def: ResourceDef, id: string): SimResponse {
    const record = this.find(call.book, def, id);
    if (!record) return notFound();
    call.book.collection(def.name).delete(keyOf(def, String(record[def.idField])));
    // The document has Accounts and TrackingCategories answer the deleted record, Items nothing.
    if (!deleteAnswersRecord(def.name)) return empty(204);
    return this.envelope(call, def.name, [{ ...record, Status: 'DELETED' }]);
  }

  private attachments(call: Call, def: ResourceDef, record: XRecord, fileName: string | undefined): SimResponse {
    const key = String(record[def.idField]).toLowerCase();
    const list = call.book.attachments.get(key) ?? [];
    if (fileName === undefined) {
      if (call.method !== 'GET') return notFound();
      return this.envelope(
        call,
        'Attachments',
        list.map((a) => a.meta),
      );
    }
    if (call.method === 'GET') {
      const found = list.find((a) => a.meta.FileName === fileName || a.meta.AttachmentID === fileName.toLowerCase());
      if (!found) return notFound();
      return {
        status: 200,
        headers: { 'Content-Type': found.meta.MimeType, 'Content-Disposition': `attachment; filename="${encodeURIComponent(found.meta.FileName)}"` },
        body: found.bytes,
      };
    }
    if (call.method !== 'PUT' && call.method !== 'POST') return notFound();
    if (call.raw.length > MAX_ATTACHMENT_BYTES) return tooLarge('Attachments are limited to 10 MB each.');
    if (call.raw.length === 0) return validationException([{ ValidationErrors: [{ Message: 'The attachment is empty.' }] }]);
    const sameName = list.findIndex((a) => a.meta.FileName === fileName);
    if (sameName < 0 && list.length >= MAX_ATTACHMENTS)
      return validationException([{ ValidationErrors: [{ Message: `You can attach up to ${MAX_ATTACHMENTS} files to this document.` }] }]);
    const includeOnline = call.req.url.searchParams.get('IncludeOnline')?.toLowerCase() === 'true';
    const id = newId();
    const attachment: StoredAttachment = {
      meta: {
        AttachmentID: id,
        FileName: fileName,
        Url: `https://api.xero.com/api.xro/2.0/${def.name}/${key}/Attachments/${encodeURIComponent(fileName)}`,
        MimeType:
          String(call.req.headers['content-type'] ?? 'application/octet-stream')
            .split(';')[0]
            ?.trim() ?? 'application/octet-stream',
        ContentLength: call.raw.length,
        ...(includeOnline ? { IncludeOnline: true } : {}),
      },
      bytes: Buffer.from(call.raw),
    };
    if (sameName >= 0) list[sameName] = attachment;
    else list.push(attachment);
    call.book.attachments.set(key, list);
    if (hasProperty(def, 'HasAttachments') && record.HasAttachments !== true) {
      record.HasAttachments = true;
      if (hasProperty(def, 'UpdatedDateUTC')) touch(call.ctx, def.name, record);
    }
    return this.envelope(call, 'Attachments', [attachment.meta]);
  }

  private historyOf(call: Call, def: ResourceDef, record: XRecord): SimResponse {
    const key = String(record[def.idField]).toLowerCase();
    const list = call.book.history.get(key) ?? [];
    if (call.method === 'GET') return this.envelope(call, 'HistoryRecords', list);
    if (call.method !== 'PUT') return notFound();
    let parsed: unknown;
    try {
      parsed = JSON.parse(call.raw.toString('utf8'));
    } catch {
      return json(400, { ErrorNumber: 14, Type: 'PostDataInvalidException', Message: 'The request body is not valid JSON.' });
    }
    const notes = arr(obj(parsed)?.HistoryRecords)
      .map((n) => obj(n))
      .filter((n): n is XRecord => n !== undefined);
    if (notes.length === 0 || notes.some((n) => !str(n.Details)))
      return validationException([{ ValidationErrors: [{ Message: 'A history note needs Details.' }] }]);
    const added = notes.map((n) => ({
      Changes: 'Note',
      DateUTCString: dateString(call.ctx.now),
      DateUTC: wireDate(call.ctx.now),
      User: call.providerName,
      Details: String(n.Details).slice(0, 2500),
    }));
    list.push(...added);
    call.book.history.set(key, list);
    return this.envelope(call, 'HistoryRecords', added);
  }

  private email(call: Call, invoice: XRecord): SimResponse {
    if (invoice.Type !== 'ACCREC' || !['AUTHORISED', 'PAID'].includes(String(invoice.Status))) {
      return validationException([
        { InvoiceID: invoice.InvoiceID, ValidationErrors: [{ Message: 'Only sales invoices that are AUTHORISED or PAID can be emailed.' }] },
      ]);
    }
    const contact = call.book.collection('Contacts').get(String(obj(invoice.Contact)?.ContactID).toLowerCase());
    if (!str(contact?.EmailAddress))
      return validationException([{ InvoiceID: invoice.InvoiceID, ValidationErrors: [{ Message: 'The contact has no email address.' }] }]);
    if (invoice.SentToContact !== true) {
      invoice.SentToContact = true;
      touch(call.ctx, 'Invoices', invoice);
    }
    return empty(204);
  }

  private onlineInvoice(call: Call, invoice: XRecord): SimResponse {
    if (invoice.Type !== 'ACCREC' || invoice.Status === 'DRAFT')
      return validationException([
        { InvoiceID: invoice.InvoiceID, ValidationErrors: [{ Message: 'Online invoices are only available for approved sales invoices.' }] },
      ]);
    return this.envelope(call, 'OnlineInvoices', [{ OnlineInvoiceUrl: `https://in.xero.com/${String(invoice.InvoiceID).replace(/-/g, '').slice(0, 20)}` }]);
  }

  private allocate(call: Call, credit: XRecord): SimResponse {
    let parsed: unknown;
    try {
      parsed = JSON.parse(call.raw.toString('utf8'));
    } catch {
      return json(400, { ErrorNumber: 14, Type: 'PostDataInvalidException', Message: 'The request body is not valid JSON.' });
    }
    const wanted = arr(obj(parsed)?.Allocations)
      .map((a) => obj(a))
      .filter((a): a is XRecord => a !== undefined);
    const errors: string[] = [];
    if (credit.Status !== 'AUTHORISED') errors.push('Only an AUTHORISED credit note can be allocated.');
    const made: XRecord[] = [];
    let remaining = Number(credit.RemainingCredit);
    for (const a of wanted) {
      const invoice = call.book.collection('Invoices').get(String(obj(a.Invoice)?.InvoiceID).toLowerCase());
      const amount = num(a.Amount) ?? 0;
      if (!invoice) errors.push('Invoice could not be found.');
      else if (amount <= 0 || amount > remaining + 0.001 || amount > Number(invoice.AmountDue) + 0.001)
        errors.push('The allocation amount exceeds the remaining credit or the amount due on the invoice.');
      else {
        remaining = round2(remaining - amount);
        made.push({
          AllocationID: newId(),
          Amount: amount,
          Date: wireDate(call.ctx.now),
          Invoice: {
            InvoiceID: invoice.InvoiceID,
            InvoiceNumber: invoice.InvoiceNumber,
            Payments: [],
            CreditNotes: [],
            Prepayments: [],
            Overpayments: [],
            HasErrors: false,
            IsDiscounted: false,
            LineItems: [],
          },
          IsDeleted: false,
        });
      }
    }
    if (wanted.length === 0) errors.push('At least one allocation must be specified.');
    if (errors.length > 0) return validationException([{ CreditNoteID: credit.CreditNoteID, ValidationErrors: errors.map((Message) => ({ Message })) }]);
    for (const m of made) {
      const invoice = call.book.collection('Invoices').get(String(obj(m.Invoice)?.InvoiceID).toLowerCase()) as XRecord;
      invoice.AmountCredited = round2(Number(invoice.AmountCredited) + Number(m.Amount));
      invoice.AmountDue = round2(Number(invoice.Total) - Number(invoice.AmountPaid) - Number(invoice.AmountCredited));
      if (Number(invoice.AmountDue) <= 0) invoice.Status = 'PAID';
      touch(call.ctx, 'Invoices', invoice);
    }
    credit.Allocations = [...arr(credit.Allocations), ...made];
    credit.AppliedAmount = round2(Number(credit.AppliedAmount) + made.reduce((s, m) => s + Number(m.Amount), 0));
    credit.RemainingCredit = remaining;
    if (remaining <= 0) credit.Status = 'PAID';
    touch(call.ctx, 'CreditNotes', credit);
    return this.envelope(call, 'Allocations', made);
  }

  private addOptions(call: Call, category: XRecord): SimResponse {
    let parsed: unknown;
    try {
      parsed = JSON.parse(call.raw.toString('utf8'));
    } catch {
      return json(400, { ErrorNumber: 14, Type: 'PostDataInvalidException', Message: 'The request body is not valid JSON.' });
    }
    // The document's body is one TrackingOption ({"Name": ...}); `{"Options": [...]}` adds several.
    const body = obj(parsed);
    const names = (body && Array.isArray(body.Options) ? arr(body.Options) : [body]).map((o) => str(obj(o)?.Name));
    if (names.length === 0 || names.some((n) => !n)) return validationException([{ ValidationErrors: [{ Message: 'Each tracking option needs a Name.' }] }]);
    const existing = arr(category.Options).map((o) => String(obj(o)?.Name).toLowerCase());
    const clash = names.find((n) => existing.includes(String(n).toLowerCase()));
    if (clash) return validationException([{ ValidationErrors: [{ Message: `For each specified tracking option the name must be unique: ${clash}` }] }]);
    const added = names.map((n) => ({ TrackingOptionID: newId(), Name: n, Status: 'ACTIVE', TrackingCategoryID: category.TrackingCategoryID }));
    category.Options = [...arr(category.Options), ...added];
    return this.envelope(call, 'Options', added);
  }

  private addToGroup(call: Call, group: XRecord): SimResponse {
    let parsed: unknown;
    try {
      parsed = JSON.parse(call.raw.toString('utf8'));
    } catch {
      return json(400, { ErrorNumber: 14, Type: 'PostDataInvalidException', Message: 'The request body is not valid JSON.' });
    }
    const contacts = arr(obj(parsed)?.Contacts).map((c) => call.book.collection('Contacts').get(String(obj(c)?.ContactID).toLowerCase()));
    if (contacts.length === 0 || contacts.some((c) => !c))
      return validationException([{ ValidationErrors: [{ Message: 'Every contact must exist (give its ContactID).' }] }]);
    const added = contacts.map((c) => ({ ContactID: (c as XRecord).ContactID, Name: (c as XRecord).Name }));
    group.Contacts = [...arr(group.Contacts), ...added];
    for (const c of contacts) {
      (c as XRecord).ContactGroups = [...arr((c as XRecord).ContactGroups), { ContactGroupID: group.ContactGroupID, Name: group.Name, Status: 'ACTIVE' }];
      touch(call.ctx, 'Contacts', c as XRecord);
    }
    return this.envelope(call, 'Contacts', added);
  }

  private changeOption(call: Call, category: XRecord, optionId: string): SimResponse {
    const options = arr(category.Options).map((o) => obj(o) as XRecord);
    const option = options.find((o) => String(o.TrackingOptionID).toLowerCase() === optionId.toLowerCase());
    if (!option) return notFound();
    if (call.method === 'DELETE') {
      category.Options = options.filter((o) => o !== option);
      return this.envelope(call, 'Options', [{ ...option, Status: 'DELETED' }]);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(call.raw.toString('utf8'));
    } catch {
      return json(400, { ErrorNumber: 14, Type: 'PostDataInvalidException', Message: 'The request body is not valid JSON.' });
    }
    const name = str(obj(parsed)?.Name);
    if (!name) return validationException([{ ValidationErrors: [{ Message: 'A tracking option needs a Name.' }] }]);
    if (options.some((o) => o !== option && String(o.Name).toLowerCase() === name.toLowerCase()))
      return validationException([{ ValidationErrors: [{ Message: `For each specified tracking option the name must be unique: ${name}` }] }]);
    option.Name = name;
    return this.envelope(call, 'Options', [option]);
  }

  /** DELETE ContactGroups/{id}/Contacts[/{ContactID}]: one contact, or all of them, leave the group. */
  private removeFromGroup(call: Call, group: XRecord, contactId: string | undefined): SimResponse {
    const members = arr(group.Contacts).map((c) => obj(c) as XRecord);
    const leaving = contactId === undefined ? members : members.filter((c) => String(c.ContactID).toLowerCase() === contactId.toLowerCase());
    if (contactId !== undefined && leaving.length === 0) return notFound();
    group.Contacts = members.filter((c) => !leaving.includes(c));
    for (const m of leaving) {
      const contact = call.book.collection('Contacts').get(String(m.ContactID).toLowerCase());
      if (!contact) continue;
      contact.ContactGroups = arr(contact.ContactGroups).filter((g) => String(obj(g)?.ContactGroupID) !== String(group.ContactGroupID));
      touch(call.ctx, 'Contacts', contact);
    }
    return empty(204);
  }

  /** DELETE CreditNotes/{id}/Allocations/{AllocationID}: the credit goes back to the note and the amount to the invoice. */
  private unallocate(call: Call, credit: XRecord, allocationId: string): SimResponse {
    const allocations = arr(credit.Allocations).map((a) => obj(a) as XRecord);
    const allocation = allocations.find((a) => String(a.AllocationID).toLowerCase() === allocationId.toLowerCase());
    if (!allocation) return notFound();
    const amount = Number(allocation.Amount);
    const invoice = call.book.collection('Invoices').get(String(obj(allocation.Invoice)?.InvoiceID).toLowerCase());
    if (invoice) {
      invoice.AmountCredited = round2(Number(invoice.AmountCredited) - amount);
      invoice.AmountDue = round2(Number(invoice.Total) - Number(invoice.AmountPaid) - Number(invoice.AmountCredited));
      if (invoice.Status === 'PAID' && Number(invoice.AmountDue) > 0) invoice.Status = 'AUTHORISED';
      touch(call.ctx, 'Invoices', invoice);
    }
    credit.Allocations = allocations.filter((a) => a !== allocation);
    credit.AppliedAmount = round2(Number(credit.AppliedAmount) - amount);
    credit.RemainingCredit = round2(Number(credit.RemainingCredit) + amount);
    if (credit.Status === 'PAID') credit.Status = 'AUTHORISED';
    touch(call.ctx, 'CreditNotes', credit);
    return json(200, { ...allocation, IsDeleted: true });
  }

  private journals(call: Call, id: string | undefined): SimResponse {
    if (call.method !== 'GET') return notFound();
    if (!call.scopes.some((s) => JOURNALS_SCOPES.read.includes(s))) return authorizationUnsuccessful(call.req.correlationId);
    if (id !== undefined) {
      const j = call.book.journals.find((x) => String(x.JournalID) === id.toLowerCase() || String(x.JournalNumber) === id);
      return j ? this.envelope(call, 'Journals', [j]) : notFound();
    }
    const offset = Math.max(0, Math.floor(Number(call.req.url.searchParams.get('offset') ?? 0)) || 0);
    const since = ifModifiedSince(call.req);
    const after = call.book.journals.filter((j) => Number(j.JournalNumber) > offset && (since === undefined || (wireMs(j.CreatedDateUTC) ?? 0) > since));
    return this.envelope(call, 'Journals', after.slice(0, JOURNALS_BATCH));
  }

  private report(call: Call, name: string): SimResponse {
    if (call.method !== 'GET') return notFound();
    const report = REPORTS.find((r) => r.toLowerCase() === name.toLowerCase());
    if (!report) return notFound();
    if (!call.scopes.some((s) => REPORT_SCOPES(report).includes(s))) return authorizationUnsuccessful(call.req.correlationId);
    const built = buildReport(call.book, report as ReportName, call.req.url.searchParams, call.ctx.now, call.orgName);
    if (typeof built === 'string') return validationException([{ ValidationErrors: [{ Message: built }] }]);
    return this.envelope(call, 'Reports', [built]);
  }
}

/** Whether the document's record for this resource has a property (Quotes have no HasAttachments). */
function hasProperty(def: ResourceDef, property: string): boolean {
  return property in (accountingSchemas[recordSchemaOf(def)]?.properties ?? {});
}

const deleteAnswers = new Map<string, boolean>();
/** Whether the document has `DELETE {name}/{id}` answer the record (200) rather than nothing (204). */
function deleteAnswersRecord(name: string): boolean {
  let yes = deleteAnswers.get(name);
  if (yes === undefined) {
    const op = xeroOperations('accounting').find((o) => o.method === 'DELETE' && o.path.split('/').length === 3 && o.resource === name);
    yes = op?.response.status === 200;
    deleteAnswers.set(name, yes);
  }
  return yes;
}

/**
 * One element of a ValidationException as xero_accounting.yaml's Element schema has it: the
 * record's id (for the kinds the schema names) and its ValidationErrors.
 */
const ELEMENT_IDS = new Set(['BatchPaymentID', 'BankTransactionID', 'CreditNoteID', 'ContactID', 'InvoiceID', 'ItemID', 'PurchaseOrderID']);
function elementOf(def: ResourceDef, input: XRecord, errors: string[]): XRecord {
  const id = ELEMENT_IDS.has(def.idField) ? str(input[def.idField]) : undefined;
  return { ...(id ? { [def.idField]: id } : {}), ValidationErrors: errors.map((Message) => ({ Message })) };
}

function csv(value: string | null, lower = true): Set<string> | undefined {
  if (value === null || value.trim() === '') return undefined;
  return new Set(
    value
      .split(',')
      .map((s) => (lower ? s.trim().toLowerCase() : s.trim()))
      .filter((s) => s !== ''),
  );
}

/** `If-Modified-Since` as Xero reads it: `2009-11-12T00:00:00` (UTC) or an HTTP date. */
function ifModifiedSince(req: ApiRequest): number | undefined {
  const raw = req.headers['if-modified-since'];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!value) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(value)
    ? Date.parse(`${value.length === 10 ? `${value}T00:00:00` : value}Z`)
    : Date.parse(value);
  return Number.isFinite(iso) ? iso : undefined;
}

const fieldSets = new Map<string, Set<string>>();
/**
 * The fields `where` and `order` may name: the document's record schema's, whether or not any record
 * has them yet (an empty list answers 200, not a QueryParseException), and nothing else.
 */
function fieldsOf(def: ResourceDef): Set<string> {
  let fields = fieldSets.get(def.name);
  if (!fields) {
    fields = new Set([def.idField, ...(def.numberField ? [def.numberField] : []), ...Object.keys(accountingSchemas[recordSchemaOf(def)]?.properties ?? {})]);
    fieldSets.set(def.name, fields);
  }
  return fields;
}
