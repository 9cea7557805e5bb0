/**
 * Each API's own shapes for what the generic store answers: where the records go (its operation's
 * `response.records`), the envelope around them (Accounting and Payroll AU: `Id`, `Status`,
 * `ProviderName`, `DateTimeUTC`; Payroll NZ/UK, Projects, Assets: `pagination`; Files: `TotalCount`,
 * `Page`, `PerPage`), and a refused request as each document's 400 schema has it (Accounting `Error`,
 * Payroll AU `APIException`, Payroll NZ/UK `Problem`, Projects `Error`, Assets `Error`, Finance
 * `Problem`; Files, in its example only: a list of `{type, title, detail}`).
 */
import type { XeroApiId, XeroOperation } from '../../xero/operations';
import { newId } from '../formats';
import { empty, json, type SimResponse } from '../http-kit';
import { wireDate } from '../accounting/values';

export interface Refusal {
  /** The field at fault, as the client named it, when there is one. */
  field?: string;
  message: string;
}

export interface PageCounts {
  page: number;
  pageSize: number;
  itemCount: number;
}

/** Accounting and Payroll AU (the api.xro generation) wrap every answer the same way. */
const WRAPPED: ReadonlySet<XeroApiId> = new Set(['accounting', 'payroll-au']);

export function answer(op: XeroOperation, records: unknown[], ctx: { now: number; providerName: string; counts?: PageCounts }): SimResponse {
  const { response } = op;
  if (response.status === 204 || !response.mediaType) return empty(response.status === 204 ? 204 : response.status);
  const where = response.records;
  const payload = where?.many ? records : (records[0] ?? {});
  const body: Record<string, unknown> =
    where?.key === null || where === undefined
      ? {}
      : WRAPPED.has(op.api)
        ? { Id: newId(), Status: 'OK', ProviderName: ctx.providerName, DateTimeUTC: wireDate(ctx.now) }
        : {};
  if (ctx.counts && op.paging.style === 'page') {
    const { page, pageSize, itemCount } = ctx.counts;
    if (op.paging.counts === 'pagination') body.pagination = { page, pageSize, pageCount: Math.ceil(itemCount / pageSize), itemCount };
    if (op.paging.counts === 'files') Object.assign(body, { TotalCount: itemCount, Page: page, PerPage: pageSize });
  }
  if (where?.key === null || where === undefined) return json(response.status, payload);
  body[where.key] = payload;
  return json(response.status, body);
}

export function refused(api: XeroApiId, refusals: Refusal[], correlationId: string): SimResponse {
  const text = refusals.map((r) => r.message).join(' ');
  switch (api) {
    case 'payroll-au':
      return json(400, { ErrorNumber: 10, Type: 'ValidationException', Message: text });
    case 'payroll-au-v2':
    case 'payroll-nz':
    case 'payroll-uk':
      return json(400, {
        type: 'application/problem+json',
        title: 'BadRequest',
        status: '400',
        detail: 'Validation error occurred.',
        instance: correlationId,
        invalidFields: refusals.map((r) => ({ name: r.field ?? '', reason: r.message })),
      });
    case 'projects':
      return json(400, {
        message: 'The request is invalid.',
        modelState: Object.fromEntries(refusals.map((r, i) => [r.field ?? `request${i === 0 ? '' : i}`, [r.message]])),
      });
    case 'assets':
      return json(400, {
        type: 'ValidationException',
        title: 'Validation failed',
        detail: text,
        fieldValidationErrors: refusals.map((r) => ({
          fieldName: r.field ?? '',
          localisedMessage: r.message,
          type: 'validation',
          title: 'Invalid field',
          detail: r.message,
        })),
      });
    case 'files':
      return json(
        400,
        refusals.map((r) => ({ type: 'Validation', title: 'Validation failure', detail: r.message })),
      );
    case 'finance':
      return json(400, { type: 'invalid-request', title: 'Bad Request', status: 400, detail: text });
    default:
      return json(400, {
        ErrorNumber: 10,
        Type: 'ValidationException',
        Message: 'A validation exception occurred',
        Elements: [{ ValidationErrors: refusals.map((r) => ({ Message: r.message })) }],
      });
  }
}

/** The body was not JSON at all. */
export function unreadable(api: XeroApiId, correlationId: string): SimResponse {
  if (api === 'accounting' || api === 'payroll-au')
    return json(400, { ErrorNumber: 14, Type: 'PostDataInvalidException', Message: 'The request body is not valid JSON.' });
  return refused(api, [{ message: 'The request body is not valid JSON.' }], correlationId);
}
