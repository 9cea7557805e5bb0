import { isRetryable, messageOf, recordFailure, type CallBudgetLike, type RecordReader } from './budget';
import { CATEGORY_RESOURCES, IDS_PER_CALL, recordId, WHERE_IDS_PER_CALL } from './resources';
import { XERO_GUID } from './settings';

/** Why a record is not beside its event. */
export interface RecordError {
  code: 'not_found' | 'budget_reserve' | 'not_readable' | 'xero_error';
  message: string;
}

export interface FetchedRecords {
  /** By ID in lower case. */
  records: Map<string, Record<string, unknown>>;
  errors: Map<string, RecordError>;
  /** Calls spent. */
  calls: number;
}

/**
 * The records a batch of events names, for one organisation and category, in as few calls as
 * Xero allows (IDS_PER_CALL per `IDs=` read; credit notes by a `where` of IDs). Each call asks the
 * budget first: at the organisation's reserve, no call is made and the records are reported
 * `budget_reserve`. A record Xero does not return is `not_found` (deleted, or not visible to this
 * connection). A failure a retry may fix (Xero busy, a network fault) is thrown, so the caller can
 * give the batch back and try again later; any other failure is reported per record.
 */
export async function fetchRecords(options: {
  reader: RecordReader;
  budget?: CallBudgetLike;
  tenantId: string;
  category: string;
  ids: readonly string[];
}): Promise<FetchedRecords> {
  const { reader, budget, tenantId, category } = options;
  const out: FetchedRecords = { records: new Map(), errors: new Map(), calls: 0 };
  const ids = [...new Set(options.ids.map((id) => id.toLowerCase()))];
  const resource = CATEGORY_RESOURCES[category];
  if (!resource?.byIds) {
    for (const id of ids)
      out.errors.set(id, { code: 'not_readable', message: `Xero's Accounting API has no ${category.toLowerCase()} records to read; the event comes alone.` });
    return out;
  }
  const valid = ids.filter((id) => XERO_GUID.test(id));
  const size = resource.byIds === 'IDs' ? IDS_PER_CALL : WHERE_IDS_PER_CALL;
  for (let i = 0; i < valid.length; i += size) {
    const chunk = valid.slice(i, i + size);
    if (budget && !budget.mayUseForHousekeeping(tenantId)) {
      for (const id of valid.slice(i))
        out.errors.set(id, {
          code: 'budget_reserve',
          message: 'Not read: the organisation is down to the calls it keeps in reserve for your own work. The event comes without its record.',
        });
      break;
    }
    const query =
      resource.byIds === 'IDs'
        ? { ...resource.query, IDs: chunk }
        : { ...resource.query, where: chunk.map((id) => `${resource.idField}==Guid("${id}")`).join(' OR ') };
    try {
      for await (const page of reader.pages({ path: resource.path, tenantId, query })) {
        out.calls++;
        budget?.record(tenantId, page.limits);
        for (const record of page.records) {
          const id = recordId(record, resource.idField);
          if (id && chunk.includes(id)) out.records.set(id, record as Record<string, unknown>);
        }
      }
    } catch (error) {
      recordFailure(budget, tenantId, error);
      if (isRetryable(error)) throw error;
      for (const id of chunk) out.errors.set(id, { code: 'xero_error', message: messageOf(error) });
    }
  }
  for (const id of ids) {
    if (!out.records.has(id) && !out.errors.has(id))
      out.errors.set(id, {
        code: 'not_found',
        message: `Xero has no ${resource.path.replace(/s$/, '').toLowerCase()} with this ID any more (deleted, or not visible to this connection).`,
      });
  }
  return out;
}
