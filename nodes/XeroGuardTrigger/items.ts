/**
 * What a Xero Guard Trigger execution receives: one item per webhook event (or per record, when the
 * records are fetched) and one per polled change, each with the identity a workflow can key on.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import type { ChangeItem, EventItem } from '../../src/events';

/** A webhook (or catch-up) event: the record when it was read, the event beside it. */
export function eventItem(item: EventItem): INodeExecutionData {
  const { event } = item;
  return {
    json: {
      eventId: item.eventId,
      source: item.source,
      tenantId: event.tenantId,
      eventCategory: event.eventCategory,
      eventType: event.eventType,
      resourceId: event.resourceId,
      eventDateUtc: event.eventDateUtc,
      redelivered: item.redelivered,
      record: item.record as IDataObject | null,
      recordError: item.recordError,
      event: event as unknown as IDataObject,
      events: item.events as unknown as IDataObject[],
    },
  };
}

/** A polled change or named event: the record, with what it is and its identity. */
export function changeItem(item: ChangeItem): INodeExecutionData {
  return {
    json: {
      eventId: item.key,
      source: 'poll',
      kind: item.kind,
      watch: item.watch,
      tenantId: item.tenantId,
      recordId: item.recordId,
      updatedDateUtc: item.updatedDateUtc,
      redelivered: item.redelivered,
      record: item.record as IDataObject,
    },
  };
}
